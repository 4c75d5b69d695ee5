import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { parseDashboardFilters, parseTableParams, type DashboardFilters } from '@/lib/finance/filters';
import type { UnbilledLine } from '@/lib/finance/unbilled';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

let unbilledSummary: typeof import('@/lib/finance/unbilled').unbilledSummary;
let unbilledLines: typeof import('@/lib/finance/unbilled').unbilledLines;
let allUnbilledLines: typeof import('@/lib/finance/unbilled').allUnbilledLines;
let unbilledTrend: typeof import('@/lib/finance/unbilled').unbilledTrend;
let unbilledLine: typeof import('@/lib/finance/unbilled').unbilledLine;
let UNBILLED_SORT_KEYS: readonly string[] = [];
let ALL_LINES: ReturnType<typeof parseTableParams>;

/**
 * Unbilled rentals on real chDB, against hand-computed figures. Rates $100/day, $300/week,
 * $800/4 weeks; the as-of instant is 2026-11-30 00:00 UTC.
 *   A  USD dispatched 11-01 08:00, off-rent 11-10 08:00 (9 d = $500), transport $175 (delivered
 *      twice with one event_id, and retried under the same sync key) + fuel $60 → $735 unbilled,
 *      oldest unbilled day 11-01 (29 days), returned not invoiced.
 *   B  USD on rent since 10-01 08:00 (60 d = 2×4 weeks + 1 week = $1,900), no invoice → past its cycle.
 *   C  USD 10-05 08:00 → off-rent 11-16 08:00 (42 d = 4 weeks + 2 weeks = $1,400); invoice 1
 *      (10-05..11-02, $800) failed then succeeded, credit note $80, invoice 2 (11-02..11-16,
 *      $600) dead-lettered → billed $720, unbilled $680, aged from 11-02 (28 days), invoice failing.
 *   D  USD 11-20 → 11-23 (3 d = $300) fully invoiced → not listed.
 *   E  CAD on rent since 11-25 00:00 (5 d = $300, a week is cheaper) → in cycle, 5 days old.
 */
let stores: TestStores;
let seq = 0;

/** The export's lines, every batch. */
async function everyLine(filters: DashboardFilters, table: typeof ALL_LINES): Promise<UnbilledLine[]> {
  const lines: UnbilledLine[] = [];
  for await (const batch of allUnbilledLines(filters, table)) lines.push(...batch);
  return lines;
}

function row(fields: Record<string, unknown>) {
  seq += 1;
  return {
    event_id: `ev-${seq}`, sync_key: `sk-${seq}`, interface_id: 'rental-dispatch', source_system: 'rentaldesk', target_system: 'odoo',
    entity_type: 'rental.contract', event_type: 'rental.dispatched', operation: 'upsert', source_record_id: '', source_record_version: '',
    target_record_id: '', status: 'succeeded', attempt: 1, error_category: '', error_code: '', error_message: '', occurred_at: '',
    synced_at: null, amount: 0, currency: '', document_number: '', project: 'JOB-1', customer: 'Acme Build', vendor: '', contract_id: '',
    contract_line_id: '', equipment_id: '', equipment_class: 'Excavator', trace_id: '', span_id: '', schema_version: '', schema_drift: 0,
    attributes: {}, payload: '',
    ...fields,
  };
}

const RATES = { rate_day: '100', rate_week: '300', rate_4week: '800' };
const at = (s: string) => s.replace('T', ' ').replace('Z', '');

function rental(line: string, contract: string, type: string, when: string, extra: Record<string, unknown> = {}) {
  return row({ source_record_id: line, contract_line_id: line, contract_id: contract, equipment_id: `EQ-${line}`, event_type: type, occurred_at: at(when), ...extra });
}

function invoice(line: string, record: string, moveType: string, status: string, when: string, amount: number, periodStart: string, periodEnd: string, extra: Record<string, unknown> = {}) {
  const failing = status !== 'succeeded';
  return row({
    interface_id: 'rental-invoicing', entity_type: 'account.move', event_type: 'invoice.sync', operation: 'create', source_record_id: record,
    contract_line_id: line, contract_id: line.split('-L')[0], status, occurred_at: at(when), amount, currency: 'USD', document_number: record,
    error_category: failing ? 'validation' : '', error_message: failing ? 'Missing analytic distribution on line 1' : '',
    attributes: { move_type: moveType, period_start: periodStart, period_end: periodEnd }, ...extra,
  });
}

