import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/**
 * "What happened to invoice INV/2026/0042?": the business key finds the trace through the
 * ledger and through span attributes, and the waterfall returns every span of that trace
 * across services, parents before children, bounded by the trace-id lookup table.
 */
let stores: TestStores;

const NOW = new Date('2026-11-20T12:00:00.000Z');
const INVOICE_TRACE = 'a'.repeat(31) + '1';
const OTHER_TRACE = 'b'.repeat(31) + '2';
const SPAN_ONLY_TRACE = 'c'.repeat(31) + '3';

function ns(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '') + '000000';
}

function span(traceId: string, spanId: string, parent: string, service: string, name: string, startOffsetMs: number, durationMs: number, attributes: Record<string, string>, error = false) {
  const start = new Date(NOW.getTime() - 60 * 60_000 + startOffsetMs);
  return {
    Timestamp: ns(start),
    TraceId: traceId,
    SpanId: spanId,
    ParentSpanId: parent,
    TraceState: '',
    SpanName: name,
    SpanKind: 'Internal',
    ServiceName: service,
    ResourceAttributes: { 'service.name': service },
    ScopeName: 'test',
    ScopeVersion: '1',
    SpanAttributes: attributes,
    Duration: durationMs * 1_000_000,
    StatusCode: error ? 'Error' : 'Ok',
    StatusMessage: error ? 'ValidationError: analytic distribution missing' : '',
    'Events.Timestamp': error ? [ns(new Date(start.getTime() + durationMs))] : [],
    'Events.Name': error ? ['exception'] : [],
    'Events.Attributes': error ? [{ 'exception.message': 'analytic distribution missing' }] : [],
    'Links.TraceId': [],
    'Links.SpanId': [],
    'Links.TraceState': [],
    'Links.Attributes': [],
  };
}

function ledgerRow(eventId: string, traceId: string, document: string, status: string) {
  return {
    event_id: eventId,
    sync_key: `rentaldesk|account.move|${document}|create|`,
    interface_id: 'rental-invoicing',
    source_system: 'rentaldesk',
    target_system: 'odoo',
    entity_type: 'account.move',
    event_type: 'invoice.created',
    operation: 'create',
    source_record_id: `RD-${document}`,
    source_record_version: '',
    target_record_id: '',
    status,
    attempt: 1,
    error_category: status === 'failed' ? 'validation' : '',
    error_code: '',
    error_message: status === 'failed' ? 'analytic distribution missing' : '',
    occurred_at: NOW.getTime() - 60 * 60_000,
    synced_at: null,
    amount: 1250,
    currency: 'USD',
    document_number: document,
    project: 'JOB-2301',
    customer: 'Harbor Build Co',
    vendor: '',
    contract_id: 'RC-1001',
    contract_line_id: '',
    equipment_id: '',
    equipment_class: '',
    trace_id: traceId,
    span_id: '1'.repeat(16),
    schema_version: '1.0',
    schema_drift: 0,
    attributes: {},
    payload: '{}',
  };
}

beforeAll(async () => {
  stores = await useTestStores();
  const { insertRows } = await import('@/lib/clickhouse/client');
  await insertRows('otel_traces', [
    span(INVOICE_TRACE, '1'.repeat(16), '', 'rentaldesk', 'rentaldesk export account.move', 0, 4000, { 'plumbline.interface': 'rental-invoicing' }, true),
    span(INVOICE_TRACE, '2'.repeat(16), '1'.repeat(16), 'middleware', 'queue_job.perform', 1000, 2500, { 'plumbline.interface': 'rental-invoicing' }, true),
    span(INVOICE_TRACE, '3'.repeat(16), '2'.repeat(16), 'odoo', 'POST /json/2/account.move/create', 1200, 2000, { 'http.response.status_code': '422' }, true),
    span(OTHER_TRACE, '4'.repeat(16), '', 'rentaldesk', 'rentaldesk export account.move', 5000, 300, { 'plumbline.interface': 'rental-invoicing' }),
    span(SPAN_ONLY_TRACE, '5'.repeat(16), '', 'sitelog', 'sitelog export account.analytic.line', 7000, 900, { 'plumbline.interface': 'timesheets', 'record.id': 'TS-77' }),
  ]);
  await insertLedgerRows([ledgerRow('ev-invoice', INVOICE_TRACE, 'INV/2026/0042', 'failed'), ledgerRow('ev-other', OTHER_TRACE, 'INV/2026/0043', 'succeeded')]);
});

