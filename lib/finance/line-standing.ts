/**
 * Each contract line's billing standing, kept (RENTAL_LINE_STANDING in lib/clickhouse/ddl.ts).
 *
 * Building a line's standing assembles its rows from three state tables and folds its
 * invoices (lib/finance/rental-queries.ts standingSql): at 10 M events, ~0.8 s for the 500 k
 * lines, which every dashboard query paid. Yet a line's standing only changes when one of its
 * events arrives. So it is kept, once every stored event counts, and brought up to date before
 * a read: the lines with an event ingested since the last computation (less
 * INGEST_VISIBILITY_MS, as events are stamped when admitted and visible a moment later) are
 * computed again. The minute job does the same, and recomputes every line once an hour, which
 * bounds what an event made visible later than the margin could leave out.
 *
 * The kept standing answers for an as-of instant after every stored rental event (the
 * dashboard's default, "now"); lib/finance/unbilled.ts computes earlier instants from the events.
 */
import { command, queryOne, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { LINE_FILTER_SQL, LINES_INGESTED_SINCE_SQL, LINES_PARAM_FILTER, STANDING_COLUMNS, standingSql, stateLinesSql } from '@/lib/finance/rental-queries';
import { INGEST_VISIBILITY_MS } from '@/lib/ledger/row';

/**
 * Names what the kept rows were computed by: a change to standingSql's meaning bumps it, so the
 * first read after an upgrade finds no computation of this version and computes every line.
 */
const STANDING_VERSION = 1;
const SCOPE = `rental_lines/v${STANDING_VERSION}`;
/** How often every line is computed again, whatever changed. */
const FULL_REFRESH_MS = 3_600_000;
/** The standing once every event counts: as of an instant after any a ledger event can carry. */
const EVERY_EVENT = `toDateTime64('2299-12-31 00:00:00', 3, 'UTC')`;

interface Refresh {
  computedAtMs: number;
  fullAtMs: number;
}

async function lastRefresh(): Promise<Refresh | null> {
  const row = await queryOne<{ computed_at_ms: number; full_at_ms: number }>(
    `SELECT toUnixTimestamp64Milli(computed_at) AS computed_at_ms, toUnixTimestamp64Milli(full_at) AS full_at_ms
     FROM rental_standing_refreshes FINAL WHERE scope = {scope:String}`,
    { scope: SCOPE },
  );
  return row ? { computedAtMs: Number(row.computed_at_ms), fullAtMs: Number(row.full_at_ms) } : null;
}

async function keepStanding(lineFilter: string, params: Record<string, unknown>, computedAt: Date): Promise<void> {
  await command(
    `INSERT INTO rental_line_standing (${STANDING_COLUMNS}, computed_at)
     SELECT ${STANDING_COLUMNS}, {computed_at:DateTime64(3)} FROM (${standingSql(stateLinesSql(lineFilter), EVERY_EVENT)})`,
    { ...params, computed_at: toClickHouseDateTime(computedAt) },
  );
}

async function markRefreshed(computedAt: Date, fullAtMs: number): Promise<void> {
  await command(
    `INSERT INTO rental_standing_refreshes (scope, full_at, computed_at) VALUES ({scope:String}, {full_at:DateTime64(3)}, {computed_at:DateTime64(3)})`,
    { scope: SCOPE, full_at: toClickHouseDateTime(new Date(fullAtMs)), computed_at: toClickHouseDateTime(computedAt) },
  );
}

/**
 * Brings the kept standing up to date: every line when none was computed yet (or, for the
 * job, the last full computation is an hour old), else the lines changed since the last
 * computation. A page skips the write when nothing changed; the job always notes its run, so
 * the margin it reaches back moves on. Returns whether every line was computed.
 */
export async function refreshLineStanding(reader: 'page' | 'job', now: Date = new Date()): Promise<boolean> {
  const previous = await lastRefresh();
  const full = !previous || (reader === 'job' && now.getTime() - previous.fullAtMs >= FULL_REFRESH_MS);
  if (full) {
    await keepStanding('1', {}, now);
    await markRefreshed(now, now.getTime());
    return true;
  }
  const since = new Date(previous.computedAtMs - INGEST_VISIBILITY_MS);
  const changed = await linesIngestedSince(since);
  if (changed > 0) await keepStanding(`contract_line_id GLOBAL IN (${LINES_INGESTED_SINCE_SQL})`, { since: toClickHouseDateTime(since) }, now);
  if (reader === 'job' || changed > 0) await markRefreshed(now, previous.fullAtMs);
  return false;
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
