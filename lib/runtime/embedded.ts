import { env, usesEmbeddedClickHouse } from '@/lib/config/env';
import { prepareStores } from '@/lib/runtime/boot';
import { startIngestServer } from '@/ingest/server';
import { loadDemoTraffic } from '@/lib/demo/estate';
import { ledgerStateFed } from '@/lib/ledger/state-feed';
import { startBackgroundWorkers } from '@/lib/runtime/workers';
import '@/lib/runtime/jobs';
import { closeClickHouse } from '@/lib/clickhouse/client';
import { closeDatabase } from '@/lib/db/client';

/**
 * The web process's start-up; see instrumentation.ts. A failure exits the process:
 * Next would otherwise keep serving pages with no stores behind them.
 */
export async function startEmbeddedRuntimeOrExit(): Promise<void> {
  try {
    await startEmbeddedRuntime();
  } catch (error) {
    console.error('Plumbline could not start:', error);
    process.exit(1);
  }
}

async function startEmbeddedRuntime(): Promise<void> {
  const cfg = env();
  const report = await prepareStores();
  const ingestEmbedded = cfg.PLUMBLINE_INGEST_EMBEDDED ?? usesEmbeddedClickHouse();
  const ingest = ingestEmbedded && cfg.INGEST_PORT > 0 ? await startIngestServer({ port: cfg.INGEST_PORT, host: cfg.HOSTNAME }) : null;
  if (report.demoTrafficPending) {
    // The demo goes through the public ingest endpoint, like any interface's traffic.
    const loader = ingest ?? (await startIngestServer({ port: 0, host: '127.0.0.1' }));
    const loaderHost = ingest && !['0.0.0.0', '::'].includes(cfg.HOSTNAME) ? cfg.HOSTNAME : '127.0.0.1';
    await loadDemoTraffic(`http://${loaderHost}:${loader.port}`, console.log);
    if (!ingest) await loader.close();
    // Acknowledged is stored; the dashboards open once its state is fed too.
    await ledgerStateFed();
  }
  const workers = ingestEmbedded ? startBackgroundWorkers() : null;

  const webUrl = cfg.NEXTAUTH_URL ?? `http://localhost:${cfg.PORT}`;
  console.log(`\nPlumbline is up: ${webUrl}`);
  if (ingest) console.log(`Ingest (OTLP/HTTP and sync ledger): http://localhost:${ingest.port}`);
  if (report.demoUsers.length) {
    console.log(`Demo logins (password: ${process.env.PLUMBLINE_DEMO_PASSWORD ? 'as set in PLUMBLINE_DEMO_PASSWORD' : cfg.PLUMBLINE_DEMO_PASSWORD}):`);
    for (const email of report.demoUsers) console.log(`  ${email}`);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: flushing ingest and closing stores…`);
    await workers?.stop();
    await ingest?.close();
    await closeClickHouse();
    await closeDatabase();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
