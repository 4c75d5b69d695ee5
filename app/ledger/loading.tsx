export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Sync ledger</h1>
      <p className="muted">Searching ledger events…</p>
    </section>
  );
}
