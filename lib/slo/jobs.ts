import { registerJob } from '@/lib/runtime/workers';
import { evaluateSlos } from '@/lib/slo/evaluator';
import { refreshKeptHours } from '@/lib/slo/hourly';

/** Every minute: SLO statuses into AlertState, and webhooks on each change. */
registerJob({
  name: 'slo-evaluator',
  intervalMs: 60_000,
  run: async () => {
    await evaluateSlos();
  },
});

/** Every minute: each ledger SLO's hourly figures kept up to date for its detail page (lib/slo/hourly.ts). */
registerJob({
  name: 'slo-hours',
  intervalMs: 60_000,
  run: async () => {
    await refreshKeptHours();
  },
});
