export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Trace</h1>
      <p className="muted">Loading the spans of this trace…</p>
    </section>
  );
}
