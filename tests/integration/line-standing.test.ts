import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/**
 * The kept billing standing of contract lines (lib/finance/line-standing.ts) on real chDB:
 * computed whole at first, then only for lines with events ingested since, reaching back the
 * visibility margin, and whole again by the job each hour. Times are relative to T, the test's
 * start; `ingested_at` is set on each event as ingest would have stamped it.
 */
let stores: TestStores;
let insertRows: typeof import('@/lib/clickhouse/client').insertRows;
let refreshLineStanding: typeof import('@/lib/finance/line-standing').refreshLineStanding;
let queryRows: typeof import('@/lib/clickhouse/client').queryRows;
let toClickHouseDateTime: typeof import('@/lib/clickhouse/client').toClickHouseDateTime;
let command: typeof import('@/lib/clickhouse/client').command;
let INGEST_VISIBILITY_MS = 0;

const T = Date.now();
const MIN = 60_000;
const at = (ms: number) => new Date(ms);
let seq = 0;

function rentalEvent(line: string, type: string, occurredAt: string, ingestedAtMs: number, extra: Record<string, unknown> = {}) {
  seq += 1;
  return {
    event_id: `ev-${seq}`, sync_key: `sk-${seq}`, interface_id: 'rental-dispatch', source_system: 'rentaldesk', target_system: 'odoo',
    entity_type: 'rental.contract', event_type: type, operation: 'upsert', source_record_id: line, status: 'succeeded',
    occurred_at: occurredAt, ingested_at: toClickHouseDateTime(at(ingestedAtMs)), currency: 'USD', project: 'JOB-1', customer: 'Acme Build',
    contract_id: line.split('-L')[0], contract_line_id: line, equipment_id: `EQ-${line}`, equipment_class: 'Excavator',
    attributes: type === 'rental.dispatched' ? { rate_day: '100', rate_week: '300', rate_4week: '800' } : {},
    ...extra,
  };
}

function invoiceEvent(line: string, record: string, amount: number, ingestedAtMs: number) {
  return rentalEvent(line, 'invoice.sync', '2026-11-10 09:00:00', ingestedAtMs, {
    interface_id: 'rental-invoicing', entity_type: 'account.move', source_record_id: record, amount, document_number: record,
    attributes: { move_type: 'out_invoice', period_start: '2026-11-01', period_end: '2026-11-08' },
  });
}

interface KeptLine {
  contract_line_id: string;
  computed_at_ms: number;
  off_rent_as_of: string | null;
  surcharge_cents: number;
  invoiced_cents: number;
}

async function kept(): Promise<Map<string, KeptLine>> {
  const rows = await queryRows<KeptLine>(
    `SELECT contract_line_id, toUnixTimestamp64Milli(computed_at) AS computed_at_ms, off_rent_as_of, surcharge_cents, invoiced_cents
     FROM rental_line_standing FINAL ORDER BY contract_line_id`,
  );
  return new Map(rows.map((r) => [r.contract_line_id, { ...r, computed_at_ms: Number(r.computed_at_ms), surcharge_cents: Number(r.surcharge_cents), invoiced_cents: Number(r.invoiced_cents) }]));
}

async function lastRun(): Promise<number> {
  const [row] = await queryRows<{ ms: number }>(`SELECT toUnixTimestamp64Milli(computed_at) AS ms FROM rental_standing_refreshes FINAL`);
  return Number(row?.ms);
}

/** Moves the kept trend cells' computation in time (rows are copied: computed_at is their version, which no mutation can change). */
async function trendCellsComputedAt(ms: number): Promise<void> {
  const rows = await queryRows<Record<string, unknown>>(
    `SELECT instants_key, project, customer, interface_id, currency, instant_index, settled, cents,
       toString(fromUnixTimestamp64Milli(toUnixTimestamp64Milli(computed_at) + {shift:Int64}, 'UTC')) AS computed_at
     FROM rental_trend_cells FINAL`,
    { shift: ms - Number((await queryRows<{ ms: number }>('SELECT toUnixTimestamp64Milli(max(computed_at)) AS ms FROM rental_trend_cells'))[0]?.ms) },
  );
  await command('TRUNCATE TABLE rental_trend_cells');
  await insertRows('rental_trend_cells', rows);
}

/** When the dated standing as of `asOf` was last computed whole (its refresh marker), if ever. */
async function datedMarker(asOf: Date): Promise<number | undefined> {
  const [row] = await queryRows<{ full_at_ms: number }>('SELECT toUnixTimestamp64Milli(full_at) AS full_at_ms FROM rental_standing_refreshes FINAL WHERE scope = {scope:String}', {
    scope: `dated_lines/v1/${asOf.toISOString()}`,
  });
  return row ? Number(row.full_at_ms) : undefined;
}

