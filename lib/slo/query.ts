import { queryRows, toClickHouseDateTime, type QueryParams } from '@/lib/clickhouse/client';
import { LEDGER_STATUSES } from '@/lib/ledger/event';

/**
 * ClickHouse side of the SLOs: good and bad event counts per alerting window, SLI history,
 * latency quantiles and the worst records. Every value reaches SQL as a query parameter;
 * the only SQL built in code is fixed fragments chosen by the SLI kind.
 *
 * What one "event" is:
 * - ledger SLIs count one event per logical sync (sync_key, or event_id when a producer sent
 *   none), so retries of a record are counted once. A success sync is good when its latest
 *   event says succeeded and bad when it is still failed / retrying / dead-lettered; syncs
 *   still pending, or cancelled / skipped, are not counted. It belongs to the window of its
 *   latest event.
 * - ledger latency: end to end from the first attempt's occurred_at to the succeeded event's
 *   synced_at. Good when that is within the threshold (it counts when it completes); bad the
 *   moment the threshold passes without success (it counts at first occurred_at + threshold).
 * - span latency: one event per span named `spanName` whose ServiceName (resource attribute
 *   service.name) or span attribute `plumbline.interface` (the PlumblineInterface column) is
 *   the interface key; bad when its Duration exceeds the threshold.
 */
export interface SloQueryDefinition {
  interfaceKey: string;
  sliKind: 'latency' | 'success';
  thresholdMs: number | null;
  spanName: string | null;
  windowDays: number;
}

export interface AlertWindow {
  key: string;
  seconds: number;
}

/** The Google SRE workbook's windows for multiwindow, multi-burn-rate alerting. */
export const ALERT_WINDOWS: readonly AlertWindow[] = [
  { key: '5m', seconds: 5 * 60 },
  { key: '30m', seconds: 30 * 60 },
  { key: '1h', seconds: 60 * 60 },
  { key: '6h', seconds: 6 * 60 * 60 },
  { key: '3d', seconds: 3 * 24 * 60 * 60 },
];

export const SLO_WINDOW_KEY = 'slo';

export interface WindowCount {
  key: string;
  seconds: number;
  total: number;
  bad: number;
}

export type SliSource = 'ledger_success' | 'ledger_latency' | 'span_latency';

export function sliSource(def: Pick<SloQueryDefinition, 'sliKind' | 'spanName'>): SliSource {
  if (def.sliKind === 'success') return 'ledger_success';
  return def.spanName ? 'span_latency' : 'ledger_latency';
}

/**
 * One logical sync, as a 64-bit hash of its key: grouping a busy interface's week (~730 k
 * syncs of about one event each at 10 M events) by the hash takes half the time the key
 * string does. Two of a million keys share a hash with a chance of about one in 40 million.
 */
export const SYNC_ID_SQL = `cityHash64(if(sync_key = '', event_id, sync_key))`;

/** An event's place in its sync, (occurred_at, ingested_at), as one number: both are epoch ms below 2^44 (ingest keeps them in 1970..2299). */
const EVENT_ORDER_SQL = `toUInt128(toUnixTimestamp64Milli(occurred_at)) * 17592186044416 + toUnixTimestamp64Milli(ingested_at)`;

/**
 * A sync's latest status. argMax keeps its value per group, and a string value per sync cost
 * more than the rest of the query together, so it keeps the status's position in
 * LEDGER_STATUSES (the ingest accepts no other) and turns it back into the name.
 */
const STATUS_NAMES_SQL = `[${LEDGER_STATUSES.map((status) => `'${status}'`).join(', ')}]`;
const LATEST_STATUS_SQL = `arrayElement(${STATUS_NAMES_SQL}, argMax(indexOf(${STATUS_NAMES_SQL}, status), ${EVENT_ORDER_SQL}))`;

/** Latency syncs can start up to this long before the window and still complete inside it. */
export const LATENCY_LOOKBACK_SECONDS = 24 * 60 * 60;

export type LedgerSliSource = Exclude<SliSource, 'span_latency'>;

