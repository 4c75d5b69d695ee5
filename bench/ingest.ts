import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';

/**
 * `npm run bench` (bench/ingest.ts): ingest throughput on the embedded default (chDB +
 * PGlite in a temporary directory), every figure as a ratio of a baseline measured in
 * the same run so results compare across machines. Prints, asserts nothing.
 *   (a) baseline: the same ledger rows (and spans) inserted straight through the ClickHouse client
 *   (b) ledger events/s over HTTP: auth, validation, drift, dedupe, batches of 1 000, CLIENTS concurrent clients
 *   (c) spans/s over OTLP/HTTP protobuf, same shape
 *   (d) p50/p99 ack latency at half of (b)'s rate
 *   (e) peak RSS while overloaded (clients and server share this process)
 * Targets (issue 3): (b)/(a) ≥ 0.5, (c)/(a) ≥ 0.4, p99 ≤ 250 ms, RSS < 1 GiB.
 * Flags: --events N (default 50 000), --clients N (default 4).
 */
function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const EVENTS = flag('events', 50_000);
const CLIENTS = flag('clients', 4);
const BATCH = 1000;
const KEY = 'bench-bootstrap-key-0123456789abcdef';
const LATENCY_SECONDS = 5;
const OVERLOAD_SECONDS = 5;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumbline-bench-ingest-'));
process.env.PLUMBLINE_DATA_DIR = dataDir;
process.env.PLUMBLINE_INGEST_KEY = KEY;
process.env.PLUMBLINE_DEMO = '0';
delete process.env.CLICKHOUSE_URL;
delete process.env.DATABASE_URL;

const { migrateClickHouse } = await import('@/lib/clickhouse/migrate');
const { migratePostgres } = await import('@/lib/db/migrate');
const { insertRows, closeClickHouse } = await import('@/lib/clickhouse/client');
const { prisma, closeDatabase } = await import('@/lib/db/client');
const { toLedgerRow } = await import('@/lib/ledger/row');
const { ledgerEventSchema } = await import('@/lib/ledger/event');
const { startIngestServer } = await import('@/ingest/server');

const hex = (bytes: number) => crypto.randomBytes(bytes).toString('hex');
const rate = (n: number, ms: number) => (n / ms) * 1000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function ledgerEvent(prefix: string, i: number): Record<string, unknown> {
  const failed = i % 37 === 0;
  return {
    event_id: `${prefix}-${i}`,
    interface_id: 'rental-invoicing',
    source_system: 'rentaldesk',
    target_system: 'odoo',
    entity_type: 'account.move',
    event_type: 'invoice.sync',
    operation: 'create',
    source_record_id: `INV-${i % 20_000}`,
    status: failed ? 'failed' : 'succeeded',
    ...(failed ? { error: { category: 'validation', code: 'ValidationError', message: 'Analytic account required on line 2' } } : {}),
    attempt: 1,
    occurred_at: new Date(Date.now() - (i % 86_400) * 1000).toISOString(),
    amount: 1250.5 + (i % 1000),
    currency: 'USD',
    document_number: `INV/2026/${String(i).padStart(6, '0')}`,
    project: `P-${100 + (i % 30)}`,
    customer: 'Harbor Point Builders',
    trace_id: hex(16),
    span_id: hex(8),
    schema_version: i % 50 === 0 ? '1.1' : '1.0',
    attributes: { 'rental.rate': 'week', lines: 3 },
  };
}

/** OTLP protobuf bodies of BATCH spans each, encoded with the same .proto files ingest decodes with. */
function otlpBodies(count: number): Buffer[] {
  const root = new protobuf.Root();
  for (const file of ['common.proto', 'resource.proto', 'trace.proto', 'trace_service.proto']) {
    protobuf.parse(fs.readFileSync(path.join(process.cwd(), 'lib', 'traces', 'otlp', file), 'utf8'), root, { keepCase: false });
  }
  root.resolveAll();
  const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const bodies: Buffer[] = [];
  const startNs = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  for (let offset = 0; offset < count; offset += BATCH) {
    const spans = [];
    for (let i = offset; i < Math.min(count, offset + BATCH); i += 1) {
      const start = startNs + BigInt(i) * 1_000_000n;
      spans.push({
        traceId: crypto.randomBytes(16),
        spanId: crypto.randomBytes(8),
        name: 'odoo account.move create',
        kind: 3,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 45_000_000n).toString(),
        attributes: [
          { key: 'odoo.model', value: { stringValue: 'account.move' } },
          { key: 'rpc.method', value: { stringValue: 'create' } },
        ],
        status: { code: 1 },
      });
    }
    const message = Request.fromObject({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'middleware' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }],
    });
    bodies.push(Buffer.from(Request.encode(message).finish()));
  }
  return bodies;
}

