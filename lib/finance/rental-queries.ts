/**
 * Rental activity and rental invoices, aggregated per contract line in ClickHouse.
 *
 * Ledger event conventions this module relies on (the demo estate in lib/demo/generate.ts
 * emits exactly these; a real rental platform's interface must too):
 *
 * Rental activity — entity_type 'rental.contract', interface e.g. 'rental-dispatch'
 * (rental platform → odoo), source_record_id = contract_line_id, with contract_id,
 * contract_line_id, equipment_id, equipment_class, project, customer, currency:
 *   - 'rental.dispatched'  occurred_at = dispatch; attributes rate_day, rate_week, rate_4week
 *                          (numbers as strings, currency units);
 *   - 'rental.off_rent'    occurred_at = off-rent (billing stops here, DOMAIN.md);
 *   - 'rental.returned'    occurred_at = physical check-in (does not stop billing);
 *   - 'rental.surcharge'   amount + currency, attributes.surcharge_kind
 *                          (fuel | damage_waiver | transport | cleaning | …).
 * Customer invoices — entity_type 'account.move', event_type 'invoice.sync', attributes.move_type
 *   'out_invoice' (invoice) or 'out_refund' (credit note; amount positive), contract_line_id,
 *   attributes.period_start / period_end (ISO dates, end exclusive), document_number, status.
 *   Vendor bills ('vendor_bill.sync', move_type 'in_invoice') never bill a rental.
 *
 * Duplicates and retries: every aggregate below is idempotent. Activity timestamps use
 * min/max; per-record values use argMax over (occurred_at, ingested_at, event_id); a
 * surcharge is one logical sync (one sync_key, DOMAIN.md) so its retries and duplicate
 * deliveries count once. A duplicate event_id can therefore never double-count money.
 *
 * Why the split between SQL and TypeScript: ClickHouse does the heavy part (scanning and
 * grouping events, one row per contract line). The cheapest day/week/4-week combination
 * is an optimisation per line (lib/finance/rental-billing.ts) that SQL cannot express
 * readably; running it on the aggregated rows costs one small loop per line.
 */
import { queryRows } from '@/lib/clickhouse/client';
import { filterQueryParams, type DashboardFilters } from '@/lib/finance/filters';

export const RENTAL_ENTITY = 'rental.contract';

/** One rental invoice or credit note record referencing a contract line, as of the query's instant. */
export interface RentalInvoiceRow {
  interfaceId: string;
  sourceRecordId: string;
  moveType: 'out_invoice' | 'out_refund';
  lastStatus: string;
  /** Amount of the latest successful sync, in cents (0 if it never succeeded). */
  billedCents: number;
  /** Latest amount reported, in cents (what is at risk while failing). */
  amountCents: number;
  /** When the record first synced successfully (it is billed from then on); null if never. */
  billedAt: string | null;
  periodStart: string;
  periodEnd: string;
  documentNumber: string;
  traceId: string;
}

export interface SurchargeRow {
  at: string;
  kind: string;
  cents: number;
}

export interface ContractLineAggregate {
  contractLineId: string;
  contractId: string;
  equipmentId: string;
  equipmentClass: string;
  project: string;
  customer: string;
  currency: string;
  interfaceId: string;
  dispatchedAt: string | null;
  offRentAt: string | null;
  returnedAt: string | null;
  rateDay: string;
  rateWeek: string;
  rateFourWeek: string;
  dispatchTraceId: string;
  surcharges: SurchargeRow[];
  invoices: RentalInvoiceRow[];
}

interface RawLine {
  contract_line_id: string;
  contract_id: string;
  equipment_id: string;
  equipment_class: string;
  project: string;
  customer: string;
  currency: string;
  interface_id: string;
  dispatched_at: string | null;
  off_rent_at: string | null;
  returned_at: string | null;
  rate_day: string;
  rate_week: string;
  rate_4week: string;
  dispatch_trace_id: string;
  surcharges: [string, string, number][];
  invoices: [string, string, string, string, number, number, string | null, string, string, string, string][];
}

