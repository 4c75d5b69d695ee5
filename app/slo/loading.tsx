export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Service level objectives</h1>
      <p className="muted">Computing SLIs and burn rates…</p>
    </section>
  );
}
