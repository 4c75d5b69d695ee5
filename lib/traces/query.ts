import { queryOne, queryRows, toClickHouseDateTime, type QueryParams } from '@/lib/clickhouse/client';

/**
 * The trace explorer's queries over `otel_traces` (the OTel collector exporter's layout)
 * and the sync ledger.
 *
 * Which interface a span belongs to: its span attribute `plumbline.interface` (read from the
 * PlumblineInterface column, ClickHouse migration 9), or else its ServiceName (resource
 * attribute service.name) when that equals the interface key.
 * Business keys: a search term matches ledger events by document_number, source_record_id,
 * contract_id or project (their trace_id), and spans carrying it as any span attribute value
 * (e.g. `document.number`, `record.id`, `rental.contract`, `project`).
 *
 * A trace matches the filters when one of its spans matches every span filter (service,
 * interface, status, minimum duration) inside the time range.
 */
export const TRACE_STATUSES = ['ok', 'error'] as const;
export type TraceStatusFilter = (typeof TRACE_STATUSES)[number];

export const TRACE_SORTS = ['recent', 'slowest'] as const;
export type TraceSort = (typeof TRACE_SORTS)[number];

export interface TraceSearch {
  traceId?: string;
  sort?: TraceSort;
  service?: string;
  interfaceKey?: string;
  status?: TraceStatusFilter;
  minDurationMs?: number;
  businessKey?: string;
  from: Date;
  to: Date;
  page?: number;
  pageSize?: number;
}

