/**
 * Unbilled rental value per contract line (DOMAIN.md "Rental billing"): accrued (dispatch →
 * off-rent or → the as-of instant, cheapest day/week/4-week combination, plus surcharges)
 * minus billed (successfully synced customer invoices for the line, less credit notes).
 *
 * All of it runs in ClickHouse on each line's billing standing (lib/finance/rental-queries.ts
 * standingSql; kept by lib/finance/line-standing.ts), which holds everything but the time on
 * rent, so a page reads totals, breakdowns, a trend and one page of lines, never every line
 * (10 M events held 500 k lines in the benchmark). Money is in integer cents throughout.
 */
import { moneyColumns, type ExportColumns } from '@/lib/api/csv';
import { queryRowBatches, queryRows, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { centsToDecimal } from '@/lib/format';
import { DAYS_PER_FOUR_WEEKS, DAYS_PER_WEEK } from '@/lib/finance/rental-billing';
import { isLive, keptSummaryCells, keptSummaryView, keptTrend, keptTrendCells, SUMMARY_CELLS_SQL, type CurrencyTotals, type Query, type TrendRow, type TrendUsable } from '@/lib/finance/kept-views';
import { noteDatedLook } from '@/lib/finance/dated-looks';
import { DATED_STANDING_SQL, datedStanding, datedStandingAhead, KEPT_STANDING_SQL, keptStandingSql, pastStandingSql } from '@/lib/finance/line-standing';
import { stateCovers } from '@/lib/finance/rental-queries';
import { filterQueryParams, type DashboardFilters, type TableParams } from '@/lib/finance/filters';

export const UNBILLED_CAUSES = ['invoice_failing', 'returned_not_invoiced', 'on_rent_past_cycle', 'in_cycle'] as const;
export type UnbilledCause = (typeof UNBILLED_CAUSES)[number];

export const CAUSE_LABELS: Record<UnbilledCause, string> = {
  invoice_failing: 'Invoice sync failing',
  returned_not_invoiced: 'Off-rent, not fully invoiced',
  on_rent_past_cycle: 'On rent past its billing cycle, no invoice',
  in_cycle: 'On rent, current cycle not yet due',
};

export const AGING_BUCKETS = [
  { key: '0-7', label: '0–7 days', max: 7 },
  { key: '8-30', label: '8–30 days', max: 30 },
  { key: '31-60', label: '31–60 days', max: 60 },
  { key: '61-90', label: '61–90 days', max: 90 },
  { key: '90+', label: 'over 90 days', max: Number.POSITIVE_INFINITY },
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
  /** The line's rates as reported on dispatch (currency units). */
  rates: { day: string; week: string; fourWeek: string };
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
  failingInvoice: { interfaceId: string; sourceRecordId: string; documentNumber: string; traceId: string } | null;
  dispatchTraceId: string;
}

const DAY_MS = 86_400_000;

/**
 * The cheapest charge, in cents, for `d` days at day/week/4-week rates `D`, `W`, `F` (cents),
 * as lib/finance/rental-billing.ts cheapestRentalCharge defines it. Its exhaustive search
 * needs only three candidates per period: with the 4-week count fixed, the week/day cost of
 * the rest is linear in the week count up to the whole weeks it holds, so the best is none,
 * all whole weeks, or one more (overshooting); and that cost grows by the same amount for
 * every 28 days, so the 4-week count likewise is none, all whole 4-weeks, or one more.
 * Plain least() over columns, no arrays: the trend prices millions of line-instants.
 * tests/integration/finance-unbilled.test.ts holds it to that search (hence exported).
 */
export function cheapestCentsSql(d: string, D: string, W: string, F: string): string {
  const weeksAndDays = (r: string) =>
    `least(${r} * ${D}, intDiv(${r}, ${DAYS_PER_WEEK}) * ${W} + (${r} % ${DAYS_PER_WEEK}) * ${D}, intDiv(${r} + ${DAYS_PER_WEEK - 1}, ${DAYS_PER_WEEK}) * ${W})`;
  return `least(${weeksAndDays(d)}, intDiv(${d}, ${DAYS_PER_FOUR_WEEKS}) * ${F} + ${weeksAndDays(`(${d} % ${DAYS_PER_FOUR_WEEKS})`)}, intDiv(${d} + ${DAYS_PER_FOUR_WEEKS - 1}, ${DAYS_PER_FOUR_WEEKS}) * ${F})`;
}

const BUCKET_SQL = `multiIf(${AGING_BUCKETS.filter((b) => Number.isFinite(b.max))
  .map((b) => `age_days <= ${b.max}, '${b.key}'`)
  .join(', ')}, '${AGING_BUCKETS[AGING_BUCKETS.length - 1]!.key}')`;

/**
 * The money of a line as of `tMs` (epoch milliseconds, an SQL expression) from its standing's
 * columns (rental-queries.ts standingSql) and the totals surcharge_cents, invoiced_cents and
 * credited_cents as of `tMs`: billable days from dispatch to off-rent or `tMs`, their cheapest
 * price, plus surcharges, less what was billed. Needs dispatched_ms and off_rent_ms.
 */
function chargesAt(tMs: string): string {
  return `if(off_rent_ms < ${tMs}, off_rent_ms, NULL) AS off_rent_as_of_ms,
    toInt64(greatest(1, ceil((coalesce(off_rent_as_of_ms, ${tMs}) - dispatched_ms) / ${DAY_MS}))) AS billable_days,
    ${cheapestCentsSql('billable_days', 'rate_day_cents', 'rate_week_cents', 'rate_4week_cents')} AS rental_cents,
    rental_cents + surcharge_cents AS accrued_cents,
    invoiced_cents - credited_cents AS billed_cents,
    greatest(0, accrued_cents - billed_cents) AS unbilled_cents`;
}

/** The standing's totals as of an earlier instant `tMs`, from its surcharge and billing points. */
function totalsAt(tMs: string): string {
  return `arraySum(p -> if(p.1 < ${tMs}, p.2, 0), surcharge_points) AS surcharge_cents,
    arraySum(p -> if(p.1 < ${tMs} AND NOT p.3, p.2, 0), billing_points) AS invoiced_cents,
    arraySum(p -> if(p.1 < ${tMs} AND p.3, p.2, 0), billing_points) AS credited_cents`;
}

const TIMES_MS = `toUnixTimestamp64Milli(dispatched_at) AS dispatched_ms, toUnixTimestamp64Milli(off_rent_as_of) AS off_rent_ms`;

/**
 * Every figure of a line as of `filters.to` over its standing as of then: its money
 * (chargesAt), then how old the oldest unbilled day is and why.
 */
function evaluatedLines(standing: string): string {
  const t = '{to:DateTime64(3)}';
  return `SELECT *, ${chargesAt('t_ms')},
    toString(toDate(coalesce(off_rent_as_of, ${t}), 'UTC')) AS end_day,
    multiIf(covered_until < end_day, covered_until, credited_from != '', credited_from, end_day) AS oldest_unbilled_day,
    toInt64(greatest(0, floor((t_ms - toUnixTimestamp(toDateTime(toDate(oldest_unbilled_day), 'UTC')) * 1000) / ${DAY_MS}))) AS age_days,
    ${BUCKET_SQL} AS bucket,
    multiIf(failing_source_record_id != '', 'invoice_failing',
      off_rent_as_of IS NOT NULL OR returned_as_of IS NOT NULL, 'returned_not_invoiced',
      age_days >= ${DAYS_PER_FOUR_WEEKS}, 'on_rent_past_cycle', 'in_cycle') AS cause
  FROM (SELECT *, ${TIMES_MS}, toUnixTimestamp64Milli(${t}) AS t_ms FROM (${standing}))`;
}

/**
 * The standing as of `to` over the kept one (lib/finance/line-standing.ts): as kept when
 * `covered` (stateCovers: no rental event is dated at or after it), else partly from the events
 * before it.
 */
async function standingAsOf(covered: boolean): Promise<Query> {
  const kept = await keptStandingSql();
  return { sql: covered ? kept : pastStandingSql(kept), params: {} };
}

/** A dated view's standing: the computation `standingAt` of lib/finance/line-standing.ts, which also names the figures kept from it. */
type DatedViewStanding = Query & { standingAt: Date };

function datedComputation(standingAt: Date): DatedViewStanding {
  return { sql: DATED_STANDING_SQL, params: { standing_at: toClickHouseDateTime(standingAt) }, standingAt };
}

/** A dated view's standing as of `to`, as pages read it (lib/finance/line-standing.ts datedStanding). */
async function datedViewStanding(to: Date): Promise<DatedViewStanding> {
  return datedComputation(await datedStanding(to));
}

/** The standing a view as of `to` reads: a dated view's kept whole, else the live one. */
async function viewStanding(to: Date): Promise<Query> {
  return isLive(to) ? standingAsOf(await stateCovers(to)) : datedViewStanding(to);
}

interface LineRow {
  contract_line_id: string;
  contract_id: string;
  equipment_id: string;
  equipment_class: string;
  project: string;
  customer: string;
  currency: string;
  interface_id: string;
  rate_day: string;
  rate_week: string;
  rate_4week: string;
  dispatched_at: string;
  off_rent_as_of: string | null;
  returned_as_of: string | null;
  billable_days: number;
  rental_cents: number;
  surcharge_cents: number;
  accrued_cents: number;
  invoiced_cents: number;
  credited_cents: number;
  billed_cents: number;
  unbilled_cents: number;
  oldest_unbilled_day: string;
  age_days: number;
  bucket: AgingBucketKey;
  cause: UnbilledCause;
  failing_interface_id: string;
  failing_source_record_id: string;
  failing_document_number: string;
  failing_trace_id: string;
  dispatch_trace_id: string;
}

const LINE_COLUMNS = `contract_line_id, contract_id, equipment_id, equipment_class, project, customer, currency, interface_id,
  rate_day, rate_week, rate_4week, toString(dispatched_at) AS dispatched_at,
  if(isNull(off_rent_as_of), NULL, toString(off_rent_as_of)) AS off_rent_as_of,
  if(isNull(returned_as_of), NULL, toString(returned_as_of)) AS returned_as_of,
  billable_days, rental_cents, surcharge_cents, accrued_cents, invoiced_cents, credited_cents, billed_cents, unbilled_cents,
  oldest_unbilled_day, age_days, bucket, cause,
  failing_interface_id, failing_source_record_id, failing_document_number, failing_trace_id, dispatch_trace_id`;

/** toString(DateTime64) gives `YYYY-MM-DD hh:mm:ss.sss` in UTC. */
function toIso(value: string): string {
  return `${value.replace(' ', 'T')}Z`;
}

function toLine(row: LineRow): UnbilledLine {
  return {
    contractLineId: row.contract_line_id,
    contractId: row.contract_id,
    equipmentId: row.equipment_id,
    equipmentClass: row.equipment_class,
    project: row.project,
    customer: row.customer,
    currency: row.currency,
    interfaceId: row.interface_id,
    rates: { day: row.rate_day, week: row.rate_week, fourWeek: row.rate_4week },
    dispatchedAt: toIso(row.dispatched_at),
    offRentAt: row.off_rent_as_of ? toIso(row.off_rent_as_of) : null,
    returnedAt: row.returned_as_of ? toIso(row.returned_as_of) : null,
    billableDays: Number(row.billable_days),
    rentalCents: Number(row.rental_cents),
    surchargeCents: Number(row.surcharge_cents),
    accruedCents: Number(row.accrued_cents),
    invoicedCents: Number(row.invoiced_cents),
    creditedCents: Number(row.credited_cents),
    billedCents: Number(row.billed_cents),
    unbilledCents: Number(row.unbilled_cents),
    oldestUnbilledDay: row.oldest_unbilled_day,
    ageDays: Number(row.age_days),
    bucket: row.bucket,
    cause: row.cause,
    failingInvoice: row.failing_source_record_id
      ? { interfaceId: row.failing_interface_id, sourceRecordId: row.failing_source_record_id, documentNumber: row.failing_document_number, traceId: row.failing_trace_id }
      : null,
    dispatchTraceId: row.dispatch_trace_id,
  };
}

function add(totals: CurrencyTotals, currency: string, cents: number): void {
  totals[currency] = (totals[currency] ?? 0) + cents;
}

export interface BreakdownRow {
  key: string;
  lines: number;
  unbilledCents: CurrencyTotals;
}

export interface UnbilledSummary {
  /** The instant the figures are as of: `filters.to`, or up to two minutes before it for a kept summary of "now". */
  asOf: string;
  totals: CurrencyTotals;
  /** Contract lines with something unbilled, and the contracts they belong to. */
  lines: number;
  contracts: number;
  /** The line unbilled the longest (the larger amount on a tie). */
  oldest: UnbilledLine | null;
  aging: { key: AgingBucketKey; label: string; lines: number; unbilledCents: CurrencyTotals }[];
  causes: { cause: UnbilledCause; label: string; lines: number; unbilledCents: CurrencyTotals }[];
  byProject: BreakdownRow[];
  byCustomer: BreakdownRow[];
  byEquipmentClass: BreakdownRow[];
}

/** The breakdowns the page shows and exports, by the name their export goes by. */
export const UNBILLED_BREAKDOWNS = { project: 'byProject', customer: 'byCustomer', equipment_class: 'byEquipmentClass' } as const satisfies Record<
  string,
  keyof UnbilledSummary
>;
export type UnbilledBreakdownName = keyof typeof UNBILLED_BREAKDOWNS;

/**
 * A breakdown's export: every key (the page shows the top ten), its lines, and its unbilled
 * value in one column per currency of `currencies`, as exact decimals a spreadsheet can sum.
 */
export function breakdownExportColumns(name: UnbilledBreakdownName, currencies: readonly string[]): ExportColumns<BreakdownRow> {
  return {
    [name]: (r) => r.key,
    lines: (r) => r.lines,
    ...moneyColumns<BreakdownRow>('unbilled', currencies, (r) => r.unbilledCents),
  };
}

/** `contracts` counts lines and contracts across currencies and finds the oldest line; the others sum per currency. */
type Dimension = 'contracts' | 'aging' | 'cause' | 'project' | 'customer' | 'equipment_class';

interface GroupTotal {
  dimension: Dimension;
  key: string;
  currency: string;
  lines: number;
  contracts: number;
  cents: number;
  /** On the `contracts` row: the line unbilled the longest (the larger amount, then the first id, on a tie). */
  oldestLine: string;
}

function queryParams(filters: DashboardFilters, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...filterQueryParams(filters), lines: [], ...extra };
}

