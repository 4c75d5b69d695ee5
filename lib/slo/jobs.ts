import { registerJob } from '@/lib/runtime/workers';
import { evaluateSlos } from '@/lib/slo/evaluator';

/** Every minute: SLO statuses into AlertState, and webhooks on each change. */
registerJob({
  name: 'slo-evaluator',
  intervalMs: 60_000,
  run: async () => {
    await evaluateSlos();
  },
});
