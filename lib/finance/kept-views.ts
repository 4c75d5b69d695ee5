/**
 * Unbilled-rentals figures kept (RENTAL_SUMMARY_CELLS, RENTAL_TREND_CELLS and RENTAL_TREND_VIEWS
 * in lib/clickhouse/ddl.ts), so a page shows figures that take every contract line to compute
 * (at 10 M events, 500 k lines) without computing them on every view.
 *
 * A summary as of "now" (headline, aging, causes, breakdowns) changes with the clock, as lines
 * on rent accrue and age, so it is never exact for long. It is kept in cells by the dashboard's
 * filters (project, customer, interface, currency) with the instant it is as of: the minute job
 * computes every cell each run, and a page merges the cells its filters match from the latest
 * computation when that is as of within VIEW_FRESH_MS before its own instant (saying so), and
 * computes every cell first otherwise. One computation, ~0.5 s at 10 M, serves every filter;
 * each view's merge (~45 ms) is kept too, so the next look at it reads one row.
 *
 * A trend prices every line at each of its day instants: ~5 M line-instants, over a second,
 * while lines rarely change between two views. So it is kept with the instant it was computed
 * at and shown again while no line can have changed since (none has an event ingested after
 * that instant less INGEST_VISIBILITY_MS); under steady ingest a page also shows one computed
 * within VIEW_FRESH_MS as it is, saying when. The trend of an unfiltered view is kept in cells
 * like the summary, so its filtered views (same instants) read it too, and the minute job keeps
 * the default view's; a filtered view whose instants have no cells to read is kept on its own.
 *
 * A dated view's summary and trend are kept the same ways under keys that name the standing they
 * came from (lib/finance/line-standing.ts datedStanding), and shown as long as it holds.
 */