beforeAll(async () => {
  stores = await useTestStores();
  ({ unbilledSummary, unbilledLines, allUnbilledLines, unbilledTrend, unbilledLine, UNBILLED_SORT_KEYS } = await import('@/lib/finance/unbilled'));
  ALL_LINES = parseTableParams({}, UNBILLED_SORT_KEYS, 'unbilled');
  const transport = rental('RC-1-L1', 'RC-1', 'rental.surcharge', '2026-11-01T08:05:00Z', { amount: 175, currency: 'USD', sync_key: 'surcharge-A-transport', attributes: { surcharge_kind: 'transport' } });
  const c1Success = invoice('RC-3-L1', 'INV-C1', 'out_invoice', 'succeeded', '2026-11-03T09:00:00Z', 800, '2026-10-05', '2026-11-02');
  await insertLedgerRows([
    rental('RC-1-L1', 'RC-1', 'rental.dispatched', '2026-11-01T08:00:00Z', { currency: 'USD', attributes: RATES }),
    transport,
    { ...transport },
    { ...transport, event_id: 'ev-transport-retry', occurred_at: at('2026-11-01T08:06:00Z') },
    rental('RC-1-L1', 'RC-1', 'rental.off_rent', '2026-11-10T08:00:00Z'),
    rental('RC-1-L1', 'RC-1', 'rental.returned', '2026-11-11T09:00:00Z'),
    rental('RC-1-L1', 'RC-1', 'rental.surcharge', '2026-11-11T09:30:00Z', { amount: 60, currency: 'USD', attributes: { surcharge_kind: 'fuel' } }),

    rental('RC-2-L1', 'RC-2', 'rental.dispatched', '2026-10-01T08:00:00Z', { currency: 'USD', project: 'JOB-2', attributes: RATES }),

    rental('RC-3-L1', 'RC-3', 'rental.dispatched', '2026-10-05T08:00:00Z', { currency: 'USD', attributes: RATES }),
    rental('RC-3-L1', 'RC-3', 'rental.off_rent', '2026-11-16T08:00:00Z'),
    invoice('RC-3-L1', 'INV-C1', 'out_invoice', 'failed', '2026-11-03T08:00:00Z', 800, '2026-10-05', '2026-11-02'),
    c1Success,
    { ...c1Success },
    invoice('RC-3-L1', 'RINV-C1', 'out_refund', 'succeeded', '2026-11-05T08:00:00Z', 80, '2026-10-05', '2026-11-02'),
    invoice('RC-3-L1', 'INV-C2', 'out_invoice', 'failed', '2026-11-17T08:00:00Z', 600, '2026-11-02', '2026-11-16'),
    invoice('RC-3-L1', 'INV-C2', 'out_invoice', 'dead_lettered', '2026-11-17T09:00:00Z', 600, '2026-11-02', '2026-11-16'),

    rental('RC-4-L1', 'RC-4', 'rental.dispatched', '2026-11-20T00:00:00Z', { currency: 'USD', attributes: RATES }),
    rental('RC-4-L1', 'RC-4', 'rental.off_rent', '2026-11-23T00:00:00Z'),
    invoice('RC-4-L1', 'INV-D1', 'out_invoice', 'succeeded', '2026-11-24T00:00:00Z', 300, '2026-11-20', '2026-11-23'),

    rental('RC-5-L1', 'RC-5', 'rental.dispatched', '2026-11-25T00:00:00Z', { currency: 'CAD', customer: 'Bluewater Utilities', attributes: RATES }),

    // F: reported with the ledger contract's own fields (rate_terms, period, credit_note.sync), no attributes.
    rental('RC-6-L1', 'RC-6', 'rental.dispatched', '2026-11-10T00:00:00Z', { currency: 'USD', rate_day: 100, rate_week: 300, rate_four_week: 800 }),
    rental('RC-6-L1', 'RC-6', 'rental.off_rent', '2026-11-13T00:00:00Z'),
    invoice('RC-6-L1', 'INV-F1', '', 'succeeded', '2026-11-14T00:00:00Z', 350, '', '', { attributes: {}, period_start: '2026-11-10', period_end: '2026-11-13' }),
    invoice('RC-6-L1', 'RINV-F1', '', 'succeeded', '2026-11-15T00:00:00Z', 50, '', '', { event_type: 'credit_note.sync', attributes: {} }),
  ]);
});

afterAll(async () => {
  await stores.cleanup();
});

