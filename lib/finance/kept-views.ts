/**
 * Unbilled-rentals views kept (RENTAL_TREND_VIEWS and RENTAL_SUMMARY_VIEWS in
 * lib/clickhouse/ddl.ts), so a page shows figures that take every contract line to compute
 * (at 10 M events, 500 k lines) without computing them on every view.
 *
 * A trend prices every line at each of its day instants: ~5 M line-instants, over a second,
 * while lines rarely change between two views. So each view's points (its instants and filters
 * are its key) are kept with the instant they were computed at and shown again while no line
 * can have changed since: none has an event ingested after that instant less
 * INGEST_VISIBILITY_MS. Under steady ingest a page also shows points computed within
 * VIEW_FRESH_MS as they are, saying when, and the minute job keeps the default view that recent.
 *
 * A summary as of "now" (headline, aging, causes, breakdowns) changes with the clock too, as
 * lines on rent accrue and age, so it is never exact for long: a live view's summary is kept
 * with the instant it is as of, a page shows one as of within VIEW_FRESH_MS before its own
 * as-of instant, saying so, and the minute job computes the default view again every run.
 */
import { insertRows, queryOne, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { linesIngestedSince } from '@/lib/finance/line-standing';
import { INGEST_VISIBILITY_MS } from '@/lib/ledger/row';

/** Per-currency totals in cents: money is never summed across currencies. */
export type CurrencyTotals = Record<string, number>;

/** How old a kept view a page shows as it is, saying when it was computed. */
export const VIEW_FRESH_MS = 2 * 60_000;

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
 * The trend of a view: kept when nothing can have changed it since (or, for a page, when it
 * was computed within VIEW_FRESH_MS), else computed by `compute` and kept. The job passes
 * 'job' to recompute whenever lines changed.
 */
export async function keptTrend(viewKey: string, reader: 'page' | 'job', compute: () => Promise<CurrencyTotals[]>): Promise<KeptTrend> {
  const now = new Date();
  const kept = await readTrend(viewKey);
  if (kept) {
    if ((await linesIngestedSince(new Date(kept.computedAtMs - INGEST_VISIBILITY_MS))) === 0) return { totals: kept.totals, computedAt: null };
    if (reader === 'page' && now.getTime() - kept.computedAtMs <= VIEW_FRESH_MS) return { totals: kept.totals, computedAt: new Date(kept.computedAtMs) };
  }
  const totals = await compute();
  await insertRows('rental_trend_views', [{ view_key: viewKey, totals, computed_at: toClickHouseDateTime(now) }]);
  return { totals, computedAt: null };
}

/**
 * The summary of a view as of `asOf`, or, for a page, the kept one of the same view as of an
 * instant at most VIEW_FRESH_MS before it. Computed by `compute` (as of `asOf`) otherwise, and
 * kept when `asOf` is "now" (within VIEW_FRESH_MS of the clock): a dated view is computed each
 * time. The summary says what it is as of, so a caller tells a kept one by it.
 */
export async function keptSummary<Summary>(viewKey: string, asOf: Date, reader: 'page' | 'job', compute: () => Promise<Summary>): Promise<Summary> {
  if (reader === 'page') {
    const kept = await queryOne<{ summary: string; as_of_ms: number }>(
      `SELECT summary, toUnixTimestamp64Milli(as_of) AS as_of_ms FROM rental_summary_views FINAL WHERE view_key = {key:String}`,
      { key: viewKey },
    );
    const keptAsOfMs = Number(kept?.as_of_ms);
    // Our own JSON, written below under a key that names the summary's version.
    if (kept && keptAsOfMs <= asOf.getTime() && asOf.getTime() - keptAsOfMs <= VIEW_FRESH_MS) return JSON.parse(kept.summary) as Summary;
  }
  const summary = await compute();
  const now = new Date();
  if (Math.abs(now.getTime() - asOf.getTime()) <= VIEW_FRESH_MS) {
    await insertRows('rental_summary_views', [
      { view_key: viewKey, as_of: toClickHouseDateTime(asOf), summary: JSON.stringify(summary), computed_at: toClickHouseDateTime(now) },
    ]);
  }
  return summary;
}
