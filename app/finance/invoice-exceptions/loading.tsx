export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Failed invoice syncs</h1>
      <p className="muted">Loading failed invoice syncs from the ledger…</p>
    </section>
  );
}
