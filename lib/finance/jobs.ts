import { refreshLineStanding } from '@/lib/finance/line-standing';
import { registerJob } from '@/lib/runtime/workers';

/** Every minute: each contract line's billing standing kept up to date for the unbilled-rentals dashboard (lib/finance/line-standing.ts). */
registerJob({
  name: 'rental-standing',
  intervalMs: 60_000,
  run: async () => {
    await refreshLineStanding('job');
  },
});
