import { registerJob } from '@/lib/runtime/workers';
import { syncExceptionCases } from '@/lib/exceptions/sync';

/** Cases follow the ledger within ~30 s: opened for new failures, closed by later successes. */
registerJob({
  name: 'exception-cases',
  intervalMs: 30_000,
  run: async () => {
    await syncExceptionCases();
  },
});