/**
 * The summary's cells (as RENTAL_SUMMARY_CELLS in lib/clickhouse/ddl.ts keeps them) from the
 * lines of `standing` as of {to}: per project, customer, interface and currency, every line with
 * something unbilled counted once as 'contracts' (with its contract and age as aggregate states)
 * and once under its aging bucket, cause and equipment class.
 */
function summaryCellsSql(standing: string): string {
  return `SELECT project, customer, interface_id, currency, dim.1 AS dimension, dim.2 AS key, count() AS lines, sum(unbilled_cents) AS cents,
    uniqExactIf(contract_id, dimension = 'contracts') AS contract_count,
    CAST(uniqExactIfState(contract_id, dimension = 'contracts') AS AggregateFunction(uniqExact, String)) AS contracts,
    CAST(argMinIfState(contract_line_id, (-age_days, -toInt64(assumeNotNull(unbilled_cents)), contract_line_id), dimension = 'contracts')
      AS AggregateFunction(argMin, String, Tuple(Int64, Int64, String))) AS oldest
  FROM (${evaluatedLines(standing)})
  ARRAY JOIN [('contracts', ''), ('aging', bucket), ('cause', cause), ('equipment_class', equipment_class)] AS dim
  WHERE unbilled_cents > 0
  GROUP BY project, customer, interface_id, currency, dimension, key`;
}

