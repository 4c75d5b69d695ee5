import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/** Foundation: migrations are idempotent on both stores and current record state is duplicate-proof. */
describe('storage foundation (chDB + PostgreSQL)', () => {
  let stores: TestStores;
  beforeAll(async () => {
    stores = await useTestStores();
  });
  afterAll(async () => {
    await stores.cleanup();
  });

  it('re-running migrations applies nothing and keeps data', async () => {
    const { migrateClickHouse } = await import('@/lib/clickhouse/migrate');
    const { migratePostgres } = await import('@/lib/db/migrate');
    const { prisma } = await import('@/lib/db/client');
    const db = await prisma();
    await db.system.create({ data: { key: 'odoo', name: 'Odoo', kind: 'erp' } });
    assert.deepEqual(await migrateClickHouse(), []);
    assert.deepEqual(await migratePostgres(), []);
    assert.equal(await db.system.count(), 1);
  });

  it('derives current state per record, and a replayed event changes nothing', async () => {
    const { queryRows } = await import('@/lib/clickhouse/client');
    const base = { interface_id: 'rental-invoicing', entity_type: 'account.move', source_record_id: 'RD-INV-1', currency: 'USD', amount: 1840 };
    const failure = { ...base, event_id: 'e1', status: 'failed', error_category: 'validation', error_message: 'Missing analytic distribution', occurred_at: '2026-11-01 09:00:00.000' };
    const retry = { ...base, event_id: 'e2', status: 'retrying', error_category: 'validation', error_message: 'Missing analytic distribution', occurred_at: '2026-11-02 09:00:00.000' };
    await insertLedgerRows([failure, retry]);
    const read = async () =>
      queryRows<{ last_status: string; attempts: number; failures: number; first_failure_at: string; is_open_exception: number; resolved_at: string | null; amount: number }>(
        `SELECT last_status, attempts, failures, first_failure_at, is_open_exception, resolved_at, amount FROM ledger_record_current WHERE source_record_id = {id:String}`,
        { id: 'RD-INV-1' },
      );
    let [state] = await read();
    assert.equal(state?.last_status, 'retrying');
    assert.equal(state?.is_open_exception, 1);
    assert.equal(state?.first_failure_at, '2026-11-01T09:00:00.000Z');
    assert.equal(state?.attempts, 2);

    await insertLedgerRows([failure, retry]);
    [state] = await read();
    assert.equal(state?.attempts, 2, 'a replay of the same event ids is not another attempt');
    assert.equal(state?.failures, 2);

    await insertLedgerRows([{ ...base, event_id: 'e3', status: 'succeeded', occurred_at: '2026-11-03 10:00:00.000' }]);
    [state] = await read();
    assert.equal(state?.last_status, 'succeeded');
    assert.equal(state?.is_open_exception, 0);
    assert.equal(state?.resolved_at, '2026-11-03T10:00:00.000Z');
    assert.equal(state?.first_failure_at, '2026-11-01T09:00:00.000Z', 'first failure is kept after resolution');
  });

  it('keeps records that ever failed apart, whatever order their events arrive in', async () => {
    const { command, queryRows } = await import('@/lib/clickhouse/client');
    // Unmerged parts: FINAL, not a background merge, must fold each record's rows.
    for (const table of ['ledger_records', 'ledger_exception_records']) await command(`SYSTEM STOP MERGES ${table}`);
    const base = { interface_id: 'vendor-bills', entity_type: 'account.move', currency: 'USD', amount: 500 };
    const at = (day: number) => `2026-11-${String(day).padStart(2, '0')} 08:00:00.000`;
    // A: the success after the failure arrives first (an out-of-order delivery).
    await insertLedgerRows([{ ...base, source_record_id: 'BILL-A', event_id: 'a2', status: 'succeeded', occurred_at: at(5) }]);
    await insertLedgerRows([{ ...base, source_record_id: 'BILL-A', event_id: 'a1', status: 'failed', error_category: 'validation', occurred_at: at(4) }]);
    // B: failure and fix in the same batch.
    await insertLedgerRows([
      { ...base, source_record_id: 'BILL-B', event_id: 'b1', status: 'failed', error_category: 'transient', occurred_at: at(4) },
      { ...base, source_record_id: 'BILL-B', event_id: 'b2', status: 'succeeded', occurred_at: at(6) },
    ]);
    // C: failure, then a retry in a later batch, then an older success arriving last.
    await insertLedgerRows([{ ...base, source_record_id: 'BILL-C', event_id: 'c2', status: 'failed', error_category: 'auth', occurred_at: at(7) }]);
    await insertLedgerRows([{ ...base, source_record_id: 'BILL-C', event_id: 'c3', status: 'retrying', error_category: 'auth', occurred_at: at(8) }]);
    await insertLedgerRows([{ ...base, source_record_id: 'BILL-C', event_id: 'c1', status: 'succeeded', occurred_at: at(3) }]);
    // D: never failed.
    await insertLedgerRows([{ ...base, source_record_id: 'BILL-D', event_id: 'd1', status: 'succeeded', occurred_at: at(3) }]);

    const read = (view: string) =>
      queryRows<{ source_record_id: string; last_status: string; attempts: number; failures: number; is_open_exception: number; first_failure_at: string | null; resolved_at: string | null }>(
        `SELECT source_record_id, last_status, attempts, failures, is_open_exception, first_failure_at, resolved_at FROM ${view}
         WHERE interface_id = 'vendor-bills' ORDER BY source_record_id`,
      );
    const everything = await read('ledger_record_current');
    assert.deepEqual(everything, [
      { source_record_id: 'BILL-A', last_status: 'succeeded', attempts: 2, failures: 1, is_open_exception: 0, first_failure_at: '2026-11-04T08:00:00.000Z', resolved_at: '2026-11-05T08:00:00.000Z' },
      { source_record_id: 'BILL-B', last_status: 'succeeded', attempts: 2, failures: 1, is_open_exception: 0, first_failure_at: '2026-11-04T08:00:00.000Z', resolved_at: '2026-11-06T08:00:00.000Z' },
      { source_record_id: 'BILL-C', last_status: 'retrying', attempts: 3, failures: 2, is_open_exception: 1, first_failure_at: '2026-11-07T08:00:00.000Z', resolved_at: null },
      { source_record_id: 'BILL-D', last_status: 'succeeded', attempts: 1, failures: 0, is_open_exception: 0, first_failure_at: null, resolved_at: null },
    ]);
    assert.deepEqual(await read('ledger_exception_current'), everything.slice(0, 3), 'the exception view holds exactly the records that ever failed, in the same state');
    for (const table of ['ledger_records', 'ledger_exception_records']) await command(`SYSTEM START MERGES ${table}`);
  });

  it('copies again the state of records that failed lately, mending what two overlapping flushes left out', async () => {
    const { command, queryRows } = await import('@/lib/clickhouse/client');
    const { recopyFailingRecords } = await import('@/lib/exceptions/state-repair');
    const base = { interface_id: 'vendor-bills', entity_type: 'account.move', currency: 'USD', amount: 700, source_record_id: 'BILL-R' };
    const since = new Date(Date.now() - 60_000);
    // What two ingest processes can leave: the success stored while the record was not known to
    // fail (no exception view), the failure copied before the success was stored (no backfill).
    await command('DETACH TABLE ledger_exception_records_mv');
    await command('DETACH TABLE ledger_exception_backfill_mv');
    await insertLedgerRows([{ ...base, event_id: 'r1', status: 'succeeded', occurred_at: '2026-11-03 08:00:00.000' }]);
    await command('ATTACH TABLE ledger_exception_records_mv');
    await insertLedgerRows([{ ...base, event_id: 'r2', status: 'failed', error_category: 'validation', occurred_at: '2026-11-04 08:00:00.000' }]);
    await command('ATTACH TABLE ledger_exception_backfill_mv');
    const read = (view: string) =>
      queryRows<{ attempts: number; failures: number; first_seen_at: string }>(`SELECT attempts, failures, first_seen_at FROM ${view} WHERE source_record_id = 'BILL-R'`);
    assert.deepEqual(await read('ledger_exception_current'), [{ attempts: 1, failures: 1, first_seen_at: '2026-11-04T08:00:00.000Z' }], 'the success is missing');

    await recopyFailingRecords(since);
    const mended = await read('ledger_exception_current');
    assert.deepEqual(mended, await read('ledger_record_current'));
    assert.deepEqual(mended, [{ attempts: 2, failures: 1, first_seen_at: '2026-11-03T08:00:00.000Z' }]);
    await recopyFailingRecords(since);
    assert.deepEqual(await read('ledger_exception_current'), mended, 'copied twice, unchanged');
    const neverFailed = await queryRows('SELECT 1 FROM ledger_exception_current WHERE source_record_id = {id:String}', { id: 'BILL-D' });
    assert.equal(neverFailed.length, 0, 'a record ingested within the window that never failed is not copied');
  });

  it('version 3 folds events stored before it into the record state', async () => {
    const { command, queryRows } = await import('@/lib/clickhouse/client');
    const { migrateClickHouse } = await import('@/lib/clickhouse/migrate');
    const snapshot = () =>
      queryRows<Record<string, unknown>>(
        `SELECT source_record_id, last_status, attempts, failures, first_failure_at, resolved_at, amount FROM ledger_exception_current ORDER BY source_record_id`,
      );
    const before = await snapshot();
    assert.ok(before.length >= 4, 'earlier tests left failed records');
    // Back to a version-2 store: no record state at all, only the ledger's events.
    for (const view of ['ledger_record_current', 'ledger_exception_current']) await command(`DROP VIEW ${view}`);
    for (const view of ['ledger_records_mv', 'ledger_exception_records_mv', 'ledger_exception_backfill_mv', 'ledger_filter_values_mv']) await command(`DROP VIEW ${view}`);
    for (const table of ['ledger_records', 'ledger_exception_records', 'ledger_filter_values']) await command(`DROP TABLE ${table}`);
    await command(`DELETE FROM plumbline_schema_migrations WHERE version = 3`);
    assert.deepEqual(await migrateClickHouse(), [3]);
    assert.deepEqual(await snapshot(), before);
    const { filterOptions } = await import('@/lib/finance/filter-options');
    assert.deepEqual((await filterOptions(['account.move'])).interfaces, ['rental-invoicing', 'vendor-bills']);
  });

  it("version 9 finds spans stored before it by their plumbline.interface attribute", async () => {
    const { command, insertRows, queryRows } = await import('@/lib/clickhouse/client');
    const { migrateClickHouse } = await import('@/lib/clickhouse/migrate');
    // Back to a version-8 store: spans without the column, then two stored.
    await command('ALTER TABLE otel_traces DROP COLUMN PlumblineInterface');
    await command(`DELETE FROM plumbline_schema_migrations WHERE version = 9`);
    const span = (spanId: string, attributes: Record<string, string>) => ({
      Timestamp: '2026-11-20 10:00:00.000',
      TraceId: 'f'.repeat(32),
      SpanId: spanId.padEnd(16, '0'),
      SpanName: 'export',
      ServiceName: 'middleware',
      SpanAttributes: attributes,
      Duration: 1_000_000,
    });
    await insertRows('otel_traces', [span('a', { 'plumbline.interface': 'rental-invoicing' }), span('b', {})]);
    assert.deepEqual(await migrateClickHouse(), [9]);
    const rows = await queryRows<{ SpanId: string; PlumblineInterface: string }>(
      `SELECT SpanId, PlumblineInterface FROM otel_traces WHERE TraceId = {t:String} ORDER BY SpanId`,
      { t: 'f'.repeat(32) },
    );
    assert.deepEqual(rows.map((r) => [r.SpanId[0], r.PlumblineInterface]), [['a', 'rental-invoicing'], ['b', '']]);
    // New spans get it on insert, and SELECT * still gives the Collector's columns only.
    await insertRows('otel_traces', [span('c', { 'plumbline.interface': 'vendor-bills' })]);
    const [fresh] = await queryRows<Record<string, unknown>>(`SELECT * FROM otel_traces WHERE SpanId = {s:String}`, { s: 'c'.padEnd(16, '0') });
    assert.equal(fresh?.PlumblineInterface, undefined);
    assert.deepEqual(await queryRows(`SELECT PlumblineInterface FROM otel_traces WHERE SpanId = {s:String}`, { s: 'c'.padEnd(16, '0') }), [{ PlumblineInterface: 'vendor-bills' }]);
  });

  it('embedded, runs a statement while another is still running (one chDB connection would make it wait)', async () => {
    const { queryRows } = await import('@/lib/clickhouse/client');
    const slow = queryRows<{ slept: number }>('SELECT sleep(1) AS slept');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const running = await queryRows<{ query: string }>(
      "SELECT query FROM system.processes WHERE query LIKE '%sleep(1) AS slept%' AND query NOT LIKE '%system.processes%'",
    );
    assert.equal(running.length, 1, 'the sleeping statement is seen running by one made meanwhile');
    assert.deepEqual(await slow, [{ slept: 0 }]);
  });

  it('reads a result in batches of the size asked, every row once and in order', async () => {
    const { queryRowBatches } = await import('@/lib/clickhouse/client');
    const sizes: number[] = [];
    const values: number[] = [];
    for await (const batch of queryRowBatches<{ n: number }>('SELECT number AS n FROM numbers({count:UInt32}) ORDER BY n', { count: 12_345 }, 5000)) {
      sizes.push(batch.length);
      for (const row of batch) values.push(Number(row.n));
    }
    assert.deepEqual(sizes, [5000, 5000, 2345]);
    assert.deepEqual(values, Array.from({ length: 12_345 }, (_, i) => i));
    const named = [];
    for await (const batch of queryRowBatches<{ n: number; s: string }>("SELECT number AS n, toString(number * 2) AS s FROM numbers(2)")) named.push(...batch);
    assert.deepEqual(named, [{ n: 0, s: '0' }, { n: 1, s: '2' }], 'each row an object by column name');
    const none = [];
    for await (const batch of queryRowBatches('SELECT number FROM numbers(10) WHERE number > 100')) none.push(batch);
    assert.deepEqual(none, [], 'no rows, no batch');
  });

  it('user values reach ClickHouse only as parameters', async () => {
    const { queryRows } = await import('@/lib/clickhouse/client');
    const hostile = "x' OR 1=1 --";
    const rows = await queryRows<{ n: number }>(`SELECT count() AS n FROM sync_ledger WHERE source_record_id = {id:String}`, { id: hostile });
    assert.equal(rows[0]?.n, 0);
  });
});
