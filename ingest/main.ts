import { env, usesEmbeddedClickHouse } from '@/lib/config/env';
import { closeClickHouse } from '@/lib/clickhouse/client';
import { closeDatabase } from '@/lib/db/client';
import { prepareStores } from '@/lib/runtime/boot';
import { startIngestServer } from '@/ingest/server';

/**
 * `npm run ingest`: the ingest service on its own, for deployments with ClickHouse and
 * PostgreSQL servers, where several instances can run behind a load balancer. On the
 * embedded default the web process already runs ingest (chDB allows one process per
 * data directory), so this is only for running ingest without the web app there.
 */
async function main(): Promise<void> {
  const cfg = env();
  if (usesEmbeddedClickHouse()) {
    console.log('Embedded stores: make sure the web app (npm start) is not running on the same PLUMBLINE_DATA_DIR.');
  }
  await prepareStores();
  const server = await startIngestServer({ port: cfg.INGEST_PORT, host: cfg.HOSTNAME });
  console.log(`Plumbline ingest listening on http://${cfg.HOSTNAME}:${server.port} (POST /v1/traces, POST /v1/ledger)`);
  if (!cfg.PLUMBLINE_INGEST_KEY) console.log('PLUMBLINE_INGEST_KEY is not set: only API keys created in the admin UI are accepted.');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: finishing in-flight requests and flushing queued rows…`);
    try {
      await server.close();
      await closeClickHouse();
      await closeDatabase();
      process.exit(0);
    } catch (error) {
      console.error('Ingest did not shut down cleanly:', error);
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('Plumbline ingest could not start:', error);
  process.exit(1);
});