afterAll(async () => {
  await stores.cleanup();
});

const range = { from: new Date(NOW.getTime() - 86_400_000), to: NOW };

describe('trace search', () => {
  it('finds the trace of an invoice number through the ledger', async () => {
    const { searchTraces } = await import('@/lib/traces/query');
    const { rows } = await searchTraces({ ...range, businessKey: 'INV/2026/0042' });
    assert.deepEqual(rows.map((r) => r.traceId), [INVOICE_TRACE]);
    assert.equal(rows[0]!.spanCount, 3);
    assert.equal(rows[0]!.errorCount, 3);
    assert.equal(rows[0]!.rootService, 'rentaldesk');
    assert.deepEqual(rows[0]!.services, ['middleware', 'odoo', 'rentaldesk']);
    assert.equal(rows[0]!.durationMs, 4000);
  });

  it('finds a trace by a business key that only a span attribute carries', async () => {
    const { searchTraces } = await import('@/lib/traces/query');
    const { rows } = await searchTraces({ ...range, businessKey: 'TS-77' });
    assert.deepEqual(rows.map((r) => r.traceId), [SPAN_ONLY_TRACE]);
  });

  it('filters by interface, status, service and minimum duration', async () => {
    const { searchTraces } = await import('@/lib/traces/query');
    const byInterface = await searchTraces({ ...range, interfaceKey: 'rental-invoicing' });
    assert.deepEqual(byInterface.rows.map((r) => r.traceId), [OTHER_TRACE, INVOICE_TRACE]);
    const failing = await searchTraces({ ...range, interfaceKey: 'rental-invoicing', status: 'error' });
    assert.deepEqual(failing.rows.map((r) => r.traceId), [INVOICE_TRACE]);
    const odoo = await searchTraces({ ...range, service: 'odoo' });
    assert.deepEqual(odoo.rows.map((r) => r.traceId), [INVOICE_TRACE]);
    const slow = await searchTraces({ ...range, minDurationMs: 800 });
    assert.deepEqual(slow.rows.map((r) => r.traceId), [SPAN_ONLY_TRACE, INVOICE_TRACE]);
    const outOfRange = await searchTraces({ from: new Date(NOW.getTime() - 30 * 60_000), to: NOW, businessKey: 'INV/2026/0042' });
    assert.equal(outOfRange.rows.length, 0);
  });

  it('pages through results', async () => {
    const { searchTraces } = await import('@/lib/traces/query');
    const first = await searchTraces({ ...range, pageSize: 2 });
    assert.equal(first.rows.length, 2);
    assert.equal(first.hasMore, true);
    const second = await searchTraces({ ...range, pageSize: 2, page: 2 });
    assert.deepEqual(second.rows.map((r) => r.traceId), [INVOICE_TRACE]);
    assert.equal(second.hasMore, false);
  });
});

describe('trace waterfall', () => {
  it('returns every span of the trace in parent-before-child order with offsets', async () => {
    const { traceWaterfall } = await import('@/lib/traces/query');
    const trace = await traceWaterfall(INVOICE_TRACE.toUpperCase());
    assert.ok(trace);
    assert.deepEqual(
      trace.spans.map((s) => [s.service, s.depth, s.offsetUs]),
      [
        ['rentaldesk', 0, 0],
        ['middleware', 1, 1_000_000],
        ['odoo', 2, 1_200_000],
      ],
    );
    assert.equal(trace.durationUs, 4_000_000);
    assert.equal(trace.spans[0]!.events[0]!.name, 'exception');
    assert.equal(trace.spans[0]!.events[0]!.attributes['exception.message'], 'analytic distribution missing');
  });

  it('returns nothing for an unknown or malformed trace id', async () => {
    const { traceWaterfall } = await import('@/lib/traces/query');
    assert.equal(await traceWaterfall('f'.repeat(32)), null);
    assert.equal(await traceWaterfall("x' OR 1=1 --"), null);
  });

  it('lists the ledger events of the same trace', async () => {
    const { traceLedgerEvents } = await import('@/lib/traces/query');
    const events = await traceLedgerEvents(INVOICE_TRACE);
    assert.deepEqual(events.map((e) => [e.eventId, e.documentNumber, e.status]), [['ev-invoice', 'INV/2026/0042', 'failed']]);
  });
});
