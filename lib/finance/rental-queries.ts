/**
 * Rental activity and rental invoices, aggregated per contract line in ClickHouse.
 *
 * Ledger event conventions this module relies on (the demo estate in lib/demo/generate.ts
 * emits exactly these; a real rental platform's interface must too):
 *
 * Rental activity — entity_type 'rental.contract', interface e.g. 'rental-dispatch'
 * (rental platform → odoo), source_record_id = contract_line_id, with contract_id,
 * contract_line_id, equipment_id, equipment_class, project, customer, currency:
 *   - 'rental.dispatched'  occurred_at = dispatch; rates in rate_terms {day, week, four_week}
 *                          (or attributes rate_day, rate_week, rate_4week), currency units;
 *   - 'rental.off_rent'    occurred_at = off-rent (billing stops here, DOMAIN.md);
 *   - 'rental.returned'    occurred_at = physical check-in (does not stop billing);
 *   - 'rental.surcharge'   amount + currency, attributes.surcharge_kind
 *                          (fuel | damage_waiver | transport | cleaning | …).
 * Customer invoices — entity_type 'account.move', event_type 'invoice.sync' (an invoice) or
 *   'credit_note.sync' (a credit note; amount positive), or attributes.move_type 'out_invoice'
 *   / 'out_refund' saying so; contract_line_id, period_start / period_end (ISO dates, end
 *   exclusive; or the same-named attributes), document_number, status. Vendor bills
 *   ('vendor_bill.sync', move_type 'in_invoice') never bill a rental.
 *
 * Duplicates and retries: every aggregate below is idempotent. Activity timestamps use
 * min/max; per-record values are the latest by (occurred_at, ingested_at, event_id); a
 * surcharge is one logical sync (one sync_key, DOMAIN.md) so its retries and duplicate
 * deliveries count once. A duplicate event_id can therefore never double-count money.
 *
 * Two sources give the same rows. The rental state tables (lib/clickhouse/ddl.ts, kept by
 * materialized views) hold one row per line, surcharge and invoice; lib/finance/line-standing.ts
 * keeps each line's standing from them. They hold everything ever ingested, so they answer
 * "as of" an instant only when no rental event is later than it; for an earlier as-of date
 * the rows come from the events themselves, ignoring later ones.
 */
import { queryOne } from '@/lib/clickhouse/client';
import { contractFieldSql, EVENT_VERSION_SQL, MOVE_TYPE_SQL, RENTAL_ACTIVITY_SQL, RENTAL_INVOICE_SQL } from '@/lib/clickhouse/ddl';
import { FAILING_STATUSES } from '@/lib/ledger/event';

/**
 * One invoice or credit note record referencing a contract line, as of the query's instant:
 * billed_cents is the amount of its latest successful sync (0 if it never succeeded),
 * amount_cents the latest amount reported, billed_at when it first synced successfully.
 */
const INVOICE_TUPLE = `Tuple(interface_id String, source_record_id String, move_type String, status String, billed_cents Int64,
  amount_cents Int64, billed_at Nullable(DateTime64(3, 'UTC')), period_start String, period_end String, document_number String, trace_id String)`;
const SURCHARGE_TUPLE = `Tuple(at DateTime64(3, 'UTC'), cents Int64)`;

/** Per-line activity columns from the state table, split out of their tuples outside FINAL (see ddl.ts recordCurrentSelect). */
function stateActivity(lineFilter: string): string {
  return `SELECT contract_line_id,
    tupleElement(latest, 'contract_id') AS contract_id, tupleElement(latest, 'equipment_id') AS equipment_id,
    tupleElement(latest, 'equipment_class') AS equipment_class, tupleElement(latest, 'project') AS project,
    tupleElement(latest, 'customer') AS customer, tupleElement(latest_currency, 'currency') AS activity_currency,
    tupleElement(latest, 'interface_id') AS interface_id, dispatched_at, off_rent_at, returned_at,
    tupleElement(terms, 'rate_day') AS rate_day, tupleElement(terms, 'rate_week') AS rate_week,
    tupleElement(terms, 'rate_4week') AS rate_4week, tupleElement(terms, 'trace_id') AS dispatch_trace_id
  FROM (SELECT * FROM rental_lines FINAL WHERE ${lineFilter})`;
}

function stateSurcharges(lineFilter: string): string {
  return `SELECT contract_line_id, first_at AS at, tupleElement(latest, 'cents') AS cents
  FROM (SELECT * FROM rental_surcharges FINAL WHERE ${lineFilter})`;
}

