/**
 * Failed invoice syncs: customer invoices, credit notes and vendor bills (entity
 * account.move) whose latest sync status is failed, retrying or dead-lettered; a later
 * success resolves them. Everything is computed in ClickHouse from ledger_exception_current
 * (one finished row per record that ever failed, duplicates already impossible there).
 *
 * Scope: records whose first failure falls in the filter's time range. The customer
 * filter matches the counterparty (customer on invoices, vendor on bills).
 */
import { moneyColumns, type ExportColumns } from '@/lib/api/csv';
import { queryOne, queryRowBatches, queryRows } from '@/lib/clickhouse/client';
import { describeError } from '@/lib/exceptions/queue';
import { centsToDecimal } from '@/lib/format';
import { filterQueryParams, type DashboardFilters, type TableParams } from '@/lib/finance/filters';
import type { Query } from '@/lib/finance/kept-views';

export const INVOICE_ENTITY = 'account.move';
export const EXCEPTION_STATES = ['open', 'resolved', 'all'] as const;
export type ExceptionStateFilter = (typeof EXCEPTION_STATES)[number];

export const EXCEPTION_AGING_BUCKETS = [
  { key: '0-1', label: '0–1 days', min: 0, max: 1 },
  { key: '2-7', label: '2–7 days', min: 2, max: 7 },
  { key: '8-30', label: '8–30 days', min: 8, max: 30 },
  { key: '31+', label: '31+ days', min: 31, max: 1_000_000 },
] as const;

/** Column expressions the table may sort by; keys come from the URL, SQL only from here. */
const SORT_SQL: Record<string, string> = {
  first_failure: 'first_failure_at',
  last_event: 'last_event_at',
  amount: 'amount',
  attempts: 'attempts',
  document: 'document_number',
  counterparty: "if(customer != '', customer, vendor)",
  interface: 'interface_id',
  category: 'last_error_category',
};
export const INVOICE_EXCEPTION_SORTS = Object.keys(SORT_SQL);

function scopeSql(state: ExceptionStateFilter): string {
  const stateSql = state === 'open' ? 'AND is_open_exception' : state === 'resolved' ? 'AND NOT is_open_exception' : '';
  return `FROM ledger_exception_current
    WHERE entity_type = '${INVOICE_ENTITY}' ${stateSql}
      AND first_failure_at >= {from:DateTime64(3)} AND first_failure_at < {to:DateTime64(3)}
      AND ({project:String} = '' OR project = {project:String})
      AND ({customer:String} = '' OR customer = {customer:String} OR vendor = {customer:String})
      AND ({iface:String} = '' OR interface_id = {iface:String})
      AND ({currency:String} = '' OR currency = {currency:String})`;
}

export interface MoneyAtRisk {
  currency: string;
  records: number;
  amountCents: number;
}

export interface ExceptionCounts {
  open: number;
  failed: number;
  retrying: number;
  deadLettered: number;
  resolved: number;
}

export interface AgingRow {
  bucket: string;
  label: string;
  currency: string;
  records: number;
  amountCents: number;
}

export interface InvoiceExceptionSummary {
  /** Sum of open exceptions' amounts per currency, largest first. */
  moneyAtRisk: MoneyAtRisk[];
  counts: ExceptionCounts;
  /** Open exceptions by days since first failure (0–1, 2–7, 8–30, 31+), per currency. */
  aging: AgingRow[];
}

const AGE_BUCKET_SQL = `multiIf(${EXCEPTION_AGING_BUCKETS.slice(0, -1)
  .map((b) => `age <= ${b.max}, '${b.key}'`)
  .join(', ')}, '${EXCEPTION_AGING_BUCKETS[EXCEPTION_AGING_BUCKETS.length - 1]!.key}')`;

