import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';

/** The sync-ledger contract end to end: validation at the boundary, exact money, every field stored. */
describe('sync-ledger contract (chDB)', () => {
  let stores: TestStores;
  beforeAll(async () => {
    stores = await useTestStores();
  });
  afterAll(async () => {
    await stores.cleanup();
  });

  const base = {
    interface_id: 'rental-invoicing',
    source_system: 'rentaldesk',
    target_system: 'odoo',
    entity_type: 'account.move',
    event_type: 'invoice.sync',
    operation: 'create',
    status: 'failed',
    error: { category: 'validation', code: 'odoo.exceptions.ValidationError', message: 'Missing analytic distribution on line 1 of INV/2026/00042' },
    occurred_at: '2026-11-20T09:15:00.123Z',
    currency: 'USD',
  };

  it('stores amounts exactly, from decimal strings and from numbers with two decimals', async () => {
    const { appendLedgerEvents } = await import('@/lib/ledger/store');
    const { queryRows } = await import('@/lib/clickhouse/client');
    const result = await appendLedgerEvents([
      { ...base, event_id: 'money-1', source_record_id: 'INV-1', amount: '9999999999999999.99' },
      { ...base, event_id: 'money-2', source_record_id: 'INV-2', amount: 0.1 },
      { ...base, event_id: 'money-3', source_record_id: 'INV-3', amount: 1840.255 },
      { ...base, event_id: 'money-4', source_record_id: 'INV-4', amount: '12,50' },
    ]);
    assert.equal(result.accepted, 2);
    assert.deepEqual(
      result.rejected.map((r) => [r.index, r.errors.some((e) => e.startsWith('amount'))]),
      [
        [2, true],
        [3, true],
      ],
    );
    const rows = await queryRows<{ event_id: string; amount: string }>(
      `SELECT event_id, toString(amount) AS amount FROM sync_ledger WHERE event_id IN {ids:Array(String)} ORDER BY event_id`,
      { ids: ['money-1', 'money-2'] },
    );
    assert.deepEqual(rows, [
      { event_id: 'money-1', amount: '9999999999999999.99' },
      { event_id: 'money-2', amount: '0.1' },
    ]);
  });

  it('keeps correlation, planning and rental terms', async () => {
    const { appendLedgerEvents } = await import('@/lib/ledger/store');
    const { queryRows } = await import('@/lib/clickhouse/client');
    const result = await appendLedgerEvents([
      {
        ...base,
        event_id: 'full-1',
        source_record_id: 'RD-INV-7',
        amount: '1840.00',
        job_id: 'b1c4e1a2-0000-4000-a000-000000000001',
        retryable: false,
        emitted_at: '2026-11-20T09:15:02.000Z',
        cost_code: '03 30 00',
        po_number: 'P00421',
        period_start: '2026-10-23',
        period_end: '2026-11-19',
        quantity: 28,
        unit: 'day',
        rate_terms: { day: '450', week: 1350, four_week: '3600.00' },
      },
    ]);
    assert.equal(result.accepted, 1, JSON.stringify(result.rejected));
    const [row] = await queryRows<Record<string, unknown>>(
      `SELECT job_id, retryable, emitted_at, cost_code, po_number, toString(period_start) AS period_start, toString(period_end) AS period_end,
              toString(quantity) AS quantity, unit, toString(rate_day) AS rate_day, toString(rate_week) AS rate_week, toString(rate_four_week) AS rate_four_week
       FROM sync_ledger WHERE event_id = {id:String}`,
      { id: 'full-1' },
    );
    assert.deepEqual(row, {
      job_id: 'b1c4e1a2-0000-4000-a000-000000000001',
      retryable: 0,
      emitted_at: '2026-11-20T09:15:02.000Z',
      cost_code: '03 30 00',
      po_number: 'P00421',
      period_start: '2026-10-23',
      period_end: '2026-11-19',
      quantity: '28',
      unit: 'day',
      rate_day: '450',
      rate_week: '1350',
      rate_four_week: '3600',
    });
  });

  it('refuses a period that ends before it starts and unknown fields', async () => {
    const { appendLedgerEvents } = await import('@/lib/ledger/store');
    const result = await appendLedgerEvents([
      { ...base, event_id: 'bad-period', source_record_id: 'X', period_start: '2026-11-19', period_end: '2026-10-23' },
      { ...base, event_id: 'bad-field', source_record_id: 'Y', invoice_colour: 'red' },
    ]);
    assert.equal(result.accepted, 0);
    assert.match(result.rejected[0]!.errors.join(' '), /period_end/);
    assert.match(result.rejected[1]!.errors.join(' '), /invoice_colour/);
  });

  it('refuses an event dated more than a day ahead, and takes clock skew', async () => {
    const { appendLedgerEvents } = await import('@/lib/ledger/store');
    const ahead = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const result = await appendLedgerEvents([
      { ...base, event_id: 'skewed', source_record_id: 'SKEW', occurred_at: ahead(1) },
      { ...base, event_id: 'future', source_record_id: 'FUTURE', occurred_at: ahead(48) },
    ]);
    assert.equal(result.accepted, 1);
    assert.deepEqual(result.rejected.map((r) => [r.index, r.event_id]), [[1, 'future']]);
    assert.match(result.rejected[0]!.errors.join(' '), /occurred_at.*24 hours ahead/);
  });
});
