import { insertRows, queryOne, queryRows, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { listSlos } from '@/lib/slo/definitions';
import { LATENCY_LOOKBACK_SECONDS, ledgerSyncsSql, roundedQuantiles, sliSource, sloWindowSeconds, SYNC_ID_SQL, type LedgerSliSource, type SloQueryDefinition } from '@/lib/slo/query';

/**
 * Hourly figures of a ledger SLI: per hour, the syncs decided in it (total, bad) and the
 * latency p50 / p95 / p99 of the syncs that first succeeded in it. They feed the detail page's
 * SLI, budget and latency charts.
 *
 * Computing them groups the whole window by sync (a busy interface: ~730 k syncs a week at
 * 10 M events), yet an hour's figures only change when an event of one of its syncs arrives.
 * So closed hours are kept (SLO_HOURS in lib/clickhouse/ddl.ts) and each read recomputes from
 * the first hour a new event can have changed: the earliest start of any sync with an event
 * ingested since the last computation, or dated after the instant it was computed as of. Events
 * are stamped when ingest admits them and become visible a moment later, so "since" reaches
 * back INGEST_VISIBILITY_MS before that computation began. Usually that leaves the open hour
 * and the one before it to compute.
 *
 * A sync is seen through its events of the 24 h (LATENCY_LOOKBACK_SECONDS) before the first
 * hour computed, as the window queries see it: a sync whose attempts span more than that may
 * start later in a kept hour than in a full computation.
 */
export interface HourFigures {
  /** Epoch ms of the hour's start (UTC). */
  hourMs: number;
  total: number;
  bad: number;
  latencyCount: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface HourlyFigures {
  hours: HourFigures[];
  /** The hours from here on were computed by this read; the earlier ones were kept. */
  computedFromMs: number;
}

const HOUR_MS = 3_600_000;
const LOOKBACK_MS = LATENCY_LOOKBACK_SECONDS * 1000;
/** Longest an admitted event takes to become visible in ClickHouse (the ingest queue bounds its wait well below this). */
export const INGEST_VISIBILITY_MS = 5 * 60_000;

function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The kept figures belong to what decides them: the SLI's source, interface and threshold, not its name or objective. */
function sliKey(source: LedgerSliSource, def: SloQueryDefinition): string {
  return JSON.stringify([source, def.interfaceKey, source === 'ledger_latency' ? def.thresholdMs : null]);
}

function params(def: SloQueryDefinition, now: Date, extra: Record<string, unknown>): Record<string, unknown> {
  return { iface: def.interfaceKey, now: toClickHouseDateTime(now), threshold_ms: def.thresholdMs ?? 0, ...extra };
}

/** What the kept hours of an SLI cover (SLO_HOUR_REFRESHES), as epoch ms. */
interface Refresh {
  coveredFromMs: number;
  coveredUntilMs: number;
  asOfMs: number;
  computedAtMs: number;
}

async function lastRefresh(key: string): Promise<Refresh | null> {
  const row = await queryOne<Record<'covered_from_ms' | 'covered_until_ms' | 'as_of_ms' | 'computed_at_ms', number>>(
    `SELECT toUnixTimestamp(covered_from) * 1000 AS covered_from_ms, toUnixTimestamp(covered_until) * 1000 AS covered_until_ms,
       toUnixTimestamp64Milli(as_of) AS as_of_ms, toUnixTimestamp64Milli(computed_at) AS computed_at_ms
     FROM slo_hour_refreshes FINAL WHERE sli_key = {key:String}`,
    { key },
  );
  return row
    ? { coveredFromMs: Number(row.covered_from_ms), coveredUntilMs: Number(row.covered_until_ms), asOfMs: Number(row.as_of_ms), computedAtMs: Number(row.computed_at_ms) }
    : null;
}

/** The earliest start of a sync that gained an event since `refresh`, or null when none did. */
async function firstChangedMs(def: SloQueryDefinition, now: Date, refresh: Refresh): Promise<number | null> {
  const scanFrom = toClickHouseDateTime(new Date(refresh.coveredFromMs - LOOKBACK_MS));
  const since = toClickHouseDateTime(new Date(refresh.computedAtMs - INGEST_VISIBILITY_MS));
  const inRange = `interface_id = {iface:String} AND occurred_at > {scan_from:DateTime64(3)} AND occurred_at <= {now:DateTime64(3)}`;
  const row = await queryOne<{ first_ms: number | null }>(
    `SELECT toUnixTimestamp64Milli(minOrNull(occurred_at)) AS first_ms
     FROM sync_ledger
     WHERE ${inRange} AND ${SYNC_ID_SQL} IN (
       SELECT ${SYNC_ID_SQL} FROM sync_ledger
       WHERE ${inRange} AND (ingested_at > {since:DateTime64(3)} OR occurred_at > {as_of:DateTime64(3)}))`,
    params(def, now, { scan_from: scanFrom, since, as_of: toClickHouseDateTime(new Date(refresh.asOfMs)) }),
  );
  return row?.first_ms === null || row?.first_ms === undefined ? null : Number(row.first_ms);
}

interface HourRow {
  hour_ms: number;
  total: number;
  bad: number;
  latency_count: number;
  q: number[];
}

/** Every hour from `fromMs` to `now`, computed from the events. */
async function computeHours(source: LedgerSliSource, def: SloQueryDefinition, now: Date, fromMs: number): Promise<HourFigures[]> {
  const rows = await queryRows<HourRow>(
    `SELECT hour_ms, countIf(role = 0) AS total, countIf(role = 0 AND NOT good) AS bad, countIf(role = 1) AS latency_count,
       quantilesIf(0.5, 0.95, 0.99)(done_ms - started_ms, role = 1) AS q
     FROM (
       SELECT good, started_ms, done_ms,
         arrayJoin(arrayFilter(r -> r.2 >= {from_ms:Int64}, [
           (0, if(counted AND decided_ms <= toUnixTimestamp64Milli({now:DateTime64(3)}), intDiv(decided_ms, ${HOUR_MS}) * ${HOUR_MS}, -1)),
           (1, if(done, intDiv(done_ms, ${HOUR_MS}) * ${HOUR_MS}, -1))
         ])) AS role_hour,
         role_hour.1 AS role, role_hour.2 AS hour_ms
       FROM (${ledgerSyncsSql(source, '{scan_from:DateTime64(3)}')})
     )
     GROUP BY hour_ms ORDER BY hour_ms`,
    params(def, now, { from_ms: fromMs, scan_from: toClickHouseDateTime(new Date(fromMs - LOOKBACK_MS)) }),
  );
  return rows.map((r) => ({
    hourMs: Number(r.hour_ms),
    total: Number(r.total),
    bad: Number(r.bad),
    latencyCount: Number(r.latency_count),
    ...roundedQuantiles(Number(r.latency_count) > 0 ? r.q : []),
  }));
}

async function keptHours(key: string, fromMs: number, untilMs: number): Promise<HourFigures[]> {
  const rows = await queryRows<Omit<HourRow, 'q'> & { p50: number; p95: number; p99: number }>(
    `SELECT toUnixTimestamp(hour) * 1000 AS hour_ms, total, bad, latency_count, latency_p50 AS p50, latency_p95 AS p95, latency_p99 AS p99
     FROM slo_hours FINAL
     WHERE sli_key = {key:String} AND hour >= toDateTime({from_s:UInt32}, 'UTC') AND hour < toDateTime({until_s:UInt32}, 'UTC')
     ORDER BY hour`,
    { key, from_s: fromMs / 1000, until_s: untilMs / 1000 },
  );
  return rows.map((r) => ({
    hourMs: Number(r.hour_ms),
    total: Number(r.total),
    bad: Number(r.bad),
    latencyCount: Number(r.latency_count),
    p50: Number(r.p50),
    p95: Number(r.p95),
    p99: Number(r.p99),
  }));
}

/** Keeps the closed hours computed by a read (an hour without syncs as zeros, so it replaces what it held), then what they cover. */
async function keepHours(key: string, computed: readonly HourFigures[], fromMs: number, untilMs: number, coveredFromMs: number, now: Date, computedAt: Date): Promise<void> {
  const byHour = new Map(computed.map((h) => [h.hourMs, h]));
  const rows = [];
  for (let hourMs = fromMs; hourMs < untilMs; hourMs += HOUR_MS) {
    const h = byHour.get(hourMs) ?? { hourMs, total: 0, bad: 0, latencyCount: 0, p50: 0, p95: 0, p99: 0 };
    rows.push({
      sli_key: key,
      hour: hourMs / 1000,
      total: h.total,
      bad: h.bad,
      latency_count: h.latencyCount,
      latency_p50: h.p50,
      latency_p95: h.p95,
      latency_p99: h.p99,
      computed_at: toClickHouseDateTime(computedAt),
    });
  }
  await insertRows('slo_hours', rows);
  await insertRows('slo_hour_refreshes', [
    { sli_key: key, covered_from: coveredFromMs / 1000, covered_until: untilMs / 1000, as_of: toClickHouseDateTime(now), computed_at: toClickHouseDateTime(computedAt) },
  ]);
}

/**
 * The hourly figures of a ledger SLI from the hour holding `fromMs` to `now`: kept hours
 * where no later event changed them, the rest computed (and kept when closed). A read as of
 * an instant earlier than the last computation computes everything and keeps nothing.
 */
export async function ledgerHourlyFigures(source: LedgerSliSource, def: SloQueryDefinition, now: Date, fromMs: number): Promise<HourlyFigures> {
  const computedAt = new Date();
  const key = sliKey(source, def);
  const fromHour = floorHour(fromMs);
  const closedUntil = floorHour(now.getTime());
  const previous = await lastRefresh(key);
  const earlierAsOf = previous !== null && now.getTime() < previous.asOfMs;
  let computeFrom = fromHour;
  if (previous && !earlierAsOf && previous.coveredFromMs <= fromHour) {
    const changedMs = await firstChangedMs(def, now, previous);
    const keptUntil = Math.min(previous.coveredUntilMs, changedMs === null ? Number.POSITIVE_INFINITY : floorHour(changedMs));
    computeFrom = Math.max(fromHour, keptUntil);
  }
  const [kept, computed] = await Promise.all([computeFrom > fromHour ? keptHours(key, fromHour, computeFrom) : Promise.resolve([]), computeHours(source, def, now, computeFrom)]);
  if (!earlierAsOf) {
    const coveredFrom = computeFrom > fromHour && previous ? previous.coveredFromMs : fromHour;
    await keepHours(key, computed, computeFrom, Math.max(computeFrom, closedUntil), coveredFrom, now, computedAt);
  }
  const hours = [...kept, ...computed].filter((h) => h.total > 0 || h.latencyCount > 0);
  return { hours, computedFromMs: computeFrom };
}

/**
 * Brings every ledger SLO's kept hours up to `now` (a job, every minute), so a detail page
 * finds them and computes only what changed since; after a start the first run computes each
 * SLO's window once. Returns how many SLOs it refreshed.
 */
export async function refreshKeptHours(now: Date = new Date()): Promise<number> {
  let refreshed = 0;
  for (const slo of await listSlos()) {
    const source = sliSource(slo);
    if (source === 'span_latency') continue;
    await ledgerHourlyFigures(source, slo, now, now.getTime() - sloWindowSeconds(slo.windowDays) * 1000);
    refreshed += 1;
  }
  return refreshed;
}
