export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Exception case</h1>
      <p className="muted">Loading the case and its events…</p>
    </section>
  );
}
