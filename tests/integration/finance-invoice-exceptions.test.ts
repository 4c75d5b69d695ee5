import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/**
 * Failed invoice syncs on real chDB, as of 2026-11-30 00:00 UTC:
 *   open  I1 USD 1,000.50 failed 11-29 12:00 (0–1 d), analytic distribution missing;
 *         I2 USD 250.25 failed 11-25 (delivered twice), retrying 11-26 (2–7 d);
 *         I3 CAD 400.00 dead-lettered 11-10 (8–30 d); I4 vendor bill USD 999.99 failed 10-20 (31+ d);
 *   resolved by a later success: R1 10 h, R2 48 h, R3 1 h → mean 70,800 s, p90 172,800 s.
 */
let stores: TestStores;
let seq = 0;
/** The table's default first page; the export's rows are every row in its order. */
const FIRST_PAGE = { sort: 'first_failure', dir: 'desc', page: 1, pageSize: 25 } as const;

function ev(record: string, status: string, when: string, fields: Record<string, unknown> = {}) {
  seq += 1;
  const failing = status !== 'succeeded';
  return {
    event_id: `ev-${seq}`, sync_key: `sk-${record}`, interface_id: 'rental-invoicing', source_system: 'rentaldesk', target_system: 'odoo',
    entity_type: 'account.move', event_type: 'invoice.sync', operation: 'create', source_record_id: record, source_record_version: '1',
    target_record_id: '', status, attempt: 1, error_category: failing ? 'transient' : '', error_code: failing ? 'HTTP_504' : '',
    error_message: failing ? 'Gateway timeout from Odoo after 30000 ms' : '', occurred_at: when.replace('T', ' ').replace('Z', ''),
    synced_at: null, amount: 100, currency: 'USD', document_number: `INV/${record}`, project: 'JOB-1', customer: 'Acme Build', vendor: '',
    contract_id: '', contract_line_id: '', equipment_id: '', equipment_class: '', trace_id: 'ab'.repeat(16), span_id: '', schema_version: '',
    schema_drift: 0, attributes: { move_type: 'out_invoice' }, payload: '{"secret":"payload"}',
    ...fields,
  };
}

beforeAll(async () => {
  stores = await useTestStores();
  const i2 = ev('I2', 'failed', '2026-11-25T00:00:00Z', { amount: 250.25 });
  await insertLedgerRows([
    ev('I1', 'failed', '2026-11-29T12:00:00Z', {
      amount: 1000.5, error_category: 'validation', error_code: 'odoo.exceptions.ValidationError',
      error_message: 'Missing analytic distribution on line 3 of INV/2026/00042: project JOB-1 has no analytic account',
    }),
    i2,
    { ...i2 },
    ev('I2', 'retrying', '2026-11-26T00:00:00Z', { amount: 250.25 }),
    ev('I3', 'dead_lettered', '2026-11-10T00:00:00Z', { amount: 400, currency: 'CAD', customer: 'Bluewater Utilities' }),
    ev('I4', 'failed', '2026-10-20T00:00:00Z', { amount: 999.99, interface_id: 'vendor-bills', event_type: 'vendor_bill.sync', customer: '', vendor: 'Steelco', attributes: { move_type: 'in_invoice' } }),
    ev('R1', 'failed', '2026-11-20T00:00:00Z'),
    ev('R1', 'succeeded', '2026-11-20T10:00:00Z'),
    ev('R2', 'failed', '2026-11-21T00:00:00Z'),
    ev('R2', 'retrying', '2026-11-22T00:00:00Z'),
    ev('R2', 'succeeded', '2026-11-23T00:00:00Z'),
    ev('R3', 'failed', '2026-11-22T00:00:00Z'),
    ev('R3', 'succeeded', '2026-11-22T01:00:00Z'),
    ev('OK1', 'succeeded', '2026-11-22T01:00:00Z'),
  ]);
});

afterAll(async () => {
  await stores.cleanup();
});

/** The export's batches as one list. */
async function everyRow<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for await (const batch of batches) rows.push(...batch);
  return rows;
}

async function filtersFor(params: Record<string, string> = {}) {
  const { parseDashboardFilters } = await import('@/lib/finance/filters');
  return parseDashboardFilters({ from: '2026-09-01', to: '2026-11-29', ...params }, new Date('2027-01-01T00:00:00Z')).filters;
}

