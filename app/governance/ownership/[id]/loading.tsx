export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Data ownership</h1>
      <p className="muted">Checking live traffic against the registry…</p>
    </section>
  );
}