/**
 * Every summary cell of the lines of `standing` as of {to} (summaryCellsSql) and the marker row
 * kept with them (dimension 'computed'), whose `lines` counts the contracts with lines in more
 * than one cell; a contract with nothing unbilled counts too, which only ever errs towards
 * merging contract sets where a sum would do.
 */
function keptSummaryCellsSql(standing: string): string {
  return `${summaryCellsSql(standing)}
  UNION ALL
  SELECT '' AS project, '' AS customer, '' AS interface_id, '' AS currency, 'computed' AS dimension, '' AS key,
    (SELECT count() FROM (SELECT contract_id FROM (${standing}) GROUP BY contract_id HAVING uniqExact(project, customer, interface_id, currency) > 1)) AS lines,
    0 AS cents, 0 AS contract_count, CAST(uniqExactIfState('', 0) AS AggregateFunction(uniqExact, String)) AS contracts,
    CAST(argMinIfState('', (toInt64(0), toInt64(0), ''), 0) AS AggregateFunction(argMin, String, Tuple(Int64, Int64, String))) AS oldest`;
}

/**
 * Sums per line group and currency over summary cells (summaryCellsSql, SUMMARY_CELLS_SQL); a
 * 'contracts' cell also counts toward its project and customer. Distinct contracts are the sum
 * of the cells' counts when `contractsAdd` (lib/finance/kept-views.ts SummaryCells), else
 * merged from their sets.
 */
