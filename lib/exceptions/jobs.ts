import { usesEmbeddedClickHouse } from '@/lib/config/env';
import { recopyFailingRecords } from '@/lib/exceptions/state-repair';
import { registerJob } from '@/lib/runtime/workers';
import { syncExceptionCases } from '@/lib/exceptions/sync';
import { INGEST_VISIBILITY_MS } from '@/lib/ledger/row';

/** Cases follow the ledger within ~30 s: opened for new failures, closed by later successes. */
registerJob({
  name: 'exception-cases',
  intervalMs: 30_000,
  run: async () => {
    await syncExceptionCases();
  },
});

const STATE_REPAIR_INTERVAL_MS = 60_000;

/**
 * With a ClickHouse server, ingest may run as several processes, whose flushes of one record
 * can overlap (recopyFailingRecords); each minute the records that failed since the run before
 * last (less the visibility margin) are copied again. On chDB one process writes, and orders them.
 */
registerJob({
  name: 'exception-state-repair',
  intervalMs: STATE_REPAIR_INTERVAL_MS,
  run: async () => {
    if (usesEmbeddedClickHouse()) return;
    await recopyFailingRecords(new Date(Date.now() - 2 * STATE_REPAIR_INTERVAL_MS - INGEST_VISIBILITY_MS));
  },
});
