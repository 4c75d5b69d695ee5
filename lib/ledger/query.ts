import { z } from 'zod';
import { csvResponse, csvStream, type CsvRecord } from '@/lib/api/csv';
import type { Role } from '@/lib/db/generated/enums';
import { queryOne, queryRows, toClickHouseDateTime, tupleParam, type QueryParams } from '@/lib/clickhouse/client';
import { apiError, invalidFilters, invalidFiltersError, RequestError } from '@/lib/api/errors';
import { timeParam } from '@/lib/api/params';
import { can } from '@/lib/auth/permissions';
import { MASK, maskPayroll } from '@/lib/auth/masking';
import { LEDGER_STATUSES, type LedgerStatus } from '@/lib/ledger/event';
import type { TraceLedgerEvent } from '@/lib/traces/query';
import { redactLedgerEvents, type TraceVisibility } from '@/lib/traces/redact';

/**
 * The ledger explorer's read side (GET /api/v1/ledger/events and the /ledger page) over
 * `sync_ledger`. Rows are deduplicated by event_id at read time (`LIMIT 1 BY event_id`,
 * newest ingested wins) because ReplacingMergeTree only collapses duplicates on merge,
 * and only within one sort key. Every filter value reaches ClickHouse as a query parameter.
 */

export interface LedgerFilters {
  interfaceKey?: string;
  eventType?: string;
  status?: LedgerStatus;
  entityType?: string;
  sourceRecordId?: string;
  eventId?: string;
  traceId?: string;
  documentNumber?: string;
  /** Exact match on event_id, source_record_id or document_number. */
  q?: string;
  from: Date;
  to: Date;
}

export interface LedgerPageRequest {
  page: number;
  pageSize: number;
}

export interface LedgerVisibility extends TraceVisibility {
  role: Role;
  /** Payroll fields (employee_name, hourly_rate…) in clear. */
  payroll: boolean;
}

export interface LedgerEventView extends TraceLedgerEvent {
  ingestedAt: string;
  sourceSystem: string;
  targetSystem: string;
  customer: string;
  vendor: string;
  amount: number;
  currency: string;
  traceId: string;
  schemaVersion: string;
  schemaDrift: boolean;
  attributes: Record<string, string>;
}

export interface LedgerEventPage {
  events: LedgerEventView[];
  page: number;
  pageSize: number;
  total: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
export const CSV_ROW_LIMIT = 100_000;
const MAX_PAGE = 1_000_000;
const CSV_CHUNK_ROWS = 5_000;
const DAY_MS = 86_400_000;
const DEFAULT_RANGE_DAYS = 7;
/** A lookup of one record (e.g. a governance page's sample event) reaches further back by default. */
const LOOKUP_RANGE_DAYS = 90;

export function ledgerVisibility(role: Role): LedgerVisibility {
  return {
    role,
    details: can(role, 'records.viewDetails'),
    payload: can(role, 'records.viewPayload'),
    payroll: can(role, 'payroll.viewUnmasked'),
  };
}

// --- filters: parsed once at the boundary, from URL search params.

const text = (max: number) => z.string().trim().min(1).max(max);
const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));

const filterParamsSchema = z.object({
  interface: text(128).optional(),
  event_type: text(64).optional(),
  status: z.enum(LEDGER_STATUSES, { message: `must be one of ${LEDGER_STATUSES.join(', ')}` }).optional(),
  entity_type: text(64).optional(),
  source_record_id: text(256).optional(),
  event_id: text(128).optional(),
  trace_id: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex characters')
    .transform((v) => v.toLowerCase())
    .optional(),
  document_number: text(128).optional(),
  q: text(256).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  page: positiveInt(MAX_PAGE).optional(),
  page_size: positiveInt(MAX_PAGE_SIZE).optional(),
});

export const LEDGER_FILTER_PARAMS = Object.keys(filterParamsSchema.shape) as (keyof typeof filterParamsSchema.shape)[];

export interface ParsedLedgerQuery {
  filters: LedgerFilters;
  page: LedgerPageRequest;
}

/**
 * Validates the ledger filters in a query string; empty values count as absent (a GET form
 * sends every field). Without `from`, the range starts 7 days before `to` (90 days when
 * looking up one record by q, event, trace, document or source record id).
 * Throws RequestError 400 `invalid_filters` with one detail per bad parameter.
 */