async function groupTotals(cells: string, params: Record<string, unknown>, contractsAdd: boolean): Promise<GroupTotal[]> {
  const contracts = contractsAdd ? "sumIf(contract_count, group_dimension = 'contracts')" : "uniqExactMergeIf(contracts, group_dimension = 'contracts')";
  const rows = await queryRows<{ group_dimension: Dimension; group_key: string; money_currency: string; line_count: number; cent_total: number; contract_total: number; oldest_line: string }>(
    `SELECT g.1 AS group_dimension, g.2 AS group_key, if(group_dimension = 'contracts', '', currency) AS money_currency,
            sum(lines) AS line_count, sum(cents) AS cent_total,
            ${contracts} AS contract_total,
            argMinMergeIf(oldest, group_dimension = 'contracts') AS oldest_line
     FROM (${cells})
     ARRAY JOIN if(dimension = 'contracts', [('contracts', ''), ('project', toString(project)), ('customer', toString(customer))],
                   [(toString(dimension), key)]) AS g
     GROUP BY group_dimension, group_key, money_currency`,
    params,
  );
  return rows.map((r) => ({
    dimension: r.group_dimension,
    key: r.group_key,
    currency: r.money_currency,
    lines: Number(r.line_count),
    contracts: Number(r.contract_total),
    cents: Number(r.cent_total),
    oldestLine: r.oldest_line,
  }));
}

/** Sort keys of the unbilled table (URL `sort`), mapped to computed columns. */
const SORT_COLUMNS: Record<string, string> = {
  unbilled: 'unbilled_cents',
  age: 'age_days',
  accrued: 'accrued_cents',
  billed: 'billed_cents',
  contract: 'contract_line_id',
  customer: 'customer',
  project: 'project',
  equipmentClass: 'equipment_class',
  cause: 'cause',
};
export const UNBILLED_SORT_KEYS = Object.keys(SORT_COLUMNS);