/** Money at risk, counts and aging in one pass: each comes from the same records grouped by status, age bucket and currency. */
export async function invoiceExceptionSummary(filters: DashboardFilters): Promise<InvoiceExceptionSummary> {
  const rows = await queryRows<{ bucket: string; status: string; currency: string; records: number; amountCents: number }>(
    `SELECT if(is_open_exception, ${AGE_BUCKET_SQL}, '') AS bucket, last_status AS status, currency,
            count() AS records, toInt64(sum(amount) * 100) AS amountCents
     FROM (SELECT intDiv(dateDiff('second', first_failure_at, {to:DateTime64(3)}), 86400) AS age, is_open_exception, last_status, currency, amount
           ${scopeSql('all')})
     GROUP BY bucket, status, currency`,
    filterQueryParams(filters),
  );
  const open = rows.filter((r) => r.bucket !== '').map((r) => ({ ...r, records: Number(r.records), amountCents: Number(r.amountCents) }));
  const records = (pick: (r: (typeof rows)[number]) => boolean) => rows.filter(pick).reduce((n, r) => n + Number(r.records), 0);
  const perCurrency = (list: typeof open) => {
    const byCurrency = new Map<string, MoneyAtRisk>();
    for (const r of list) {
      const row = byCurrency.get(r.currency) ?? { currency: r.currency, records: 0, amountCents: 0 };
      row.records += r.records;
      row.amountCents += r.amountCents;
      byCurrency.set(r.currency, row);
    }
    return [...byCurrency.values()];
  };
  return {
    moneyAtRisk: perCurrency(open).sort((a, b) => b.amountCents - a.amountCents || a.currency.localeCompare(b.currency)),
    counts: {
      open: records((r) => r.bucket !== ''),
      failed: records((r) => r.status === 'failed'),
      retrying: records((r) => r.status === 'retrying'),
      deadLettered: records((r) => r.status === 'dead_lettered'),
      resolved: records((r) => r.bucket === ''),
    },
    aging: EXCEPTION_AGING_BUCKETS.flatMap((b) => {
      const matching = perCurrency(open.filter((r) => r.bucket === b.key)).sort((x, y) => x.currency.localeCompare(y.currency));
      return matching.length === 0
        ? [{ bucket: b.key, label: b.label, currency: '', records: 0, amountCents: 0 }]
        : matching.map((r) => ({ bucket: b.key, label: b.label, currency: r.currency, records: r.records, amountCents: r.amountCents }));
    }),
  };
}

export interface DailyFlow {
  day: string;
  opened: number;
  resolved: number;
}

/** Exceptions opened (first failure) and resolved (later success or cancel) per UTC day. */
export async function openedVsResolved(filters: DashboardFilters): Promise<DailyFlow[]> {
  return queryRows<DailyFlow>(
    `SELECT toString(day) AS day, sum(o) AS opened, sum(r) AS resolved FROM (
       SELECT toDate(first_failure_at) AS day, 1 AS o, 0 AS r ${scopeSql('all')}
       UNION ALL
       SELECT toDate(resolved_at) AS day, 0 AS o, 1 AS r
       FROM ledger_exception_current
       WHERE entity_type = '${INVOICE_ENTITY}' AND resolved_at IS NOT NULL
         AND resolved_at >= {from:DateTime64(3)} AND resolved_at < {to:DateTime64(3)}
         AND ({project:String} = '' OR project = {project:String})
         AND ({customer:String} = '' OR customer = {customer:String} OR vendor = {customer:String})
         AND ({iface:String} = '' OR interface_id = {iface:String})
         AND ({currency:String} = '' OR currency = {currency:String})
     ) GROUP BY day ORDER BY day`,
    filterQueryParams(filters),
  );
}

export interface ResolutionTimes {
  resolved: number;
  meanSeconds: number | null;
  p90Seconds: number | null;
}

/** Mean and p90 time from first failure to resolution, over exceptions resolved in range. */
export async function resolutionTimes(filters: DashboardFilters, entityType: string | null = INVOICE_ENTITY): Promise<ResolutionTimes> {
  const row = await queryOne<{ resolved: number; mean: number | null; p90: number | null }>(
    `SELECT count() AS resolved,
            if(count() = 0, NULL, avg(seconds)) AS mean,
            if(count() = 0, NULL, quantileExact(0.9)(seconds)) AS p90
     FROM (
       SELECT dateDiff('millisecond', first_failure_at, resolved_at) / 1000 AS seconds
       FROM ledger_exception_current
       WHERE ({entity:String} = '' OR entity_type = {entity:String}) AND resolved_at IS NOT NULL AND first_failure_at IS NOT NULL
         AND resolved_at >= {from:DateTime64(3)} AND resolved_at < {to:DateTime64(3)}
         AND ({project:String} = '' OR project = {project:String})
         AND ({customer:String} = '' OR customer = {customer:String} OR vendor = {customer:String})
         AND ({iface:String} = '' OR interface_id = {iface:String})
         AND ({currency:String} = '' OR currency = {currency:String})
     )`,
    { ...filterQueryParams(filters), entity: entityType ?? '' },
  );
  return { resolved: row?.resolved ?? 0, meanSeconds: row?.mean ?? null, p90Seconds: row?.p90 ?? null };
}