export function parseLedgerFilters(params: URLSearchParams, now: Date = new Date()): ParsedLedgerQuery {
  const raw: Record<string, string> = {};
  for (const key of LEDGER_FILTER_PARAMS) {
    const value = params.get(key);
    if (value !== null && value.trim() !== '') raw[key] = value;
  }
  const parsed = filterParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({ parameter: issue.path.join('.'), message: issue.message }));
    throw invalidFiltersError(details);
  }
  const p = parsed.data;
  const lookup = Boolean(p.q || p.event_id || p.trace_id || p.document_number || p.source_record_id);
  const to = p.to ?? now;
  const from = p.from ?? new Date(to.getTime() - (lookup ? LOOKUP_RANGE_DAYS : DEFAULT_RANGE_DAYS) * DAY_MS);
  if (from.getTime() >= to.getTime()) {
    throw invalidFiltersError([{ parameter: 'from', message: 'must be before to' }]);
  }
  const filters: LedgerFilters = {
    from,
    to,
    ...(p.interface ? { interfaceKey: p.interface } : {}),
    ...(p.event_type ? { eventType: p.event_type } : {}),
    ...(p.status ? { status: p.status } : {}),
    ...(p.entity_type ? { entityType: p.entity_type } : {}),
    ...(p.source_record_id ? { sourceRecordId: p.source_record_id } : {}),
    ...(p.event_id ? { eventId: p.event_id } : {}),
    ...(p.trace_id ? { traceId: p.trace_id } : {}),
    ...(p.document_number ? { documentNumber: p.document_number } : {}),
    ...(p.q ? { q: p.q } : {}),
  };
  return { filters, page: { page: p.page ?? 1, pageSize: p.page_size ?? DEFAULT_PAGE_SIZE } };
}

/** The filters as query-string values (the form, pager and CSV links reproduce the same view). */
export function ledgerFilterParams(filters: LedgerFilters): URLSearchParams {
  const params = new URLSearchParams();
  const set = (key: string, value: string | undefined) => {
    if (value) params.set(key, value);
  };
  set('q', filters.q);
  set('interface', filters.interfaceKey);
  set('event_type', filters.eventType);
  set('status', filters.status);
  set('entity_type', filters.entityType);
  set('source_record_id', filters.sourceRecordId);
  set('event_id', filters.eventId);
  set('trace_id', filters.traceId);
  set('document_number', filters.documentNumber);
  params.set('from', filters.from.toISOString());
  params.set('to', filters.to.toISOString());
  return params;
}

// --- queries

/** The key columns of sync_ledger's primary key, which a lookup by `q` resolves its matches to. */
const RECORD_EVENT_KEY = 'interface_id, entity_type, source_record_id, event_id';
/** Matches of `q` beyond this many (a long history under one id) are looked up as a subquery instead. */
const Q_MATCH_LIMIT = 1000;

async function whereClause(filters: LedgerFilters): Promise<{ where: string; params: QueryParams }> {
  const params: QueryParams = { from: toClickHouseDateTime(filters.from), to: toClickHouseDateTime(filters.to) };
  const where = ['occurred_at >= {from:DateTime64(3)}', 'occurred_at <= {to:DateTime64(3)}'];
  const exact: [keyof LedgerFilters, string][] = [
    ['interfaceKey', 'interface_id'],
    ['eventType', 'event_type'],
    ['status', 'status'],
    ['entityType', 'entity_type'],
    ['sourceRecordId', 'source_record_id'],
    ['eventId', 'event_id'],
    ['traceId', 'trace_id'],
    ['documentNumber', 'document_number'],
  ];
  for (const [field, column] of exact) {
    const value = filters[field];
    if (typeof value !== 'string') continue;
    where.push(`${column} = {${column}:String}`);
    params[column] = value;
  }
  if (filters.q) where.push(await qCondition(filters.q, params));
  return { where: where.join(' AND '), params };
}

/**
 * The condition for `q`, an exact event id, source record id or document number, with its
 * params added to `params` (which hold the range). One lookup per field, each served by its own
 * skip index: an OR of the three would let no index exclude anything and scan the whole range.
 * The matches are then resolved once to their primary keys, so the page and its count read
 * only their granules: as a subquery, each of the page's three reads ran the lookups again and
 * filtered the range by event id (at 10 M events ~360 ms for the page, ~55 ms now).
 */