function filtersOf(params: Record<string, string>) {
  return parseDashboardFilters({ from: '2026-09-01', to: '2026-11-29', ...params }, new Date('2027-01-01T00:00:00Z')).filters;
}

async function dashboard(params: Record<string, string>) {
  const filters = filtersOf(params);
  const [summary, lines, trend] = await Promise.all([unbilledSummary(filters), everyLine(filters, ALL_LINES), unbilledTrend(filters)]);
  return { ...summary, lines, trend: trend.points };
}

describe('unbilled rentals', () => {
  it('computes each contract line from its events', async () => {
    const d = await dashboard({});
    const byLine = new Map(d.lines.map((l) => [l.contractLineId, l]));
    assert.deepEqual([...byLine.keys()].sort(), ['RC-1-L1', 'RC-2-L1', 'RC-3-L1', 'RC-5-L1']);

    const a = byLine.get('RC-1-L1')!;
    assert.equal(a.billableDays, 9);
    assert.equal(a.surchargeCents, 23500, 'transport counted once despite a duplicate event_id and a retry');
    assert.equal(a.unbilledCents, 73500);
    assert.equal(a.oldestUnbilledDay, '2026-11-01');
    assert.equal(a.ageDays, 29);
    assert.equal(a.bucket, '8-30');
    assert.equal(a.cause, 'returned_not_invoiced');

    const b = byLine.get('RC-2-L1')!;
    assert.equal(b.billableDays, 60);
    assert.equal(b.unbilledCents, 190000);
    assert.equal(b.cause, 'on_rent_past_cycle');
    assert.equal(b.bucket, '31-60');

    const c = byLine.get('RC-3-L1')!;
    assert.equal(c.accruedCents, 140000);
    assert.equal(c.invoicedCents, 80000, 'the retried invoice bills once');
    assert.equal(c.creditedCents, 8000);
    assert.equal(c.unbilledCents, 68000);
    assert.equal(c.oldestUnbilledDay, '2026-11-02');
    assert.equal(c.ageDays, 28);
    assert.equal(c.cause, 'invoice_failing');
    assert.equal(c.failingInvoice?.sourceRecordId, 'INV-C2');

    const e = byLine.get('RC-5-L1')!;
    assert.equal(e.currency, 'CAD');
    assert.equal(e.unbilledCents, 30000);
    assert.equal(e.cause, 'in_cycle');
    assert.equal(e.bucket, '0-7');
  });

  it('sums per currency, counts contracts and finds the oldest item', async () => {
    const d = await dashboard({});
    assert.deepEqual(d.totals, { USD: 331500, CAD: 30000 });
    assert.equal(d.contracts, 4);
    assert.equal((await unbilledSummary(filtersOf({}))).lines, 4, 'contract lines with something unbilled, across currencies');
    assert.equal(d.oldest?.contractLineId, 'RC-2-L1');
    const aging = Object.fromEntries(d.aging.map((b) => [b.key, b.unbilledCents]));
    assert.deepEqual(aging, { '0-7': { CAD: 30000 }, '8-30': { USD: 141500 }, '31-60': { USD: 190000 }, '61-90': {}, '90+': {} });
    const causes = Object.fromEntries(d.causes.map((c) => [c.cause, c.lines]));
    assert.deepEqual(causes, { invoice_failing: 1, returned_not_invoiced: 1, on_rent_past_cycle: 1, in_cycle: 1 });
    assert.deepEqual(d.byProject.find((p) => p.key === 'JOB-2')?.unbilledCents, { USD: 190000 });
  });

  it('exports every key of a breakdown, unbilled value in one column per currency', async () => {
    const { breakdownExportColumns } = await import('@/lib/finance/unbilled');
    const { exportResponse } = await import('@/lib/api/csv');
    const d = await dashboard({});
    const csv = await exportResponse(new Request('http://plumbline.test/x?format=csv'), 'by-project', breakdownExportColumns('project', ['CAD', 'USD']), [d.byProject]);
    assert.equal(await csv.text(), 'project,lines,unbilled_CAD,unbilled_USD\nJOB-2,1,0.00,1900.00\nJOB-1,3,300.00,1415.00\n');
  });

  it('filters by currency and project', async () => {
    assert.deepEqual((await dashboard({ currency: 'CAD' })).lines.map((l) => l.contractLineId), ['RC-5-L1']);
    assert.deepEqual((await dashboard({ project: 'JOB-2' })).totals, { USD: 190000 });
  });

  it('merges a live view of any filter from the summary cells kept for every filter, as its own lines add up', async () => {
    const live = (params: Record<string, string>) => parseDashboardFilters(params).filters;
    const kept = await unbilledSummary(live({}), 'job');
    const views: Record<string, string>[] = [{}, { project: 'JOB-2' }, { currency: 'CAD' }, { customer: 'Bluewater Utilities' }, { project: 'JOB-1', currency: 'USD' }, { project: 'JOB-NONE' }];
    for (const params of views) {
      const view = JSON.stringify(params);
      const summary = await unbilledSummary(live(params));
      assert.equal(summary.asOf, kept.asOf, `${view}: merged from the kept cells`);
      const lines = await everyLine({ ...live(params), to: new Date(summary.asOf) }, ALL_LINES);
      const sum = (of: typeof lines) => of.reduce<Record<string, number>>((t, l) => ({ ...t, [l.currency]: (t[l.currency] ?? 0) + l.unbilledCents }), {});
      assert.deepEqual(summary.totals, sum(lines), view);
      assert.equal(summary.lines, lines.length, view);
      assert.equal(summary.contracts, new Set(lines.map((l) => l.contractId)).size, view);
      const [oldest] = [...lines].sort((a, b) => b.ageDays - a.ageDays || b.unbilledCents - a.unbilledCents || a.contractLineId.localeCompare(b.contractLineId));
      assert.equal(summary.oldest?.contractLineId, oldest?.contractLineId, view);
      for (const row of summary.byProject) assert.deepEqual(row.unbilledCents, sum(lines.filter((l) => l.project === row.key)), `${view} ${row.key}`);
      for (const row of summary.byCustomer) assert.equal(row.lines, lines.filter((l) => l.customer === row.key).length, `${view} ${row.key}`);
      for (const bucket of summary.aging) assert.deepEqual(bucket.unbilledCents, sum(lines.filter((l) => l.bucket === bucket.key)), `${view} ${bucket.key}`);
      for (const cause of summary.causes) assert.equal(cause.lines, lines.filter((l) => l.cause === cause.cause).length, `${view} ${cause.cause}`);
    }
  });

  it('answers as of a past date, ignoring later events (the trend uses the same maths)', async () => {
    // As of 11-01 00:00: B has run 31 days ($800 + 3 days $300 = $1,100), C 27 days ($800, invoice not yet synced).
    const d = await dashboard({ to: '2026-10-31' });
    assert.deepEqual(d.totals, { USD: 190000 });
    const last = d.trend[d.trend.length - 1];
    assert.deepEqual(last?.unbilledCents, { USD: 190000 });
    assert.ok(d.trend.length > 10);
  });
});

