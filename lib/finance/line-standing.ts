/**
 * Each contract line's billing standing, kept (RENTAL_LINE_STANDING in lib/clickhouse/ddl.ts).
 *
 * Building a line's standing assembles its rows from three state tables and folds its
 * invoices (lib/finance/rental-queries.ts standingSql): at 10 M events, ~0.8 s for the 500 k
 * lines, which every dashboard query paid. Yet a line's standing only changes when one of its
 * events arrives. So it is kept, once every stored event counts, and brought up to date before
 * a read: the lines with an event ingested since the last computation (reaching back a little
 * before it, as events are stamped when admitted and visible a moment later) are computed
 * again. The minute job does the same, reaching back the whole INGEST_VISIBILITY_MS, and
 * recomputes every line once an hour, which bounds what an event made visible later than that
 * could leave out.
 *
 * The kept standing answers for an as-of instant after every stored rental event (the
 * dashboard's default, "now"). For an earlier instant, lines with an event dated at or after it
 * are computed from their events before it (pastStandingSql); a dated view's standing, as of a
 * past instant, is kept whole (datedStanding), as its figures do not move with the clock.
 */
import { command, queryOne, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { RENTAL_ACTIVITY_SQL, RENTAL_INVOICE_SQL } from '@/lib/clickhouse/ddl';
import {
  eventLinesSql,
  LINE_FILTER_SQL,
  LINES_INGESTED_SINCE_SQL,
  LINES_PARAM_FILTER,
  LINES_WITH_EVENTS_FROM_SQL,
  STANDING_COLUMNS,
  standingSql,
  stateLinesSql,
} from '@/lib/finance/rental-queries';
import { INGEST_VISIBILITY_MS } from '@/lib/ledger/row';

/**
 * Names what the kept rows were computed by: a change to standingSql's meaning bumps it, so the
 * first read after an upgrade finds no computation of this version and computes every line.
 */
const STANDING_VERSION = 1;
const SCOPE = `rental_lines/v${STANDING_VERSION}`;
/**
 * How far a page's refresh reaches back before the last computation for events that became
 * visible after it: embedded ingest acknowledges a batch once it is stored, stamped when its
 * request was admitted, seconds before, and feeds it to the rental state a fraction of a second
 * later (lib/ledger/state-feed.ts). Reaching back the whole INGEST_VISIBILITY_MS (clock
 * differences between hosts, a cluster's delayed inserts) is the minute job's; a page that did
 * would compute every line ingested in the last five minutes again on each view (under steady
 * ingest, ~200 ms for 20 lines at 10 M events).
 */
const PAGE_REACH_MS = 15_000;
/** How often the minute job (lib/finance/jobs.ts) brings the standing up to date. */
export const STANDING_JOB_INTERVAL_MS = 60_000;
/** How often every line is computed again, whatever changed. */
const FULL_REFRESH_MS = 3_600_000;
/** The standing once every event counts: as of an instant after any a ledger event can carry. */
const EVERY_EVENT = `toDateTime64('2299-12-31 00:00:00', 3, 'UTC')`;

interface Refresh {
  computedAtMs: number;
  fullAtMs: number;
  /**
   * Of a dated standing: the events dated before its instant ingested within the margin before
   * full_at. Of the live one: the events ingested within PAGE_REACH_MS before computed_at.
   */
  lateEvents: number;
}

async function lastRefresh(scope: string): Promise<Refresh | null> {
  const row = await queryOne<{ computed_at_ms: number; full_at_ms: number; late_events: number }>(
    `SELECT toUnixTimestamp64Milli(computed_at) AS computed_at_ms, toUnixTimestamp64Milli(full_at) AS full_at_ms, late_events
     FROM rental_standing_refreshes FINAL WHERE scope = {scope:String}`,
    { scope },
  );
  return row ? { computedAtMs: Number(row.computed_at_ms), fullAtMs: Number(row.full_at_ms), lateEvents: Number(row.late_events) } : null;
}

async function keepStanding(lineFilter: string, params: Record<string, unknown>, computedAt: Date): Promise<void> {
  await command(
    `INSERT INTO rental_line_standing (${STANDING_COLUMNS}, computed_at)
     SELECT ${STANDING_COLUMNS}, {computed_at:DateTime64(3)} FROM (${standingSql(stateLinesSql(lineFilter), EVERY_EVENT)})`,
    { ...params, computed_at: toClickHouseDateTime(computedAt) },
  );
}

async function markRefreshed(scope: string, computedAt: Date, fullAtMs: number, lateEvents = 0): Promise<void> {
  await command(
    `INSERT INTO rental_standing_refreshes (scope, full_at, late_events, computed_at)
     VALUES ({scope:String}, {full_at:DateTime64(3)}, {late_events:UInt64}, {computed_at:DateTime64(3)})`,
    { scope, full_at: toClickHouseDateTime(new Date(fullAtMs)), late_events: lateEvents, computed_at: toClickHouseDateTime(computedAt) },
  );
}

/**
 * Brings the kept standing up to date: every line when none was computed yet (or, for the
 * job, the last full computation is an hour old), else the lines changed since the last
 * computation: a page reaches back PAGE_REACH_MS before it, unless the events ingested within
 * that reach are as many as the computation counted (then all count already: under steady
 * ingest, a view would otherwise compute the lines of the last 15 s again, ~70 ms at 10 M); the
 * job reaches back INGEST_VISIBILITY_MS before its own previous run (a page's computation since
 * does not shorten that), so every event visible within INGEST_VISIBILITY_MS of its stamp counts
 * by the job's next run. A page skips the write when nothing changed; the job always notes its
 * run. Returns whether every line was computed.
 */
export async function refreshLineStanding(reader: 'page' | 'job', now: Date = new Date()): Promise<boolean> {
  const previous = await lastRefresh(SCOPE);
  if (!previous || (reader === 'job' && now.getTime() - previous.fullAtMs >= FULL_REFRESH_MS)) {
    const counted = await eventsWithinReach(now);
    await keepStanding('1', {}, now);
    await markRefreshed(SCOPE, now, now.getTime(), counted);
    return true;
  }
  if (reader === 'job') {
    const since = new Date(Math.min(previous.computedAtMs, now.getTime() - STANDING_JOB_INTERVAL_MS) - INGEST_VISIBILITY_MS);
    const counted = await eventsWithinReach(now);
    if ((await linesIngestedSince(since)) > 0) await keepLinesIngestedSince(since, now);
    await markRefreshed(SCOPE, now, previous.fullAtMs, counted);
    return false;
  }
  let since = new Date(previous.computedAtMs - PAGE_REACH_MS);
  if ((await linesIngestedSince(since)) === 0) return false;
  if ((await eventsWithinReach(new Date(previous.computedAtMs))) === previous.lateEvents) {
    since = new Date(previous.computedAtMs);
    if ((await linesIngestedSince(since)) === 0) return false;
  }
  const counted = await eventsWithinReach(now);
  await keepLinesIngestedSince(since, now);
  await markRefreshed(SCOPE, now, previous.fullAtMs, counted);
  return false;
}

function keepLinesIngestedSince(since: Date, now: Date): Promise<void> {
  return keepStanding(`contract_line_id GLOBAL IN (${LINES_INGESTED_SINCE_SQL})`, { since: toClickHouseDateTime(since) }, now);
}

/**
 * How many rental and invoice events ingested within PAGE_REACH_MS before `at` are visible now.
 * A computation counts them before it runs: an event made visible in between is then computed
 * but not counted, so the next look reaches back for it, rather than the other way round.
 */
async function eventsWithinReach(at: Date): Promise<number> {
  const row = await queryOne<{ events: number }>(
    `SELECT count() AS events FROM sync_ledger
     WHERE ingested_at > {from:DateTime64(3)} AND ingested_at <= {at:DateTime64(3)} AND ((${RENTAL_ACTIVITY_SQL}) OR (${RENTAL_INVOICE_SQL}))`,
    { from: toClickHouseDateTime(new Date(at.getTime() - PAGE_REACH_MS)), at: toClickHouseDateTime(at) },
  );
  return Number(row?.events ?? 0);
}

/** How many contract lines have a rental or invoice event ingested after `since`. */
export async function linesIngestedSince(since: Date): Promise<number> {
  const row = await queryOne<{ lines: number }>(`SELECT count() AS lines FROM (${LINES_INGESTED_SINCE_SQL})`, { since: toClickHouseDateTime(since) });
  return Number(row?.lines ?? 0);
}

/** A page's refresh under way in this process: the queries of one page view (and views at the same moment) share it. */
let pageRefresh: Promise<boolean> | null = null;

/**
 * The kept standing as it is, of the lines matching the dashboard filters (query params: lines
 * (ids, or empty for all), project, customer, iface, currency). keptStandingSql brings it up to
 * date first; this is for reading a line beside figures already computed a moment ago.
 */
export const KEPT_STANDING_SQL = `SELECT ${STANDING_COLUMNS} FROM rental_line_standing FINAL
  WHERE ${LINES_PARAM_FILTER} AND ${LINE_FILTER_SQL}`;

/** KEPT_STANDING_SQL brought up to date first. */
export async function keptStandingSql(): Promise<string> {
  pageRefresh ??= refreshLineStanding('page').finally(() => {
    pageRefresh = null;
  });
  await pageRefresh;
  return KEPT_STANDING_SQL;
}

/**
 * The standing as of an instant {to} that some rental event is dated after, over the `kept`
 * standing (every event counts): a line with no event dated at or after {to} stands as kept,
 * as all its events count as of {to}; the others (lines active since) are computed from their
 * events before {to}. Query params as KEPT_STANDING_SQL's, and {to}.
 */
export function pastStandingSql(kept: string): string {
  const changed = `contract_line_id GLOBAL IN (${LINES_WITH_EVENTS_FROM_SQL})`;
  return `SELECT * FROM (${kept}) WHERE NOT ${changed}
  UNION ALL
  SELECT * FROM (${standingSql(eventLinesSql(`${LINES_PARAM_FILTER} AND ${changed}`), '{to:DateTime64(3)}')}) WHERE ${LINE_FILTER_SQL}`;
}

/**
 * A dated view's kept standing (datedStanding) of the lines matching the dashboard filters
 * (query params as KEPT_STANDING_SQL's), as of {to}, from the computation {standing_at}.
 */
export const DATED_STANDING_SQL = `SELECT ${STANDING_COLUMNS} FROM rental_dated_standing
  WHERE as_of = {to:DateTime64(3)} AND computed_at = {standing_at:DateTime64(3)} AND ${LINES_PARAM_FILTER} AND ${LINE_FILTER_SQL}`;

function datedScope(asOf: Date): string {
  return `dated_lines/v${STANDING_VERSION}/${asOf.toISOString()}`;
}

/** How many rental and invoice events dated before `asOf` were ingested after `since`. */
async function lateEvents(asOf: Date, since: Date): Promise<number> {
  const row = await queryOne<{ late: number }>(
    `SELECT count() AS late FROM sync_ledger
     WHERE ingested_at > {since:DateTime64(3)} AND occurred_at < {to:DateTime64(3)} AND ((${RENTAL_ACTIVITY_SQL}) OR (${RENTAL_INVOICE_SQL}))`,
    { since: toClickHouseDateTime(since), to: toClickHouseDateTime(asOf) },
  );
  return Number(row?.late ?? 0);
}

/**
 * Computes every line's standing as of `asOf` (pastStandingSql over the kept standing) and keeps
 * it as one computation named `now`, not yet published (publishDatedStanding). Returns the late
 * events it may already count.
 */
async function keepDatedStanding(asOf: Date, now: Date): Promise<number> {
  const late = await lateEvents(asOf, new Date(now.getTime() - INGEST_VISIBILITY_MS));
  const kept = await keptStandingSql();
  await command(
    `INSERT INTO rental_dated_standing (as_of, computed_at, ${STANDING_COLUMNS})
     SELECT {to:DateTime64(3)}, {computed_at:DateTime64(3)}, ${STANDING_COLUMNS} FROM (${pastStandingSql(kept)})`,
    { to: toClickHouseDateTime(asOf), computed_at: toClickHouseDateTime(now), lines: [], project: '', customer: '', iface: '', currency: '' },
  );
  return late;
}

/** Names the computation `now` of the standing as of `asOf` as the one pages read. */
function publishDatedStanding(asOf: Date, now: Date, late: number): Promise<void> {
  return markRefreshed(datedScope(asOf), now, now.getTime(), late);
}

/**
 * How long before a dated standing stops holding the minute job computes it again, when it keeps
 * that view ahead (lib/finance/dated-looks.ts): a few of its runs, so no page finds it expired.
 */
const KEEP_AHEAD_MS = 5 * STANDING_JOB_INTERVAL_MS;

/**
 * How much longer (ms) the dated standing `previous` holds after `now`: until an hour after it
 * was computed (which bounds what an event made visible later than the margin could leave out),
 * or 0 once an event dated before `asOf` was ingested since, beyond those it may already count.
 * Events dated after `asOf` (nearly all that arrive) change nothing of it.
 */
async function datedStandingHoldsFor(asOf: Date, previous: Refresh, now: Date): Promise<number> {
  const left = previous.fullAtMs + FULL_REFRESH_MS - now.getTime();
  if (left <= 0) return 0;
  return (await lateEvents(asOf, new Date(previous.fullAtMs - INGEST_VISIBILITY_MS))) === previous.lateEvents ? left : 0;
}

/** Dated computations under way in this process, by scope: a page's queries (and views at the same moment) share one. */
const datedRefreshes = new Map<string, Promise<Date>>();

/**
 * The standing as of the past instant `asOf` (a dated view), kept: computed whole on the first
 * look (at 10 M events 2 – 5 s, mostly the lines active since, from their events), then read
 * until it no longer holds (datedStandingHoldsFor). Returns the computation to read with
 * DATED_STANDING_SQL (query param standing_at): its instant also names the figures computed
 * from it.
 */
export async function datedStanding(asOf: Date, now: Date = new Date()): Promise<Date> {
  const scope = datedScope(asOf);
  const underWay = datedRefreshes.get(scope);
  if (underWay) return underWay;
  const refresh = (async () => {
    const previous = await lastRefresh(scope);
    if (previous && (await datedStandingHoldsFor(asOf, previous, now)) > 0) return new Date(previous.fullAtMs);
    await publishDatedStanding(asOf, now, await keepDatedStanding(asOf, now));
    return now;
  })().finally(() => datedRefreshes.delete(scope));
  datedRefreshes.set(scope, refresh);
  return refresh;
}

/** A dated standing computed ahead and not yet published: pages read the previous one until `publish`. */
export interface DatedStandingAhead {
  standingAt: Date;
  publish: () => Promise<void>;
}

/**
 * For the minute job keeping the dated view as of `asOf` ahead (lib/finance/dated-looks.ts):
 * null while the standing pages read holds more than KEEP_AHEAD_MS on. When it holds less, a new
 * computation, published only when the job calls `publish`, once it has kept the figures
 * computed from it: until then pages read the previous one, so none finds the new standing
 * without its figures and computes them itself. When none holds (never computed, or a late
 * event), pages cannot wait for the job's: it is computed as a page's is, shared with the pages
 * of this process and published at once.
 */
export async function datedStandingAhead(asOf: Date, now: Date = new Date()): Promise<DatedStandingAhead | null> {
  const previous = await lastRefresh(datedScope(asOf));
  const holdsFor = previous ? await datedStandingHoldsFor(asOf, previous, now) : 0;
  if (holdsFor > KEEP_AHEAD_MS) return null;
  if (holdsFor === 0) return { standingAt: await datedStanding(asOf, now), publish: async () => undefined };
  const late = await keepDatedStanding(asOf, now);
  return { standingAt: now, publish: () => publishDatedStanding(asOf, now, late) };
}