import { command, insertRows, queryOne, queryRows, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { linesIngestedSince } from '@/lib/finance/line-standing';
import { LINE_FILTER_SQL } from '@/lib/finance/rental-queries';
import { INGEST_VISIBILITY_MS } from '@/lib/ledger/row';

/** Per-currency totals in cents: money is never summed across currencies. */
export type CurrencyTotals = Record<string, number>;

/** How old a kept view a page shows as it is, saying when it was computed or what it is as of. */
export const VIEW_FRESH_MS = 2 * 60_000;

/** Whether `asOf` is "now" (within VIEW_FRESH_MS of the clock): a live view, whose figures move with the clock; else a dated one. */
export function isLive(asOf: Date): boolean {
  return Math.abs(Date.now() - asOf.getTime()) <= VIEW_FRESH_MS;
}

/** A query: its SQL and the parameters it needs. */
export interface Query {
  sql: string;
  params: Record<string, unknown>;
}

/** Whether a trend computed at `computedAtMs` may be shown: 'exact', 'recent' (saying when), or not (null). */
export type TrendUsable = (computedAtMs: number) => Promise<'exact' | 'recent' | null>;

/**
 * Whether a trend computed at `computedAtMs` may be shown: 'exact' when no line changed since,
 * 'recent' (for a page, saying when) when it was computed within VIEW_FRESH_MS; else null.
 */
async function trendStanding(computedAtMs: number, reader: 'page' | 'job'): Promise<'exact' | 'recent' | null> {
  if ((await linesIngestedSince(new Date(computedAtMs - INGEST_VISIBILITY_MS))) === 0) return 'exact';
  return reader === 'page' && Date.now() - computedAtMs <= VIEW_FRESH_MS ? 'recent' : null;
}

// --- Summary cells.

/** A computation of kept summary cells: the instant they are as of, and whether contract counts add up across cells. */
export interface SummaryCells {
  asOf: Date;
  /**
   * True when no contract has lines in two cells, so any filter's distinct contracts are the
   * sum of its cells' counts; else they are merged from the cells' contract sets.
   */
  contractsAdd: boolean;
}

/** A computation of every summary cell under way in this process: page views and the job at the same moment share it. */
let keepingSummary: Promise<SummaryCells> | null = null;

/**
 * Writes every cell as of `asOf` and the computation's marker row in one insert (so a reader
 * never meets half a computation), and says whether contract counts add up across its cells.
 */
async function keepSummaryCells(asOf: Date, cells: Query): Promise<SummaryCells> {
  const params = { ...cells.params, cells_as_of: toClickHouseDateTime(asOf) };
  await command(
    `INSERT INTO rental_summary_cells (as_of, dimension, project, customer, interface_id, currency, key, lines, cents, contract_count, contracts, oldest)
     SELECT {cells_as_of:DateTime64(3)}, dimension, project, customer, interface_id, currency, key, lines, cents, contract_count, contracts, oldest
     FROM (${cells.sql})`,
    params,
  );
  const marker = await queryOne<{ shared: number }>(
    `SELECT lines AS shared FROM rental_summary_cells WHERE as_of = {cells_as_of:DateTime64(3)} AND dimension = 'computed'`,
    params,
  );
  return { asOf, contractsAdd: Number(marker?.shared) === 0 };
}

/**
 * The kept summary cells a reader merges: for a page, the latest computation's when it is as
 * of at most VIEW_FRESH_MS before `asOf`; else (and always for the job) every cell computed as
 * of `asOf` by `cells` first (rows as RENTAL_SUMMARY_CELLS holds them, the marker row included).
 */
export async function keptSummaryCells(asOf: Date, reader: 'page' | 'job', cells: () => Promise<Query>): Promise<SummaryCells> {
  if (reader === 'page') {
    const latest = await queryOne<{ as_of_ms: number; shared: number }>(
      `SELECT toUnixTimestamp64Milli(as_of) AS as_of_ms, lines AS shared FROM rental_summary_cells WHERE dimension = 'computed' ORDER BY as_of DESC LIMIT 1`,
    );
    const latestMs = Number(latest?.as_of_ms ?? 0);
    // A computation the job finished a moment after the page's instant serves it too.
    if (latest && latestMs <= Date.now() && asOf.getTime() - latestMs <= VIEW_FRESH_MS) return { asOf: new Date(latestMs), contractsAdd: Number(latest.shared) === 0 };
    if (keepingSummary) return keepingSummary;
  }
  const keeping = cells().then((query) => keepSummaryCells(asOf, query));
  keepingSummary = keeping;
  try {
    return await keeping;
  } finally {
    if (keepingSummary === keeping) keepingSummary = null;
  }
}

/**
 * The summary of one view as of `asOf`, computed by `compute` (for "now", merged from the cells
 * as of then), kept per view (RENTAL_SUMMARY_VIEWS) so the next view of it reads one row: a
 * view kept as of another instant is computed again. A dated view's key names the standing it
 * came from.
 */
export async function keptSummaryView<Summary>(viewKey: string, asOf: Date, compute: () => Promise<Summary>): Promise<Summary> {
  const asOfParam = toClickHouseDateTime(asOf);
  const kept = await queryOne<{ summary: string }>(
    `SELECT summary FROM rental_summary_views FINAL WHERE view_key = {key:String} AND as_of = {as_of:DateTime64(3)}`,
    { key: viewKey, as_of: asOfParam },
  );
  // Our own JSON, written below under a key that names the summary's version.
  if (kept) return JSON.parse(kept.summary) as Summary;
  const summary = await compute();
  await insertRows('rental_summary_views', [{ view_key: viewKey, as_of: asOfParam, summary: JSON.stringify(summary), computed_at: toClickHouseDateTime(new Date()) }]);
  return summary;
}

/** The kept summary cells as of {cells_as_of} matching the dashboard filters (query params project, customer, iface, currency). */
export const SUMMARY_CELLS_SQL = `SELECT * FROM rental_summary_cells
  WHERE as_of = {cells_as_of:DateTime64(3)} AND dimension != 'computed' AND ${LINE_FILTER_SQL}`;

// --- Trend cells and views.

/** Trend rows, kept or computed: the cents at an instant (1-based) per currency, of lines priced there (settled 0) or settled by it (1). */
export interface TrendRow {
  settled: number;
  instant_index: number;
  currency: string;
  cents: number;
}

async function keepTrendCells(instantsKey: string, cells: Query): Promise<number> {
  const computedAt = new Date();
  await command(
    `INSERT INTO rental_trend_cells (instants_key, project, customer, interface_id, currency, instant_index, settled, cents, computed_at)
     SELECT {instants_key:String}, project, customer, interface_id, currency, instant_index, settled, cents, {cells_computed_at:DateTime64(3)}
     FROM (${cells.sql})
     UNION ALL
     SELECT {instants_key:String}, '', '', '', '', 0, 0, 0, {cells_computed_at:DateTime64(3)}`,
    { ...cells.params, instants_key: instantsKey, cells_computed_at: toClickHouseDateTime(computedAt) },
  );
  return computedAt.getTime();
}

/**
 * The trend rows of the instants `instantsKey` summed over the kept cells matching the
 * dashboard filters (`filterParams`), with when they were computed if shown as an earlier
 * computation's (null when exact). Without usable cells (by default trendStanding; a key that
 * names what its figures come from passes its own rule), an unfiltered view passes `cells`
 * (its own computation costs what every cell's does) to compute them first; otherwise null.
 */
export async function keptTrendCells(
  instantsKey: string,
  reader: 'page' | 'job',
  filterParams: Record<string, unknown>,
  cells: (() => Promise<Query>) | null,
  usable: TrendUsable = (computedAtMs) => trendStanding(computedAtMs, reader),
): Promise<{ rows: TrendRow[]; computedAt: Date | null } | null> {
  const latest = await queryOne<{ computed_at_ms: number; kept: number }>(
    `SELECT toUnixTimestamp64Milli(max(computed_at)) AS computed_at_ms, count() AS kept FROM rental_trend_cells WHERE instants_key = {instants_key:String}`,
    { instants_key: instantsKey },
  );
  let computedAtMs = Number(latest?.computed_at_ms ?? 0);
  const standing = Number(latest?.kept ?? 0) > 0 ? await usable(computedAtMs) : null;
  if (!standing) {
    if (!cells) return null;
    computedAtMs = await keepTrendCells(instantsKey, await cells());
  }
  // The latest computation as this read finds it: one written since the check above replaced
  // the cells it rewrote, and it is at least as current.
  const rows = await queryRows<TrendRow>(
    `SELECT settled, instant_index, currency, sum(cents) AS cents
     FROM (SELECT *, max(computed_at) OVER () AS latest FROM rental_trend_cells FINAL WHERE instants_key = {instants_key:String})
     WHERE computed_at = latest AND instant_index > 0 AND ${LINE_FILTER_SQL}
     GROUP BY settled, instant_index, currency`,
    { ...filterParams, instants_key: instantsKey },
  );
  return { rows, computedAt: standing === 'recent' ? new Date(computedAtMs) : null };
}

export interface KeptTrend {
  /** Totals at each instant, in order. */
  totals: CurrencyTotals[];
  /** When the totals were computed, if that was before a change they do not count; null when they are exact. */
  computedAt: Date | null;
}

async function readTrend(viewKey: string): Promise<{ totals: CurrencyTotals[]; computedAtMs: number } | null> {
  const row = await queryOne<{ totals: Record<string, number | string>[]; computed_at_ms: number }>(
    `SELECT totals, toUnixTimestamp64Milli(computed_at) AS computed_at_ms FROM rental_trend_views FINAL WHERE view_key = {key:String}`,
    { key: viewKey },
  );
  if (!row) return null;
  const totals = row.totals.map((point) => Object.fromEntries(Object.entries(point).map(([currency, cents]) => [currency, Number(cents)])));
  return { totals, computedAtMs: Number(row.computed_at_ms) };
}

/**
 * The trend of one view kept on its own: shown while usable (by default trendStanding; a view
 * whose key names what its figures come from passes its own rule), else computed by `compute`
 * and kept. The job passes 'job' to recompute whenever lines changed.
 */
export async function keptTrend(
  viewKey: string,
  reader: 'page' | 'job',
  compute: () => Promise<CurrencyTotals[]>,
  usable: TrendUsable = (computedAtMs) => trendStanding(computedAtMs, reader),
): Promise<KeptTrend> {
  const kept = await readTrend(viewKey);
  const standing = kept ? await usable(kept.computedAtMs) : null;
  if (kept && standing) return { totals: kept.totals, computedAt: standing === 'recent' ? new Date(kept.computedAtMs) : null };
  const now = new Date();
  const totals = await compute();
  await insertRows('rental_trend_views', [{ view_key: viewKey, totals, computed_at: toClickHouseDateTime(now) }]);
  return { totals, computedAt: null };
}