/**
 * One row per logical sync of {iface} from its events in (scanFrom, {now}]: when it started
 * and last changed, whether and when it first succeeded (synced_at), its latest status, and by
 * the SLI's rules whether it counts, whether it is good and when that was decided (epoch ms).
 * Columns a query does not read are not computed.
 */
export function ledgerSyncsSql(source: LedgerSliSource, scanFrom: string): string {
  const outcome =
    source === 'ledger_success'
      ? `final_status IN ('succeeded', 'failed', 'retrying', 'dead_lettered') AS counted, final_status = 'succeeded' AS good,
         last_ms AS decided_ms`
      : `final_status NOT IN ('cancelled', 'skipped') AS counted, done AND done_ms <= started_ms + {threshold_ms:UInt64} AS good,
         if(good, done_ms, started_ms + {threshold_ms:UInt64}) AS decided_ms`;
  return `SELECT sync, events, started_ms, last_ms, done, done_ms, final_status, ${outcome}
     FROM (
       SELECT ${SYNC_ID_SQL} AS sync, count() AS events,
         toUnixTimestamp64Milli(min(occurred_at)) AS started_ms, toUnixTimestamp64Milli(max(occurred_at)) AS last_ms,
         countIf(status = 'succeeded' AND synced_at IS NOT NULL) > 0 AS done,
         toUnixTimestamp64Milli(minIf(assumeNotNull(synced_at), status = 'succeeded' AND synced_at IS NOT NULL)) AS done_ms,
         ${LATEST_STATUS_SQL} AS final_status
       FROM sync_ledger
       WHERE interface_id = {iface:String} AND occurred_at > ${scanFrom} AND occurred_at <= {now:DateTime64(3)}
       GROUP BY sync
     )`;
}

/**
 * One row per counted event: `decided_ms` (when it became good or bad, epoch ms) and `good`.
 * Reads {iface}, {from}, {now}, and {threshold_ms} / {span} as the source needs.
 */
function outcomesSql(source: SliSource): string {
  switch (source) {
    case 'ledger_success':
    case 'ledger_latency': {
      const scanFrom = source === 'ledger_latency' ? `{from:DateTime64(3)} - INTERVAL ${LATENCY_LOOKBACK_SECONDS} SECOND` : '{from:DateTime64(3)}';
      return `SELECT decided_ms, good FROM (${ledgerSyncsSql(source, scanFrom)})
       WHERE counted AND decided_ms <= toUnixTimestamp64Milli({now:DateTime64(3)})`;
    }
    case 'span_latency':
      return `SELECT toUnixTimestamp64Milli(Timestamp) AS decided_ms,
         Duration <= {threshold_ms:UInt64} * 1000000 AS good
       FROM otel_traces
       WHERE SpanName = {span:String}
         AND (ServiceName = {iface:String} OR PlumblineInterface = {iface:String})
         AND Timestamp > {from:DateTime64(3)} AND Timestamp <= {now:DateTime64(3)}`;
  }
}

function baseParams(def: SloQueryDefinition, from: Date, now: Date): QueryParams {
  return {
    iface: def.interfaceKey,
    from: toClickHouseDateTime(from),
    now: toClickHouseDateTime(now),
    threshold_ms: def.thresholdMs ?? 0,
    span: def.spanName ?? '',
  };
}

export function sloWindowSeconds(windowDays: number): number {
  return windowDays * 24 * 60 * 60;
}

/** Every window's total and bad count for one SLO, in one query. */
export async function windowCounts(def: SloQueryDefinition, now: Date): Promise<WindowCount[]> {
  const windows: AlertWindow[] = [...ALERT_WINDOWS, { key: SLO_WINDOW_KEY, seconds: sloWindowSeconds(def.windowDays) }];
  const longest = Math.max(...windows.map((w) => w.seconds));
  const params = baseParams(def, new Date(now.getTime() - longest * 1000), now);
  const columns = windows.map((w, i) => {
    params[`w${i}`] = toClickHouseDateTime(new Date(now.getTime() - w.seconds * 1000));
    const inWindow = `decided_ms > toUnixTimestamp64Milli({w${i}:DateTime64(3)})`;
    return `countIf(${inWindow}) AS total_${i}, countIf(${inWindow} AND NOT good) AS bad_${i}`;
  });
  const rows = await queryRows<Record<string, number>>(`SELECT ${columns.join(',\n  ')} FROM (${outcomesSql(sliSource(def))})`, params);
  const row = rows[0] ?? {};
  return windows.map((w, i) => ({ key: w.key, seconds: w.seconds, total: Number(row[`total_${i}`] ?? 0), bad: Number(row[`bad_${i}`] ?? 0) }));
}