export const BREAKDOWN_DIMENSIONS = {
  category: 'last_error_category',
  interface: 'interface_id',
  counterparty: 'counterparty',
  project: 'project',
} as const;
export type BreakdownDimension = keyof typeof BREAKDOWN_DIMENSIONS;

const COUNTERPARTY = `if(customer != '', customer, vendor) AS counterparty`;

/** One key of a breakdown of open exceptions: its open records and money at risk per currency. */
export interface BreakdownKeyRow {
  key: string;
  records: number;
  atRiskCents: Record<string, number>;
}

/** A breakdown as the page shows it: its top keys, and how many keys there are in all. */
export interface ExceptionBreakdown {
  top: BreakdownKeyRow[];
  keys: number;
}

/** How many keys of each breakdown the page reads; the export reads every key. */
const TOP_KEYS = 10;

/**
 * The keys of `dimensions` over the open exceptions in scope, most open records first (ties by
 * key), each with its money at risk per currency and its dimension's number of keys; at most
 * `limit` keys per dimension when given.
 */
async function breakdownRows(filters: DashboardFilters, dimensions: readonly BreakdownDimension[], limit: number | null) {
  const pairs = dimensions.map((d) => `('${d}', ${BREAKDOWN_DIMENSIONS[d]})`).join(', ');
  const rows = await queryRows<{ dimension: BreakdownDimension; key: string; records: number; at_risk: Record<string, number | string>; keys: number }>(
    `SELECT pair.1 AS dimension, pair.2 AS key, count() AS records,
       sumMap(map(toString(currency), toInt64(amount * 100))) AS at_risk, count() OVER (PARTITION BY dimension) AS keys
     FROM (SELECT *, ${COUNTERPARTY} ${scopeSql('open')})
     ARRAY JOIN [${pairs}] AS pair
     GROUP BY dimension, key
     ORDER BY dimension, records DESC, key${limit === null ? '' : ' LIMIT {limit:UInt32} BY dimension'}`,
    { ...filterQueryParams(filters), limit: limit ?? 0 },
  );
  return rows.map((r) => ({
    dimension: r.dimension,
    keys: Number(r.keys),
    row: { key: r.key, records: Number(r.records), atRiskCents: Object.fromEntries(Object.entries(r.at_risk).map(([currency, cents]) => [currency, Number(cents)])) },
  }));
}

/** The four breakdowns of open exceptions (their top keys and how many there are) in one pass over the scope. */
export async function exceptionBreakdowns(filters: DashboardFilters): Promise<Record<BreakdownDimension, ExceptionBreakdown>> {
  const dimensions = Object.keys(BREAKDOWN_DIMENSIONS) as BreakdownDimension[];
  const rows = await breakdownRows(filters, dimensions, TOP_KEYS);
  return Object.fromEntries(
    dimensions.map((d) => {
      const of = rows.filter((r) => r.dimension === d);
      return [d, { top: of.map((r) => r.row), keys: of[0]?.keys ?? 0 }];
    }),
  ) as Record<BreakdownDimension, ExceptionBreakdown>;
}

/** Every key of one breakdown of open exceptions (the export). */
export async function exceptionBreakdown(filters: DashboardFilters, dimension: BreakdownDimension): Promise<BreakdownKeyRow[]> {
  return (await breakdownRows(filters, [dimension], null)).map((r) => r.row);
}

/** A breakdown's export: every key, its open records, and money at risk in one column per currency of `currencies` (exact decimals). */
export function exceptionBreakdownExportColumns(dimension: BreakdownDimension, currencies: readonly string[]): ExportColumns<BreakdownKeyRow> {
  return {
    [dimension]: (r) => r.key,
    open: (r) => r.records,
    ...moneyColumns<BreakdownKeyRow>('at_risk', currencies, (r) => r.atRiskCents),
  };
}

