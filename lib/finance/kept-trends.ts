/**
 * The unbilled-rentals trend, kept per view (RENTAL_TREND_VIEWS in lib/clickhouse/ddl.ts).
 *
 * A trend prices every contract line at each of its day instants (lib/finance/unbilled.ts):
 * at 10 M events ~5 M line-instants, over a second, while lines rarely change between two
 * views. So each view's points (its instants and filters are its key) are kept with the
 * instant they were computed at and shown again while no line can have changed since: none
 * has an event ingested after that instant less INGEST_VISIBILITY_MS. Under steady ingest a
 * page also shows points computed within TREND_FRESH_MS as they are, saying when, and the
 * minute job keeps the default view that recent.
 */
import { insertRows, queryOne, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { linesIngestedSince } from '@/lib/finance/line-standing';
import { INGEST_VISIBILITY_MS } from '@/lib/ledger/row';

/** Per-currency totals in cents: money is never summed across currencies. */
export type CurrencyTotals = Record<string, number>;

/** How old a kept trend a page shows as it is when lines have changed since. */
export const TREND_FRESH_MS = 2 * 60_000;

export interface KeptTrend {
  /** Totals at each instant, in order. */
  totals: CurrencyTotals[];
  /** When the totals were computed, if that was before a change they do not count; null when they are exact. */
  computedAt: Date | null;
}

async function readView(viewKey: string): Promise<{ totals: CurrencyTotals[]; computedAtMs: number } | null> {
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
 * was computed within TREND_FRESH_MS), else computed by `compute` and kept. The job passes
 * 'job' to recompute whenever lines changed.
 */
export async function keptTrend(viewKey: string, reader: 'page' | 'job', compute: () => Promise<CurrencyTotals[]>): Promise<KeptTrend> {
  const now = new Date();
  const kept = await readView(viewKey);
  if (kept) {
    if ((await linesIngestedSince(new Date(kept.computedAtMs - INGEST_VISIBILITY_MS))) === 0) return { totals: kept.totals, computedAt: null };
    if (reader === 'page' && now.getTime() - kept.computedAtMs <= TREND_FRESH_MS) return { totals: kept.totals, computedAt: new Date(kept.computedAtMs) };
  }
  const totals = await compute();
  await insertRows('rental_trend_views', [{ view_key: viewKey, totals, computed_at: toClickHouseDateTime(now) }]);
  return { totals, computedAt: null };
}