async function qCondition(q: string, params: QueryParams): Promise<string> {
  const range = 'occurred_at >= {from:DateTime64(3)} AND occurred_at <= {to:DateTime64(3)}';
  const lookups = (selected: string) =>
    ['event_id', 'source_record_id', 'document_number'].map((column) => `SELECT ${selected} FROM sync_ledger WHERE ${range} AND ${column} = {q:String}`);
  params.q = q;
  const keys = await queryRows<{ interface_id: string; entity_type: string; source_record_id: string; event_id: string }>(
    `SELECT * FROM (${lookups(RECORD_EVENT_KEY).join(' UNION DISTINCT ')}) LIMIT {q_limit:UInt32}`,
    { ...params, q_limit: Q_MATCH_LIMIT + 1 },
  );
  if (keys.length > Q_MATCH_LIMIT) return `event_id IN (${lookups('event_id').join(' UNION ALL ')})`;
  params.q_keys = keys.map((k) => tupleParam([k.interface_id, k.entity_type, k.source_record_id, k.event_id]));
  return `(${RECORD_EVENT_KEY}) IN {q_keys:Array(Tuple(String, String, String, String))}`;
}

interface LedgerDbRow {
  event_id: string;
  occurred_at: string;
  synced_at: string | null;
  ingested_at: string;
  interface_id: string;
  source_system: string;
  target_system: string;
  entity_type: string;
  event_type: string;
  operation: string;
  source_record_id: string;
  target_record_id: string;
  document_number: string;
  contract_id: string;
  project: string;
  customer: string;
  vendor: string;
  amount: number;
  currency: string;
  status: string;
  attempt: number;
  error_category: string;
  error_code: string;
  error_message: string;
  payload: string;
  trace_id: string;
  span_id: string;
  schema_version: string;
  schema_drift: number;
  attributes: Record<string, string>;
}

/** Payload is only read for roles that may see it. */
function selectList(visibility: LedgerVisibility): string {
  return `event_id, occurred_at, synced_at, ingested_at, interface_id, source_system, target_system, entity_type, event_type,
    operation, source_record_id, target_record_id, document_number, contract_id, project, customer, vendor, amount, currency,
    status, attempt, error_category, error_code, error_message, ${visibility.payload ? 'payload' : "'' AS payload"},
    trace_id, span_id, schema_version, schema_drift, attributes`;
}

/** Newest first; among copies of one event the last ingested is kept. */
const NEWEST_FIRST_DEDUPED = 'ORDER BY occurred_at DESC, event_id DESC, ingested_at DESC LIMIT 1 BY event_id';

function toView(r: LedgerDbRow): LedgerEventView {
  return {
    eventId: r.event_id,
    occurredAt: r.occurred_at,
    syncedAt: r.synced_at,
    ingestedAt: r.ingested_at,
    interfaceKey: r.interface_id,
    sourceSystem: r.source_system,
    targetSystem: r.target_system,
    entityType: r.entity_type,
    eventType: r.event_type,
    operation: r.operation,
    sourceRecordId: r.source_record_id,
    targetRecordId: r.target_record_id,
    documentNumber: r.document_number,
    contractId: r.contract_id,
    project: r.project,
    customer: r.customer,
    vendor: r.vendor,
    amount: Number(r.amount),
    currency: r.currency,
    status: r.status,
    attempt: Number(r.attempt),
    errorCategory: r.error_category,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    payload: r.payload,
    traceId: r.trace_id,
    spanId: r.span_id,
    schemaVersion: r.schema_version,
    schemaDrift: Number(r.schema_drift) === 1,
    attributes: r.attributes,
  };
}

// --- redaction

/**
 * Payroll masking via lib/auth/masking.ts on the attributes and on a JSON payload; a masked
 * name is also scrubbed wherever it recurs in the error message or payload text (an Odoo
 * error like "Employee J. Ortiz has no hourly cost" would otherwise name the person).
 * Numbers are not scrubbed from free text: that would mangle unrelated figures.
 */
function maskPayrollFields(event: LedgerEventView, role: Role): LedgerEventView {
  const attributes = maskPayroll(role, event.attributes, event.entityType);
  const names = Object.keys(attributes)
    .filter((key) => attributes[key] !== event.attributes[key])
    .map((key) => event.attributes[key] ?? '')
    .filter((value) => value.trim() !== '' && !/^[\d.,\s-]+$/.test(value));
  const scrub = (text: string) => names.reduce((out, name) => out.split(name).join(MASK), text);
  return { ...event, attributes, errorMessage: scrub(event.errorMessage), payload: scrub(maskJsonPayload(event.payload, role, event.entityType)) };
}

