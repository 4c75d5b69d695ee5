/**
 * Runs once per `next start` / `next dev` (never during `next build`): opens the stores,
 * migrates, loads the demo estate on an empty store and, on the embedded default, starts
 * the ingest listener and background jobs in this same process (chDB and PGlite allow one
 * process per data directory).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startEmbeddedRuntimeOrExit } = await import('@/lib/runtime/embedded');
  await startEmbeddedRuntimeOrExit();
}