function stateInvoices(lineFilter: string): string {
  return `SELECT contract_line_id, interface_id, source_record_id,
    tupleElement(latest, 'move_type') AS move_type, tupleElement(latest, 'status') AS last_status,
    tupleElement(latest_success, 'cents') AS billed_cents, tupleElement(latest, 'amount_cents') AS amount_cents,
    tupleElement(latest, 'currency') AS currency, billed_at,
    tupleElement(latest, 'period_start') AS period_start, tupleElement(latest, 'period_end') AS period_end,
    tupleElement(latest, 'document_number') AS document_number, tupleElement(latest, 'trace_id') AS trace_id
  FROM (SELECT * FROM rental_invoices FINAL WHERE ${lineFilter})`;
}

/** The same columns straight from the events before {to}, of the lines `lineFilter` (SQL over contract_line_id) picks: exact for any as-of instant. */
function eventActivity(lineFilter: string): string {
  return `SELECT contract_line_id,
    argMax(contract_id, ${EVENT_VERSION_SQL}) AS contract_id, argMax(equipment_id, ${EVENT_VERSION_SQL}) AS equipment_id,
    argMax(equipment_class, ${EVENT_VERSION_SQL}) AS equipment_class, argMax(project, ${EVENT_VERSION_SQL}) AS project,
    argMax(customer, ${EVENT_VERSION_SQL}) AS customer, argMaxIf(currency, ${EVENT_VERSION_SQL}, currency != '') AS activity_currency,
    argMax(interface_id, ${EVENT_VERSION_SQL}) AS interface_id,
    minIfOrNull(occurred_at, event_type = 'rental.dispatched') AS dispatched_at,
    maxIfOrNull(occurred_at, event_type = 'rental.off_rent') AS off_rent_at,
    maxIfOrNull(occurred_at, event_type = 'rental.returned') AS returned_at,
    argMaxIf(${contractFieldSql('rate_day', 'rate_day')}, ${EVENT_VERSION_SQL}, event_type = 'rental.dispatched') AS rate_day,
    argMaxIf(${contractFieldSql('rate_week', 'rate_week')}, ${EVENT_VERSION_SQL}, event_type = 'rental.dispatched') AS rate_week,
    argMaxIf(${contractFieldSql('rate_four_week', 'rate_4week')}, ${EVENT_VERSION_SQL}, event_type = 'rental.dispatched') AS rate_4week,
    argMaxIf(trace_id, ${EVENT_VERSION_SQL}, event_type = 'rental.dispatched') AS dispatch_trace_id
  FROM sync_ledger
  WHERE ${RENTAL_ACTIVITY_SQL} AND occurred_at < {to:DateTime64(3)} AND ${lineFilter}
  GROUP BY contract_line_id`;
}

function eventSurcharges(lineFilter: string): string {
  return `SELECT contract_line_id, min(occurred_at) AS at, toInt64(argMax(amount, ${EVENT_VERSION_SQL}) * 100) AS cents
  FROM sync_ledger
  WHERE ${RENTAL_ACTIVITY_SQL} AND event_type = 'rental.surcharge' AND occurred_at < {to:DateTime64(3)} AND ${lineFilter}
  GROUP BY contract_line_id, sync_key`;
}

function eventInvoices(lineFilter: string): string {
  return `SELECT contract_line_id, interface_id, source_record_id,
    argMax(${MOVE_TYPE_SQL}, ${EVENT_VERSION_SQL}) AS move_type, argMax(toString(status), ${EVENT_VERSION_SQL}) AS last_status,
    toInt64(argMaxIf(amount, ${EVENT_VERSION_SQL}, status = 'succeeded') * 100) AS billed_cents,
    toInt64(argMax(amount, ${EVENT_VERSION_SQL}) * 100) AS amount_cents, argMax(toString(currency), ${EVENT_VERSION_SQL}) AS currency,
    minIfOrNull(occurred_at, status = 'succeeded') AS billed_at,
    argMax(${contractFieldSql('period_start', 'period_start')}, ${EVENT_VERSION_SQL}) AS period_start,
    argMax(${contractFieldSql('period_end', 'period_end')}, ${EVENT_VERSION_SQL}) AS period_end,
    argMax(document_number, ${EVENT_VERSION_SQL}) AS document_number, argMax(trace_id, ${EVENT_VERSION_SQL}) AS trace_id
  FROM sync_ledger
  WHERE ${RENTAL_INVOICE_SQL} AND occurred_at < {to:DateTime64(3)} AND ${lineFilter}
  GROUP BY contract_line_id, interface_id, source_record_id`;
}

/** Money in a rate attribute (currency units as a string) as whole cents, half up like Math.round; unreadable or negative is 0. */
function rateCents(column: string): string {
  return `greatest(0, toInt64(floor(toFloat64OrZero(${column}) * 100 + 0.5)))`;
}