function maskJsonPayload(payload: string, role: Role, entityType: string): string {
  if (!payload) return payload;
  try {
    return JSON.stringify(maskPayroll(role, JSON.parse(payload) as unknown, entityType));
  } catch {
    return payload;
  }
}

/** Error details and payloads as lib/traces/redact.ts decides for every event view, then payroll masking. */
export function redactLedgerEventViews(events: LedgerEventView[], visibility: LedgerVisibility): LedgerEventView[] {
  const redacted = redactLedgerEvents(events, visibility).map((shared, i) => ({ ...events[i]!, ...shared }));
  return visibility.payroll ? redacted : redacted.map((event) => maskPayrollFields(event, visibility.role));
}

/**
 * Distinct events (a duplicate delivery not yet merged away counts once). Counted on a
 * 64-bit hash of the id: 4x faster than on the string at 10 M events, and a collision is
 * about a one-in-a-million chance even among 10 M ids.
 */
export async function countLedgerEvents(filters: LedgerFilters): Promise<number> {
  return countWhere(await whereClause(filters));
}

async function countWhere({ where, params }: { where: string; params: QueryParams }): Promise<number> {
  const row = await queryOne<{ total: number }>(`SELECT uniqExact(cityHash64(event_id)) AS total FROM sync_ledger WHERE ${where}`, params);
  return Number(row?.total ?? 0);
}

/** One page of matching events, newest first, each event once, redacted for the viewer. */
export async function searchLedgerEvents(filters: LedgerFilters, page: LedgerPageRequest, visibility: LedgerVisibility): Promise<LedgerEventPage> {
  const pageSize = Math.min(Math.max(Math.trunc(page.pageSize), 1), MAX_PAGE_SIZE);
  const pageNumber = Math.min(Math.max(Math.trunc(page.page), 1), MAX_PAGE);
  const clause = await whereClause(filters);
  const { where, params } = clause;
  // The page's event ids are found reading only the sort columns; the wide columns
  // (attributes, payload, messages) are then read for those events alone, not for every
  // match in the range. Same order and the same copy of each event as one query would give.
  const [rows, total] = await Promise.all([
    queryRows<LedgerDbRow>(
      `SELECT ${selectList(visibility)} FROM sync_ledger
       WHERE ${where} AND event_id IN (
         SELECT event_id FROM sync_ledger WHERE ${where}
         ${NEWEST_FIRST_DEDUPED}
         LIMIT {limit:UInt32} OFFSET {offset:UInt64})
       ${NEWEST_FIRST_DEDUPED}`,
      { ...params, limit: pageSize, offset: (pageNumber - 1) * pageSize },
    ),
    countWhere(clause),
  ]);
  return { events: redactLedgerEventViews(rows.map(toView), visibility), page: pageNumber, pageSize, total };
}

/**
 * Matching events newest first in chunks, continuing after the last (occurred_at, event_id)
 * seen, so a long export neither re-reads skipped rows nor shifts when new events arrive.
 */
export async function* ledgerEventChunks(filters: LedgerFilters, visibility: LedgerVisibility, maxRows: number, chunkRows = CSV_CHUNK_ROWS): AsyncGenerator<LedgerEventView[]> {
  const { where, params } = await whereClause(filters);
  let after: { at: string; id: string } | null = null;
  let sent = 0;
  while (sent < maxRows) {
    const limit = Math.min(chunkRows, maxRows - sent);
    const keyset: string = after ? 'AND (occurred_at < {after_at:DateTime64(3)} OR (occurred_at = {after_at:DateTime64(3)} AND event_id < {after_id:String}))' : '';
    const rows: LedgerDbRow[] = await queryRows<LedgerDbRow>(
      `SELECT ${selectList(visibility)} FROM sync_ledger WHERE ${where} ${keyset}
       ${NEWEST_FIRST_DEDUPED}
       LIMIT {limit:UInt32}`,
      { ...params, limit, ...(after ? { after_at: toClickHouseDateTime(new Date(after.at)), after_id: after.id } : {}) },
    );
    if (rows.length === 0) return;
    yield redactLedgerEventViews(rows.map(toView), visibility);
    sent += rows.length;
    if (rows.length < limit) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.occurred_at, id: last.event_id };
  }
}