export interface InvoiceExceptionRow {
  interface_id: string;
  entity_type: string;
  source_record_id: string;
  document_number: string;
  last_event_type: string;
  counterparty: string;
  project: string;
  amountCents: number;
  currency: string;
  last_status: string;
  attempts: number;
  first_failure_at: string | null;
  last_event_at: string;
  resolved_at: string | null;
  last_error_category: string;
  last_error_code: string;
  last_error_message: string;
  last_event_id: string;
  trace_id: string;
  is_open_exception: boolean | number;
}

/**
 * The export's columns (CSV and JSON): the last error in business language for every role, its
 * technical code and message only with `details` (roles that may see error details); never payloads.
 */
export function invoiceExceptionExportColumns(details: boolean): ExportColumns<InvoiceExceptionRow> {
  return {
    interface: (r) => r.interface_id,
    source_record_id: (r) => r.source_record_id,
    document_number: (r) => r.document_number,
    kind: (r) => (r.last_event_type === 'vendor_bill.sync' ? 'vendor bill' : 'customer invoice'),
    counterparty: (r) => r.counterparty,
    project: (r) => r.project,
    currency: (r) => r.currency,
    amount: (r) => centsToDecimal(r.amountCents),
    status: (r) => r.last_status,
    attempts: (r) => r.attempts,
    first_failure_at: (r) => r.first_failure_at,
    last_event_at: (r) => r.last_event_at,
    resolved_at: (r) => r.resolved_at,
    error_category: (r) => r.last_error_category,
    error: (r) => describeError(r.last_error_category, r.last_error_message, r.entity_type),
    ...(details ? { error_code: (r: InvoiceExceptionRow) => r.last_error_code, error_message: (r: InvoiceExceptionRow) => r.last_error_message } : {}),
    trace_id: (r) => r.trace_id,
  };
}

/** How many records the table lists for `state`: the summary's counts already hold it. */
export function exceptionTotal(counts: ExceptionCounts, state: ExceptionStateFilter): number {
  return state === 'open' ? counts.open : state === 'resolved' ? counts.resolved : counts.open + counts.resolved;
}

/** The records in scope for `state` in the table's order, with a page's LIMIT or none. */
function rowsQuery(filters: DashboardFilters, state: ExceptionStateFilter, table: TableParams, paged: boolean): Query {
  const order = `${SORT_SQL[table.sort] ?? 'first_failure_at'} ${table.dir === 'asc' ? 'ASC' : 'DESC'}, source_record_id`;
  const page = paged ? ' LIMIT {limit:UInt32} OFFSET {offset:UInt32}' : '';
  // A page's records are found reading only the sort and filter columns; the detail
  // (messages, document numbers, trace ids) is then read for those records alone.
  return {
    sql: `SELECT interface_id, entity_type, source_record_id, document_number, last_event_type, ${COUNTERPARTY}, project,
              toInt64(amount * 100) AS amountCents, currency, last_status, attempts, first_failure_at, last_event_at, resolved_at,
              last_error_category, last_error_code, last_error_message, last_event_id, trace_id, is_open_exception
       FROM ledger_exception_current
       WHERE (entity_type, interface_id, source_record_id) IN (
         SELECT entity_type, interface_id, source_record_id ${scopeSql(state)}
         ORDER BY ${order}${page})
       ORDER BY ${order}`,
    params: { ...filterQueryParams(filters), limit: table.pageSize, offset: (table.page - 1) * table.pageSize },
  };
}

/** The table's page of records in scope for `state`. */
export async function invoiceExceptionRows(filters: DashboardFilters, state: ExceptionStateFilter, table: TableParams): Promise<InvoiceExceptionRow[]> {
  const { sql, params } = rowsQuery(filters, state, table, true);
  return queryRows<InvoiceExceptionRow>(sql, params);
}

/** Every record in scope for `state`, in the table's order, in batches (the export). */
export function allInvoiceExceptionRows(filters: DashboardFilters, state: ExceptionStateFilter, table: TableParams): AsyncGenerator<InvoiceExceptionRow[]> {
  const { sql, params } = rowsQuery(filters, state, table, false);
  return queryRowBatches<InvoiceExceptionRow>(sql, params);
}