function lineRows(activity: string, surcharges: string, invoices: string): string {
  return `SELECT
    a.contract_line_id AS contract_line_id, a.contract_id AS contract_id, a.equipment_id AS equipment_id,
    a.equipment_class AS equipment_class, a.project AS project, a.customer AS customer,
    if(a.activity_currency != '', a.activity_currency, i.invoice_currency) AS currency, a.interface_id AS interface_id,
    assumeNotNull(a.dispatched_at) AS dispatched_at, a.off_rent_at AS off_rent_at, a.returned_at AS returned_at,
    a.rate_day AS rate_day, a.rate_week AS rate_week, a.rate_4week AS rate_4week,
    ${rateCents('a.rate_day')} AS rate_day_cents, ${rateCents('a.rate_week')} AS rate_week_cents, ${rateCents('a.rate_4week')} AS rate_4week_cents,
    a.dispatch_trace_id AS dispatch_trace_id, s.surcharges AS surcharges, i.invoices AS invoices
  FROM (${activity}) AS a
  LEFT JOIN (
    SELECT contract_line_id, groupArray(CAST((at, cents) AS ${SURCHARGE_TUPLE})) AS surcharges FROM (${surcharges}) GROUP BY contract_line_id
  ) AS s ON s.contract_line_id = a.contract_line_id
  LEFT JOIN (
    SELECT contract_line_id, argMax(currency, amount_cents) AS invoice_currency,
      groupArray(CAST((interface_id, source_record_id, move_type, last_status, billed_cents, amount_cents, billed_at, period_start,
        period_end, document_number, trace_id) AS ${INVOICE_TUPLE})) AS invoices
    FROM (${invoices}) GROUP BY contract_line_id
  ) AS i ON i.contract_line_id = a.contract_line_id
  WHERE a.dispatched_at IS NOT NULL`;
}

/**
 * One row per dispatched contract line from the rental state tables, everything ever ingested:
 * the line's terms, its surcharges (at, cents) and its invoice records (INVOICE_TUPLE).
 * `lineFilter` is SQL over contract_line_id choosing the lines (FINAL reads only their keys);
 * a subquery goes in with GLOBAL IN, as on a cluster both sides are Distributed tables.
 */
export function stateLinesSql(lineFilter: string): string {
  return lineRows(stateActivity(lineFilter), stateSurcharges(lineFilter), stateInvoices(lineFilter));
}

/** The lines of query param `lines` (ids), or every line when it is empty. */
export const LINES_PARAM_FILTER = '(empty({lines:Array(String)}) OR contract_line_id IN {lines:Array(String)})';

/** The same rows from the events dated before {to}, of the lines `lineFilter` picks (SQL over contract_line_id). */
export function eventLinesSql(lineFilter: string): string {
  return lineRows(eventActivity(lineFilter), eventSurcharges(lineFilter), eventInvoices(lineFilter));
}

/**
 * Lines of query param `lines` (LINES_PARAM_FILTER) with a rental or invoice event dated at or
 * after {to}, from the state tables' last_event_at: every other line's events all count as of {to}.
 */
export const LINES_WITH_EVENTS_FROM_SQL = ['rental_lines', 'rental_surcharges', 'rental_invoices']
  .map((table) => `SELECT contract_line_id FROM ${table} WHERE last_event_at >= {to:DateTime64(3)} AND ${LINES_PARAM_FILTER}`)
  .join(' UNION DISTINCT ');

/** Lines with a rental or invoice event ingested after {since} (query param), from the state tables' last_ingested_at. */
export const LINES_INGESTED_SINCE_SQL = ['rental_lines', 'rental_surcharges', 'rental_invoices']
  .map((table) => `SELECT contract_line_id FROM ${table} WHERE last_ingested_at > {since:DateTime64(3)}`)
  .join(' UNION DISTINCT ');

/** The query under way for the latest rental event's date: a page's concurrent queries share it. */
let latestEvent: Promise<number> | null = null;

/** When the latest rental or invoice event is dated (epoch ms), as the state tables hold them. */
function latestRentalEventMs(): Promise<number> {
  latestEvent ??= queryOne<{ latest_ms: number }>(
    `SELECT toUnixTimestamp64Milli(greatest((SELECT max(last_event_at) FROM rental_lines), (SELECT max(last_event_at) FROM rental_invoices))) AS latest_ms`,
  )
    .then((row) => Number(row?.latest_ms ?? 0))
    .finally(() => {
      latestEvent = null;
    });
  return latestEvent;
}

