import { usesEmbeddedClickHouse } from '@/lib/config/env';
import { closeClickHouse, pingClickHouse } from '@/lib/clickhouse/client';
import { closeDatabase, prisma } from '@/lib/db/client';
import { startBackgroundWorkers } from '@/lib/runtime/workers';
import '@/lib/runtime/jobs';

/**
 * `npm run worker`: the background jobs (SLO evaluator, webhook delivery, …) as their own
 * process, for deployments with a ClickHouse server (CLICKHOUSE_URL). On the embedded
 * default the web process runs them itself: chDB allows one process per data directory.
 * Several workers may run at once; each job's writes are idempotent or claimed per row.
 */
async function main(): Promise<void> {
  if (usesEmbeddedClickHouse()) {
    console.error('npm run worker needs CLICKHOUSE_URL: on the embedded default the web process (npm start) already runs the background jobs.');
    process.exit(2);
  }
  if (!(await pingClickHouse())) throw new Error('ClickHouse is not reachable at CLICKHOUSE_URL');
  const db = await prisma();
  await db.$queryRawUnsafe('SELECT 1');
  const workers = startBackgroundWorkers();
  console.log('Plumbline worker running background jobs');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: finishing running jobs…`);
    await workers.stop();
    await closeClickHouse();
    await closeDatabase();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('Plumbline worker could not start:', error);
  process.exit(1);
});
