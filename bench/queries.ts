import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

/**
 * `npm run bench:queries`: generates BENCH_SPANS spans (default 200 000) and BENCH_EVENTS
 * ledger events (default 100 000) over 30 days into a temporary chDB store, then times the
 * SLO and trace-explorer queries (p50 / p95 over BENCH_REPEATS runs) and prints each as a
 * ratio of `SELECT count() FROM otel_traces` measured in the same run, so figures compare
 * across machines. The target is p95 ≤ 300 ms at BENCH_SPANS=20000000 BENCH_EVENTS=10000000.
 */
const SPANS = Number(process.env.BENCH_SPANS ?? 200_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 15);
const BATCH = 50_000;
const DAYS = 30;
const INTERFACES = ['rental-invoicing', 'vendor-bills', 'timesheets', 'equipment-telemetry', 'rental-dispatch'];
const SERVICES = ['rentaldesk', 'buyportal', 'sitelog', 'fleettrack', 'rentaldesk'];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumbline-bench-'));
process.env.PLUMBLINE_DATA_DIR = dataDir;
delete process.env.CLICKHOUSE_URL;

const { migrateClickHouse } = await import('@/lib/clickhouse/migrate');
const { insertRows, queryRows, closeClickHouse } = await import('@/lib/clickhouse/client');
const { windowCounts, sliHistory, latencyQuantilesPerHour, worstRecords } = await import('@/lib/slo/query');
const { searchTraces, traceWaterfall, traceLedgerEvents } = await import('@/lib/traces/query');

const now = new Date();
const start = now.getTime() - DAYS * 86_400_000;
const hex = (bytes: number) => crypto.randomBytes(bytes).toString('hex');
const nsTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '') + '000000';
const chTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

