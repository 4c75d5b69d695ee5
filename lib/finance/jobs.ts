import { datedViewsKeptAhead } from '@/lib/finance/dated-looks';
import { parseDashboardFilters } from '@/lib/finance/filters';
import { refreshLineStanding, STANDING_JOB_INTERVAL_MS } from '@/lib/finance/line-standing';
import { stateCovers } from '@/lib/finance/rental-queries';
import { keepDatedView, unbilledSummary, unbilledTrend } from '@/lib/finance/unbilled';
import { registerJob } from '@/lib/runtime/workers';

/**
 * Every minute: each contract line's billing standing brought up to date, the unbilled-rentals
 * summary cells computed again, and the default view's trend cells too if lines changed
 * (lib/finance/line-standing.ts, lib/finance/kept-views.ts), so every filter of the live view
 * reads kept figures (not while a rental event is dated in the future, when the live view is
 * read from the events and not kept). The dated views kept ahead (lib/finance/dated-looks.ts:
 * the month-end, yesterday's close, the views looked at within the day) are kept too: each
 * one's standing, summary and trend are computed when they no longer hold (after a late event,
 * or a few minutes before the hour they hold is up), and pages pointed at the new standing only
 * once its figures are kept, so a look at one does not wait for them.
 */
export async function keepRentalFigures(): Promise<void> {
  await refreshLineStanding('job');
  const { filters } = parseDashboardFilters({});
  if (await stateCovers(filters.to)) {
    await unbilledSummary(filters, 'job');
    await unbilledTrend(filters, 'job');
  }
  for (const dated of await datedViewsKeptAhead()) await keepDatedView(dated);
}

registerJob({ name: 'rental-standing', intervalMs: STANDING_JOB_INTERVAL_MS, run: keepRentalFigures });
