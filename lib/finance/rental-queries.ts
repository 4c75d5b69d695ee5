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
 * materialized views) hold one row per line, surcharge and invoice: the fast path. They
 * hold everything ever ingested, so they answer "as of" an instant only when no rental
 * event is later than it; for an earlier as-of date the rows come from the events
 * themselves, ignoring later ones.
 */
import { queryOne, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { contractFieldSql, EVENT_VERSION_SQL, MOVE_TYPE_SQL, RENTAL_ACTIVITY_SQL, RENTAL_INVOICE_SQL } from '@/lib/clickhouse/ddl';

export const RENTAL_ENTITY = 'rental.contract';

/**
 * One invoice or credit note record referencing a contract line, as of the query's instant:
 * billed_cents is the amount of its latest successful sync (0 if it never succeeded),
 * amount_cents the latest amount reported, billed_at when it first synced successfully.
 */
const INVOICE_TUPLE = `Tuple(interface_id String, source_record_id String, move_type String, status String, billed_cents Int64,
  amount_cents Int64, billed_at Nullable(DateTime64(3, 'UTC')), period_start String, period_end String, document_number String, trace_id String)`;
const SURCHARGE_TUPLE = `Tuple(at DateTime64(3, 'UTC'), cents Int64)`;

/** Per-line activity columns from the state table, split out of their tuples outside FINAL (see ddl.ts recordCurrentSelect). */
const STATE_ACTIVITY = `SELECT contract_line_id,
    tupleElement(latest, 'contract_id') AS contract_id, tupleElement(latest, 'equipment_id') AS equipment_id,
    tupleElement(latest, 'equipment_class') AS equipment_class, tupleElement(latest, 'project') AS project,
    tupleElement(latest, 'customer') AS customer, tupleElement(latest_currency, 'currency') AS activity_currency,
    tupleElement(latest, 'interface_id') AS interface_id, dispatched_at, off_rent_at, returned_at,
    tupleElement(terms, 'rate_day') AS rate_day, tupleElement(terms, 'rate_week') AS rate_week,
    tupleElement(terms, 'rate_4week') AS rate_4week, tupleElement(terms, 'trace_id') AS dispatch_trace_id
  FROM (SELECT * FROM rental_lines FINAL WHERE empty({lines:Array(String)}) OR contract_line_id IN {lines:Array(String)})`;

const STATE_SURCHARGES = `SELECT contract_line_id, first_at AS at, tupleElement(latest, 'cents') AS cents
  FROM (SELECT * FROM rental_surcharges FINAL WHERE empty({lines:Array(String)}) OR contract_line_id IN {lines:Array(String)})`;

const STATE_INVOICES = `SELECT contract_line_id, interface_id, source_record_id,
    tupleElement(latest, 'move_type') AS move_type, tupleElement(latest, 'status') AS last_status,
    tupleElement(latest_success, 'cents') AS billed_cents, tupleElement(latest, 'amount_cents') AS amount_cents,
    tupleElement(latest, 'currency') AS currency, billed_at,
    tupleElement(latest, 'period_start') AS period_start, tupleElement(latest, 'period_end') AS period_end,
    tupleElement(latest, 'document_number') AS document_number, tupleElement(latest, 'trace_id') AS trace_id
  FROM (SELECT * FROM rental_invoices FINAL WHERE empty({lines:Array(String)}) OR contract_line_id IN {lines:Array(String)})`;

/** The same columns straight from the events before {to}: exact for any as-of instant. */
const EVENT_ACTIVITY = `SELECT contract_line_id,
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
  WHERE ${RENTAL_ACTIVITY_SQL} AND occurred_at < {to:DateTime64(3)} AND (empty({lines:Array(String)}) OR contract_line_id IN {lines:Array(String)})
  GROUP BY contract_line_id`;

const EVENT_SURCHARGES = `SELECT contract_line_id, min(occurred_at) AS at, toInt64(argMax(amount, ${EVENT_VERSION_SQL}) * 100) AS cents
  FROM sync_ledger
  WHERE ${RENTAL_ACTIVITY_SQL} AND event_type = 'rental.surcharge' AND occurred_at < {to:DateTime64(3)}
    AND (empty({lines:Array(String)}) OR contract_line_id IN {lines:Array(String)})
  GROUP BY contract_line_id, sync_key`;

const EVENT_INVOICES = `SELECT contract_line_id, interface_id, source_record_id,
    argMax(${MOVE_TYPE_SQL}, ${EVENT_VERSION_SQL}) AS move_type, argMax(toString(status), ${EVENT_VERSION_SQL}) AS last_status,
    toInt64(argMaxIf(amount, ${EVENT_VERSION_SQL}, status = 'succeeded') * 100) AS billed_cents,
    toInt64(argMax(amount, ${EVENT_VERSION_SQL}) * 100) AS amount_cents, argMax(toString(currency), ${EVENT_VERSION_SQL}) AS currency,
    minIfOrNull(occurred_at, status = 'succeeded') AS billed_at,
    argMax(${contractFieldSql('period_start', 'period_start')}, ${EVENT_VERSION_SQL}) AS period_start,
    argMax(${contractFieldSql('period_end', 'period_end')}, ${EVENT_VERSION_SQL}) AS period_end,
    argMax(document_number, ${EVENT_VERSION_SQL}) AS document_number, argMax(trace_id, ${EVENT_VERSION_SQL}) AS trace_id
  FROM sync_ledger
  WHERE ${RENTAL_INVOICE_SQL} AND occurred_at < {to:DateTime64(3)} AND (empty({lines:Array(String)}) OR contract_line_id IN {lines:Array(String)})
  GROUP BY contract_line_id, interface_id, source_record_id`;

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
  WHERE a.dispatched_at IS NOT NULL AND a.dispatched_at < {to:DateTime64(3)}
    AND ({project:String} = '' OR a.project = {project:String})
    AND ({customer:String} = '' OR a.customer = {customer:String})
    AND ({iface:String} = '' OR a.interface_id = {iface:String})
    AND ({currency:String} = '' OR currency = {currency:String})`;
}

const FROM_STATE = lineRows(STATE_ACTIVITY, STATE_SURCHARGES, STATE_INVOICES);
const FROM_EVENTS = lineRows(EVENT_ACTIVITY, EVENT_SURCHARGES, EVENT_INVOICES);

/**
 * A subquery with one row per dispatched contract line as of {to} (query params: to, lines (ids, or empty for all),
 * project, customer, iface, currency): the line's terms, its surcharges (at, cents) and its
 * invoice records (INVOICE_TUPLE). Reads the state tables unless a rental event is dated at
 * or after {to}.
 */
export async function contractLinesSql(to: Date): Promise<string> {
  const latest = await queryOne<{ covered: number }>(
    `SELECT greatest((SELECT max(last_event_at) FROM rental_lines), (SELECT max(last_event_at) FROM rental_invoices)) < {to:DateTime64(3)} AS covered`,
    { to: toClickHouseDateTime(to) },
  );
  return Number(latest?.covered) === 1 ? FROM_STATE : FROM_EVENTS;
}

/** Both sources, for tests that hold them to the same answer. */
export const CONTRACT_LINE_SOURCES = { state: FROM_STATE, events: FROM_EVENTS } as const;
