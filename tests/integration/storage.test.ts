import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';

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
    const { insertRows, queryRows } = await import('@/lib/clickhouse/client');
    const base = { interface_id: 'rental-invoicing', entity_type: 'account.move', source_record_id: 'RD-INV-1', currency: 'USD', amount: 1840 };
    const failure = { ...base, event_id: 'e1', status: 'failed', error_category: 'validation', error_message: 'Missing analytic distribution', occurred_at: '2026-11-01 09:00:00.000' };
    const retry = { ...base, event_id: 'e2', status: 'retrying', error_category: 'validation', error_message: 'Missing analytic distribution', occurred_at: '2026-11-02 09:00:00.000' };
    await insertRows('sync_ledger', [failure, retry]);
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

    await insertRows('sync_ledger', [failure, retry]);
    [state] = await read();
    assert.equal(state?.attempts, 2, 'a replay of the same event ids is not another attempt');
    assert.equal(state?.failures, 2);

    await insertRows('sync_ledger', [{ ...base, event_id: 'e3', status: 'succeeded', occurred_at: '2026-11-03 10:00:00.000' }]);
    [state] = await read();
    assert.equal(state?.last_status, 'succeeded');
    assert.equal(state?.is_open_exception, 0);
    assert.equal(state?.resolved_at, '2026-11-03T10:00:00.000Z');
    assert.equal(state?.first_failure_at, '2026-11-01T09:00:00.000Z', 'first failure is kept after resolution');
  });

  it('user values reach ClickHouse only as parameters', async () => {
    const { queryRows } = await import('@/lib/clickhouse/client');
    const hostile = "x' OR 1=1 --";
    const rows = await queryRows<{ n: number }>(`SELECT count() AS n FROM sync_ledger WHERE source_record_id = {id:String}`, { id: hostile });
    assert.equal(rows[0]?.n, 0);
  });
});