/**
 * Whether the state tables answer as of `to`: they hold everything ever ingested, so only
 * when no rental or invoice event is dated at or after it.
 */
export async function stateCovers(to: Date): Promise<boolean> {
  return (await latestRentalEventMs()) < to.getTime();
}

/** The columns of a line's standing (standingSql), as RENTAL_LINE_STANDING keeps them. */
export const STANDING_COLUMNS = `contract_line_id, contract_id, equipment_id, equipment_class, project, customer, currency, interface_id,
  dispatched_at, off_rent_as_of, returned_as_of, rate_day, rate_week, rate_4week, rate_day_cents, rate_week_cents, rate_4week_cents,
  dispatch_trace_id, surcharge_points, billing_points, surcharge_cents, invoiced_cents, credited_cents, covered_until, credited_from,
  failing_interface_id, failing_source_record_id, failing_document_number, failing_trace_id`;

const FAILING_SQL = FAILING_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * Each line's billing standing as of the instant `t` (an SQL expression), over line rows
 * (stateLinesSql, eventLinesSql): what happened before `t` counts, as the dashboard's `to`
 * is exclusive. lib/finance/line-standing.ts keeps it: a change to what it means bumps
 * STANDING_VERSION there. Everything of its unbilled value that does not depend on how long it has
 * been on rent:
 *   - off-rent and return, if before `t`;
 *   - surcharge points (at, cents) and billing points (first successful sync, cents, whether
 *     a credit note) before `t`, in order, and their totals: an invoice bills from its first
 *     successful sync, a credit note likewise takes back;
 *   - covered_until: the first day no successfully synced invoice period covers, walking the
 *     periods from dispatch in order (a gap stops the walk); credited_from: the earliest period
 *     a credit note reopens;
 *   - the failing invoice (failed, retrying or dead-lettered and never synced), first by record id.
 */
export function standingSql(lines: string, t: string): string {
  const billed = `ifNull(i.billed_at < ${t}, 0) AND i.status != 'cancelled'`;
  return `SELECT ${STANDING_COLUMNS}
  FROM (
    SELECT *,
      if(off_rent_at < ${t}, off_rent_at, NULL) AS off_rent_as_of, if(returned_at < ${t}, returned_at, NULL) AS returned_as_of,
      arraySort(arrayFilter(p -> p.1 < t_ms, arrayMap(s -> (toUnixTimestamp64Milli(s.at), s.cents), surcharges))) AS surcharge_points,
      arraySort(arrayMap(i -> (toUnixTimestamp64Milli(assumeNotNull(i.billed_at)), i.billed_cents, i.move_type = 'out_refund'),
        arrayFilter(i -> ${billed}, invoices))) AS billing_points,
      arraySum(p -> p.2, surcharge_points) AS surcharge_cents,
      arraySum(p -> if(p.3, 0, p.2), billing_points) AS invoiced_cents,
      arraySum(p -> if(p.3, p.2, 0), billing_points) AS credited_cents,
      arrayFold((acc, p) -> if(acc.2 OR p.1 > acc.1, (acc.1, true), (greatest(acc.1, p.2), false)),
        arraySort(arrayMap(i -> (i.period_start, i.period_end),
          arrayFilter(i -> i.move_type = 'out_invoice' AND i.period_start != '' AND i.period_end != '' AND ${billed}, invoices))),
        (toString(toDate(dispatched_at, 'UTC')), false)).1 AS covered_until,
      arraySort(arrayMap(i -> i.period_start, arrayFilter(i -> i.move_type = 'out_refund' AND i.period_start != '' AND ${billed}, invoices)))[1] AS credited_from,
      arrayFirst(i -> i.status IN (${FAILING_SQL}) AND NOT ifNull(i.billed_at < ${t}, 0), arraySort(i -> i.source_record_id, invoices)) AS failing_invoice,
      failing_invoice.interface_id AS failing_interface_id, failing_invoice.source_record_id AS failing_source_record_id,
      failing_invoice.document_number AS failing_document_number, failing_invoice.trace_id AS failing_trace_id
    FROM (SELECT *, toUnixTimestamp64Milli(${t}) AS t_ms FROM (${lines}))
    WHERE toUnixTimestamp64Milli(dispatched_at) < t_ms
  )`;
}

/** The dashboard filters (query params project, customer, iface, currency) over a line's standing. */
export const LINE_FILTER_SQL = `({project:String} = '' OR project = {project:String})
    AND ({customer:String} = '' OR customer = {customer:String})
    AND ({iface:String} = '' OR interface_id = {iface:String})
    AND ({currency:String} = '' OR currency = {currency:String})`;