try {
  await migrateClickHouse();
  const traces = Math.ceil(SPANS / 3);
  const knownTraces: { traceId: string; doc: string }[] = [];
  console.log(`generating ${SPANS.toLocaleString('en-US')} spans and ${EVENTS.toLocaleString('en-US')} ledger events in ${dataDir}`);
  const t0 = performance.now();
  let written = 0;
  for (let offset = 0; offset < traces; offset += BATCH / 3) {
    const rows: object[] = [];
    const ledger: object[] = [];
    for (let t = offset; t < Math.min(traces, offset + BATCH / 3); t++) {
      const at = start + Math.floor(((t + 0.5) / traces) * DAYS * 86_400_000);
      const i = t % INTERFACES.length;
      const traceId = hex(16);
      const root = hex(8);
      const mid = hex(8);
      const failed = t % 37 === 0;
      const duration = 200 + ((t * 7919) % 600_000);
      const doc = `INV/2026/${String(t).padStart(7, '0')}`;
      if (t % Math.max(1, Math.floor(traces / 50)) === 0) knownTraces.push({ traceId, doc });
      const attributes = { 'plumbline.interface': INTERFACES[i]!, 'document.number': doc, 'record.id': `R-${t}` };
      const span = (spanId: string, parent: string, service: string, name: string, startMs: number, ms: number) => ({
        Timestamp: nsTime(Math.round(startMs)), TraceId: traceId, SpanId: spanId, ParentSpanId: parent, TraceState: '', SpanName: name, SpanKind: 'Internal',
        ServiceName: service, ResourceAttributes: { 'service.name': service }, ScopeName: 'bench', ScopeVersion: '1', SpanAttributes: attributes,
        Duration: Math.round(ms * 1_000_000), StatusCode: failed ? 'Error' : 'Ok', StatusMessage: failed ? 'ValidationError' : '',
        'Events.Timestamp': [], 'Events.Name': [], 'Events.Attributes': [], 'Links.TraceId': [], 'Links.SpanId': [], 'Links.TraceState': [], 'Links.Attributes': [],
      });
      rows.push(span(root, '', SERVICES[i]!, `${SERVICES[i]} export`, at, duration));
      rows.push(span(mid, root, 'middleware', 'queue_job.perform', at + duration * 0.3, duration * 0.6));
      rows.push(span(hex(8), mid, 'odoo', 'POST /json/2/account.move/create', at + duration * 0.4, duration * 0.4));
      if (written + ledger.length < EVENTS && (t * EVENTS) / traces >= written + ledger.length) {
        ledger.push({
          event_id: crypto.randomUUID(), sync_key: `k-${Math.floor(t / 2)}`, interface_id: INTERFACES[i], source_system: SERVICES[i], target_system: 'odoo',
          entity_type: 'account.move', event_type: 'invoice.created', operation: 'create', source_record_id: `R-${t}`, source_record_version: '',
          target_record_id: '', status: failed ? 'failed' : 'succeeded', attempt: 1, error_category: failed ? 'validation' : '', error_code: '',
          error_message: failed ? 'ValidationError' : '', occurred_at: chTime(at), synced_at: failed ? null : chTime(at + duration), amount: 100, currency: 'USD',
          document_number: doc, project: 'JOB-2301', customer: '', vendor: '', contract_id: `RC-${t % 5000}`, contract_line_id: '', equipment_id: '',
          equipment_class: '', trace_id: traceId, span_id: root, schema_version: '1.0', schema_drift: 0, attributes: {}, payload: '{}',
        });
      }
    }
    await insertRows('otel_traces', rows);
    await insertRows('sync_ledger', ledger);
    written += ledger.length;
  }
  console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const slo = { interfaceKey: 'rental-invoicing', sliKind: 'latency' as const, thresholdMs: 300_000, spanName: null, windowDays: 28 };
  const spanSlo = { ...slo, spanName: 'rentaldesk export' };
  const successSlo = { ...slo, sliKind: 'success' as const, thresholdMs: null };
  const sample = knownTraces[Math.floor(knownTraces.length / 2)]!;
  const day = { from: new Date(now.getTime() - 86_400_000), to: now };
  const month = { from: new Date(now.getTime() - DAYS * 86_400_000), to: now };

  const cases: [string, () => Promise<unknown>][] = [
    ['baseline: SELECT count() FROM otel_traces', () => queryRows('SELECT count() FROM otel_traces')],
    ['SLO windows, ledger success (one query)', () => windowCounts(successSlo, now)],
    ['SLO windows, ledger latency (one query)', () => windowCounts(slo, now)],
    ['SLO windows, span latency (one query)', () => windowCounts(spanSlo, now)],
    ['SLO history (buckets over window)', () => sliHistory(slo, now)],
    ['SLO latency p50/p95/p99 per hour (7 d)', () => latencyQuantilesPerHour(slo, now, 7)],
    ['SLO worst records', () => worstRecords(slo, now)],
    ['traces: last 24 h, newest page', () => searchTraces(day)],
    ['traces: interface + error, 24 h', () => searchTraces({ ...day, interfaceKey: 'rental-invoicing', status: 'error' })],
    ['traces: invoice number, 30 d', () => searchTraces({ ...month, businessKey: sample.doc })],
    ['traces: slowest, 24 h', () => searchTraces({ ...day, sort: 'slowest' })],
    ['trace waterfall by id (lookup-bounded)', () => traceWaterfall(sample.traceId)],
    ['trace ledger events by id', () => traceLedgerEvents(sample.traceId)],
  ];

  const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const results: { name: string; p50: number; p95: number }[] = [];
  for (const [name, run] of cases) {
    await run();
    const times: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const began = performance.now();
      await run();
      times.push(performance.now() - began);
    }
    times.sort((a, b) => a - b);
    results.push({ name, p50: percentile(times, 50), p95: percentile(times, 95) });
  }
  const baseline = results[0]!;
  console.log(`\n${REPEATS} runs each; ratio = p95 ÷ baseline p95 (${baseline.p95.toFixed(1)} ms)\n`);
  console.log(`${'query'.padEnd(48)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'ratio'.padStart(8)}`);
  for (const r of results) {
    console.log(`${r.name.padEnd(48)} ${r.p50.toFixed(1).padStart(9)} ${r.p95.toFixed(1).padStart(9)} ${(r.p95 / Math.max(baseline.p95, 0.001)).toFixed(1).padStart(8)}`);
  }
  const worst = Math.max(...results.slice(1).map((r) => r.p95));
  console.log(`\nslowest p95: ${worst.toFixed(1)} ms (target at 20 M spans / 10 M events: ≤ 300 ms)`);
} finally {
  await closeClickHouse();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
