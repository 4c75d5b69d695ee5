/**
 * The dated unbilled-rentals views the minute job keeps ahead (lib/finance/jobs.ts), so a look at
 * one reads kept figures instead of waiting for every line's standing as of then (2 – 5 s at 10 M
 * events), and finds them kept again before the hour they hold is up: the view as of the last
 * month's end, which finance reviews at close; as of yesterday's close; and the dated views
 * someone looked at within the last day (the LOOKS_KEPT_AHEAD latest), so coming back to one, or
 * opening a link to it, is quick. A view never looked at still computes on its first look.
 */
import { insertRows, queryRows, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { monthEndFilters, yesterdayCloseFilters, type DashboardFilters } from '@/lib/finance/filters';
import { VIEW_FRESH_MS } from '@/lib/finance/kept-views';

/** How long after its last look a dated view is kept ahead. */
const LOOKS_KEPT_WITHIN_MS = 86_400_000;
/**
 * At most this many looked-at views are kept ahead, the latest looks first: each costs what its
 * first look did (2 – 5 s at 10 M events) every 55 minutes, and a copy of every line's standing.
 */
export const LOOKS_KEPT_AHEAD = 6;
/** A process notes a look at the same view at most this often. */
const NOTE_EVERY_MS = 10 * 60_000;

/** When this process last noted a look at each view, by key. */
const noted = new Map<string, number>();

const lookKey = (filters: DashboardFilters) => `${filters.to.toISOString()}/${filters.from.toISOString()}`;

/** Notes that someone looked at the dated view `filters` (its as-of instant and range; the line filters do not change the standing kept). */
export async function noteDatedLook(filters: DashboardFilters, now: Date = new Date()): Promise<void> {
  const key = lookKey(filters);
  const last = noted.get(key);
  if (last !== undefined && now.getTime() - last < NOTE_EVERY_MS) return;
  for (const [other, at] of noted) if (now.getTime() - at >= NOTE_EVERY_MS) noted.delete(other);
  noted.set(key, now.getTime());
  await insertRows('rental_dated_looks', [
    { as_of: toClickHouseDateTime(filters.to), range_from: toClickHouseDateTime(filters.from), looked_at: toClickHouseDateTime(now) },
  ]);
}

/**
 * The dated views to keep ahead as of `now`, unfiltered: the month-end, yesterday's close, then
 * the views looked at within LOOKS_KEPT_WITHIN_MS, latest first, each once.
 */
export async function datedViewsKeptAhead(now: Date = new Date()): Promise<DashboardFilters[]> {
  const looks = await queryRows<{ as_of_ms: number; range_from_ms: number }>(
    `SELECT toUnixTimestamp64Milli(as_of) AS as_of_ms, toUnixTimestamp64Milli(range_from) AS range_from_ms FROM rental_dated_looks FINAL
     WHERE looked_at > {since:DateTime64(3)} ORDER BY looked_at DESC LIMIT {limit:UInt32}`,
    { since: toClickHouseDateTime(new Date(now.getTime() - LOOKS_KEPT_WITHIN_MS)), limit: LOOKS_KEPT_AHEAD },
  );
  const looked = looks.map((look) => ({ from: new Date(Number(look.range_from_ms)), to: new Date(Number(look.as_of_ms)), project: '', customer: '', interface: '', currency: '' }));
  const views = new Map<string, DashboardFilters>();
  for (const view of [monthEndFilters(now), yesterdayCloseFilters(now), ...looked]) {
    // Yesterday's close in the first minutes of a day is still the live view (kept-views.ts isLive).
    const dated = now.getTime() - view.to.getTime() > VIEW_FRESH_MS;
    if (dated && !views.has(lookKey(view))) views.set(lookKey(view), view);
  }
  return [...views.values()];
}
