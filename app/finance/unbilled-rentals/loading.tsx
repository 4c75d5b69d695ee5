export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Unbilled rentals</h1>
      <p className="muted">Computing unbilled rental value from the ledger…</p>
    </section>
  );
}