describe('unbilled rentals: table, detail and sources', () => {
  it('sorts, filters by cause and pages the lines on the server', async () => {
    const filters = filtersOf({});
    const byAge = await unbilledLines(filters, { ...ALL_LINES, sort: 'age', dir: 'asc' });
    assert.deepEqual(byAge.map((l) => l.contractLineId), ['RC-5-L1', 'RC-3-L1', 'RC-1-L1', 'RC-2-L1']);
    const failing = await unbilledLines(filters, ALL_LINES, { cause: 'invoice_failing' });
    assert.deepEqual(failing.map((l) => l.contractLineId), ['RC-3-L1']);
    assert.deepEqual(await unbilledLines(filters, { ...ALL_LINES, page: 2 }), []);
    const firstTwo = await unbilledLines(filters, { ...ALL_LINES, pageSize: 2 });
    const nextTwo = await unbilledLines(filters, { ...ALL_LINES, pageSize: 2, page: 2 });
    assert.deepEqual([...firstTwo, ...nextTwo].map((l) => l.contractLineId), ['RC-2-L1', 'RC-1-L1', 'RC-3-L1', 'RC-5-L1']);
  });

  it('reads rates, periods and credit notes from the ledger contract fields as from attributes', async () => {
    const f = await unbilledLine('RC-6-L1', filtersOf({}).to);
    assert.deepEqual(
      f && [f.billableDays, f.accruedCents, f.invoicedCents, f.creditedCents, f.unbilledCents, f.oldestUnbilledDay],
      [3, 30000, 35000, 5000, 0, '2026-11-13'],
    );
  });

  it('shows one line, billed or not, for its detail page', async () => {
    const asOf = filtersOf({}).to;
    const d = await unbilledLine('RC-4-L1', asOf);
    assert.equal(d?.unbilledCents, 0);
    assert.equal(d?.billedCents, 30000);
    assert.deepEqual(d?.rates, { day: '100', week: '300', fourWeek: '800' });
    assert.equal(await unbilledLine('RC-404-L1', asOf), null);
  });

  it('keeps the same standing from the rental state tables as it computes from the events', async () => {
    const { stateCovers, standingSql, eventLinesSql, LINES_PARAM_FILTER } = await import('@/lib/finance/rental-queries');
    const { keptStandingSql } = await import('@/lib/finance/line-standing');
    assert.equal(await stateCovers(filtersOf({}).to), true, 'no rental event after the as-of instant');
    assert.equal(await stateCovers(filtersOf({ to: '2026-11-01' }).to), false, 'events after it: read the events');
    const { queryRows } = await import('@/lib/clickhouse/client');
    const { filterQueryParams } = await import('@/lib/finance/filters');
    const params = { ...filterQueryParams(filtersOf({})), lines: [] };
    const read = (standing: string) =>
      queryRows(`SELECT * FROM (${standing}) ORDER BY contract_line_id`, params).then((rows) => JSON.stringify(rows));
    const [kept, fromEvents] = await Promise.all([read(await keptStandingSql()), read(standingSql(eventLinesSql(LINES_PARAM_FILTER), '{to:DateTime64(3)}'))]);
    assert.equal(kept, fromEvents);
    assert.ok(kept.includes('INV-C2'));
  });

  it('version 4 folds rental events stored before it into the rental state', async () => {
    const { command } = await import('@/lib/clickhouse/client');
    const { migrateClickHouse } = await import('@/lib/clickhouse/migrate');
    const before = await dashboard({});
    for (const view of ['rental_lines_mv', 'rental_surcharges_mv', 'rental_invoices_mv']) await command(`DROP VIEW ${view}`);
    for (const table of ['rental_lines', 'rental_surcharges', 'rental_invoices']) await command(`DROP TABLE ${table}`);
    await command(`DELETE FROM plumbline_schema_migrations WHERE version = 4`);
    assert.deepEqual(await migrateClickHouse(), [4]);
    // Nothing kept from before counts: every standing is computed again from the state.
    await command('TRUNCATE TABLE rental_standing_refreshes');
    assert.deepEqual(await dashboard({}), before);
  });

  it('draws the trend with the same maths as the balance as of each instant', async () => {
    const filters = filtersOf({});
    const { points: trend } = await unbilledTrend(filters);
    assert.ok(trend.length > 40);
    // Every fifth point, and each of the last two weeks', where lines settle (off rent, then billed: D's invoice on 11-24).
    for (const point of trend.filter((p, i) => i % 5 === 0 || p.at >= '2026-11-14')) {
      const asOf: DashboardFilters = { ...filters, to: new Date(point.at) };
      assert.deepEqual(point.unbilledCents, (await unbilledSummary(asOf)).totals, point.at);
    }
  });

  it('prices every day count as the exhaustive cheapest-combination search does', async () => {
    const { cheapestCentsSql } = await import('@/lib/finance/unbilled');
    const { cheapestRentalCharge } = await import('@/lib/finance/rental-billing');
    const { queryRows } = await import('@/lib/clickhouse/client');
    const rates = [
      [10000, 30000, 80000],
      [10000, 70000, 280000],
      [10000, 70000, 250000],
      [12000, 90000, 200000],
      [5000, 40000, 100000],
      [30000, 20000, 90000],
      [10000, 100000, 50000],
      [0, 30000, 80000],
      [1, 7, 28],
      [33333, 99999, 266666],
    ];
    const rows = await queryRows<{ d: number; D: number; W: number; F: number; cents: number }>(
      `SELECT d, r[1] AS D, r[2] AS W, r[3] AS F, ${cheapestCentsSql('d', 'D', 'W', 'F')} AS cents
       FROM (SELECT toInt64(number + 1) AS d FROM numbers(400)) ARRAY JOIN {rates:Array(Array(Int64))} AS r`,
      { rates },
    );
    assert.equal(rows.length, 400 * rates.length);
    for (const row of rows) {
      const expected = cheapestRentalCharge(Number(row.d), { day: Number(row.D) / 100, week: Number(row.W) / 100, fourWeek: Number(row.F) / 100 }).amountCents;
      assert.equal(Number(row.cents), expected, `${row.d} days at ${row.D}/${row.W}/${row.F}`);
    }
  });
});