/**
 * A record's version, (occurred_at, ingested_at, event_id), as one string that sorts the same
 * way: both times as zero-padded milliseconds (DateTime64(3) holds nothing finer, and ingest
 * keeps them in 1970..2299, at most 14 digits), then the event id. argMax over a String is
 * ClickHouse's fast path; over a tuple it goes through generic values, about twice as slow.
 */
const VERSION = `concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), leftPad(toString(toUnixTimestamp64Milli(ingested_at)), 15, '0'), event_id)`;

/**
 * One row per contract line with rental activity up to `filters.to`. Events after that
 * instant are ignored, so the same query answers "as of" any past date (the trend).
 * Line-level filters: project, customer, currency, rental interface.
 */
export async function contractLineAggregates(filters: DashboardFilters, contractLineId?: string): Promise<ContractLineAggregate[]> {
  const rows = await queryRows<RawLine>(
    `WITH
     activity AS (
       SELECT
         contract_line_id,
         argMax(contract_id, ${VERSION}) AS contract_id,
         argMax(equipment_id, ${VERSION}) AS equipment_id,
         argMax(equipment_class, ${VERSION}) AS equipment_class,
         argMax(project, ${VERSION}) AS project,
         argMax(customer, ${VERSION}) AS customer,
         argMaxIf(currency, ${VERSION}, currency != '') AS activity_currency,
         argMax(interface_id, ${VERSION}) AS interface_id,
         minIfOrNull(occurred_at, event_type = 'rental.dispatched') AS dispatched_at,
         maxIfOrNull(occurred_at, event_type = 'rental.off_rent') AS off_rent_at,
         maxIfOrNull(occurred_at, event_type = 'rental.returned') AS returned_at,
         argMaxIf(attributes['rate_day'], ${VERSION}, event_type = 'rental.dispatched') AS rate_day,
         argMaxIf(attributes['rate_week'], ${VERSION}, event_type = 'rental.dispatched') AS rate_week,
         argMaxIf(attributes['rate_4week'], ${VERSION}, event_type = 'rental.dispatched') AS rate_4week,
         argMaxIf(trace_id, ${VERSION}, event_type = 'rental.dispatched') AS dispatch_trace_id
       FROM sync_ledger
       WHERE entity_type = '${RENTAL_ENTITY}' AND contract_line_id != '' AND occurred_at < {to:DateTime64(3)}
         AND status NOT IN ('cancelled', 'skipped')
         AND ({line:String} = '' OR contract_line_id = {line:String})
       GROUP BY contract_line_id
     ),
     surcharge AS (
       SELECT contract_line_id, groupArray((toString(at), kind, cents)) AS surcharges
       FROM (
         SELECT contract_line_id, sync_key, min(occurred_at) AS at,
                argMax(attributes['surcharge_kind'], ${VERSION}) AS kind,
                toInt64(argMax(amount, ${VERSION}) * 100) AS cents
         FROM sync_ledger
         WHERE entity_type = '${RENTAL_ENTITY}' AND event_type = 'rental.surcharge' AND contract_line_id != ''
           AND occurred_at < {to:DateTime64(3)} AND status NOT IN ('cancelled', 'skipped')
           AND ({line:String} = '' OR contract_line_id = {line:String})
         GROUP BY contract_line_id, sync_key
       )
       GROUP BY contract_line_id
     ),
     invoice AS (
       SELECT contract_line_id,
              groupArray((interface_id, source_record_id, move_type, last_status, billed_cents, amount_cents,
                          if(isNull(billed_at), NULL, toString(billed_at)), period_start, period_end, document_number, trace_id)) AS invoices,
              argMax(currency, amount_cents) AS invoice_currency
       FROM (
         SELECT contract_line_id, interface_id, source_record_id,
                argMax(attributes['move_type'], ${VERSION}) AS move_type,
                argMax(status, ${VERSION}) AS last_status,
                toInt64(argMaxIf(amount, ${VERSION}, status = 'succeeded') * 100) AS billed_cents,
                toInt64(argMax(amount, ${VERSION}) * 100) AS amount_cents,
                argMax(currency, ${VERSION}) AS currency,
                minIfOrNull(occurred_at, status = 'succeeded') AS billed_at,
                argMax(attributes['period_start'], ${VERSION}) AS period_start,
                argMax(attributes['period_end'], ${VERSION}) AS period_end,
                argMax(document_number, ${VERSION}) AS document_number,
                argMax(trace_id, ${VERSION}) AS trace_id
         FROM sync_ledger
         WHERE entity_type = 'account.move' AND contract_line_id != '' AND occurred_at < {to:DateTime64(3)}
           AND attributes['move_type'] IN ('out_invoice', 'out_refund')
           AND ({line:String} = '' OR contract_line_id = {line:String})
         GROUP BY contract_line_id, interface_id, source_record_id
       )
       GROUP BY contract_line_id
     )
     SELECT
       a.contract_line_id AS contract_line_id, a.contract_id AS contract_id, a.equipment_id AS equipment_id,
       a.equipment_class AS equipment_class, a.project AS project, a.customer AS customer,
       if(a.activity_currency != '', a.activity_currency, i.invoice_currency) AS currency,
       a.interface_id AS interface_id,
       toString(a.dispatched_at) AS dispatched_at,
       if(isNull(a.off_rent_at), NULL, toString(a.off_rent_at)) AS off_rent_at,
       if(isNull(a.returned_at), NULL, toString(a.returned_at)) AS returned_at,
       a.rate_day AS rate_day, a.rate_week AS rate_week, a.rate_4week AS rate_4week, a.dispatch_trace_id AS dispatch_trace_id,
       s.surcharges AS surcharges, i.invoices AS invoices
     FROM activity AS a
     LEFT JOIN surcharge AS s ON s.contract_line_id = a.contract_line_id
     LEFT JOIN invoice AS i ON i.contract_line_id = a.contract_line_id
     WHERE a.dispatched_at IS NOT NULL
       AND ({project:String} = '' OR a.project = {project:String})
       AND ({customer:String} = '' OR a.customer = {customer:String})
       AND ({iface:String} = '' OR a.interface_id = {iface:String})
       AND ({currency:String} = '' OR currency = {currency:String})
     ORDER BY a.contract_line_id`,
    { ...filterQueryParams(filters), line: contractLineId ?? '' },
  );
  return rows.map(toAggregate);
}

