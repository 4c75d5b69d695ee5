import { parseDashboardFilters } from '@/lib/finance/filters';
import { refreshLineStanding } from '@/lib/finance/line-standing';
import { unbilledTrend } from '@/lib/finance/unbilled';
import { registerJob } from '@/lib/runtime/workers';

/**
 * Every minute: each contract line's billing standing brought up to date, and the default view
 * of the unbilled-rentals trend computed again if lines changed (lib/finance/line-standing.ts,
 * lib/finance/kept-trends.ts).
 */
registerJob({
  name: 'rental-standing',
  intervalMs: 60_000,
  run: async () => {
    await refreshLineStanding('job');
    await unbilledTrend(parseDashboardFilters({}).filters, 'job');
  },
});
