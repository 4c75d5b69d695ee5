import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/**
 * SLO event counts per alerting window on stored data, against hand-computed figures:
 * retries of one sync count once (by its final status), duplicates of an event never
 * double-count, pending syncs are not counted, latency counts end to end from the first attempt.
 */
let stores: TestStores;
const NOW = new Date('2026-11-20T12:00:00.000Z');
const MIN = 60_000;

let eventSeq = 0;
function event(iface: string, syncKey: string, status: string, agoMs: number, syncedAgoMs: number | null = null, eventId = `e-${++eventSeq}`) {
  return {
    event_id: eventId,
    sync_key: syncKey,
    interface_id: iface,
    source_system: 'rentaldesk',
    target_system: 'odoo',
    entity_type: 'account.move',
    event_type: 'invoice.created',
    operation: 'create',
    source_record_id: syncKey,
    source_record_version: '',
    target_record_id: '',
    status,
    attempt: 1,
    error_category: status === 'succeeded' || status === 'pending' ? '' : 'transient',
    error_code: '',
    error_message: status === 'succeeded' || status === 'pending' ? '' : 'timeout',
    occurred_at: NOW.getTime() - agoMs,
    synced_at: syncedAgoMs === null ? null : NOW.getTime() - syncedAgoMs,
    amount: 0,
    currency: '',
    document_number: `INV/${syncKey}`,
    project: '',
    customer: '',
    vendor: '',
    contract_id: '',
    contract_line_id: '',
    equipment_id: '',
    equipment_class: '',
    trace_id: `${syncKey.padEnd(32, '0')}`.slice(0, 32),
    span_id: '',
    schema_version: '',
    schema_drift: 0,
    attributes: {},
    payload: '',
  };
}

function span(service: string, name: string, agoMs: number, durationMs: number, iface = '') {
  return {
    Timestamp: new Date(NOW.getTime() - agoMs).toISOString().replace('T', ' ').replace('Z', ''),
    TraceId: `t${++eventSeq}`.padEnd(32, '0'),
    SpanId: `s${eventSeq}`.padEnd(16, '0'),
    ParentSpanId: '',
    TraceState: '',
    SpanName: name,
    SpanKind: 'Producer',
    ServiceName: service,
    ResourceAttributes: { 'service.name': service },
    ScopeName: '',
    ScopeVersion: '',
    SpanAttributes: iface ? { 'plumbline.interface': iface } : {},
    Duration: durationMs * 1_000_000,
    StatusCode: 'Ok',
    StatusMessage: '',
    'Events.Timestamp': [],
    'Events.Name': [],
    'Events.Attributes': [],
    'Links.TraceId': [],
    'Links.SpanId': [],
    'Links.TraceState': [],
    'Links.Attributes': [],
  };
}

beforeAll(async () => {
  stores = await useTestStores();
  const { insertRows } = await import('@/lib/clickhouse/client');
  const duplicate = event('iface-a', 'E', 'succeeded', 2 * 1440 * MIN, 2 * 1440 * MIN - 1000, 'dup-event');
  await insertLedgerRows([
    // success SLI on iface-a
    event('iface-a', 'A', 'failed', 20 * MIN),
    event('iface-a', 'A', 'retrying', 10 * MIN),
    event('iface-a', 'A', 'succeeded', 2 * MIN, 2 * MIN - 500),
    event('iface-a', 'B', 'failed', 3 * MIN),
    event('iface-a', 'C', 'succeeded', 45 * MIN, 45 * MIN - 500),
    event('iface-a', 'D', 'dead_lettered', 120 * MIN),
    duplicate,
    duplicate,
    event('iface-a', 'F', 'pending', 1 * MIN),
    event('iface-a', 'G', 'failed', 10 * 1440 * MIN),
    event('iface-a', 'H', 'failed', 40 * 1440 * MIN),
    // latency SLI on iface-b, threshold 60 s
    event('iface-b', 'L1', 'failed', 10 * MIN),
    event('iface-b', 'L1', 'succeeded', 9 * MIN, 8.5 * MIN),
    event('iface-b', 'L2', 'succeeded', 4 * MIN, 3.5 * MIN),
    event('iface-b', 'L3', 'failed', 0.5 * MIN),
    event('iface-b', 'L4', 'failed', 3 * MIN),
    // worst-record text on iface-w: each attempt carries its own document number, trace and error
    { ...event('iface-w', 'W', 'failed', 30 * MIN), document_number: 'DRAFT/1', trace_id: 'a'.repeat(32), error_message: 'timeout' },
    { ...event('iface-w', 'W', 'retrying', 20 * MIN), document_number: 'DRAFT/2', trace_id: 'b'.repeat(32), error_message: 'Project has no analytic account' },
    { ...event('iface-w', 'W', 'succeeded', 10 * MIN, 10 * MIN - 500), document_number: 'INV/2026/0042', trace_id: 'c'.repeat(32) },
  ]);
  await insertRows('otel_traces', [
    span('iface-c', 'export', 2 * MIN, 500),
    span('iface-c', 'export', 2 * MIN, 1500),
    span('middleware', 'export', 2 * MIN, 2500, 'iface-c'),
    span('iface-c', 'queue_job.perform', 2 * MIN, 9000),
    span('other', 'export', 2 * MIN, 9000),
  ]);
});

