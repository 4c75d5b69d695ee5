import { insertRows, queryOne, queryRows, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { INGEST_VISIBILITY_MS } from '@/lib/ledger/row';
import { listSlos } from '@/lib/slo/definitions';
import { EVALUATION_FRESH_MS } from '@/lib/slo/status';
import {
  LATENCY_LOOKBACK_SECONDS,
  ledgerSyncsSql,
  roundedQuantiles,
  sliSource,
  sloWindowSeconds,
  SYNC_ID_SQL,
  WORST_RECORDS,
  type LedgerSliSource,
  type RankedSync,
  type SloQueryDefinition,
} from '@/lib/slo/query';

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
 * and the one before it to compute. The minute job computes the whole window once an hour, which
 * bounds what an event made visible later than that could leave out.
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
  /** The worst syncs decided in those hours, worst first (WORST_RECORDS of them at most). */
  worst: RankedSync[];
  /** The instant the figures are as of: `now`, or the last computation's when that is fresh. */
  asOfMs: number;
  /** The hours from here on were computed by this read, the earlier ones kept; null when all were kept. */
  computedFromMs: number | null;
}

const HOUR_MS = 3_600_000;
const LOOKBACK_MS = LATENCY_LOOKBACK_SECONDS * 1000;

/** How often the kept hours' coverage is renewed when nothing closed in between (the minute job's period). */
const REFRESH_MS = 60_000;

