'use client';

export default function InvoiceExceptionsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section role="alert">
      <h1>Failed invoice syncs</h1>
      <p className="error">The figures could not be computed: {error.message}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
