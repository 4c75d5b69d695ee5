/**
 * Unbilled rental value per contract line (DOMAIN.md "Rental billing"): accrued (dispatch →
 * off-rent or → the as-of instant, cheapest day/week/4-week combination, plus surcharges)
 * minus billed (successfully synced customer invoices for the line, less credit notes).
 * Works on the per-line aggregates from lib/finance/rental-queries.ts; all money in cents.
 */
import { accruedRentalValue, DAYS_PER_FOUR_WEEKS, type RentalRates } from '@/lib/finance/rental-billing';
import { FAILING_STATUSES } from '@/lib/ledger/event';
import type { ContractLineAggregate, RentalInvoiceRow } from '@/lib/finance/rental-queries';

export const UNBILLED_CAUSES = ['invoice_failing', 'returned_not_invoiced', 'on_rent_past_cycle', 'in_cycle'] as const;
export type UnbilledCause = (typeof UNBILLED_CAUSES)[number];

export const CAUSE_LABELS: Record<UnbilledCause, string> = {
  invoice_failing: 'Invoice sync failing',
  returned_not_invoiced: 'Off-rent, not fully invoiced',
  on_rent_past_cycle: 'On rent past its billing cycle, no invoice',
  in_cycle: 'On rent, current cycle not yet due',
};

export const AGING_BUCKETS = [
  { key: '0-7', label: '0–7 days', min: 0, max: 7 },
  { key: '8-30', label: '8–30 days', min: 8, max: 30 },
  { key: '31-60', label: '31–60 days', min: 31, max: 60 },
  { key: '61-90', label: '61–90 days', min: 61, max: 90 },
  { key: '90+', label: 'over 90 days', min: 91, max: Number.POSITIVE_INFINITY },
] as const;

export type AgingBucketKey = (typeof AGING_BUCKETS)[number]['key'];

export interface UnbilledLine {
  contractLineId: string;
  contractId: string;
  equipmentId: string;
  equipmentClass: string;
  project: string;
  customer: string;
  currency: string;
  interfaceId: string;
  dispatchedAt: string;
  offRentAt: string | null;
  returnedAt: string | null;
  billableDays: number;
  rentalCents: number;
  surchargeCents: number;
  accruedCents: number;
  invoicedCents: number;
  creditedCents: number;
  billedCents: number;
  /** accrued − billed, never below zero (an over-billed line has nothing unbilled). */
  unbilledCents: number;
  /** First day (YYYY-MM-DD) of rental activity not covered by a successfully synced invoice. */
  oldestUnbilledDay: string;
  ageDays: number;
  bucket: AgingBucketKey;
  cause: UnbilledCause;
  /** The failing invoice behind an 'invoice_failing' cause. */
  failingInvoice: Pick<RentalInvoiceRow, 'interfaceId' | 'sourceRecordId' | 'documentNumber' | 'traceId'> | null;
  dispatchTraceId: string;
}

const DAY = 86_400_000;
const FAILING: readonly string[] = FAILING_STATUSES;

function day(iso: string): string {
  return iso.slice(0, 10);
}

function daysBetween(fromDay: string, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - Date.parse(`${fromDay}T00:00:00Z`)) / DAY));
}

export function agingBucket(ageDays: number): AgingBucketKey {
  return (AGING_BUCKETS.find((b) => ageDays >= b.min && ageDays <= b.max) ?? AGING_BUCKETS[AGING_BUCKETS.length - 1]!).key;
}

function rates(line: ContractLineAggregate): RentalRates {
  return { day: Number(line.rateDay) || 0, week: Number(line.rateWeek) || 0, fourWeek: Number(line.rateFourWeek) || 0 };
}

/** An invoice bills the line from the moment it first synced successfully, unless later cancelled. */
function isBilledAt(invoice: RentalInvoiceRow, asOf: Date): boolean {
  return invoice.billedAt !== null && Date.parse(invoice.billedAt) <= asOf.getTime() && invoice.lastStatus !== 'cancelled';
}

/**
 * The first rental day no billed invoice period covers: walk the billed periods in order
 * from the dispatch day; a gap (a skipped cycle) stops the walk. Null when every day up to
 * `endDay` is covered.
 */
function firstUncoveredDay(startDay: string, endDay: string, periods: { start: string; end: string }[]): string | null {
  let cursor = startDay;
  for (const period of [...periods].sort((a, b) => a.start.localeCompare(b.start))) {
    if (period.start > cursor) break;
    if (period.end > cursor) cursor = period.end;
  }
  return cursor < endDay ? cursor : null;
}

/**
 * Computes one contract line as of `asOf` (events after it are ignored, so the trend can
 * re-run this at past instants on the same aggregates). Returns null before dispatch.
 */
