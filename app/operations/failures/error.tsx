'use client';

export default function FailuresError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section role="alert">
      <h1>Failures</h1>
      <p className="error">The failure queue could not be loaded: {error.message}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
