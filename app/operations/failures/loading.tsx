export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Failures</h1>
      <p className="muted">Loading the failure queue…</p>
    </section>
  );
}