/** The start (epoch ms) of the UTC hour holding `ms`. */
export function floorHour(ms: number): number {
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

/**
 * A sync decided in an hour, with what ranks it among the worst. Classes: 0 bad and completed,
 * 1 bad and still waiting (its latency grows until it completes), 2 good.
 */
interface Candidate {
  sync: string;
  hourMs: number;
  cls: number;
  good: boolean;
  done: boolean;
  startedMs: number;
  doneMs: number;
  lastMs: number;
  events: number;
  finalStatus: string;
}

interface CandidateRow {
  sync_id: string;
  hour_ms: number;
  cls: number;
  good: number;
  done: number;
  started_ms: number;
  done_ms: number;
  last_ms: number;
  events: number;
  final_status: string;
}

function toCandidate(r: CandidateRow): Candidate {
  return {
    sync: r.sync_id,
    hourMs: Number(r.hour_ms),
    cls: Number(r.cls),
    good: Number(r.good) === 1,
    done: Number(r.done) === 1,
    startedMs: Number(r.started_ms),
    doneMs: Number(r.done_ms),
    lastMs: Number(r.last_ms),
    events: Number(r.events),
    finalStatus: r.final_status,
  };
}

/**
 * The worst order (bad first; then, for latency, slowest, a waiting sync's latency counting to
 * `now`; for success, most events, latest first; then by sync) as SQL over candidate columns.
 * Within a class it does not depend on `now`, so an hour's candidates can be chosen once.
 */
function classSql(source: LedgerSliSource): string {
  return source === 'ledger_latency' ? 'if(good, 2, if(done, 0, 1))' : 'if(good, 2, 0)';
}

function worstOrderSql(source: LedgerSliSource, nowMs: string): string {
  return source === 'ledger_latency'
    ? `good, if(done, done_ms, ${nowMs}) - started_ms DESC, sync`
    : 'good, events DESC, last_ms DESC, sync';
}

function latencyOf(c: Candidate, nowMs: number): number {
  return (c.done ? c.doneMs : nowMs) - c.startedMs;
}

function compareWorst(source: LedgerSliSource, nowMs: number) {
  return (a: Candidate, b: Candidate): number => {
    if (a.good !== b.good) return a.good ? 1 : -1;
    const byKind = source === 'ledger_latency' ? latencyOf(b, nowMs) - latencyOf(a, nowMs) : b.events - a.events || b.lastMs - a.lastMs;
    if (byKind !== 0) return byKind;
    const [x, y] = [BigInt(a.sync), BigInt(b.sync)];
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

const CANDIDATE_COLUMNS = 'toString(sync) AS sync_id, good, done, started_ms, done_ms, last_ms, events, final_status';

/** Every hour from `fromMs` to `now`, computed from the events, with each hour's worst candidates. */
async function computeHours(source: LedgerSliSource, def: SloQueryDefinition, now: Date, fromMs: number): Promise<{ hours: HourFigures[]; candidates: Candidate[] }> {
  const queryParams = params(def, now, { from_ms: fromMs, scan_from: toClickHouseDateTime(new Date(fromMs - LOOKBACK_MS)), per_class: WORST_RECORDS });
  const syncs = ledgerSyncsSql(source, '{scan_from:DateTime64(3)}');
  const nowMs = 'toUnixTimestamp64Milli({now:DateTime64(3)})';
  const [rows, candidates] = await Promise.all([
    queryRows<HourRow>(
      `SELECT hour_ms, countIf(role = 0) AS total, countIf(role = 0 AND NOT good) AS bad, countIf(role = 1) AS latency_count,
         quantilesIf(0.5, 0.95, 0.99)(done_ms - started_ms, role = 1) AS q
       FROM (
         SELECT good, started_ms, done_ms,
           arrayJoin(arrayFilter(r -> r.2 >= {from_ms:Int64}, [
             (0, if(counted AND decided_ms <= ${nowMs}, intDiv(decided_ms, ${HOUR_MS}) * ${HOUR_MS}, -1)),
             (1, if(done, intDiv(done_ms, ${HOUR_MS}) * ${HOUR_MS}, -1))
           ])) AS role_hour,
           role_hour.1 AS role, role_hour.2 AS hour_ms
         FROM (${syncs})
       )
       GROUP BY hour_ms ORDER BY hour_ms`,
      queryParams,
    ),
    queryRows<CandidateRow>(
      `SELECT ${CANDIDATE_COLUMNS}, intDiv(decided_ms, ${HOUR_MS}) * ${HOUR_MS} AS hour_ms, ${classSql(source)} AS cls
       FROM (${syncs})
       WHERE counted AND decided_ms <= ${nowMs} AND decided_ms >= {from_ms:Int64}
       ORDER BY hour_ms, cls, ${worstOrderSql(source, nowMs)}
       LIMIT {per_class:UInt32} BY hour_ms, cls`,
      queryParams,
    ),
  ]);
  return {
    hours: rows.map((r) => ({
      hourMs: Number(r.hour_ms),
      total: Number(r.total),
      bad: Number(r.bad),
      latencyCount: Number(r.latency_count),
      ...roundedQuantiles(Number(r.latency_count) > 0 ? r.q : []),
    })),
    candidates: candidates.map(toCandidate),
  };
}

const HOURS_BETWEEN = `sli_key = {key:String} AND hour >= toDateTime({from_s:UInt32}, 'UTC') AND hour < toDateTime({until_s:UInt32}, 'UTC')`;

async function keptHours(key: string, fromMs: number, untilMs: number): Promise<HourFigures[]> {
  const rows = await queryRows<Omit<HourRow, 'q'> & { p50: number; p95: number; p99: number }>(
    `SELECT toUnixTimestamp(hour) * 1000 AS hour_ms, total, bad, latency_count, latency_p50 AS p50, latency_p95 AS p95, latency_p99 AS p99
     FROM slo_hours FINAL
     WHERE ${HOURS_BETWEEN}
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

/** The worst of the kept hours' candidates as of `now` (a slot counts only from its hour's latest computation). */
async function keptWorst(source: LedgerSliSource, key: string, fromMs: number, untilMs: number, now: Date): Promise<Candidate[]> {
  const rows = await queryRows<CandidateRow>(
    `SELECT ${CANDIDATE_COLUMNS}, toUnixTimestamp(hour) * 1000 AS hour_ms, intDiv(slot, {per_class:UInt32}) AS cls
     FROM slo_hour_worst FINAL
     WHERE ${HOURS_BETWEEN} AND (hour, computed_at) IN (SELECT hour, computed_at FROM slo_hours FINAL WHERE ${HOURS_BETWEEN})
     ORDER BY ${worstOrderSql(source, '{now_ms:Int64}')}
     LIMIT {per_class:UInt32}`,
    { key, from_s: fromMs / 1000, until_s: untilMs / 1000, now_ms: now.getTime(), per_class: WORST_RECORDS },
  );
  return rows.map(toCandidate);
}

/**
 * Keeps the hours computed by a read (an hour without syncs as zeros, so it replaces what it
 * held) with their candidates, then what they cover: the closed hours, which later reads build
 * on, and the open hour as of `now`, which a read within EVALUATION_FRESH_MS shows as it is.
 */
async function keepHours(
  key: string,
  computed: { hours: readonly HourFigures[]; candidates: readonly Candidate[] },
  fromMs: number,
  untilMs: number,
  coveredFromMs: number,
  now: Date,
  computedAt: Date,
): Promise<void> {
  const at = toClickHouseDateTime(computedAt);
  const byHour = new Map(computed.hours.map((h) => [h.hourMs, h]));
  const hours = [];
  for (let hourMs = fromMs; hourMs <= floorHour(now.getTime()); hourMs += HOUR_MS) {
    const h = byHour.get(hourMs) ?? { hourMs, total: 0, bad: 0, latencyCount: 0, p50: 0, p95: 0, p99: 0 };
    hours.push({
      sli_key: key,
      hour: hourMs / 1000,
      total: h.total,
      bad: h.bad,
      latency_count: h.latencyCount,
      latency_p50: h.p50,
      latency_p95: h.p95,
      latency_p99: h.p99,
      computed_at: at,
    });
  }
  const slotsTaken = new Map<string, number>();
  const worst = computed.candidates.map((c) => {
    const group = `${c.hourMs}:${c.cls}`;
    const position = slotsTaken.get(group) ?? 0;
    slotsTaken.set(group, position + 1);
    return {
      sli_key: key,
      hour: c.hourMs / 1000,
      slot: c.cls * WORST_RECORDS + position,
      sync: c.sync,
      good: c.good ? 1 : 0,
      done: c.done ? 1 : 0,
      started_ms: c.startedMs,
      done_ms: c.doneMs,
      last_ms: c.lastMs,
      events: c.events,
      final_status: c.finalStatus,
      computed_at: at,
    };
  });
  await Promise.all([insertRows('slo_hours', hours), insertRows('slo_hour_worst', worst)]);
  await insertRows('slo_hour_refreshes', [{ sli_key: key, covered_from: coveredFromMs / 1000, covered_until: untilMs / 1000, as_of: toClickHouseDateTime(now), computed_at: at }]);
}

/**
 * The hourly figures of a ledger SLI from the hour holding `fromMs` to `now`, and its worst
 * syncs decided in those hours: kept hours where no later event changed them, the rest
 * computed and kept. For a page, within EVALUATION_FRESH_MS of the last computation (the
 * minute job's, as a rule) in the same hour, that computation's figures are the answer, as the
 * evaluator's status is; the job always computes. A read as of an instant earlier than the last
 * computation computes everything and keeps nothing.
 */
export async function ledgerHourlyFigures(
  source: LedgerSliSource,
  def: SloQueryDefinition,
  now: Date,
  fromMs: number,
  reader: 'page' | 'job' = 'page',
): Promise<HourlyFigures> {
  const computedAt = new Date();
  const key = sliKey(source, def);
  const fromHour = floorHour(fromMs);
  const closedUntil = floorHour(now.getTime());
  const previous = await lastRefresh(key);
  const earlierAsOf = previous !== null && now.getTime() < previous.asOfMs;
  const fresh =
    reader === 'page' &&
    previous !== null &&
    !earlierAsOf &&
    now.getTime() - previous.asOfMs <= EVALUATION_FRESH_MS &&
    floorHour(previous.asOfMs) === closedUntil &&
    previous.coveredFromMs <= fromHour;
  if (previous && fresh) {
    const asOf = new Date(previous.asOfMs);
    const [hours, candidates] = await Promise.all([keptHours(key, fromHour, closedUntil + HOUR_MS), keptWorst(source, key, fromHour, closedUntil + HOUR_MS, asOf)]);
    return { hours: withSyncs(hours), worst: worstOf(source, candidates, asOf), asOfMs: previous.asOfMs, computedFromMs: null };
  }
  // The job's first run in an hour computes the whole window again, so an event that became
  // visible later than INGEST_VISIBILITY_MS after its stamp is counted within the hour.
  const hourlyRecompute = reader === 'job' && previous !== null && floorHour(previous.asOfMs) < closedUntil;
  let computeFrom = fromHour;
  if (previous && !earlierAsOf && !hourlyRecompute && previous.coveredFromMs <= fromHour) {
    const changedMs = await firstChangedMs(def, now, previous);
    const keptUntil = Math.min(previous.coveredUntilMs, changedMs === null ? Number.POSITIVE_INFINITY : floorHour(changedMs));
    computeFrom = Math.max(fromHour, keptUntil);
  }
  const anyKept = computeFrom > fromHour;
  const [kept, keptCandidates, computed] = await Promise.all([
    anyKept ? keptHours(key, fromHour, computeFrom) : Promise.resolve([]),
    anyKept ? keptWorst(source, key, fromHour, computeFrom, now) : Promise.resolve([]),
    computeHours(source, def, now, computeFrom),
  ]);
  // A page keeps nothing when no hour closed since the last computation and that is recent (the
  // minute job keeps it so); the job always keeps what it computed, which is what pages show.
  const nothingNew = reader === 'page' && previous !== null && computeFrom >= closedUntil && computedAt.getTime() - previous.computedAtMs < REFRESH_MS;
  if (!earlierAsOf && !nothingNew) {
    const coveredFrom = anyKept && previous ? previous.coveredFromMs : fromHour;
    await keepHours(key, computed, computeFrom, Math.max(computeFrom, closedUntil), coveredFrom, now, computedAt);
  }
  return {
    hours: withSyncs([...kept, ...computed.hours]),
    worst: worstOf(source, [...keptCandidates, ...computed.candidates], now),
    asOfMs: now.getTime(),
    computedFromMs: computeFrom,
  };
}

function withSyncs(hours: readonly HourFigures[]): HourFigures[] {
  return hours.filter((h) => h.total > 0 || h.latencyCount > 0);
}

function worstOf(source: LedgerSliSource, candidates: readonly Candidate[], asOf: Date): RankedSync[] {
  return [...candidates]
    .sort(compareWorst(source, asOf.getTime()))
    .slice(0, WORST_RECORDS)
    .map((c) => ({ sync: c.sync, finalStatus: c.finalStatus, latencyMs: latencyOf(c, asOf.getTime()), startedMs: c.startedMs, lastMs: c.lastMs }));
}

/**
 * Brings every ledger SLO's kept hours up to `now` (a job, every minute), so a detail page
 * finds them fresh; after a start, and once an hour, it computes each SLO's whole window.
 * Returns how many SLOs it refreshed.
 */
export async function refreshKeptHours(now: Date = new Date()): Promise<number> {
  let refreshed = 0;
  for (const slo of await listSlos()) {
    const source = sliSource(slo);
    if (source === 'span_latency') continue;
    await ledgerHourlyFigures(source, slo, now, now.getTime() - sloWindowSeconds(slo.windowDays) * 1000, 'job');
    refreshed += 1;
  }
  return refreshed;
}
