export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Schema change</h1>
      <p className="muted">Validating recent traffic against the proposed schema…</p>
    </section>
  );
}
