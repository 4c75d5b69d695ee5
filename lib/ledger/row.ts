import { toClickHouseDateTime } from '@/lib/clickhouse/client';
import { defaultSyncKey, type LedgerEvent } from '@/lib/ledger/event';

/**
 * Longest an event stamped `ingested_at` takes to become visible in ClickHouse, clock
 * differences between ingest and web hosts included (the ingest queue bounds its own wait to
 * seconds). What is kept from stored events and brought up to date by what was ingested
 * since (lib/slo/hourly.ts, lib/finance/line-standing.ts) reaches back this far.
 */
export const INGEST_VISIBILITY_MS = 5 * 60_000;

/** One sync_ledger row as inserted (JSONEachRow): the column layout of lib/clickhouse/ddl.ts. */
export interface LedgerRow {
  event_id: string;
  sync_key: string;
  interface_id: string;
  source_system: string;
  target_system: string;
  entity_type: string;
  event_type: string;
  operation: string;
  source_record_id: string;
  source_record_version: string;
  target_record_id: string;
  status: string;
  attempt: number;
  error_category: string;
  error_code: string;
  error_message: string;
  occurred_at: string;
  synced_at: string | null;
  emitted_at: string | null;
  ingested_at: string;
  /** Decimal string, exact into Decimal(18, 2). */
  amount: string;
  currency: string;
  document_number: string;
  project: string;
  customer: string;
  vendor: string;
  contract_id: string;
  contract_line_id: string;
  equipment_id: string;
  equipment_class: string;
  job_id: string;
  retryable: number | null;
  cost_code: string;
  po_number: string;
  period_start: string | null;
  period_end: string | null;
  quantity: string | null;
  unit: string;
  rate_day: string | null;
  rate_week: string | null;
  rate_four_week: string | null;
  trace_id: string;
  span_id: string;
  schema_version: string;
  schema_drift: number;
  attributes: Record<string, string>;
  payload: string;
}

/** DateTime64 holds 1900..2299; we also refuse pre-epoch times, which no sync can have. */
const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(2299, 11, 31);

/** Problems ClickHouse would refuse that the zod schema does not express; empty when the event fits. */
export function storageProblems(event: LedgerEvent): string[] {
  const problems: string[] = [];
  for (const field of ['occurred_at', 'synced_at', 'emitted_at'] as const) {
    const value = event[field];
    if (value === undefined) continue;
    const ms = Date.parse(value);
    if (!Number.isFinite(ms) || ms < EARLIEST_MS || ms > LATEST_MS) problems.push(`${field}: must be between 1970 and 2299`);
  }
  return problems;
}

export function toLedgerRow(event: LedgerEvent, schemaDrift: boolean, ingestedAt: Date): LedgerRow {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.attributes ?? {})) attributes[key] = String(value);
  return {
    event_id: event.event_id,
    sync_key: event.sync_key ?? defaultSyncKey(event),
    interface_id: event.interface_id,
    source_system: event.source_system,
    target_system: event.target_system,
    entity_type: event.entity_type,
    event_type: event.event_type,
    operation: event.operation,
    source_record_id: event.source_record_id,
    source_record_version: event.source_record_version ?? '',
    target_record_id: event.target_record_id ?? '',
    status: event.status,
    attempt: event.attempt ?? 0,
    error_category: event.error?.category ?? '',
    error_code: event.error?.code ?? '',
    error_message: event.error?.message ?? '',
    occurred_at: toClickHouseDateTime(new Date(event.occurred_at)),
    synced_at: event.synced_at ? toClickHouseDateTime(new Date(event.synced_at)) : null,
    emitted_at: event.emitted_at ? toClickHouseDateTime(new Date(event.emitted_at)) : null,
    ingested_at: toClickHouseDateTime(ingestedAt),
    amount: event.amount ?? '0',
    currency: event.currency ?? '',
    document_number: event.document_number ?? '',
    project: event.project ?? '',
    customer: event.customer ?? '',
    vendor: event.vendor ?? '',
    contract_id: event.contract_id ?? '',
    contract_line_id: event.contract_line_id ?? '',
    equipment_id: event.equipment_id ?? '',
    equipment_class: event.equipment_class ?? '',
    job_id: event.job_id ?? '',
    retryable: event.retryable === undefined ? null : event.retryable ? 1 : 0,
    cost_code: event.cost_code ?? '',
    po_number: event.po_number ?? '',
    period_start: event.period_start ?? null,
    period_end: event.period_end ?? null,
    quantity: event.quantity ?? null,
    unit: event.unit ?? '',
    rate_day: event.rate_terms?.day ?? null,
    rate_week: event.rate_terms?.week ?? null,
    rate_four_week: event.rate_terms?.four_week ?? null,
    trace_id: event.trace_id ?? '',
    span_id: event.span_id ?? '',
    schema_version: event.schema_version ?? '',
    schema_drift: schemaDrift ? 1 : 0,
    attributes,
    payload: event.payload === undefined ? '' : JSON.stringify(event.payload),
  };
}