/** The lines `ids`, in that order, every figure as of `filters.to`. */
async function linesById(source: Query, filters: DashboardFilters, ids: readonly string[]): Promise<UnbilledLine[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<LineRow>(`SELECT ${LINE_COLUMNS} FROM (${evaluatedLines(source.sql)})`, queryParams(filters, { ...source.params, lines: ids }));
  const byId = new Map(rows.map((r) => [r.contract_line_id, toLine(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The rows of one breakdown by key, currencies together (unordered: rankBreakdown orders them). */
function breakdown(rows: GroupTotal[], dimension: Dimension): BreakdownRow[] {
  const map = new Map<string, BreakdownRow>();
  for (const r of rows.filter((g) => g.dimension === dimension)) {
    const key = r.key || '(none)';
    const row = map.get(key) ?? { key, lines: 0, unbilledCents: {} };
    row.lines += r.lines;
    add(row.unbilledCents, r.currency, r.cents);
    map.set(key, row);
  }
  return [...map.values()];
}

/**
 * A breakdown's keys, largest first without adding currencies together: by unbilled value in the
 * currency with the largest total, then in the next, and so on (ties by key).
 */
export function rankBreakdown(rows: readonly BreakdownRow[], totals: CurrencyTotals): BreakdownRow[] {
  const currencies = Object.entries(totals)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([currency]) => currency);
  return [...rows].sort((a, b) => {
    for (const currency of currencies) {
      const difference = (b.unbilledCents[currency] ?? 0) - (a.unbilledCents[currency] ?? 0);
      if (difference !== 0) return difference;
    }
    return a.key.localeCompare(b.key);
  });
}

/** Part of a kept summary view's key: a change to the summary's maths or shape bumps it, so views kept before are not shown. */
const SUMMARY_VERSION = 3;

/** The dashboard filters that pick lines, as part of a kept view's key. */
function lineFilterKey(filters: DashboardFilters) {
  return { project: filters.project, customer: filters.customer, iface: filters.interface, currency: filters.currency };
}

/**
 * Headline, aging, causes and breakdowns of the lines with something unbilled as of
 * `filters.to`. For "now", a page merges the kept cells of a computation as of up to two minutes
 * earlier (lib/finance/kept-views.ts), its `asOf` saying so; the job passes 'job' to compute
 * them again. A dated view's summary is computed from its kept standing and kept with it.
 */
export async function unbilledSummary(filters: DashboardFilters, reader: 'page' | 'job' = 'page'): Promise<UnbilledSummary> {
  if (!isLive(filters.to)) {
    await noteDatedLook(filters);
    return datedSummary(filters, await datedViewStanding(filters.to));
  }
  const covered = await stateCovers(filters.to);
  if (!covered) {
    const standing = await standingAsOf(false);
    return summaryOf({ sql: summaryCellsSql(standing.sql), params: {} }, standing, filters, false);
  }
  const everyLine = queryParams({ ...filters, project: '', customer: '', interface: '', currency: '' });
  const kept = await keptSummaryCells(filters.to, reader, async () => ({ sql: keptSummaryCellsSql(await keptStandingSql()), params: everyLine }));
  const viewKey = JSON.stringify({ version: SUMMARY_VERSION, ...lineFilterKey(filters) });
  const cells = { sql: SUMMARY_CELLS_SQL, params: { cells_as_of: toClickHouseDateTime(kept.asOf) } };
  // The oldest line's detail comes from the standing as kept, as the cells are from a moment ago.
  return keptSummaryView(viewKey, kept.asOf, () => summaryOf(cells, { sql: KEPT_STANDING_SQL, params: {} }, { ...filters, to: kept.asOf }, kept.contractsAdd));
}

/** A dated view's summary, computed from its standing `dated` and kept under a key naming it. */
function datedSummary(filters: DashboardFilters, dated: DatedViewStanding): Promise<UnbilledSummary> {
  const viewKey = JSON.stringify({ version: SUMMARY_VERSION, standingAt: dated.standingAt, ...lineFilterKey(filters) });
  return keptSummaryView(viewKey, filters.to, () => summaryOf({ sql: summaryCellsSql(dated.sql), params: dated.params }, dated, filters, false));
}

/**
 * For the minute job (lib/finance/jobs.ts): keeps the dated view `filters` ahead, its standing
 * computed again when due (datedStandingAhead) and its summary and trend kept from it before
 * pages are pointed at it, so a page never finds the new standing without its figures.
 */
export async function keepDatedView(filters: DashboardFilters, now: Date = new Date()): Promise<void> {
  const ahead = await datedStandingAhead(filters.to, now);
  const dated = ahead ? datedComputation(ahead.standingAt) : await datedViewStanding(filters.to);
  try {
    await Promise.all([datedSummary(filters, dated), trendOf(filters, datedTrendSource(dated), 'job')]);
  } finally {
    // A standing whose figures failed is still right: pages then compute the figures themselves.
    await ahead?.publish();
  }
}

/** The summary as of `filters.to` from summary `cells` (groupTotals), the oldest line's detail from `standing`. */
async function summaryOf(cells: Query, standing: Query, filters: DashboardFilters, contractsAdd: boolean): Promise<UnbilledSummary> {
  const groups = await groupTotals(cells.sql, queryParams(filters, cells.params), contractsAdd);
  const contracts = groups.find((g) => g.dimension === 'contracts');
  const [oldest] = contracts?.oldestLine ? await linesById(standing, filters, [contracts.oldestLine]) : [];
  // Every line with something unbilled is in one aging bucket, so those rows sum to the totals.
  const totals: CurrencyTotals = {};
  for (const g of groups.filter((r) => r.dimension === 'aging')) add(totals, g.currency, g.cents);
  const inGroup = (dimension: Dimension, key: string) => {
    const cents: CurrencyTotals = {};
    let count = 0;
    for (const g of groups.filter((r) => r.dimension === dimension && r.key === key)) {
      add(cents, g.currency, g.cents);
      count += g.lines;
    }
    return { lines: count, unbilledCents: cents };
  };
  return {
    asOf: filters.to.toISOString(),
    totals,
    lines: contracts?.lines ?? 0,
    contracts: contracts?.contracts ?? 0,
    oldest: oldest ?? null,
    aging: AGING_BUCKETS.map((b) => ({ key: b.key, label: b.label, ...inGroup('aging', b.key) })),
    causes: UNBILLED_CAUSES.map((cause) => ({ cause, label: CAUSE_LABELS[cause], ...inGroup('cause', cause) })),
    byProject: rankBreakdown(breakdown(groups, 'project'), totals),
    byCustomer: rankBreakdown(breakdown(groups, 'customer'), totals),
    byEquipmentClass: rankBreakdown(breakdown(groups, 'equipment_class'), totals),
  };
}

/** The export's columns (CSV and JSON): money as exact decimals. */
export const UNBILLED_EXPORT_COLUMNS: ExportColumns<UnbilledLine> = {
  contract_line_id: (l) => l.contractLineId,
  contract_id: (l) => l.contractId,
  customer: (l) => l.customer,
  project: (l) => l.project,
  equipment_class: (l) => l.equipmentClass,
  equipment_id: (l) => l.equipmentId,
  currency: (l) => l.currency,
  dispatched_at: (l) => l.dispatchedAt,
  off_rent_at: (l) => l.offRentAt,
  billable_days: (l) => l.billableDays,
  accrued: (l) => centsToDecimal(l.accruedCents),
  billed: (l) => centsToDecimal(l.billedCents),
  unbilled: (l) => centsToDecimal(l.unbilledCents),
  oldest_unbilled_day: (l) => l.oldestUnbilledDay,
  age_days: (l) => l.ageDays,
  cause: (l) => CAUSE_LABELS[l.cause],
};

/** Lines with something unbilled, sorted on the server (ties by contract line), with a page's LIMIT or none. */
async function linesQuery(filters: DashboardFilters, table: TableParams, cause: string, paged: boolean): Promise<Query> {
  const source = await viewStanding(filters.to);
  const column = SORT_COLUMNS[table.sort] ?? SORT_COLUMNS.unbilled!;
  const where = `unbilled_cents > 0 AND ({cause:String} = '' OR cause = {cause:String})`;
  const orderBy = `${column} ${table.dir === 'asc' ? 'ASC' : 'DESC'}, contract_line_id`;
  const page = paged ? ' LIMIT {limit:UInt32} OFFSET {offset:UInt32}' : '';
  return {
    sql: `SELECT ${LINE_COLUMNS} FROM (${evaluatedLines(source.sql)}) WHERE ${where} ORDER BY ${orderBy}${page}`,
    params: queryParams(filters, { ...source.params, cause, limit: table.pageSize, offset: (table.page - 1) * table.pageSize }),
  };
}

/** The table's page of lines with something unbilled. */
export async function unbilledLines(filters: DashboardFilters, table: TableParams, options: { cause?: string } = {}): Promise<UnbilledLine[]> {
  const { sql, params } = await linesQuery(filters, table, options.cause ?? '', true);
  return (await queryRows<LineRow>(sql, params)).map(toLine);
}

/** Every line with something unbilled, in the table's order, in batches (the export). */
export async function* allUnbilledLines(filters: DashboardFilters, table: TableParams, options: { cause?: string } = {}): AsyncGenerator<UnbilledLine[]> {
  const { sql, params } = await linesQuery(filters, table, options.cause ?? '', false);
  for await (const rows of queryRowBatches<LineRow>(sql, params)) yield rows.map(toLine);
}

/**
 * One contract line as of `asOf`, billed or not; null when it has no dispatch by then. A line
 * as of a past instant comes from its own events, not a dated view's standing, which would
 * compute every line to show one.
 */
export async function unbilledLine(contractLineId: string, asOf: Date): Promise<UnbilledLine | null> {
  const [line] = await linesById(await standingAsOf(await stateCovers(asOf)), { from: asOf, to: asOf, project: '', customer: '', interface: '', currency: '' }, [contractLineId]);
  return line ?? null;
}

export interface TrendPoint {
  at: string;
  unbilledCents: CurrencyTotals;
}

export interface UnbilledTrend {
  points: TrendPoint[];
  /** When the points were computed, if they are an earlier computation's shown as it was (lib/finance/kept-views.ts); null when current. */
  computedAt: string | null;
}

/**
 * Day starts (UTC) a whole number of days apart, at most `maxPoints`, ending with the start of
 * the day `to` falls in (`to` itself when it is a midnight, as a date filter gives): the same
 * instants all day, so a view's trend can be kept.
 */
function trendInstants(from: Date, to: Date, maxPoints = 45): Date[] {
  const last = Math.floor(to.getTime() / DAY_MS) * DAY_MS;
  const span = Math.max(DAY_MS, last - from.getTime());
  const step = Math.max(DAY_MS, Math.ceil(span / DAY_MS / maxPoints) * DAY_MS);
  const instants: Date[] = [];
  for (let t = last; t >= from.getTime(); t -= step) instants.push(new Date(t));
  return instants.reverse();
}

/** Part of a kept trend's key: a change to the trend's maths bumps it, so trends kept before are not shown. */
const TREND_VERSION = 1;

/**
 * When a line's unbilled value stops changing (epoch ms): once it is off rent and its last
 * surcharge and billing are past; never while on rent. Needs off_rent_ms.
 */
const SETTLED_MS = `if(off_rent_ms IS NULL, toInt64(${Number.MAX_SAFE_INTEGER}),
    greatest(assumeNotNull(off_rent_ms), arrayMax(p -> p.1, surcharge_points), arrayMax(p -> p.1, billing_points))) AS settled_ms`;

/**
 * Unbilled value at each trend instant: the same per-line maths as the summary, as of each
 * instant, on the lines as of `filters.to` (a line's dispatch, off-rent, surcharges and
 * billing each count from their own time; its terms are the latest known). A line is priced
 * at each instant from its dispatch until it settles (SETTLED_MS); at every later instant its
 * value is the one it has as of `to`, so settled lines are summed once, by the first instant
 * after they settle, and carried forward. The trend of "now" (when no rental event is dated
 * after it) and of a dated view (over its kept standing, named by its computation) is kept
 * (lib/finance/kept-views.ts): in cells for an unfiltered view's instants, which its filtered
 * views read too, else per view; the job passes 'job'.
 */
export async function unbilledTrend(filters: DashboardFilters, reader: 'page' | 'job' = 'page'): Promise<UnbilledTrend> {
  if (!isLive(filters.to)) return trendOf(filters, datedTrendSource(await datedViewStanding(filters.to)), reader);
  if (await stateCovers(filters.to)) return trendOf(filters, { standing: () => standingAsOf(true), standingAt: null }, reader);
  const instants = trendInstants(filters.from, filters.to);
  const totals = await trendTotals((await standingAsOf(false)).sql, queryParams(filters, { instants: instants.map(toClickHouseDateTime) }), instants.length);
  return { points: trendPoints(instants, totals), computedAt: null };
}

function trendPoints(instants: readonly Date[], totals: readonly CurrencyTotals[]): UnbilledTrend['points'] {
  return instants.map((t, i) => ({ at: t.toISOString(), unbilledCents: totals[i] ?? {} }));
}

/** A dated view's trend source: named by its standing's computation, whose figures stand as long as it does. */
function datedTrendSource(dated: DatedViewStanding): TrendSource {
  return { standing: async () => dated, standingAt: dated.standingAt, usable: async () => 'exact' };
}

/** The trend of `filters` from `view`'s standing, kept (lib/finance/kept-views.ts). */
async function trendOf(filters: DashboardFilters, view: TrendSource, reader: 'page' | 'job'): Promise<UnbilledTrend> {
  const instants = trendInstants(filters.from, filters.to);
  const params = queryParams(filters, { instants: instants.map(toClickHouseDateTime) });
  const filtered = [filters.project, filters.customer, filters.interface, filters.currency].some((value) => value !== '');
  const instantsKey = `v${TREND_VERSION}/${instants[0]?.toISOString()}/${instants.length}/${instants[instants.length - 1]?.toISOString()}${
    view.standingAt ? `@${view.standingAt.toISOString()}` : ''
  }`;
  const everyCell = async () => {
    const standing = await view.standing();
    return { sql: trendSql(standing.sql, true), params: { ...params, ...standing.params } };
  };
  const cells = await keptTrendCells(instantsKey, reader, params, filtered ? null : everyCell, view.usable);
  if (cells) return { points: trendPoints(instants, foldTrend(cells.rows, instants.length)), computedAt: cells.computedAt?.toISOString() ?? null };

  const compute = async () => {
    const standing = await view.standing();
    return trendTotals(standing.sql, { ...params, ...standing.params }, instants.length);
  };
  const viewKey = JSON.stringify({ version: TREND_VERSION, instants, ...(view.standingAt ? { standingAt: view.standingAt } : {}), ...lineFilterKey(filters) });
  const { totals, computedAt } = await keptTrend(viewKey, reader, compute, view.usable);
  return { points: trendPoints(instants, totals), computedAt: computedAt?.toISOString() ?? null };
}

/**
 * Where a trend's figures come from: the standing its lines are priced on, the dated
 * computation that names the kept figures (null for "now"), and when kept figures may be shown
 * (by default kept-views.ts's rule for "now").
 */
interface TrendSource {
  standing: () => Promise<Query>;
  standingAt: Date | null;
  usable?: TrendUsable;
}

/** Unbilled value per currency at each of the `count` instants (query params as unbilledTrend's), over the lines' standing in `source`. */
async function trendTotals(source: string, params: Record<string, unknown>, count: number): Promise<CurrencyTotals[]> {
  return foldTrend(await queryRows<TrendRow>(trendSql(source, false), params), count);
}

/** Totals at each instant from trend rows: a settled line's cents count at its instant and every later one. */
function foldTrend(rows: readonly TrendRow[], count: number): CurrencyTotals[] {
  const points: CurrencyTotals[] = Array.from({ length: count }, () => ({}));
  for (const r of rows) {
    const first = Number(r.instant_index) - 1;
    const last = Number(r.settled) === 1 ? count - 1 : first;
    for (let i = first; i <= last; i++) add(points[i]!, r.currency, Number(r.cents));
  }
  return points;
}

/**
 * The trend rows (TrendRow) of the lines in `source` at the instants {instants}, per currency,
 * and `byCell` also per project, customer and interface (RENTAL_TREND_CELLS).
 *
 * The priced half has a row per line and instant (millions at 10 M events), so it groups by the
 * instant itself, its index looked up once per group, and by one 64-bit hash of the keys, which
 * come back with any(): together they halved the query at 10 M events (indexOf on every row cost
 * ~0.4 s, four LowCardinality columns as a composite key ~0.2 s more than the hash). The odds of
 * two of ten thousand cells sharing a hash are below 1e-11.
 */
function trendSql(source: string, byCell: boolean): string {
  const keys = byCell ? ['project', 'customer', 'interface_id', 'currency'] : ['currency'];
  const cell = keys.slice(0, -1).map((key) => `${key}, `).join('');
  const grouped = (settled: 0 | 1, rows: string, instant: string, instantIndex: string) =>
    `SELECT ${keys.map((key, i) => `cell_keys.${i + 1} AS ${key}`).join(', ')}, ${settled} AS settled, ${instantIndex} AS instant_index, cents
     FROM (
       SELECT cityHash64(${keys.join(', ')}) AS cell_hash, ${instant}, any(tuple(${keys.join(', ')})) AS cell_keys, sum(unbilled_cents) AS cents
       FROM (${rows})
       WHERE unbilled_cents > 0
       GROUP BY cell_hash, ${instant}
     )`;
  const priced = `SELECT ${cell}instant, currency, ${chargesAt('instant_ms')}
     FROM (
       SELECT ${cell}currency, dispatched_ms, off_rent_ms, rate_day_cents, rate_week_cents, rate_4week_cents, ${totalsAt('instant_ms')},
              instant, toUnixTimestamp64Milli(instant) AS instant_ms
       FROM (SELECT *, ${SETTLED_MS} FROM (SELECT *, ${TIMES_MS} FROM (${source})))
       ARRAY JOIN arrayFilter(x -> toUnixTimestamp64Milli(x) > dispatched_ms AND toUnixTimestamp64Milli(x) <= settled_ms,
         {instants:Array(DateTime64(3))}) AS instant
     )`;
  const settledLines = `SELECT *, arrayFirstIndex(x -> toUnixTimestamp64Milli(x) > greatest(settled_ms, dispatched_ms), {instants:Array(DateTime64(3))}) AS first_index
     FROM (SELECT *, ${chargesAt('t_ms')} FROM (SELECT *, ${SETTLED_MS} FROM (SELECT *, ${TIMES_MS}, toUnixTimestamp64Milli({to:DateTime64(3)}) AS t_ms FROM (${source}))))
     WHERE first_index > 0`;
  return `${grouped(0, priced, 'instant', 'indexOf({instants:Array(DateTime64(3))}, instant)')}
     UNION ALL
     ${grouped(1, settledLines, 'first_index', 'first_index')}`;
}
