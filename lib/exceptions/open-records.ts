/**
 * Failing records as ClickHouse knows them (ledger_exception_current: records that ever
 * failed), for the triage sync and the failures queue, each reading only the columns it
 * uses. Dashboard filters apply; the time range filters on the last event.
 */
import { queryRows } from '@/lib/clickhouse/client';

/** What the case sync needs of a failing record: its key, its error and when it last changed. */
export interface FailingRecord {
  interface_id: string;
  entity_type: string;
  source_record_id: string;
  last_error_category: string;
  last_error_message: string;
  last_event_at: string;
}

/** What the failure queue groups and counts a failing record by. */
export interface QueueRecord extends FailingRecord {
  first_failure_at: string | null;
  amountCents: number;
  currency: string;
  trace_id: string;
}

/** A failing record as the queue's case list shows it. */
export interface OpenRecord extends QueueRecord {
  last_status: string;
  last_event_id: string;
  last_event_type: string;
  last_error_code: string;
  attempts: number;
  document_number: string;
  project: string;
  counterparty: string;
}

const FAILING_COLUMNS = 'interface_id, entity_type, source_record_id, last_error_category, last_error_message, last_event_at';
const QUEUE_COLUMNS = `${FAILING_COLUMNS}, first_failure_at, toInt64(amount * 100) AS amountCents, currency, trace_id`;
const COLUMNS = `${QUEUE_COLUMNS}, last_status, last_event_id, last_event_type, last_error_code, attempts, document_number, project,
  if(customer != '', customer, vendor) AS counterparty`;

/**
 * Every failing record, with only the columns the case sync reads: it runs every 30 s over all
 * of them (59 k at 10 M events), and turning rows into JSON and back costs far more than the
 * query, so a third of the columns takes about half the time.
 */
export async function failingRecords(): Promise<FailingRecord[]> {
  return queryRows<FailingRecord>(`SELECT ${FAILING_COLUMNS} FROM ledger_exception_current WHERE is_open_exception`);
}

/**
 * Every record whose latest event is failing, within the dashboard filters (params:
 * filterQueryParams), with what the failure queue groups and counts it by and the key of its
 * message in error_signatures; the queue groups these in ClickHouse, and a page's records are
 * then read whole by openRecordsByKey.
 */
/** A failing record's key in error_signatures: its message_hash, as that table computes it from category and message. */
export const MESSAGE_HASH_SQL = 'cityHash64(last_error_category, last_error_message)';

export const QUEUE_RECORDS_SQL = `SELECT ${QUEUE_COLUMNS}, ${MESSAGE_HASH_SQL} AS message_hash
  FROM ledger_exception_current
  WHERE is_open_exception
    AND last_event_at >= {from:DateTime64(3)} AND last_event_at < {to:DateTime64(3)}
    AND ({project:String} = '' OR project = {project:String})
    AND ({customer:String} = '' OR customer = {customer:String} OR vendor = {customer:String})
    AND ({iface:String} = '' OR interface_id = {iface:String})
    AND ({currency:String} = '' OR currency = {currency:String})`;

export interface RecordKey {
  interfaceKey: string;
  entityType: string;
  sourceRecordId: string;
}

export function recordKey(k: RecordKey): string {
  return `${k.interfaceKey}\u0000${k.entityType}\u0000${k.sourceRecordId}`;
}

export interface RecordState {
  interface_id: string;
  entity_type: string;
  source_record_id: string;
  last_status: string;
  last_event_id: string;
  last_event_at: string;
  is_open_exception: boolean | number;
}

/**
 * The given failing records whole (a page of the queue's case list), by record key. They are
 * looked up by the whole sorting key, so FINAL merges only their granules (at 2 M events, 60 ms
 * instead of 90 for a page of 25).
 */
export async function openRecordsByKey(keys: readonly FailingRecord[]): Promise<Map<string, OpenRecord>> {
  if (keys.length === 0) return new Map();
  const rows = await queryRows<OpenRecord>(
    `SELECT ${COLUMNS} FROM ledger_exception_current
     WHERE is_open_exception
       AND (entity_type, interface_id, source_record_id) IN (SELECT arrayJoin(arrayZip({entities:Array(String)}, {ifaces:Array(String)}, {ids:Array(String)})))`,
    { entities: keys.map((k) => k.entity_type), ifaces: keys.map((k) => k.interface_id), ids: keys.map((k) => k.source_record_id) },
  );
  return new Map(rows.map((r) => [recordKey({ interfaceKey: r.interface_id, entityType: r.entity_type, sourceRecordId: r.source_record_id }), r]));
}

/**
 * Current state of specific records that failed (cases to close, replays awaiting an
 * outcome): only such records have cases, so the small exception view answers.
 */
export async function recordStates(keys: readonly RecordKey[]): Promise<Map<string, RecordState>> {
  const out = new Map<string, RecordState>();
  const CHUNK = 2000;
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK);
    const rows = await queryRows<RecordState>(
      `SELECT interface_id, entity_type, source_record_id, last_status, last_event_id, last_event_at, is_open_exception
       FROM ledger_exception_current
       WHERE source_record_id IN {ids:Array(String)}`,
      { ids: [...new Set(chunk.map((k) => k.sourceRecordId))] },
    );
    for (const row of rows) out.set(recordKey({ interfaceKey: row.interface_id, entityType: row.entity_type, sourceRecordId: row.source_record_id }), row);
  }
  return out;
}

export interface LedgerEventView {
  event_id: string;
  interface_id: string;
  entity_type: string;
  source_record_id: string;
  event_type: string;
  operation: string;
  status: string;
  attempt: number;
  occurred_at: string;
  error_category: string;
  error_code: string;
  error_message: string;
  amountCents: number;
  currency: string;
  document_number: string;
  trace_id: string;
  attributes: Record<string, string>;
  payload: string;
}

/**
 * A record's events, one per event_id, oldest first. `payload` is only selected when the
 * caller may see it, so it never leaves the database otherwise.
 */
export async function recordEvents(key: RecordKey, withPayload: boolean, limit = 500): Promise<LedgerEventView[]> {
  return queryRows<LedgerEventView>(
    `SELECT event_id, interface_id, entity_type, source_record_id, event_type, operation, status, attempt, occurred_at,
            error_category, error_code, error_message, toInt64(amount * 100) AS amountCents, currency, document_number, trace_id, attributes,
            ${withPayload ? 'payload' : "'' AS payload"}
     FROM sync_ledger
     WHERE interface_id = {iface:String} AND entity_type = {entity:String} AND source_record_id = {id:String}
     ORDER BY occurred_at, ingested_at, event_id
     LIMIT 1 BY event_id
     LIMIT {limit:UInt32}`,
    { iface: key.interfaceKey, entity: key.entityType, id: key.sourceRecordId, limit },
  );
}

/** Every event referencing a contract line: its rental activity and the invoices billing it. */
export async function contractLineEvents(contractLineId: string, withPayload: boolean, limit = 500): Promise<LedgerEventView[]> {
  return queryRows<LedgerEventView>(
    `SELECT event_id, interface_id, entity_type, source_record_id, event_type, operation, status, attempt, occurred_at,
            error_category, error_code, error_message, toInt64(amount * 100) AS amountCents, currency, document_number, trace_id, attributes,
            ${withPayload ? 'payload' : "'' AS payload"}
     FROM sync_ledger
     WHERE contract_line_id = {line:String}
     ORDER BY occurred_at, ingested_at, event_id
     LIMIT 1 BY event_id
     LIMIT {limit:UInt32}`,
    { line: contractLineId, limit },
  );
}