export function computeUnbilledLine(line: ContractLineAggregate, asOf: Date): UnbilledLine | null {
  if (!line.dispatchedAt || Date.parse(line.dispatchedAt) > asOf.getTime()) return null;
  const offRentAt = line.offRentAt && Date.parse(line.offRentAt) <= asOf.getTime() ? line.offRentAt : null;
  const returnedAt = line.returnedAt && Date.parse(line.returnedAt) <= asOf.getTime() ? line.returnedAt : null;
  const surcharges = line.surcharges.filter((s) => Date.parse(s.at) <= asOf.getTime());
  const surchargeCents = surcharges.reduce((sum, s) => sum + s.cents, 0);
  const accrual = accruedRentalValue({ dispatchedAt: new Date(line.dispatchedAt), offRentAt: offRentAt ? new Date(offRentAt) : null, now: asOf, rates: rates(line), surcharges: [] });
  const accruedCents = accrual.amountCents + surchargeCents;

  const billed = line.invoices.filter((i) => isBilledAt(i, asOf));
  const invoicedCents = billed.filter((i) => i.moveType === 'out_invoice').reduce((sum, i) => sum + i.billedCents, 0);
  const creditedCents = billed.filter((i) => i.moveType === 'out_refund').reduce((sum, i) => sum + i.billedCents, 0);
  const billedCents = invoicedCents - creditedCents;
  const unbilledCents = Math.max(0, accruedCents - billedCents);

  const endDay = day(offRentAt ?? asOf.toISOString());
  const billedPeriods = billed.filter((i) => i.moveType === 'out_invoice' && i.periodStart && i.periodEnd).map((i) => ({ start: i.periodStart, end: i.periodEnd }));
  const uncovered = firstUncoveredDay(day(line.dispatchedAt), endDay, billedPeriods);
  // Fully covered yet money still open (a credit note or a late surcharge): age from the
  // credited period, else from the end of the rental.
  const creditedFrom = billed.filter((i) => i.moveType === 'out_refund' && i.periodStart).map((i) => i.periodStart).sort()[0];
  const oldestUnbilledDay = uncovered ?? creditedFrom ?? endDay;
  const ageDays = daysBetween(oldestUnbilledDay, asOf);

  const failing = line.invoices.find((i) => FAILING.includes(i.lastStatus) && !isBilledAt(i, asOf));
  let cause: UnbilledCause;
  if (failing) cause = 'invoice_failing';
  else if (offRentAt || returnedAt) cause = 'returned_not_invoiced';
  else if (ageDays >= DAYS_PER_FOUR_WEEKS) cause = 'on_rent_past_cycle';
  else cause = 'in_cycle';

  return {
    contractLineId: line.contractLineId,
    contractId: line.contractId,
    equipmentId: line.equipmentId,
    equipmentClass: line.equipmentClass,
    project: line.project,
    customer: line.customer,
    currency: line.currency,
    interfaceId: line.interfaceId,
    dispatchedAt: line.dispatchedAt,
    offRentAt,
    returnedAt,
    billableDays: accrual.billableDays,
    rentalCents: accrual.amountCents,
    surchargeCents,
    accruedCents,
    invoicedCents,
    creditedCents,
    billedCents,
    unbilledCents,
    oldestUnbilledDay,
    ageDays,
    bucket: agingBucket(ageDays),
    cause,
    failingInvoice: failing ? { interfaceId: failing.interfaceId, sourceRecordId: failing.sourceRecordId, documentNumber: failing.documentNumber, traceId: failing.traceId } : null,
    dispatchTraceId: line.dispatchTraceId,
  };
}

/** Per-currency totals: money is never summed across currencies. */
export type CurrencyTotals = Record<string, number>;

function add(totals: CurrencyTotals, currency: string, cents: number): void {
  totals[currency] = (totals[currency] ?? 0) + cents;
}

export interface BreakdownRow {
  key: string;
  lines: number;
  unbilledCents: CurrencyTotals;
}

export interface UnbilledSummary {
  asOf: string;
  /** Lines with something unbilled, largest first. */
  lines: UnbilledLine[];
  totals: CurrencyTotals;
  contracts: number;
  oldest: UnbilledLine | null;
  aging: { key: AgingBucketKey; label: string; lines: number; unbilledCents: CurrencyTotals }[];
  causes: { cause: UnbilledCause; label: string; lines: number; unbilledCents: CurrencyTotals }[];
  byProject: BreakdownRow[];
  byCustomer: BreakdownRow[];
  byEquipmentClass: BreakdownRow[];
}

function breakdown(lines: UnbilledLine[], key: (l: UnbilledLine) => string): BreakdownRow[] {
  const map = new Map<string, BreakdownRow>();
  for (const line of lines) {
    const k = key(line) || '(none)';
    const row = map.get(k) ?? { key: k, lines: 0, unbilledCents: {} };
    row.lines += 1;
    add(row.unbilledCents, line.currency, line.unbilledCents);
    map.set(k, row);
  }
  const total = (r: BreakdownRow) => Object.values(r.unbilledCents).reduce((a, b) => a + b, 0);
  return [...map.values()].sort((a, b) => total(b) - total(a) || a.key.localeCompare(b.key));
}

