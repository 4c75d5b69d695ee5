export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Audit log</h1>
      <p className="muted">Reading the audit log…</p>
    </section>
  );
}
