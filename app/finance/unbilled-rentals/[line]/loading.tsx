export default function Loading() {
  return (
    <section aria-busy="true">
      <h1>Contract line</h1>
      <p className="muted">Loading the contract line&apos;s events…</p>
    </section>
  );
}