// --- CSV

const CSV_COLUMNS: { header: string; value: (e: LedgerEventView) => string | number }[] = [
  { header: 'event_id', value: (e) => e.eventId },
  { header: 'occurred_at', value: (e) => e.occurredAt },
  { header: 'synced_at', value: (e) => e.syncedAt ?? '' },
  { header: 'ingested_at', value: (e) => e.ingestedAt },
  { header: 'interface', value: (e) => e.interfaceKey },
  { header: 'source_system', value: (e) => e.sourceSystem },
  { header: 'target_system', value: (e) => e.targetSystem },
  { header: 'entity_type', value: (e) => e.entityType },
  { header: 'event_type', value: (e) => e.eventType },
  { header: 'operation', value: (e) => e.operation },
  { header: 'source_record_id', value: (e) => e.sourceRecordId },
  { header: 'target_record_id', value: (e) => e.targetRecordId },
  { header: 'document_number', value: (e) => e.documentNumber },
  { header: 'project', value: (e) => e.project },
  { header: 'customer', value: (e) => e.customer },
  { header: 'vendor', value: (e) => e.vendor },
  { header: 'contract_id', value: (e) => e.contractId },
  { header: 'amount', value: (e) => e.amount },
  { header: 'currency', value: (e) => e.currency },
  { header: 'status', value: (e) => e.status },
  { header: 'attempt', value: (e) => e.attempt },
  { header: 'error_category', value: (e) => e.errorCategory },
  { header: 'error_code', value: (e) => e.errorCode },
  { header: 'error_message', value: (e) => e.errorMessage },
  { header: 'trace_id', value: (e) => e.traceId },
  { header: 'span_id', value: (e) => e.spanId },
  { header: 'schema_version', value: (e) => e.schemaVersion },
  { header: 'schema_drift', value: (e) => (e.schemaDrift ? 1 : 0) },
  { header: 'attributes', value: (e) => (Object.keys(e.attributes).length ? JSON.stringify(e.attributes) : '') },
  { header: 'payload', value: (e) => e.payload },
];

export const LEDGER_CSV_HEADERS = CSV_COLUMNS.map((c) => c.header);

function ledgerCsvRecords(events: readonly LedgerEventView[]): CsvRecord[] {
  return events.map((e) => CSV_COLUMNS.map((c) => c.value(e)));
}

async function* ledgerCsvBatches(filters: LedgerFilters, visibility: LedgerVisibility, maxRows: number): AsyncGenerator<CsvRecord[]> {
  for await (const events of ledgerEventChunks(filters, visibility, maxRows)) yield ledgerCsvRecords(events);
}

function csvFileName(filters: LedgerFilters): string {
  const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:]/g, '');
  return `plumbline-ledger-${stamp(filters.from)}Z-${stamp(filters.to)}Z`;
}

/** A CSV download of at most `maxRows` events, streamed chunk by chunk; headers say whether it was cut. */
export async function ledgerCsvResponse(filters: LedgerFilters, visibility: LedgerVisibility, maxRows = CSV_ROW_LIMIT): Promise<Response> {
  const total = await countLedgerEvents(filters);
  return csvResponse(csvStream(LEDGER_CSV_HEADERS, ledgerCsvBatches(filters, visibility, maxRows)), csvFileName(filters), {
    'x-plumbline-total': String(total),
    'x-plumbline-row-limit': String(maxRows),
    'x-plumbline-truncated': String(total > maxRows),
  });
}

/**
 * GET /api/v1/ledger/events after the session check: JSON `{events, page, pageSize, total}`,
 * or `?format=csv`. Bad filters answer 400 in the shared error shape.
 */
export async function ledgerEventsApiResponse(params: URLSearchParams, role: Role, now: Date = new Date()): Promise<Response> {
  const format = params.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') {
    return invalidFilters([{ parameter: 'format', message: 'must be json or csv' }]);
  }
  let parsed: ParsedLedgerQuery;
  try {
    parsed = parseLedgerFilters(params, now);
  } catch (error) {
    if (error instanceof RequestError) return apiError(error.status, error.code, error.message, error.details);
    throw error;
  }
  const visibility = ledgerVisibility(role);
  if (format === 'csv') return ledgerCsvResponse(parsed.filters, visibility);
  return Response.json(await searchLedgerEvents(parsed.filters, parsed.page, visibility));
}