function isoOrNull(value: string | null): string | null {
  return value ? toIso(value) : null;
}

/** toString(DateTime64) gives `YYYY-MM-DD hh:mm:ss.sss` in the session's UTC. */
function toIso(value: string): string {
  return value.includes('T') ? value : `${value.replace(' ', 'T')}Z`;
}

function toAggregate(row: RawLine): ContractLineAggregate {
  return {
    contractLineId: row.contract_line_id,
    contractId: row.contract_id,
    equipmentId: row.equipment_id,
    equipmentClass: row.equipment_class,
    project: row.project,
    customer: row.customer,
    currency: row.currency,
    interfaceId: row.interface_id,
    dispatchedAt: isoOrNull(row.dispatched_at),
    offRentAt: isoOrNull(row.off_rent_at),
    returnedAt: isoOrNull(row.returned_at),
    rateDay: row.rate_day,
    rateWeek: row.rate_week,
    rateFourWeek: row.rate_4week,
    dispatchTraceId: row.dispatch_trace_id,
    surcharges: (row.surcharges ?? []).map(([at, kind, cents]) => ({ at: toIso(at), kind, cents: Number(cents) })),
    invoices: (row.invoices ?? [])
      .filter(([, , moveType]) => moveType === 'out_invoice' || moveType === 'out_refund')
      .map(([interfaceId, sourceRecordId, moveType, lastStatus, billedCents, amountCents, billedAt, periodStart, periodEnd, documentNumber, traceId]) => ({
        interfaceId,
        sourceRecordId,
        moveType: moveType as RentalInvoiceRow['moveType'],
        lastStatus,
        billedCents: Number(billedCents),
        amountCents: Number(amountCents),
        billedAt: isoOrNull(billedAt),
        periodStart,
        periodEnd,
        documentNumber,
        traceId,
      })),
  };
}