/** Sends every body with `clients` concurrent senders; returns elapsed ms and every ack latency. */
async function send(url: string, contentType: string, bodies: (string | Buffer)[], clients: number): Promise<{ ms: number; latencies: number[]; statuses: Map<number, number> }> {
  let next = 0;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const body = bodies[i]!;
        const t0 = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': contentType },
          body: typeof body === 'string' ? body : new Uint8Array(body),
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return { ms: performance.now() - started, latencies, statuses };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Rows per second for inserting `rows` in chunks of 5 000 (the ingest flush size). */
async function timedInsert(table: string, rows: object[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < rows.length; i += 5000) await insertRows(table, rows.slice(i, i + 5000));
  return rate(rows.length, performance.now() - started);
}

async function seedInterface(): Promise<void> {
  const db = await prisma();
  const source = await db.system.create({ data: { key: 'rentaldesk', name: 'RentalDesk', kind: 'rental_dispatch' } });
  const target = await db.system.create({ data: { key: 'odoo', name: 'Odoo', kind: 'erp' } });
  const iface = await db.interface.create({
    data: { key: 'rental-invoicing', name: 'Rental invoices', sourceSystemId: source.id, targetSystemId: target.id, entityTypes: ['account.move'], ownerTeam: 'Finance', syncClass: 'near_real_time', activeSchemaVersion: '1.0' },
  });
  await db.schemaVersion.create({ data: { interfaceId: iface.id, version: '1.0', schema: { type: 'object' }, status: 'active', activatedAt: new Date() } });
}

try {
  await migrateClickHouse();
  await migratePostgres();
  await seedInterface();
  const server = await startIngestServer({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${server.port}`;
  console.log(`ingest benchmark: ${fmt(EVENTS)} events and ${fmt(EVENTS)} spans, batches of ${BATCH}, ${CLIENTS} clients, store ${dataDir}\n`);

  // (a) baseline: the same kind of rows, prepared in advance, straight into ClickHouse.
  const { toSpanRows, decodeTraceRequest } = await import('@/lib/traces/otlp/decode');
  const baselineLedger = await timedInsert('sync_ledger', Array.from({ length: EVENTS }, (_, i) => toLedgerRow(ledgerEventSchema.parse(ledgerEvent('base', i)), false, new Date())));
  const baselineSpans = await timedInsert('otel_traces', otlpBodies(EVENTS).flatMap((body) => toSpanRows(decodeTraceRequest(body, 'protobuf')).rows));

  // (b) ledger over HTTP.
  const ledgerBodies: string[] = [];
  for (let i = 0; i < EVENTS; i += BATCH) {
    ledgerBodies.push(JSON.stringify(Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, j) => ledgerEvent('http', i + j))));
  }
  const ledgerRun = await send(`${base}/v1/ledger`, 'application/json', ledgerBodies, CLIENTS);
  const ledgerRate = rate(EVENTS, ledgerRun.ms);

  // (c) spans over OTLP/HTTP protobuf.
  const spanBodies = otlpBodies(EVENTS);
  const spanRun = await send(`${base}/v1/traces`, 'application/x-protobuf', spanBodies, CLIENTS);
  const spanRate = rate(EVENTS, spanRun.ms);

  // (d) ack latency at half the measured ledger rate: one batch every interval, for LATENCY_SECONDS.
  const intervalMs = (BATCH / (ledgerRate / 2)) * 1000;
  const pacedBodies = Array.from({ length: Math.ceil((LATENCY_SECONDS * 1000) / intervalMs) }, (_, k) =>
    JSON.stringify(Array.from({ length: BATCH }, (_, j) => ledgerEvent('paced', k * BATCH + j))),
  );
  const paced: Promise<number>[] = [];
  const pacedStart = performance.now();
  for (let k = 0; k < pacedBodies.length; k += 1) {
    const body = pacedBodies[k]!;
    const sentAt = performance.now();
    paced.push(
      fetch(`${base}/v1/ledger`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body })
        .then((res) => res.arrayBuffer())
        .then(() => performance.now() - sentAt),
    );
    const wait = pacedStart + (k + 1) * intervalMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const pacedLatencies = (await Promise.all(paced)).sort((a, b) => a - b);

  // (e) overload: many clients for OVERLOAD_SECONDS; sample RSS meanwhile.
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  const overloadBodies: string[] = [];
  const overloadStart = performance.now();
  for (let k = 0; k < 64; k += 1) overloadBodies.push(JSON.stringify(Array.from({ length: BATCH }, (_, j) => ledgerEvent('over', k * BATCH + j))));
  let overloadAccepted = 0;
  const overloadStatuses = new Map<number, number>();
  let round = 0;
  while (performance.now() - overloadStart < OVERLOAD_SECONDS * 1000) {
    const bodies = overloadBodies.map((b) => b.replaceAll('"over-', `"over${round}-`));
    const run = await send(`${base}/v1/ledger`, 'application/json', bodies, CLIENTS * 8);
    for (const [status, n] of run.statuses) overloadStatuses.set(status, (overloadStatuses.get(status) ?? 0) + n);
    overloadAccepted += (run.statuses.get(200) ?? 0) * BATCH;
    round += 1;
  }
  clearInterval(sampler);
  await server.close();

  const sortedLedger = ledgerRun.latencies.sort((a, b) => a - b);
  const lines = [
    ['(a) raw insert, ledger rows', `${fmt(baselineLedger)} rows/s`, '1.00× (baseline)'],
    ['(a′) raw insert, span rows', `${fmt(baselineSpans)} rows/s`, `${(baselineSpans / baselineLedger).toFixed(2)}× (a)`],
    ['(b) ledger over HTTP', `${fmt(ledgerRate)} events/s`, `${(ledgerRate / baselineLedger).toFixed(2)}× (a)  [target ≥ 0.5]`],
    ['(c) spans over OTLP/HTTP', `${fmt(spanRate)} spans/s`, `${(spanRate / baselineLedger).toFixed(2)}× (a), ${(spanRate / baselineSpans).toFixed(2)}× (a′)  [target ≥ 0.4× (a)]`],
    ['    ledger ack at full rate', `p50 ${quantile(sortedLedger, 0.5).toFixed(0)} ms`, `p99 ${quantile(sortedLedger, 0.99).toFixed(0)} ms`],
    ['(d) ledger ack at half rate', `p50 ${quantile(pacedLatencies, 0.5).toFixed(0)} ms`, `p99 ${quantile(pacedLatencies, 0.99).toFixed(0)} ms  [target ≤ 250 ms] (${pacedLatencies.length} batches)`],
    ['(e) peak RSS under overload', `${(peakRss / 1024 / 1024).toFixed(0)} MiB`, `[target < 1024 MiB] (${(rssBefore / 1024 / 1024).toFixed(0)} MiB before; includes chDB and the clients) accepted ${fmt(overloadAccepted)} events; statuses ${[...overloadStatuses].map(([s, n]) => `${s}×${n}`).join(' ')}`],
  ];
  for (const [what, figure, ratio] of lines) console.log(`${what!.padEnd(32)} ${figure!.padEnd(22)} ${ratio}`);
  const statuses = [...ledgerRun.statuses, ...spanRun.statuses].filter(([s]) => s !== 200);
  if (statuses.length > 0) console.log(`\nnon-200 answers during (b)/(c): ${statuses.map(([s, n]) => `${s}×${n}`).join(' ')}`);
} finally {
  await closeClickHouse();
  await closeDatabase();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