beforeAll(async () => {
  stores = await useTestStores();
  ({ refreshLineStanding } = await import('@/lib/finance/line-standing'));
  ({ insertRows, queryRows, toClickHouseDateTime, command } = await import('@/lib/clickhouse/client'));
  ({ INGEST_VISIBILITY_MS } = await import('@/lib/ledger/row'));
  await insertLedgerRows([
    rentalEvent('RC-1-L1', 'rental.dispatched', '2026-11-01 08:00:00', T - 180 * MIN),
    rentalEvent('RC-2-L1', 'rental.dispatched', '2026-11-02 08:00:00', T - 180 * MIN),
  ]);
});

afterAll(async () => {
  await stores.cleanup();
});

describe('kept contract-line standing', () => {
  it('computes every line at first, then only the lines with an event ingested since', async () => {
    assert.equal(await refreshLineStanding('page', at(T - 60 * MIN)), true, 'nothing kept yet: every line');
    let lines = await kept();
    assert.deepEqual([...lines.values()].map((l) => l.computed_at_ms), [T - 60 * MIN, T - 60 * MIN]);

    await insertLedgerRows([invoiceEvent('RC-1-L1', 'INV-1', 700, T - 50 * MIN)]);
    assert.equal(await refreshLineStanding('page', at(T - 45 * MIN)), false);
    lines = await kept();
    assert.equal(lines.get('RC-1-L1')?.invoiced_cents, 70000);
    assert.equal(lines.get('RC-1-L1')?.computed_at_ms, T - 45 * MIN, 'the changed line computed again');
    assert.equal(lines.get('RC-2-L1')?.computed_at_ms, T - 60 * MIN, 'the other kept as it was');
  });

  it('reaches back a few seconds for a page, the visibility margin for the job, for an event that became visible late', async () => {
    // Stamped a minute before the last computation (T - 45 min), visible only after it.
    await insertLedgerRows([rentalEvent('RC-2-L1', 'rental.off_rent', '2026-11-09 08:00:00', T - 46 * MIN)]);
    // And one stamped five seconds before it, for another line.
    await insertLedgerRows([rentalEvent('RC-1-L1', 'rental.surcharge', '2026-11-09 08:30:00', T - 45 * MIN - 5_000, { amount: 12 })]);
    await refreshLineStanding('page', at(T - 44 * MIN));
    assert.equal((await kept()).get('RC-1-L1')?.surcharge_cents, 1200, 'a page reaches back a few seconds');
    assert.equal((await kept()).get('RC-2-L1')?.off_rent_as_of, null, 'not a minute');
    // The job's next run reaches back the margin before its own previous run, whatever pages computed since.
    await refreshLineStanding('job', at(T - 43.5 * MIN));
    assert.equal((await kept()).get('RC-2-L1')?.off_rent_as_of, '2026-11-09T08:00:00.000Z');
  });

  it('picks up an event visible later than the margin when the job computes every line, once an hour', async () => {
    await refreshLineStanding('job', at(T - 38 * MIN));
    await insertLedgerRows([rentalEvent('RC-2-L1', 'rental.surcharge', '2026-11-09 09:00:00', T - 55 * MIN, { amount: 50 })]);
    await refreshLineStanding('page', at(T - 35 * MIN));
    assert.equal(await refreshLineStanding('job', at(T - 30 * MIN)), false, 'the last full computation is half an hour old');
    assert.equal((await kept()).get('RC-2-L1')?.surcharge_cents, 0, 'fifteen minutes late: past the margin');
    assert.equal(await refreshLineStanding('job', at(T)), true);
    assert.equal((await kept()).get('RC-2-L1')?.surcharge_cents, 5000);
  });

  it('writes nothing for a page when nothing changed; the job notes every run', async () => {
    await refreshLineStanding('page', at(Date.now()));
    assert.equal(await lastRun(), T);
    // Not ahead of the clock: a page reaches back only seconds before the last computation.
    const jobRun = Date.now();
    await refreshLineStanding('job', at(jobRun));
    assert.equal(await lastRun(), jobRun);
  });

  it('brings the standing up to date before the dashboard reads it', async () => {
    const { unbilledLine } = await import('@/lib/finance/unbilled');
    const asOf = new Date('2026-11-20T00:00:00Z');
    assert.equal((await unbilledLine('RC-2-L1', asOf))?.invoicedCents, 0);
    await insertLedgerRows([invoiceEvent('RC-2-L1', 'INV-2', 400, Date.now())]);
    const line = await unbilledLine('RC-2-L1', asOf);
    assert.equal(line?.invoicedCents, 40000);
    assert.equal(line?.oldestUnbilledDay, '2026-11-08', 'the invoiced period counts as covered');
  });

  it('keeps the trend of an unfiltered view in cells, read by its filtered views too, while no line changed; the job recomputes it once one did', async () => {
    const { unbilledTrend } = await import('@/lib/finance/unbilled');
    const { parseDashboardFilters } = await import('@/lib/finance/filters');
    const view = (params: Record<string, string>) => parseDashboardFilters({ from: '2026-11-01', ...params }).filters;
    const totalsOf = (trend: { points: { unbilledCents: Record<string, number> }[] }) => trend.points.map((p) => p.unbilledCents);
    const computed = await unbilledTrend(view({}));
    assert.equal(computed.computedAt, null);
    assert.ok(computed.points.every((p) => p.at.endsWith('T00:00:00.000Z')), 'day starts');
    const [kept] = await queryRows<{ instants_key: string; computed_at: string }>(
      'SELECT instants_key, toString(max(computed_at)) AS computed_at FROM rental_trend_cells GROUP BY instants_key',
    );
    assert.ok(kept, 'cells kept for the view\'s instants');
    // A cell of another project, settled by the first instant, as a mark of what is read from the cells.
    const mark = { instants_key: kept.instants_key, project: 'JOB-MARK', customer: 'Mark', interface_id: 'rental-dispatch', currency: 'USD', instant_index: 1, settled: 1, cents: 1 };
    await insertRows('rental_trend_cells', [{ ...mark, computed_at: kept.computed_at }]);
    const marked = totalsOf(computed).map((point) => ({ ...point, USD: (point.USD ?? 0) + 1 }));

    // Nothing ingested since (less the margin): exact, read from the cells by a page, the job and any filter.
    await trendCellsComputedAt(Date.now() + INGEST_VISIBILITY_MS + MIN);
    assert.deepEqual(await unbilledTrend(view({})), { points: computed.points.map((p, i) => ({ ...p, unbilledCents: marked[i]! })), computedAt: null });
    assert.deepEqual(totalsOf(await unbilledTrend(view({}), 'job')), marked);
    assert.deepEqual(totalsOf(await unbilledTrend(view({ project: 'JOB-MARK' }))), computed.points.map(() => ({ USD: 1 })));
    assert.deepEqual(totalsOf(await unbilledTrend(view({ project: 'JOB-1' }))), totalsOf(computed), 'every line is on JOB-1');
    assert.equal((await queryRows('SELECT 1 FROM rental_trend_views')).length, 0, 'no view kept on its own');

    // A line changed since: a page shows the cells as computed within two minutes and says when; the job computes them again.
    await trendCellsComputedAt(Date.now() - MIN);
    await insertLedgerRows([rentalEvent('RC-1-L1', 'rental.surcharge', '2026-11-03 10:00:00', Date.now(), { amount: 10 })]);
    const shown = await unbilledTrend(view({ currency: 'USD' }));
    assert.deepEqual(totalsOf(shown), marked);
    assert.ok(shown.computedAt !== null);
    const recomputed = await unbilledTrend(view({}), 'job');
    assert.equal(recomputed.computedAt, null);
    const lastUsd = (trend: { points: { unbilledCents: Record<string, number> }[] }) => trend.points[trend.points.length - 1]!.unbilledCents.USD ?? 0;
    assert.equal(lastUsd(recomputed), lastUsd(computed) + 1000, 'the new surcharge counts, and the mark is gone');

    // Older than two minutes, with a line changed since: an unfiltered page computes the cells again,
    // a filtered one computes its own view and keeps it apart.
    await trendCellsComputedAt(Date.now() - 10 * MIN);
    await insertLedgerRows([rentalEvent('RC-1-L1', 'rental.surcharge', '2026-11-12 10:00:00', Date.now(), { amount: 20 })]);
    const usd = await unbilledTrend(view({ currency: 'USD' }));
    assert.equal(usd.computedAt, null);
    assert.equal(lastUsd(usd), lastUsd(recomputed) + 2000);
    assert.equal((await queryRows('SELECT 1 FROM rental_trend_views')).length, 1, 'the filtered view kept on its own');
    assert.deepEqual(totalsOf(await unbilledTrend(view({}))), totalsOf(usd));
    assert.equal((await queryRows('SELECT 1 FROM rental_trend_cells WHERE computed_at > now64(3) - toIntervalMinute(1)')).length > 0, true, 'cells computed again');
  });

  it('keeps the trend of a filtered view whose instants have no cells on its own, shown again while no line changed', async () => {
    const { unbilledTrend } = await import('@/lib/finance/unbilled');
    const { parseDashboardFilters } = await import('@/lib/finance/filters');
    const filters = parseDashboardFilters({ from: '2026-11-02', to: '2026-11-18', project: 'JOB-1' }, new Date('2027-01-01T00:00:00Z')).filters;
    const computed = await unbilledTrend(filters);
    const [row] = await queryRows<{ view_key: string }>('SELECT view_key FROM rental_trend_views FINAL WHERE view_key LIKE {like:String}', { like: '%"instants":["2026-11-02T00:00:00.000Z"%' });
    assert.ok(row, 'kept on its own');
    const marked = computed.points.map(() => ({ USD: 1 }));
    await insertRows('rental_trend_views', [{ view_key: row.view_key, totals: marked, computed_at: toClickHouseDateTime(at(Date.now() + INGEST_VISIBILITY_MS + MIN)) }]);
    assert.deepEqual((await unbilledTrend(filters)).points.map((p) => p.unbilledCents), marked);
    assert.equal((await queryRows('SELECT 1 FROM rental_trend_cells WHERE instants_key LIKE {like:String}', { like: '%2026-11-02%' })).length, 0, 'no cells for it');
  });

  it('keeps the summary of a live view: a page shows one as of up to two minutes earlier and says so; the job computes it again', async () => {
    const { unbilledSummary } = await import('@/lib/finance/unbilled');
    const { parseDashboardFilters } = await import('@/lib/finance/filters');
    const live = () => parseDashboardFilters({}).filters;
    const usd = (summary: { totals: Record<string, number> }) => summary.totals.USD ?? 0;
    const first = live();
    const computed = await unbilledSummary(first);
    assert.equal(computed.asOf, first.to.toISOString(), 'nothing kept yet: computed as of the view');

    await insertLedgerRows([rentalEvent('RC-1-L1', 'rental.surcharge', '2026-11-04 10:00:00', Date.now(), { amount: 30 })]);
    const later = live();
    const shown = await unbilledSummary(later);
    assert.equal(shown.asOf, computed.asOf, 'the kept summary, saying what it is as of');
    assert.equal(usd(shown), usd(computed));

    const recomputed = await unbilledSummary(live(), 'job');
    assert.ok(recomputed.asOf > computed.asOf);
    assert.ok(usd(recomputed) >= usd(computed) + 3000, 'the new surcharge counts');
    assert.equal((await unbilledSummary(live())).asOf, recomputed.asOf, 'a page shows what the job computed');
    // Each view's merge is kept: the next look at it reads that (here marked), until the cells are computed again.
    const [keptView] = await queryRows<{ view_key: string; summary: string }>(
      'SELECT view_key, summary FROM rental_summary_views FINAL WHERE as_of = {as_of:DateTime64(3)}',
      { as_of: toClickHouseDateTime(new Date(recomputed.asOf)) },
    );
    assert.ok(keptView, 'the default view kept as merged from the cells');
    const marked = JSON.stringify({ ...JSON.parse(keptView.summary), totals: { USD: 1 } });
    await insertRows('rental_summary_views', [{ view_key: keptView.view_key, as_of: toClickHouseDateTime(new Date(recomputed.asOf)), summary: marked, computed_at: toClickHouseDateTime(new Date(Date.now() + MIN)) }]);
    assert.deepEqual((await unbilledSummary(live())).totals, { USD: 1 });
    const cellsAsOf = async (iso: string) =>
      (await queryRows('SELECT 1 FROM rental_summary_cells WHERE as_of = {as_of:DateTime64(3)}', { as_of: toClickHouseDateTime(new Date(iso)) })).length;
    assert.equal(await cellsAsOf(computed.asOf), await cellsAsOf(recomputed.asOf), 'the earlier computation stays whole for a page that chose it');
    const jobOne = await unbilledSummary(parseDashboardFilters({ project: 'JOB-1' }).filters);
    assert.deepEqual({ asOf: jobOne.asOf, totals: jobOne.totals }, { asOf: recomputed.asOf, totals: recomputed.totals }, 'a filtered view merges the same cells');
    assert.deepEqual((await unbilledSummary(parseDashboardFilters({ project: 'JOB-NONE' }).filters)).totals, {});

    // Contracts are counted once even when their lines fall in cells of different projects.
    assert.deepEqual([recomputed.lines, recomputed.contracts], [1, 1], 'RC-1-L1 (RC-2-L1 is billed)');
    await insertLedgerRows([rentalEvent('RC-1-L2', 'rental.dispatched', '2026-11-05 08:00:00', Date.now(), { project: 'JOB-2', contract_id: 'RC-1' })]);
    const twoProjects = await unbilledSummary(live(), 'job');
    assert.deepEqual([twoProjects.lines, twoProjects.contracts], [2, 1]);
    const byProject = async (project: string) => (await unbilledSummary(parseDashboardFilters({ project }).filters)).contracts;
    assert.deepEqual([await byProject('JOB-1'), await byProject('JOB-2')], [1, 1]);

    // As of more than two minutes before the view: a page computes it again.
    const old = new Date(Date.now() - 3 * MIN);
    await command('DELETE FROM rental_summary_cells WHERE 1');
    await insertRows('rental_summary_cells', [{ dimension: 'computed', as_of: toClickHouseDateTime(old) }]);
    const view = live();
    assert.equal((await unbilledSummary(view)).asOf, view.to.toISOString());

    // A dated view is computed as of its own instant, never served a live view's summary or cells.
    const dated = parseDashboardFilters({ to: '2027-01-31' }, new Date('2027-02-01T00:00:00Z')).filters;
    assert.equal((await unbilledSummary(dated)).asOf, '2027-02-01T00:00:00.000Z');
    const keptAsOf = await queryRows<{ as_of: string }>('SELECT toString(as_of) AS as_of FROM rental_summary_cells');
    assert.ok(keptAsOf.length > 0 && keptAsOf.every((r) => !r.as_of.startsWith('2027')), 'no summary kept as of the dated instant');
  });

  it('keeps a dated view\'s standing: read again while no event dated before its instant arrives, computed again when one does, or an hour on', async () => {
    const { unbilledLines, unbilledSummary, unbilledTrend, UNBILLED_SORT_KEYS } = await import('@/lib/finance/unbilled');
    const { parseDashboardFilters, parseTableParams } = await import('@/lib/finance/filters');
    const dated = parseDashboardFilters({ to: '2026-11-14' }).filters;
    assert.equal(dated.to.toISOString(), '2026-11-15T00:00:00.000Z');
    const usd = (summary: { totals: Record<string, number> }) => summary.totals.USD ?? 0;
    const computations = async () =>
      (
        await queryRows<{ ms: number }>(
          'SELECT DISTINCT toUnixTimestamp64Milli(computed_at) AS ms FROM rental_dated_standing WHERE as_of = {to:DateTime64(3)} ORDER BY ms',
          { to: toClickHouseDateTime(dated.to) },
        )
      ).map((r) => Number(r.ms));
    const surchargeOf = async () => (await unbilledLines(dated, parseTableParams({}, UNBILLED_SORT_KEYS, 'unbilled'))).find((l) => l.contractLineId === 'RC-1-L2')?.surchargeCents;

    const first = await unbilledSummary(dated);
    assert.equal(first.asOf, dated.to.toISOString());
    assert.ok(usd(first) > 0, 'RC-1-L2 is on rent, never invoiced');
    const [trend, surcharge] = await Promise.all([unbilledTrend(dated), surchargeOf()]);
    assert.deepEqual(trend.points[trend.points.length - 1]?.unbilledCents, first.totals, 'the trend ends at the same figures');
    assert.equal((await computations()).length, 1, 'one computation, shared by the summary, table and trend');
    assert.deepEqual((await unbilledSummary({ ...dated, project: 'JOB-2' })).totals, first.totals, 'a filtered view reads it too');
    const [computation] = await computations();
    const trendKeys = await queryRows<{ instants_key: string }>("SELECT DISTINCT instants_key FROM rental_trend_cells WHERE instants_key LIKE '%@%'");
    assert.deepEqual(trendKeys.map((k) => k.instants_key.split('@')[1]), [new Date(computation ?? 0).toISOString()], 'its trend kept in cells, named by the computation');
    const viewsKept = async () => (await queryRows('SELECT 1 FROM rental_trend_views')).length;
    const views = await viewsKept();
    const jobTwo = await unbilledTrend({ ...dated, project: 'JOB-2' });
    assert.deepEqual(jobTwo.points[jobTwo.points.length - 1]?.unbilledCents, first.totals);
    assert.equal(await viewsKept(), views, 'a filtered view reads the cells');

    // Events dated after the instant (nearly all that arrive) change nothing of it: read as kept.
    await insertLedgerRows([rentalEvent('RC-1-L2', 'rental.surcharge', '2026-11-20 10:00:00', Date.now(), { amount: 70, project: 'JOB-2', contract_id: 'RC-1' })]);
    assert.deepEqual((await unbilledSummary(dated)).totals, first.totals);
    assert.equal((await computations()).length, 1);

    // One dated before it, arriving late: computed again, counting it, for every part of the view.
    await insertLedgerRows([rentalEvent('RC-1-L2', 'rental.surcharge', '2026-11-12 10:00:00', Date.now(), { amount: 40, project: 'JOB-2', contract_id: 'RC-1' })]);
    assert.equal(usd(await unbilledSummary(dated)), usd(first) + 4000);
    assert.equal(await surchargeOf(), (surcharge ?? 0) + 4000);
    assert.equal((await computations()).length, 2);

    // One stamped before that computation but visible only after it, within the margin: computed again.
    const [, second] = await computations();
    await insertLedgerRows([rentalEvent('RC-1-L2', 'rental.surcharge', '2026-11-13 10:00:00', (second ?? 0) - MIN, { amount: 5, project: 'JOB-2', contract_id: 'RC-1' })]);
    assert.equal(usd(await unbilledSummary(dated)), usd(first) + 4500);
    assert.equal((await computations()).length, 3);
    assert.equal(usd(await unbilledSummary(dated)), usd(first) + 4500);
    assert.equal((await computations()).length, 3, 'counted once');

    // An hour after the last whole computation, the next look computes it again.
    const { datedStanding } = await import('@/lib/finance/line-standing');
    const [, , third] = await computations();
    assert.equal((await datedStanding(dated.to, at((third ?? 0) + 59 * MIN))).getTime(), third);
    assert.equal((await datedStanding(dated.to, at((third ?? 0) + 61 * MIN))).getTime(), (third ?? 0) + 61 * MIN);
    assert.equal((await computations()).length, 4);
  });

  it('keeps the view as of the last month\'s end from the minute job, so its first look reads kept figures', async () => {
    const { keepRentalFigures } = await import('@/lib/finance/jobs');
    const { monthEndFilters } = await import('@/lib/finance/filters');
    const monthEnd = monthEndFilters();
    await keepRentalFigures();
    const computed = await datedMarker(monthEnd.to);
    assert.ok(computed, 'its standing kept');
    const as = { as_of: toClickHouseDateTime(monthEnd.to), last: `%/${monthEnd.to.toISOString()}@%` };
    assert.equal((await queryRows('SELECT 1 FROM rental_summary_views FINAL WHERE as_of = {as_of:DateTime64(3)}', as)).length, 1, 'its summary kept');
    assert.ok((await queryRows('SELECT 1 FROM rental_trend_cells WHERE instants_key LIKE {last:String}', as)).length > 0, 'its trend kept in cells');
    await keepRentalFigures();
    assert.equal(await datedMarker(monthEnd.to), computed, 'the next run finds it holding');
  });

  it('keeps ahead yesterday\'s close and the dated views looked at within the day, the latest six, computing each again before a page would find it expired', async () => {
    const { keepRentalFigures } = await import('@/lib/finance/jobs');
    const { datedViewsKeptAhead, LOOKS_KEPT_AHEAD } = await import('@/lib/finance/dated-looks');
    const { monthEndFilters, parseDashboardFilters, yesterdayCloseFilters } = await import('@/lib/finance/filters');
    const { keepDatedView, unbilledSummary, unbilledTrend } = await import('@/lib/finance/unbilled');
    const { datedStanding, datedStandingAhead } = await import('@/lib/finance/line-standing');
    await command('TRUNCATE TABLE rental_dated_looks');
    const range = (view: { from: Date; to: Date }) => `${view.from.toISOString()}..${view.to.toISOString()}`;
    const now = new Date();
    // Yesterday's close is the live view in a day's first two minutes, and the month-end on a month's first day.
    const closes = [monthEndFilters(now), yesterdayCloseFilters(now)].filter((v, i, all) => now.getTime() - v.to.getTime() > 2 * MIN && all.findIndex((w) => range(w) === range(v)) === i);

    // A page's look at a dated view (filtered, over its own range) computes its standing and is noted, once per view for a while.
    const looked = parseDashboardFilters({ from: '2026-10-01', to: '2026-11-10', project: 'JOB-1' }).filters;
    await unbilledSummary(looked);
    await unbilledSummary(looked);
    assert.equal((await queryRows('SELECT 1 FROM rental_dated_looks')).length, 1);
    assert.deepEqual((await datedViewsKeptAhead(now)).map(range), [...closes, looked].map(range));
    const computed = await datedMarker(looked.to);
    assert.ok(computed, 'its standing kept');

    // The job keeps its unfiltered summary and its trend from that standing: a page's next look computes nothing.
    const summariesKept = async () => (await queryRows('SELECT 1 FROM rental_summary_views FINAL WHERE as_of = {as_of:DateTime64(3)}', { as_of: toClickHouseDateTime(looked.to) })).length;
    const trendsKept = async () => (await queryRows('SELECT DISTINCT instants_key FROM rental_trend_cells WHERE instants_key LIKE {key:String}', { key: `%/${looked.to.toISOString()}@%` })).length;
    const trendViewsKept = async () => (await queryRows('SELECT 1 FROM rental_trend_views')).length;
    assert.equal(await summariesKept(), 1, "the page's own");
    await keepRentalFigures();
    assert.equal(await datedMarker(looked.to), computed, 'the standing holds');
    assert.equal(await summariesKept(), 2, 'the unfiltered summary kept');
    assert.equal(await trendsKept(), 1, 'its trend kept in cells');
    const trendViews = await trendViewsKept();
    await unbilledSummary({ ...looked, project: '' });
    await unbilledTrend(looked);
    assert.equal(await summariesKept(), 2, 'the page read the kept summary');
    assert.equal(await trendsKept(), 1, 'and the kept trend cells');
    assert.equal(await trendViewsKept(), trendViews);
    for (const close of closes) assert.ok(await datedMarker(close.to), `${range(close)} kept`);

    // Five minutes before the hour is up, the job computes it again, and points pages at it only once it is published.
    const computedAt = computed ?? 0;
    assert.equal(await datedStandingAhead(looked.to, at(computedAt + 54 * MIN)), null, 'not yet due');
    const ahead = await datedStandingAhead(looked.to, at(computedAt + 56 * MIN));
    assert.equal(ahead?.standingAt.getTime(), computedAt + 56 * MIN);
    assert.equal((await datedStanding(looked.to, at(computedAt + 56 * MIN))).getTime(), computedAt, 'a page reads the one kept until then');
    await ahead?.publish();
    assert.equal((await datedStanding(looked.to, at(computedAt + 56 * MIN))).getTime(), computedAt + 56 * MIN);

    // After a late event no standing holds for pages either: the job computes one as a page would, published at once.
    await insertLedgerRows([rentalEvent('RC-1-L2', 'rental.surcharge', '2026-11-05 10:00:00', computedAt + 56.5 * MIN, { amount: 5, project: 'JOB-2', contract_id: 'RC-1' })]);
    const afterLate = await datedStandingAhead(looked.to, at(computedAt + 57 * MIN));
    assert.equal(afterLate?.standingAt.getTime(), computedAt + 57 * MIN);
    assert.equal((await datedStanding(looked.to, at(computedAt + 57.5 * MIN))).getTime(), computedAt + 57 * MIN, 'pages read it without waiting');

    // The job publishes a new standing only with its summary and trend kept: a page pointed at it computes nothing.
    const unfiltered = { ...looked, project: '' };
    await keepDatedView(unfiltered, at(computedAt + 57 * MIN + 56 * MIN));
    const recomputed = await datedMarker(looked.to);
    assert.equal(recomputed, computedAt + 113 * MIN, 'computed again and published');
    const summaries = await summariesKept();
    const trendKey = `%/${looked.to.toISOString()}@${new Date(recomputed ?? 0).toISOString()}`;
    assert.equal((await queryRows('SELECT DISTINCT instants_key FROM rental_trend_cells WHERE instants_key LIKE {key:String}', { key: trendKey })).length, 1, 'its trend kept');
    const trendViewsBefore = await trendViewsKept();
    await Promise.all([unbilledSummary(unfiltered), unbilledTrend(unfiltered)]);
    assert.equal(await summariesKept(), summaries, 'the page read the summary kept from it');
    assert.equal(await trendViewsKept(), trendViewsBefore);

    // Looks older than a day are not kept ahead, and of the rest only the latest six.
    const day = (n: number) => new Date(Date.UTC(2026, 10, n));
    await insertRows(
      'rental_dated_looks',
      Array.from({ length: LOOKS_KEPT_AHEAD + 1 }, (_, i) => ({
        as_of: toClickHouseDateTime(day(i + 1)), range_from: toClickHouseDateTime(day(0)), looked_at: toClickHouseDateTime(at(now.getTime() - (i + 1) * MIN)),
      })).concat({ as_of: toClickHouseDateTime(day(20)), range_from: toClickHouseDateTime(day(0)), looked_at: toClickHouseDateTime(at(now.getTime() - 25 * 60 * MIN)) }),
    );
    const latest = Array.from({ length: LOOKS_KEPT_AHEAD - 1 }, (_, i) => ({ from: day(0), to: day(i + 1) }));
    assert.deepEqual((await datedViewsKeptAhead(now)).map(range), [...closes, looked, ...latest].map(range));
  });

  it('versions 10 to 16 bring a store from before them up, and the first read computes every line', async () => {
    const { migrateClickHouse } = await import('@/lib/clickhouse/migrate');
    const { unbilledLine } = await import('@/lib/finance/unbilled');
    const asOf = new Date('2026-11-20T00:00:00Z');
    const before = await unbilledLine('RC-2-L1', asOf);
    for (const view of ['rental_lines_mv', 'rental_surcharges_mv', 'rental_invoices_mv']) await command(`DROP VIEW ${view}`);
    for (const table of ['rental_lines', 'rental_surcharges', 'rental_invoices']) {
      // As made before version 14: default granules.
      const [made] = await queryRows<{ statement: string }>(`SHOW CREATE TABLE ${table}`);
      const old = (made?.statement ?? '').replace(/^CREATE TABLE \S+/, `CREATE TABLE ${table}_old`).replace(/index_granularity = 256, min_compress_block_size = \d+, max_compress_block_size = \d+/, 'index_granularity = 8192');
      await command(old);
      await command(`INSERT INTO ${table}_old SELECT * FROM ${table}`);
      await command(`EXCHANGE TABLES ${table} AND ${table}_old`);
      await command(`DROP TABLE ${table}_old`);
      await command(`ALTER TABLE ${table} DROP COLUMN last_ingested_at`);
    }
    for (const table of ['rental_line_standing', 'rental_standing_refreshes', 'rental_trend_views', 'rental_summary_views', 'rental_summary_cells', 'rental_trend_cells', 'rental_dated_looks']) {
      await command(`DROP TABLE ${table}`);
    }
    // As version 13 made it: computations kept two hours.
    await command('ALTER TABLE rental_dated_standing MODIFY TTL toDateTime(computed_at) + INTERVAL 2 HOUR');
    await command('ALTER TABLE rental_dated_standing MODIFY SETTING merge_with_ttl_timeout = 1800');
    const datedTtl = async () =>
      (await queryRows<{ engine_full: string }>("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'rental_dated_standing'"))[0]?.engine_full ?? '';
    assert.match(await datedTtl(), /toIntervalHour\(2\) SETTINGS .*merge_with_ttl_timeout = 1800/);
    const granules = async () =>
      (await queryRows<{ engine_full: string }>("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'rental_lines'"))[0]?.engine_full ?? '';
    assert.match(await granules(), /index_granularity = 8192/);
    await command('DELETE FROM plumbline_schema_migrations WHERE version >= 10');
    assert.deepEqual(await migrateClickHouse(), [10, 11, 12, 13, 14, 15, 16]);
    assert.match(await datedTtl(), /TTL toDateTime\(computed_at\) \+ toIntervalMinute\(70\) SETTINGS .*merge_with_ttl_timeout = 600/, 'dated standings kept 70 minutes');
    assert.deepEqual(await unbilledLine('RC-2-L1', asOf), before);
    const settings = await queryRows<{ name: string; engine_full: string }>(
      "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN ('rental_lines', 'rental_surcharges', 'rental_invoices') ORDER BY name",
    );
    assert.deepEqual(settings.map((t) => [t.name, /index_granularity = 256\b/.test(t.engine_full)]), [['rental_invoices', true], ['rental_lines', true], ['rental_surcharges', true]], 'made again with small granules');
    await insertLedgerRows([rentalEvent('RC-2-L1', 'rental.surcharge', '2026-11-09 10:00:00', Date.now(), { amount: 25 })]);
    assert.equal((await unbilledLine('RC-2-L1', asOf))?.surchargeCents, (before?.surchargeCents ?? 0) + 2500, 'the recreated views note new events');
  });

  it('a page reaches back before the last computation only when an event within that reach arrived after it', async () => {
    const B = Date.now() + 10 * MIN;
    await insertLedgerRows([rentalEvent('RC-1-L1', 'rental.surcharge', '2026-11-09 11:00:00', B - 5_000, { amount: 1 })]);
    await refreshLineStanding('page', at(B));
    assert.equal((await kept()).get('RC-1-L1')?.computed_at_ms, B);

    await insertLedgerRows([rentalEvent('RC-2-L1', 'rental.surcharge', '2026-11-09 11:00:00', B + 30_000, { amount: 1 })]);
    await refreshLineStanding('page', at(B + MIN));
    let lines = await kept();
    assert.equal(lines.get('RC-2-L1')?.computed_at_ms, B + MIN, 'the line ingested since');
    assert.equal(lines.get('RC-1-L1')?.computed_at_ms, B, 'not the line ingested within reach before, whose event counted already');

    // Stamped within reach before that computation, visible only after it.
    const surcharge = lines.get('RC-1-L1')?.surcharge_cents ?? 0;
    await insertLedgerRows([rentalEvent('RC-1-L1', 'rental.surcharge', '2026-11-09 12:00:00', B + MIN - 5_000, { amount: 2 })]);
    await refreshLineStanding('page', at(B + 2 * MIN));
    lines = await kept();
    assert.equal(lines.get('RC-1-L1')?.surcharge_cents, surcharge + 200, 'reached back for it');
    assert.equal(lines.get('RC-1-L1')?.computed_at_ms, B + 2 * MIN);
  });
});