export function summariseUnbilled(aggregates: readonly ContractLineAggregate[], asOf: Date): UnbilledSummary {
  const lines = aggregates
    .map((a) => computeUnbilledLine(a, asOf))
    .filter((l): l is UnbilledLine => l !== null && l.unbilledCents > 0)
    .sort((a, b) => b.unbilledCents - a.unbilledCents || a.contractLineId.localeCompare(b.contractLineId));
  const totals: CurrencyTotals = {};
  for (const line of lines) add(totals, line.currency, line.unbilledCents);
  const oldest = lines.reduce<UnbilledLine | null>((o, l) => (!o || l.ageDays > o.ageDays ? l : o), null);
  return {
    asOf: asOf.toISOString(),
    lines,
    totals,
    contracts: new Set(lines.map((l) => l.contractId)).size,
    oldest,
    aging: AGING_BUCKETS.map((b) => {
      const inBucket = lines.filter((l) => l.bucket === b.key);
      const cents: CurrencyTotals = {};
      for (const l of inBucket) add(cents, l.currency, l.unbilledCents);
      return { key: b.key, label: b.label, lines: inBucket.length, unbilledCents: cents };
    }),
    causes: UNBILLED_CAUSES.map((cause) => {
      const withCause = lines.filter((l) => l.cause === cause);
      const cents: CurrencyTotals = {};
      for (const l of withCause) add(cents, l.currency, l.unbilledCents);
      return { cause, label: CAUSE_LABELS[cause], lines: withCause.length, unbilledCents: cents };
    }),
    byProject: breakdown(lines, (l) => l.project),
    byCustomer: breakdown(lines, (l) => l.customer),
    byEquipmentClass: breakdown(lines, (l) => l.equipmentClass),
  };
}

export interface TrendPoint {
  at: string;
  unbilledCents: CurrencyTotals;
}

/** What the trend needs of one line, parsed once: the trend re-evaluates every line at each instant. */
interface TrendLine {
  currency: string;
  dispatchedAt: Date;
  offRentMs: number | null;
  rates: RentalRates;
  surcharges: { atMs: number; cents: number }[];
  /** Invoices that bill once synced (never cancelled ones): credit notes count negative. */
  billing: { billedMs: number; cents: number }[];
}

function trendLine(line: ContractLineAggregate): TrendLine | null {
  if (!line.dispatchedAt) return null;
  return {
    currency: line.currency,
    dispatchedAt: new Date(line.dispatchedAt),
    offRentMs: line.offRentAt ? Date.parse(line.offRentAt) : null,
    rates: rates(line),
    surcharges: line.surcharges.map((s) => ({ atMs: Date.parse(s.at), cents: s.cents })),
    billing: line.invoices
      .filter((i) => i.billedAt !== null && i.lastStatus !== 'cancelled')
      .map((i) => ({ billedMs: Date.parse(i.billedAt!), cents: i.moveType === 'out_refund' ? -i.billedCents : i.billedCents })),
  };
}

/** computeUnbilledLine(line, asOf).unbilledCents (0 before dispatch), without the ageing and cause it also works out. */
function unbilledCentsAt(line: TrendLine, asOf: Date): number {
  const asOfMs = asOf.getTime();
  if (line.dispatchedAt.getTime() > asOfMs) return 0;
  const offRentAt = line.offRentMs !== null && line.offRentMs <= asOfMs ? new Date(line.offRentMs) : null;
  let surchargeCents = 0;
  for (const s of line.surcharges) if (s.atMs <= asOfMs) surchargeCents += s.cents;
  const accruedCents = accruedRentalValue({ dispatchedAt: line.dispatchedAt, offRentAt, now: asOf, rates: line.rates, surcharges: [] }).amountCents + surchargeCents;
  let billedCents = 0;
  for (const b of line.billing) if (b.billedMs <= asOfMs) billedCents += b.cents;
  return Math.max(0, accruedCents - billedCents);
}

/**
 * Unbilled value at evenly spaced instants from `from` to `to` (at most `maxPoints`): the
 * same per-line maths as computeUnbilledLine, as of each instant, on the same aggregates.
 */
export function unbilledTrend(aggregates: readonly ContractLineAggregate[], from: Date, to: Date, maxPoints = 45): TrendPoint[] {
  const span = Math.max(DAY, to.getTime() - from.getTime());
  const step = Math.max(DAY, Math.ceil(span / DAY / maxPoints) * DAY);
  const lines = aggregates.map(trendLine).filter((l): l is TrendLine => l !== null);
  const points: TrendPoint[] = [];
  for (let t = to.getTime(); t >= from.getTime(); t -= step) {
    const asOf = new Date(t);
    const cents: CurrencyTotals = {};
    for (const line of lines) {
      const unbilled = unbilledCentsAt(line, asOf);
      if (unbilled > 0) add(cents, line.currency, unbilled);
    }
    points.push({ at: asOf.toISOString(), unbilledCents: cents });
  }
  return points.reverse();
}