export interface TraceSummary {
  traceId: string;
  start: string;
  durationMs: number;
  rootService: string;
  rootName: string;
  services: string[];
  spanCount: number;
  errorCount: number;
  interfaceKey: string;
  documentNumber: string;
  recordId: string;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
/** Spans this far outside the trace's recorded Start/End are still read (clock skew, late children). */
const TRACE_BOUND_SLACK = 'INTERVAL 1 MINUTE';
const MAX_LEDGER_TRACE_IDS = 5000;

export function normaliseTraceId(value: string): string | null {
  const id = value.trim().toLowerCase();
  return TRACE_ID.test(id) ? id : null;
}

/** Trace ids of ledger events whose business keys equal `key` within the time range. */
export async function ledgerTraceIds(key: string, from: Date, to: Date): Promise<string[]> {
  const rows = await queryRows<{ trace_id: string }>(
    `SELECT DISTINCT trace_id FROM sync_ledger
     WHERE (document_number = {key:String} OR source_record_id = {key:String} OR contract_id = {key:String} OR project = {key:String})
       AND trace_id != ''
       AND occurred_at >= {from:DateTime64(3)} - INTERVAL 1 HOUR AND occurred_at <= {to:DateTime64(3)} + INTERVAL 1 HOUR
     LIMIT {limit:UInt32}`,
    { key, from: toClickHouseDateTime(from), to: toClickHouseDateTime(to), limit: MAX_LEDGER_TRACE_IDS },
  );
  return rows.map((r) => r.trace_id);
}

/** One page of matching traces, newest (or slowest) first. */
export async function searchTraces(search: TraceSearch): Promise<{ rows: TraceSummary[]; hasMore: boolean }> {
  const pageSize = Math.min(Math.max(search.pageSize ?? 25, 1), 100);
  const page = Math.max(search.page ?? 1, 1);
  const params: QueryParams = {
    from: toClickHouseDateTime(search.from),
    to: toClickHouseDateTime(search.to),
    limit: pageSize + 1,
    offset: (page - 1) * pageSize,
  };
  const where = ['Timestamp >= {from:DateTime64(3)}', 'Timestamp <= {to:DateTime64(3)}'];
  if (search.traceId) {
    const id = normaliseTraceId(search.traceId);
    if (!id) return { rows: [], hasMore: false };
    where.push('TraceId = {trace:String}');
    params.trace = id;
  }
  if (search.service) {
    where.push('ServiceName = {service:String}');
    params.service = search.service;
  }
  if (search.interfaceKey) {
    where.push(`(PlumblineInterface = {iface:String} OR ServiceName = {iface:String})`);
    params.iface = search.interfaceKey;
  }
  if (search.status === 'error') where.push(`StatusCode = 'Error'`);
  if (search.status === 'ok') where.push(`StatusCode != 'Error'`);
  if (search.minDurationMs && search.minDurationMs > 0) {
    where.push('Duration >= {min_ns:UInt64}');
    params.min_ns = Math.round(search.minDurationMs * 1_000_000);
  }
  const key = search.businessKey?.trim();
  if (key) {
    params.key = key;
    params.ledger_ids = await ledgerTraceIds(key, search.from, search.to);
    where.push('(TraceId IN {ledger_ids:Array(String)} OR has(mapValues(SpanAttributes), {key:String}))');
  }
  const matches = await queryRows<{ TraceId: string }>(
    `SELECT TraceId, min(Timestamp) AS first_seen, max(Duration) AS longest
     FROM otel_traces
     WHERE ${where.join(' AND ')}
     GROUP BY TraceId
     ORDER BY ${search.sort === 'slowest' ? 'longest DESC' : 'first_seen DESC'}, TraceId
     LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
  );
  const hasMore = matches.length > pageSize;
  const ids = matches.slice(0, pageSize).map((m) => m.TraceId);
  const summaries = await summarise(ids);
  const order = new Map(ids.map((id, i) => [id, i]));
  summaries.sort((a, b) => (order.get(a.traceId) ?? 0) - (order.get(b.traceId) ?? 0));
  return { rows: summaries, hasMore };
}

interface TraceBounds {
  start: string;
  end: string;
}

/** The trace-id lookup table's Start/End for some traces: what bounds every by-id read in time. */
async function boundsOf(ids: readonly string[]): Promise<TraceBounds | null> {
  if (ids.length === 0) return null;
  const row = await queryOne<{ n: number; start: string; end: string }>(
    `SELECT count() AS n, min(Start) AS start, max(End) AS end FROM otel_traces_trace_id_ts WHERE TraceId IN {ids:Array(String)}`,
    { ids },
  );
  if (!row || Number(row.n) === 0) return null;
  return { start: row.start, end: row.end };
}

function boundParam(iso: string): string {
  return toClickHouseDateTime(new Date(iso));
}

async function summarise(ids: readonly string[]): Promise<TraceSummary[]> {
  const bounds = await boundsOf(ids);
  if (!bounds) return [];
  const rows = await queryRows<{
    TraceId: string;
    start: string;
    duration_ms: number;
    root_service: string;
    root_name: string;
    services: string[];
    spans: number;
    errors: number;
    iface: string;
    doc: string;
    record: string;
  }>(
    `SELECT TraceId,
       min(Timestamp) AS start,
       (max(toUnixTimestamp64Micro(Timestamp) + intDiv(Duration, 1000)) - toUnixTimestamp64Micro(min(Timestamp))) / 1000 AS duration_ms,
       if(countIf(ParentSpanId = '') > 0, argMinIf(ServiceName, Timestamp, ParentSpanId = ''), argMin(ServiceName, Timestamp)) AS root_service,
       if(countIf(ParentSpanId = '') > 0, argMinIf(SpanName, Timestamp, ParentSpanId = ''), argMin(SpanName, Timestamp)) AS root_name,
       groupUniqArray(ServiceName) AS services,
       uniqExact(SpanId) AS spans,
       uniqExactIf(SpanId, StatusCode = 'Error') AS errors,
       anyIf(PlumblineInterface, PlumblineInterface != '') AS iface,
       anyIf(SpanAttributes['document.number'], SpanAttributes['document.number'] != '') AS doc,
       anyIf(SpanAttributes['record.id'], SpanAttributes['record.id'] != '') AS record
     FROM otel_traces
     WHERE TraceId IN {ids:Array(String)}
       AND Timestamp >= {start:DateTime64(3)} - ${TRACE_BOUND_SLACK} AND Timestamp <= {end:DateTime64(3)} + ${TRACE_BOUND_SLACK}
     GROUP BY TraceId`,
    { ids, start: boundParam(bounds.start), end: boundParam(bounds.end) },
  );
  return rows.map((r) => ({
    traceId: r.TraceId,
    start: r.start,
    durationMs: Math.round(Number(r.duration_ms)),
    rootService: r.root_service,
    rootName: r.root_name,
    services: [...r.services].sort(),
    spanCount: Number(r.spans),
    errorCount: Number(r.errors),
    interfaceKey: r.iface,
    documentNumber: r.doc,
    recordId: r.record,
  }));
}

export interface SpanEvent {
  at: string;
  name: string;
  attributes: Record<string, string>;
}

export interface TraceSpan {
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: string;
  service: string;
  start: string;
  /** Microseconds from the trace's first span. */
  offsetUs: number;
  durationUs: number;
  statusCode: string;
  statusMessage: string;
  attributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  events: SpanEvent[];
  /** Nesting depth in the waterfall (0 for roots). */
  depth: number;
}

export interface TraceDetail {
  traceId: string;
  start: string;
  durationUs: number;
  spans: TraceSpan[];
}

const MAX_SPANS = 5000;

/**
 * All spans of one trace, in waterfall order (parents before children, siblings by start),
 * read only from the time range the trace-id lookup table records for it.
 */
export async function traceWaterfall(traceIdInput: string): Promise<TraceDetail | null> {
  const traceId = normaliseTraceId(traceIdInput);
  if (!traceId) return null;
  const bounds = await boundsOf([traceId]);
  if (!bounds) return null;
  const rows = await queryRows<{
    SpanId: string;
    ParentSpanId: string;
    SpanName: string;
    SpanKind: string;
    ServiceName: string;
    Timestamp: string;
    start_us: number;
    duration_us: number;
    StatusCode: string;
    StatusMessage: string;
    SpanAttributes: Record<string, string>;
    ResourceAttributes: Record<string, string>;
    event_times: string[];
    event_names: string[];
    event_attributes: Record<string, string>[];
  }>(
    `SELECT SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, Timestamp,
       toUnixTimestamp64Micro(Timestamp) AS start_us, intDiv(Duration, 1000) AS duration_us,
       StatusCode, StatusMessage, SpanAttributes, ResourceAttributes,
       Events.Timestamp AS event_times, Events.Name AS event_names, Events.Attributes AS event_attributes
     FROM otel_traces
     WHERE TraceId = {trace:String}
       AND Timestamp >= {start:DateTime64(3)} - ${TRACE_BOUND_SLACK} AND Timestamp <= {end:DateTime64(3)} + ${TRACE_BOUND_SLACK}
     ORDER BY Timestamp
     LIMIT 1 BY SpanId
     LIMIT {max:UInt32}`,
    { trace: traceId, start: boundParam(bounds.start), end: boundParam(bounds.end), max: MAX_SPANS },
  );
  if (rows.length === 0) return null;
  const traceStartUs = Math.min(...rows.map((r) => Number(r.start_us)));
  const traceEndUs = Math.max(...rows.map((r) => Number(r.start_us) + Number(r.duration_us)));
  const spans: Omit<TraceSpan, 'depth'>[] = rows.map((r) => ({
    spanId: r.SpanId,
    parentSpanId: r.ParentSpanId,
    name: r.SpanName,
    kind: r.SpanKind,
    service: r.ServiceName,
    start: r.Timestamp,
    offsetUs: Number(r.start_us) - traceStartUs,
    durationUs: Number(r.duration_us),
    statusCode: r.StatusCode,
    statusMessage: r.StatusMessage,
    attributes: r.SpanAttributes,
    resourceAttributes: r.ResourceAttributes,
    events: r.event_names.map((name, i) => ({ at: r.event_times[i] ?? '', name, attributes: r.event_attributes[i] ?? {} })),
  }));
  return { traceId, start: rows[0]!.Timestamp, durationUs: traceEndUs - traceStartUs, spans: waterfallOrder(spans) };
}

/** Depth-first from the roots; a span whose parent is missing is shown as a root. */
export function waterfallOrder(spans: readonly Omit<TraceSpan, 'depth'>[]): TraceSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, Omit<TraceSpan, 'depth'>[]>();
  const roots: Omit<TraceSpan, 'depth'>[] = [];
  for (const span of spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId) && span.parentSpanId !== span.spanId) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else {
      roots.push(span);
    }
  }
  const byStart = (a: { offsetUs: number }, b: { offsetUs: number }) => a.offsetUs - b.offsetUs;
  const out: TraceSpan[] = [];
  const visited = new Set<string>();
  const visit = (span: Omit<TraceSpan, 'depth'>, depth: number) => {
    if (visited.has(span.spanId)) return;
    visited.add(span.spanId);
    out.push({ ...span, depth });
    for (const child of (children.get(span.spanId) ?? []).sort(byStart)) visit(child, depth + 1);
  };
  for (const root of roots.sort(byStart)) visit(root, 0);
  return out;
}

export interface TraceLedgerEvent {
  eventId: string;
  occurredAt: string;
  syncedAt: string | null;
  interfaceKey: string;
  entityType: string;
  eventType: string;
  operation: string;
  sourceRecordId: string;
  targetRecordId: string;
  documentNumber: string;
  contractId: string;
  project: string;
  status: string;
  attempt: number;
  errorCategory: string;
  errorCode: string;
  errorMessage: string;
  payload: string;
  spanId: string;
}

/** Ledger events reported with this trace id, bounded by the trace's time range when spans exist. */
export async function traceLedgerEvents(traceIdInput: string): Promise<TraceLedgerEvent[]> {
  const traceId = normaliseTraceId(traceIdInput);
  if (!traceId) return [];
  const bounds = await boundsOf([traceId]);
  const params: QueryParams = { trace: traceId };
  let timeBound = '';
  if (bounds) {
    timeBound = 'AND occurred_at >= {start:DateTime64(3)} - INTERVAL 1 HOUR AND occurred_at <= {end:DateTime64(3)} + INTERVAL 1 HOUR';
    params.start = boundParam(bounds.start);
    params.end = boundParam(bounds.end);
  }
  const rows = await queryRows<{
    event_id: string;
    occurred_at: string;
    synced_at: string | null;
    interface_id: string;
    entity_type: string;
    event_type: string;
    operation: string;
    source_record_id: string;
    target_record_id: string;
    document_number: string;
    contract_id: string;
    project: string;
    status: string;
    attempt: number;
    error_category: string;
    error_code: string;
    error_message: string;
    payload: string;
    span_id: string;
  }>(
    `SELECT event_id, occurred_at, synced_at, interface_id, entity_type, event_type, operation, source_record_id,
       target_record_id, document_number, contract_id, project, status, attempt, error_category, error_code,
       error_message, payload, span_id
     FROM sync_ledger
     WHERE trace_id = {trace:String} ${timeBound}
     ORDER BY occurred_at, ingested_at DESC
     LIMIT 1 BY event_id
     LIMIT 500`,
    params,
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    occurredAt: r.occurred_at,
    syncedAt: r.synced_at,
    interfaceKey: r.interface_id,
    entityType: r.entity_type,
    eventType: r.event_type,
    operation: r.operation,
    sourceRecordId: r.source_record_id,
    targetRecordId: r.target_record_id,
    documentNumber: r.document_number,
    contractId: r.contract_id,
    project: r.project,
    status: r.status,
    attempt: Number(r.attempt),
    errorCategory: r.error_category,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    payload: r.payload,
    spanId: r.span_id,
  }));
}

/** Services seen in the last days, for the search form's choices. */
export async function recentServices(since: Date): Promise<string[]> {
  const rows = await queryRows<{ ServiceName: string }>(
    `SELECT DISTINCT ServiceName FROM otel_traces WHERE Timestamp >= {since:DateTime64(3)} ORDER BY ServiceName LIMIT 200`,
    { since: toClickHouseDateTime(since) },
  );
  return rows.map((r) => r.ServiceName);
}