describe('failed invoice syncs', () => {
  it('sums money at risk per currency over open exceptions only', async () => {
    const { invoiceExceptionSummary } = await import('@/lib/finance/invoice-exceptions');
    const { moneyAtRisk, counts } = await invoiceExceptionSummary(await filtersFor());
    assert.deepEqual(moneyAtRisk.map((r) => [r.currency, r.records, r.amountCents]), [['USD', 3, 225074], ['CAD', 1, 40000]], 'largest first');
    assert.deepEqual(counts, { open: 4, failed: 2, retrying: 1, deadLettered: 1, resolved: 3 });
  });

  it('ages open exceptions from their first failure', async () => {
    const { invoiceExceptionSummary } = await import('@/lib/finance/invoice-exceptions');
    const { aging } = await invoiceExceptionSummary(await filtersFor());
    const records = Object.fromEntries(aging.map((a) => [`${a.bucket} ${a.currency}`, a.records]));
    assert.deepEqual(records, { '0-1 USD': 1, '2-7 USD': 1, '8-30 CAD': 1, '31+ USD': 1 });
  });

  it('a later success resolves: opened vs resolved per day, mean and p90 time to resolve', async () => {
    const { openedVsResolved, resolutionTimes, allInvoiceExceptionRows } = await import('@/lib/finance/invoice-exceptions');
    const flow = Object.fromEntries((await openedVsResolved(await filtersFor())).map((d) => [d.day, [d.opened, d.resolved]]));
    assert.deepEqual(flow, {
      '2026-10-20': [1, 0], '2026-11-10': [1, 0], '2026-11-20': [1, 1], '2026-11-21': [1, 0], '2026-11-22': [1, 1],
      '2026-11-23': [0, 1], '2026-11-25': [1, 0], '2026-11-29': [1, 0],
    });
    assert.deepEqual(await resolutionTimes(await filtersFor()), { resolved: 3, meanSeconds: 70800, p90Seconds: 172800 });
    const open = await everyRow(allInvoiceExceptionRows(await filtersFor(), 'open', { ...FIRST_PAGE, pageSize: 1 }));
    assert.deepEqual(open.map((r) => r.source_record_id).sort(), ['I1', 'I2', 'I3', 'I4']);
    const i2 = open.find((r) => r.source_record_id === 'I2');
    assert.equal(i2?.attempts, 2, 'the duplicated delivery is one attempt');
  });

  it('breaks down by category, interface and counterparty, and filters by customer or vendor', async () => {
    const { exceptionBreakdowns, allInvoiceExceptionRows } = await import('@/lib/finance/invoice-exceptions');
    const breakdowns = await exceptionBreakdowns(await filtersFor());
    assert.deepEqual(breakdowns.interface, {
      top: [
        { key: 'rental-invoicing', records: 3, atRiskCents: { CAD: 40000, USD: 125075 } },
        { key: 'vendor-bills', records: 1, atRiskCents: { USD: 99999 } },
      ],
      keys: 2,
    });
    assert.equal(breakdowns.category.top.find((r) => r.key === 'validation')?.records, 1);
    assert.deepEqual(breakdowns.project, { top: [{ key: 'JOB-1', records: 4, atRiskCents: { CAD: 40000, USD: 225074 } }], keys: 1 });
    assert.equal(breakdowns.counterparty.top.reduce((n, r) => n + r.records, 0), 4, 'every open exception once per dimension');
    assert.equal(breakdowns.counterparty.keys, 3);
    const steelco = await everyRow(allInvoiceExceptionRows(await filtersFor({ customer: 'Steelco' }), 'open', FIRST_PAGE));
    assert.deepEqual(steelco.map((r) => r.counterparty), ['Steelco']);
  });

  it('shows the top ten keys of a breakdown and counts them all; the export has every key', async () => {
    const { exceptionBreakdowns, exceptionBreakdown } = await import('@/lib/finance/invoice-exceptions');
    // First failures in June, outside the other tests' range.
    await insertLedgerRows(Array.from({ length: 12 }, (_, i) => ev(`J${i}`, 'failed', '2026-06-10T00:00:00Z', { customer: `Customer ${String(i).padStart(2, '0')}`, amount: 10 + i })));
    const june = await filtersFor({ from: '2026-06-01', to: '2026-06-30' });
    const { counterparty } = await exceptionBreakdowns(june);
    assert.equal(counterparty.top.length, 10);
    assert.equal(counterparty.keys, 12);
    const every = await exceptionBreakdown(june, 'counterparty');
    assert.equal(every.length, 12);
    assert.deepEqual(every.slice(0, 10), counterparty.top, 'the page shows the first ten of the export');
  });

  it('exports every key of a breakdown, money at risk in one column per currency', async () => {
    const { exceptionBreakdown, exceptionBreakdownExportColumns } = await import('@/lib/finance/invoice-exceptions');
    const { exportResponse } = await import('@/lib/api/csv');
    const rows = await exceptionBreakdown(await filtersFor(), 'counterparty');
    assert.deepEqual(rows, [
      { key: 'Acme Build', records: 2, atRiskCents: { USD: 125075 } },
      { key: 'Bluewater Utilities', records: 1, atRiskCents: { CAD: 40000 } },
      { key: 'Steelco', records: 1, atRiskCents: { USD: 99999 } },
    ]);
    const csv = await exportResponse(new Request('http://plumbline.test/x?format=csv'), 'by-counterparty', exceptionBreakdownExportColumns('counterparty', ['CAD', 'USD']), [rows]);
    assert.equal(
      await csv.text(),
      'counterparty,open,at_risk_CAD,at_risk_USD\nAcme Build,2,0.00,1250.75\nBluewater Utilities,1,400.00,0.00\nSteelco,1,0.00,999.99\n',
    );
  });

  it('puts the last error in business language', async () => {
    const { invoiceExceptionRows } = await import('@/lib/finance/invoice-exceptions');
    const { describeError } = await import('@/lib/exceptions/queue');
    const rows = await invoiceExceptionRows(await filtersFor(), 'open', { sort: 'amount', dir: 'desc', page: 1, pageSize: 2 });
    assert.deepEqual(rows.map((r) => r.source_record_id), ['I1', 'I4']);
    assert.equal(describeError(rows[0]!.last_error_category, rows[0]!.last_error_message, 'account.move'), 'Project has no analytic account in Odoo');
  });
});
