export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Interface catalog</h1>
      <p className="muted">Reading the registry and the last 7 days of traffic…</p>
    </section>
  );
}
