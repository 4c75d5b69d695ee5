export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Schema changes</h1>
      <p className="muted">Loading proposals…</p>
    </section>
  );
}
