export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Administration</h1>
      <p className="muted">Loading…</p>
    </section>
  );
}
