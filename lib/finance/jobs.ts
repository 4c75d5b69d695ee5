import { parseDashboardFilters } from '@/lib/finance/filters';
import { refreshLineStanding } from '@/lib/finance/line-standing';
import { stateCovers } from '@/lib/finance/rental-queries';
import { unbilledTrend } from '@/lib/finance/unbilled';
import { registerJob } from '@/lib/runtime/workers';

/**
 * Every minute: each contract line's billing standing brought up to date, and the default view
 * of the unbilled-rentals trend computed again if lines changed (lib/finance/line-standing.ts,
 * lib/finance/kept-trends.ts); not while a rental event is dated in the future, when the view
 * is read from the events and not kept.
 */
registerJob({
  name: 'rental-standing',
  intervalMs: 60_000,
  run: async () => {
    await refreshLineStanding('job');
    const { filters } = parseDashboardFilters({});
    if (await stateCovers(filters.to)) await unbilledTrend(filters, 'job');
  },
});