afterAll(async () => {
  await stores.cleanup();
});

function byKey(counts: { key: string; total: number; bad: number }[]) {
  return Object.fromEntries(counts.map((c) => [c.key, [c.total, c.bad]]));
}

describe('SLO window counts', () => {
  it('success: one event per sync by its final status, each in the windows of its last event', async () => {
    const { windowCounts } = await import('@/lib/slo/query');
    const counts = await windowCounts({ interfaceKey: 'iface-a', sliKind: 'success', thresholdMs: null, spanName: null, windowDays: 28 }, NOW);
    assert.deepEqual(byKey(counts), {
      '5m': [2, 1],
      '30m': [2, 1],
      '1h': [3, 1],
      '6h': [4, 2],
      '3d': [5, 2],
      slo: [6, 3],
    });
  });

  it('latency: end to end from the first attempt; bad once the threshold passes, undecided syncs not counted', async () => {
    const { windowCounts } = await import('@/lib/slo/query');
    const counts = await windowCounts({ interfaceKey: 'iface-b', sliKind: 'latency', thresholdMs: 60_000, spanName: null, windowDays: 7 }, NOW);
    assert.deepEqual(byKey(counts), {
      '5m': [2, 1],
      '30m': [3, 2],
      '1h': [3, 2],
      '6h': [3, 2],
      '3d': [3, 2],
      slo: [3, 2],
    });
  });

  it('span latency: the named span of the interface by service name or plumbline.interface', async () => {
    const { windowCounts } = await import('@/lib/slo/query');
    const counts = await windowCounts({ interfaceKey: 'iface-c', sliKind: 'latency', thresholdMs: 1000, spanName: 'export', windowDays: 7 }, NOW);
    assert.deepEqual(byKey(counts)['5m'], [3, 2]);
  });

  it('history and worst records come from the same events', async () => {
    const { sloDetail } = await import('@/lib/slo/detail');
    const def = { interfaceKey: 'iface-a', sliKind: 'success' as const, thresholdMs: null, spanName: null, windowDays: 28 };
    const { history, worst } = await sloDetail(def, NOW, 7);
    assert.equal(history.reduce((s, b) => s + b.total, 0), 6);
    assert.equal(history.reduce((s, b) => s + b.bad, 0), 3);
    assert.deepEqual(worst.slice(0, 3).map((w) => w.sourceRecordId).sort(), ['B', 'D', 'G']);
    assert.equal(worst.find((w) => w.sourceRecordId === 'A')?.attempts, 3);
  });

  it('latency quantiles per hour: end to end per successful sync, or the named span', async () => {
    const { sloDetail } = await import('@/lib/slo/detail');
    // iface-b: L1 took 10 → 8.5 min ago (90 s) and L2 4 → 3.5 min ago (30 s); both done in the 11:00 hour.
    const ledger = await sloDetail({ interfaceKey: 'iface-b', sliKind: 'latency', thresholdMs: 60_000, spanName: null, windowDays: 7 }, NOW, 7);
    assert.deepEqual(ledger.quantiles, [{ hour: '2026-11-20T11:00:00.000Z', count: 2, p50: 60_000, p95: 87_000, p99: 89_400 }]);
    // iface-c's "export" spans: 500 and 1 500 ms by service name, 2 500 ms by plumbline.interface.
    const spans = await sloDetail({ interfaceKey: 'iface-c', sliKind: 'latency', thresholdMs: 1000, spanName: 'export', windowDays: 7 }, NOW, 7);
    assert.deepEqual(spans.quantiles, [{ hour: '2026-11-20T11:00:00.000Z', count: 3, p50: 1500, p95: 2400, p99: 2480 }]);
  });

  it('a worst record shows its latest document number and trace, and its latest error', async () => {
    const { sloDetail } = await import('@/lib/slo/detail');
    const {
      worst: [worst],
    } = await sloDetail({ interfaceKey: 'iface-w', sliKind: 'latency', thresholdMs: 60_000, spanName: null, windowDays: 7 }, NOW, 7);
    assert.deepEqual(
      { record: worst?.sourceRecordId, status: worst?.status, attempts: worst?.attempts, latencyMs: worst?.latencyMs, doc: worst?.documentNumber, trace: worst?.traceId, error: worst?.errorMessage },
      { record: 'W', status: 'succeeded', attempts: 3, latencyMs: 20 * MIN + 500, doc: 'INV/2026/0042', trace: 'c'.repeat(32), error: 'Project has no analytic account' },
    );
  });
});