export interface SliBucket {
  /** ISO start of the bucket. */
  at: string;
  total: number;
  bad: number;
}

/** Good and bad counts per bucket of a span SLI across the SLO window (ledger SLIs: lib/slo/hourly.ts). */
export async function spanSliHistory(def: SloQueryDefinition, now: Date, bucketSeconds: number): Promise<SliBucket[]> {
  const windowSeconds = sloWindowSeconds(def.windowDays);
  const params = { ...baseParams(def, new Date(now.getTime() - windowSeconds * 1000), now), bucket: bucketSeconds };
  const rows = await queryRows<{ bucket_ms: number; total: number; bad: number }>(
    `SELECT intDiv(decided_ms, {bucket:UInt32} * 1000) * {bucket:UInt32} * 1000 AS bucket_ms,
       count() AS total, countIf(NOT good) AS bad
     FROM (${outcomesSql('span_latency')})
     WHERE decided_ms > toUnixTimestamp64Milli({from:DateTime64(3)})
     GROUP BY bucket_ms ORDER BY bucket_ms`,
    params,
  );
  return rows.map((r) => ({ at: new Date(Number(r.bucket_ms)).toISOString(), total: Number(r.total), bad: Number(r.bad) }));
}

export interface LatencyQuantiles {
  hour: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** p50 / p95 / p99 duration (ms) per hour of a span SLI's named span (ledger SLIs: lib/slo/hourly.ts). */
export async function spanLatencyQuantiles(def: SloQueryDefinition, now: Date, days: number): Promise<LatencyQuantiles[]> {
  const rows = await queryRows<{ hour_ms: number; count: number; q: number[] }>(
    `SELECT toUnixTimestamp(toStartOfHour(Timestamp)) * 1000 AS hour_ms, count() AS count,
       quantiles(0.5, 0.95, 0.99)(Duration / 1e6) AS q
     FROM otel_traces
     WHERE SpanName = {span:String}
       AND (ServiceName = {iface:String} OR PlumblineInterface = {iface:String})
       AND Timestamp > {from:DateTime64(3)} AND Timestamp <= {now:DateTime64(3)}
     GROUP BY hour_ms ORDER BY hour_ms`,
    baseParams(def, new Date(now.getTime() - days * 86_400_000), now),
  );
  return rows.map((r) => ({ hour: new Date(Number(r.hour_ms)).toISOString(), count: Number(r.count), ...roundedQuantiles(r.q) }));
}

/** A quantiles(0.5, 0.95, 0.99) result as whole milliseconds. */
export function roundedQuantiles(q: readonly number[]): { p50: number; p95: number; p99: number } {
  return { p50: Math.round(Number(q[0] ?? 0)), p95: Math.round(Number(q[1] ?? 0)), p99: Math.round(Number(q[2] ?? 0)) };
}

export interface WorstRecord {
  sourceRecordId: string;
  entityType: string;
  documentNumber: string;
  status: string;
  attempts: number;
  /** End-to-end latency; for a sync that never succeeded, the time it has waited so far. */
  latencyMs: number;
  lastEventAt: string;
  traceId: string;
  errorMessage: string;
}

/** How many worst records a detail page lists. */
export const WORST_RECORDS = 20;

/** The worst records of a span SLI: its slowest spans in the window. */
export async function spanWorstRecords(def: SloQueryDefinition, now: Date, limit = WORST_RECORDS): Promise<WorstRecord[]> {
  const rows = await queryRows<{ TraceId: string; Duration: number; StatusCode: string; Timestamp: string; record: string; doc: string; model: string; msg: string }>(
    `SELECT TraceId, Duration, StatusCode, Timestamp, SpanAttributes['record.id'] AS record,
       SpanAttributes['document.number'] AS doc, SpanAttributes['odoo.model'] AS model, StatusMessage AS msg
     FROM otel_traces
     WHERE SpanName = {span:String}
       AND (ServiceName = {iface:String} OR PlumblineInterface = {iface:String})
       AND Timestamp > {from:DateTime64(3)} AND Timestamp <= {now:DateTime64(3)}
     ORDER BY Duration DESC LIMIT {limit:UInt32}`,
    { ...baseParams(def, new Date(now.getTime() - sloWindowSeconds(def.windowDays) * 1000), now), limit },
  );
  return rows.map((r) => ({
    sourceRecordId: r.record,
    entityType: r.model,
    documentNumber: r.doc,
    status: r.StatusCode,
    attempts: 1,
    latencyMs: Math.round(Number(r.Duration) / 1e6),
    lastEventAt: r.Timestamp,
    traceId: r.TraceId,
    errorMessage: r.msg,
  }));
}

/** A ledger sync chosen among the window's worst (lib/slo/hourly.ts ranks them), by its key's hash. */
export interface RankedSync {
  /** SYNC_ID_SQL's UInt64, in decimal. */
  sync: string;
  finalStatus: string;
  latencyMs: number;
  startedMs: number;
  lastMs: number;
}

/**
 * The records behind ranked syncs, in their order: attempts (distinct events), the latest
 * event's record, document and trace, and the latest error, read for these few syncs only
 * (their events from the earliest start on; the text by event id, skip-indexed).
 */
export async function describeWorstSyncs(def: SloQueryDefinition, now: Date, ranked: readonly RankedSync[]): Promise<WorstRecord[]> {
  if (ranked.length === 0) return [];
  const earliest = Math.min(...ranked.map((r) => r.startedMs));
  const latest = await queryRows<{ sync_id: string; attempts: number; latest_event: string; latest_error_event: string }>(
    `SELECT ${SYNC_ID_SQL} AS sync, toString(sync) AS sync_id, uniqExact(event_id) AS attempts,
       argMax(event_id, ${EVENT_ORDER_SQL}) AS latest_event,
       argMaxIf(event_id, ${EVENT_ORDER_SQL}, error_message != '') AS latest_error_event
     FROM sync_ledger
     WHERE interface_id = {iface:String} AND occurred_at >= {from:DateTime64(3)} AND occurred_at <= {now:DateTime64(3)}
       AND sync IN {syncs:Array(UInt64)}
     GROUP BY sync`,
    { ...baseParams(def, new Date(earliest), now), syncs: ranked.map((r) => BigInt(r.sync)) },
  );
  const latestOf = new Map(latest.map((l) => [l.sync_id, l]));
  const eventIds = latest.flatMap((l) => [l.latest_event, l.latest_error_event].filter((id) => id !== ''));
  const events = await queryRows<{ event_id: string; source_record_id: string; entity_type: string; document_number: string; trace_id: string; error_message: string }>(
    `SELECT event_id, any(source_record_id) AS source_record_id, any(entity_type) AS entity_type, any(document_number) AS document_number,
       any(trace_id) AS trace_id, any(error_message) AS error_message
     FROM sync_ledger
     WHERE interface_id = {iface:String} AND event_id IN {ids:Array(String)}
     GROUP BY event_id`,
    { iface: def.interfaceKey, ids: eventIds },
  );
  const eventById = new Map(events.map((e) => [e.event_id, e]));
  return ranked.map((r) => {
    const ofSync = latestOf.get(r.sync);
    const last = eventById.get(ofSync?.latest_event ?? '');
    return {
      sourceRecordId: last?.source_record_id ?? '',
      entityType: last?.entity_type ?? '',
      documentNumber: last?.document_number ?? '',
      status: r.finalStatus,
      attempts: Number(ofSync?.attempts ?? 0),
      latencyMs: r.latencyMs,
      lastEventAt: new Date(r.lastMs).toISOString(),
      traceId: last?.trace_id ?? '',
      errorMessage: eventById.get(ofSync?.latest_error_event ?? '')?.error_message ?? '',
    };
  });
}
