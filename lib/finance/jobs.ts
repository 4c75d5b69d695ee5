import { parseDashboardFilters } from '@/lib/finance/filters';
import { refreshLineStanding, STANDING_JOB_INTERVAL_MS } from '@/lib/finance/line-standing';
import { stateCovers } from '@/lib/finance/rental-queries';
import { unbilledSummary, unbilledTrend } from '@/lib/finance/unbilled';
import { registerJob } from '@/lib/runtime/workers';

/**
 * Every minute: each contract line's billing standing brought up to date, the unbilled-rentals
 * summary cells computed again, and the default view's trend cells too if lines changed
 * (lib/finance/line-standing.ts, lib/finance/kept-views.ts), so every filter of the live view
 * reads kept figures; not while a rental event is dated in the future, when the view is read
 * from the events and not kept.
 */
registerJob({
  name: 'rental-standing',
  intervalMs: STANDING_JOB_INTERVAL_MS,
  run: async () => {
    await refreshLineStanding('job');
    const { filters } = parseDashboardFilters({});
    if (!(await stateCovers(filters.to))) return;
    await unbilledSummary(filters, 'job');
    await unbilledTrend(filters, 'job');
  },
});
