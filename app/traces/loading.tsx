export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Traces</h1>
      <p className="muted">Searching traces…</p>
    </section>
  );
}
