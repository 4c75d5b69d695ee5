import { parseDashboardFilters } from '@/lib/finance/filters';
import { refreshLineStanding } from '@/lib/finance/line-standing';
import { stateCovers } from '@/lib/finance/rental-queries';
import { unbilledSummary, unbilledTrend } from '@/lib/finance/unbilled';
import { registerJob } from '@/lib/runtime/workers';

/**
 * Every minute: each contract line's billing standing brought up to date, the default view of
 * the unbilled-rentals summary computed again and its trend too if lines changed
 * (lib/finance/line-standing.ts, lib/finance/kept-views.ts); not while a rental event is dated
 * in the future, when the view is read from the events and not kept.
 */
registerJob({
  name: 'rental-standing',
  intervalMs: 60_000,
  run: async () => {
    await refreshLineStanding('job');
    const { filters } = parseDashboardFilters({});
    if (!(await stateCovers(filters.to))) return;
    await unbilledSummary(filters, 'job');
    await unbilledTrend(filters, 'job');
  },
});
