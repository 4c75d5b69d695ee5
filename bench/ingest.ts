import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import protobuf from 'protobufjs';

/**
 * `npm run bench` (bench/ingest.ts): ingest throughput on the embedded default (chDB +
 * PGlite in a temporary directory), every figure as a ratio of a baseline measured in
 * the same run so results compare across machines. Prints, asserts nothing.
 *   (a) baseline: the same ledger rows (and spans) inserted straight through the ClickHouse client
 *   (b) ledger events/s over HTTP: auth, validation, drift, dedupe, batches of 1 000, CLIENTS concurrent clients
 *   (c) spans/s over OTLP/HTTP protobuf, same shape
 *   (d) p50/p99 ack latency at half of (b)'s rate
 *   (e) peak RSS of the service while overloaded
 * The service runs in a child process of its own (as `npm run ingest` would), so (e) is the
 * service's RSS, not the load generator's; the baseline runs in another child with its own
 * store, so neither sees the other's memory or caches.
 * Targets (issue 3): (b)/(a) ≥ 0.5, (c)/(a) ≥ 0.4, p99 ≤ 250 ms, RSS < 1 GiB.
 * Flags: --events N (default 100 000), --clients N (default 8), --overload-clients N (default 64).
 */
const { values: args } = parseArgs({
  options: {
    events: { type: 'string' },
    clients: { type: 'string' },
    'overload-clients': { type: 'string' },
    // Internal: the child processes' part and store (see start()).
    role: { type: 'string' },
    dir: { type: 'string' },
  },
});

function flag(name: 'events' | 'clients' | 'overload-clients', fallback: number): number {
  const value = Number(args[name] ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const EVENTS = flag('events', 100_000);
/**
 * Closed-loop clients (each waits for its ack before sending again). With four the service
 * idled between round trips (event loop idle ~45% of the time, flushes of ~2 000 rows): the
 * rate measured the clients' latency. Measured on 2 cores: 4 → 22k events/s, 8 → 26k,
 * 12 → 26k, 16 → 25k (and the queue bound starts to shed), so eight reach the service's rate.
 */
const CLIENTS = flag('clients', 8);
const BATCH = 1000;
const KEY = 'bench-bootstrap-key-0123456789abcdef';
/**
 * Long enough for a p99 that is not one outlier: at ~10 batches a second, 10 s gave ~95
 * samples, whose p99 is their worst but one.
 */
const LATENCY_SECONDS = 30;
const OVERLOAD_SECONDS = 10;
/** Overload: this many senders, each resending a shed batch after RETRY_MS (ignoring Retry-After, to keep the pressure on). */
const OVERLOAD_CLIENTS = flag('overload-clients', 64);
const RETRY_MS = 100;
const MiB = 1024 * 1024;

type FromChild =
  | { type: 'baseline'; ledger: number; spans: number; ledgerCores: number }
  | { type: 'prepared' }
  | { type: 'listening'; port: number }
  | { type: 'stored'; rows: number; events: number }
  | { type: 'closed' };
type ToServer = { type: 'stored' } | { type: 'close' };

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

const ledgerBody = (prefix: string, from: number, count: number) =>
  JSON.stringify(Array.from({ length: count }, (_, j) => ledgerEvent(prefix, from + j)));

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

// ------------------------------------------------------------------ child processes

/**
 * Points this process at the embedded store in `dir` (the parent made it and removes it),
 * chDB only or chDB + PGlite, and migrates it; returns what closes it.
 */
async function openStore(dir: string, postgres: boolean): Promise<() => Promise<void>> {
  process.env.PLUMBLINE_DATA_DIR = dir;
  process.env.PLUMBLINE_INGEST_KEY = KEY;
  process.env.PLUMBLINE_DEMO = '0';
  delete process.env.CLICKHOUSE_URL;
  delete process.env.DATABASE_URL;
  const { migrateClickHouse } = await import('@/lib/clickhouse/migrate');
  const { closeClickHouse } = await import('@/lib/clickhouse/client');
  await migrateClickHouse();
  if (!postgres) return closeClickHouse;
  const { migratePostgres } = await import('@/lib/db/migrate');
  const { closeDatabase } = await import('@/lib/db/client');
  await migratePostgres();
  return async () => {
    await closeClickHouse();
    await closeDatabase();
  };
}

function tell(message: FromChild): Promise<void> {
  return new Promise((resolve) => process.send?.(message, () => resolve()));
}

/** (a): the rows ingest would build, prepared in advance, inserted in chunks of the ingest flush size. */
async function baselineRole(dir: string): Promise<void> {
  const close = await openStore(dir, false);
  const { insertRows } = await import('@/lib/clickhouse/client');
  const { insertLedgerRows } = await import('@/lib/ledger/state-feed');
  const { toLedgerRow } = await import('@/lib/ledger/row');
  const { ledgerEventSchema } = await import('@/lib/ledger/event');
  const { DEFAULT_BATCHER_OPTIONS } = await import('@/lib/ledger/store');
  const { toSpanRows, decodeTraceRequest } = await import('@/lib/traces/otlp/decode');
  const chunk = DEFAULT_BATCHER_OPTIONS.maxBatchItems;
  let cores = 0;
  const timedInsert = async (insert: (rows: object[]) => Promise<void>, rows: object[]) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < rows.length; i += chunk) await insert(rows.slice(i, i + chunk));
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    cores = (used.user + used.system) / 1000 / ms;
    return rate(rows.length, ms);
  };
  // Stored and fed to the state, the writes the service makes for them.
  const ledger = await timedInsert(insertLedgerRows, Array.from({ length: EVENTS }, (_, i) => toLedgerRow(ledgerEventSchema.parse(ledgerEvent('base', i)), false, new Date())));
  const ledgerCores = cores;
  const spans = await timedInsert((rows) => insertRows('otel_traces', rows), otlpBodies(EVENTS).flatMap((body) => toSpanRows(decodeTraceRequest(body, 'protobuf')).rows));
  await close();
  await tell({ type: 'baseline', ledger, spans, ledgerCores });
  process.exit(0);
}

/**
 * Creates the service's store and registers the interface, in a process of its own: the
 * service then opens an existing store, as after any restart. (PGlite's first creation of a
 * store keeps ~1 GB in the process that did it; that is set-up, not ingest.)
 */
async function prepareRole(dir: string): Promise<void> {
  const close = await openStore(dir, true);
  const { prisma } = await import('@/lib/db/client');
  const db = await prisma();
  const source = await db.system.create({ data: { key: 'rentaldesk', name: 'RentalDesk', kind: 'rental_dispatch' } });
  const target = await db.system.create({ data: { key: 'odoo', name: 'Odoo', kind: 'erp' } });
  const iface = await db.interface.create({
    data: { key: 'rental-invoicing', name: 'Rental invoices', sourceSystemId: source.id, targetSystemId: target.id, entityTypes: ['account.move'], ownerTeam: 'Finance', syncClass: 'near_real_time', activeSchemaVersion: '1.0' },
  });
  await db.schemaVersion.create({ data: { interfaceId: iface.id, version: '1.0', schema: { type: 'object' }, status: 'active', activatedAt: new Date() } });
  await close();
  await tell({ type: 'prepared' });
  process.exit(0);
}

/** The service under test: the ingest server with its default settings, on the prepared store. */
async function serverRole(dir: string): Promise<void> {
  const close = await openStore(dir, true);
  const { startIngestServer } = await import('@/ingest/server');
  const { queryOne } = await import('@/lib/clickhouse/client');
  const server = await startIngestServer({ port: 0, host: '127.0.0.1' });
  process.on('message', (message: ToServer) => {
    void (async () => {
      if (message.type === 'stored') {
        const counts = await queryOne<{ rows: number; events: number }>('SELECT count() AS rows, uniqExact(event_id) AS events FROM sync_ledger');
        await tell({ type: 'stored', rows: Number(counts?.rows ?? 0), events: Number(counts?.events ?? 0) });
      } else {
        await server.close();
        await close();
        await tell({ type: 'closed' });
        process.exit(0);
      }
    })();
  });
  await tell({ type: 'listening', port: server.port });
}

type Role = 'baseline' | 'prepare' | 'server';

function start(role: Role, dir: string): ChildProcess {
  return fork(process.argv[1]!, [...process.argv.slice(2), '--role', role, '--dir', dir], { stdio: 'inherit' });
}

function next<T extends FromChild['type']>(child: ChildProcess, type: T): Promise<Extract<FromChild, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromChild) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<FromChild, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`bench child exited (${code}) before sending "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** VmRSS and VmHWM (peak) of a process, in bytes, from /proc. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** A /proc stat line's name (comm) and CPU seconds (user + system); /proc counts in USER_HZ, 100 on Linux. */
function parseStat(stat: string): { name: string; cpuSeconds: number } {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

/** CPU seconds (all threads) a process has used so far. */
function cpuSecondsOf(pid: number): number {
  return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')).cpuSeconds;
}

/**
 * CPU seconds of a process's merge threads (ClickHouse names them MergeMutate…), so the load
 * that merging the inserted parts adds can be told from the inserts' own.
 */
function mergeCpuSecondsOf(pid: number): number {
  let seconds = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between listing and reading
    }
    const thread = parseStat(stat);
    if (thread.name.startsWith('MergeMutate')) seconds += thread.cpuSeconds;
  }
  return seconds;
}

/** Resets VmHWM to the current RSS (Linux clear_refs 5), so the next peak is the overload's own. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ load generation

interface Sent {
  ms: number;
  latencies: number[];
  statuses: Map<number, number>;
  accepted: number;
}

async function post(url: string, contentType: string, body: string | Buffer): Promise<{ status: number; accepted: number; retryAfterMs: number }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': contentType },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  const accepted = res.status === 200 && contentType === 'application/json' ? Number((JSON.parse(text) as { accepted?: number }).accepted ?? 0) : 0;
  return { status: res.status, accepted, retryAfterMs: Number(res.headers.get('retry-after') ?? 1) * 1000 };
}

/**
 * Sends every body with `clients` concurrent senders, each waiting for its ack before the
 * next; a shed body (429/503) is resent after the Retry-After the service gave, as an OTLP
 * exporter would, so the elapsed time is what it took to have every body acknowledged.
 */
async function send(url: string, contentType: string, bodies: (string | Buffer)[], clients: number): Promise<Sent> {
  let next = 0;
  const out: Sent = { ms: 0, latencies: [], statuses: new Map(), accepted: 0 };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        for (;;) {
          const t0 = performance.now();
          const { status, accepted, retryAfterMs } = await post(url, contentType, bodies[i]!);
          out.statuses.set(status, (out.statuses.get(status) ?? 0) + 1);
          if (status !== 429 && status !== 503) {
            out.latencies.push(performance.now() - t0);
            out.accepted += accepted;
            break;
          }
          await new Promise((r) => setTimeout(r, retryAfterMs));
        }
      }
    }),
  );
  out.ms = performance.now() - started;
  return out;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const byValue = (a: number, b: number) => a - b;
const statusList = (statuses: Map<number, number>) => [...statuses].map(([s, n]) => `${s}×${fmt(n)}`).join(' ');

async function benchRole(): Promise<void> {
  const dirs = { baseline: tempDir(), service: tempDir() };
  try {
    await measure(dirs.baseline, dirs.service);
  } finally {
    for (const dir of Object.values(dirs)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'plumbline-bench-ingest-'));

async function measure(baselineDir: string, serviceDir: string): Promise<void> {
  // (a) in a child of its own, before the service starts, so the two never share a core.
  const baseline = await next(start('baseline', baselineDir), 'baseline');
  await next(start('prepare', serviceDir), 'prepared');

  const ledgerBodies: string[] = [];
  for (let i = 0; i < EVENTS; i += BATCH) ledgerBodies.push(ledgerBody('http', i, Math.min(BATCH, EVENTS - i)));
  const spanBodies = otlpBodies(EVENTS);

  const server = start('server', serviceDir);
  const { port } = await next(server, 'listening');
  const pid = server.pid!;
  const base = `http://127.0.0.1:${port}`;
  const idle = memoryOf(pid);
  console.log(`ingest benchmark: ${fmt(EVENTS)} events and ${fmt(EVENTS)} spans, batches of ${BATCH}, ${CLIENTS} clients; service pid ${pid}, ${(idle.rss / MiB).toFixed(0)} MiB RSS idle\n`);
  let acknowledged = 0;

  try {
    // (b) ledger over HTTP.
    const cpuBefore = cpuSecondsOf(pid);
    const clientCpu = process.cpuUsage();
    const ledgerRun = await send(`${base}/v1/ledger`, 'application/json', ledgerBodies, CLIENTS);
    const ledgerRate = rate(EVENTS, ledgerRun.ms);
    acknowledged += ledgerRun.accepted;
    const ledgerCpu = cpuSecondsOf(pid) - cpuBefore;
    const clientUsed = process.cpuUsage(clientCpu);
    const clientCores = (clientUsed.user + clientUsed.system) / 1000 / ledgerRun.ms;

    // (c) spans over OTLP/HTTP protobuf.
    const spanRun = await send(`${base}/v1/traces`, 'application/x-protobuf', spanBodies, CLIENTS);
    const spanRate = rate(EVENTS, spanRun.ms);
    const spanCpu = cpuSecondsOf(pid) - cpuBefore - ledgerCpu;
    const afterLoad = memoryOf(pid);

    // (d) ack latency at half the measured ledger rate: one batch every interval, for LATENCY_SECONDS.
    const intervalMs = (BATCH / (ledgerRate / 2)) * 1000;
    const pacedBodies = Array.from({ length: Math.ceil((LATENCY_SECONDS * 1000) / intervalMs) }, (_, k) => ledgerBody('paced', k * BATCH, BATCH));
    const paced: Promise<{ ms: number; status: number; accepted: number }>[] = [];
    const pacedCpuBefore = cpuSecondsOf(pid);
    const pacedMergeCpuBefore = mergeCpuSecondsOf(pid);
    const pacedStart = performance.now();
    for (let k = 0; k < pacedBodies.length; k += 1) {
      const sentAt = performance.now();
      paced.push(post(`${base}/v1/ledger`, 'application/json', pacedBodies[k]!).then((r) => ({ ...r, ms: performance.now() - sentAt })));
      const wait = pacedStart + (k + 1) * intervalMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const pacedResults = await Promise.all(paced);
    const pacedSeconds = (performance.now() - pacedStart) / 1000;
    const pacedCpu = cpuSecondsOf(pid) - pacedCpuBefore;
    const pacedMergeCpu = mergeCpuSecondsOf(pid) - pacedMergeCpuBefore;
    const pacedLatencies = pacedResults.map((r) => r.ms).sort(byValue);
    const pacedStatuses = new Map<number, number>();
    for (const r of pacedResults) pacedStatuses.set(r.status, (pacedStatuses.get(r.status) ?? 0) + 1);
    const pacedAccepted = pacedResults.reduce((sum, r) => sum + r.accepted, 0);
    acknowledged += pacedAccepted;

    // (e) overload: OVERLOAD_CLIENTS senders of fresh batches for OVERLOAD_SECONDS; a shed
    // batch is resent after RETRY_MS. RSS is sampled, and VmHWM catches any peak between samples.
    const peakResettable = resetPeak(pid);
    let sampledPeak = memoryOf(pid).rss;
    const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, memoryOf(pid).rss)), 20);
    const template = ledgerBody('over', 0, BATCH);
    const overloadStatuses = new Map<number, number>();
    const overloadLatencies: number[] = [];
    let batchNo = 0;
    let overloadAccepted = 0;
    const overloadStart = performance.now();
    const running = () => performance.now() - overloadStart < OVERLOAD_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: OVERLOAD_CLIENTS }, async () => {
        while (running()) {
          const body = template.replaceAll('"over-', `"over${batchNo++}-`);
          for (;;) {
            const t0 = performance.now();
            const { status, accepted } = await post(`${base}/v1/ledger`, 'application/json', body);
            overloadStatuses.set(status, (overloadStatuses.get(status) ?? 0) + 1);
            if (status === 200) {
              overloadLatencies.push(performance.now() - t0);
              overloadAccepted += accepted;
              break;
            }
            if (!running()) break;
            await new Promise((r) => setTimeout(r, RETRY_MS));
          }
        }
      }),
    );
    const overloadMs = performance.now() - overloadStart;
    clearInterval(sampler);
    const overloadPeak = Math.max(sampledPeak, peakResettable ? memoryOf(pid).peak : 0);
    acknowledged += overloadAccepted;
    server.send({ type: 'stored' } satisfies ToServer);
    const stored = await next(server, 'stored');

    const sortedLedger = ledgerRun.latencies.sort(byValue);
    const sortedOverload = overloadLatencies.sort(byValue);
    const lines = [
      ['(a) raw insert, ledger rows', `${fmt(baseline.ledger)} rows/s`, `1.00× (baseline), using ${baseline.ledgerCores.toFixed(2)} cores`],
      ['(a′) raw insert, span rows', `${fmt(baseline.spans)} rows/s`, `${(baseline.spans / baseline.ledger).toFixed(2)}× (a)`],
      ['(b) ledger over HTTP', `${fmt(ledgerRate)} events/s`, `${(ledgerRate / baseline.ledger).toFixed(2)}× (a)  [target ≥ 0.5]`],
      ['(c) spans over OTLP/HTTP', `${fmt(spanRate)} spans/s`, `${(spanRate / baseline.ledger).toFixed(2)}× (a), ${(spanRate / baseline.spans).toFixed(2)}× (a′)  [target ≥ 0.4× (a)]`],
      ['    service CPU in (b), (c)', `${(ledgerCpu / (ledgerRun.ms / 1000)).toFixed(2)}, ${(spanCpu / (spanRun.ms / 1000)).toFixed(2)} cores`, `${((ledgerCpu * 1e6) / EVENTS).toFixed(0)} µs per event, ${((spanCpu * 1e6) / EVENTS).toFixed(0)} µs per span; load generator ${clientCores.toFixed(2)} cores in (b) (machine: ${os.cpus().length} cores)`],
      ['    ledger ack at full rate', `p50 ${quantile(sortedLedger, 0.5).toFixed(0)} ms`, `p99 ${quantile(sortedLedger, 0.99).toFixed(0)} ms`],
      ['(d) ledger ack at half rate', `p50 ${quantile(pacedLatencies, 0.5).toFixed(0)} ms`, `p99 ${quantile(pacedLatencies, 0.99).toFixed(0)} ms  [target ≤ 250 ms] (${pacedLatencies.length} batches, one every ${intervalMs.toFixed(0)} ms; ${statusList(pacedStatuses)})`],
      ['    service CPU in (d)', `${(pacedCpu / pacedSeconds).toFixed(2)} cores`, `${((pacedCpu * 1e6) / Math.max(1, pacedAccepted)).toFixed(0)} µs per event, merges ${(pacedMergeCpu / pacedSeconds).toFixed(2)} cores of it (each insert's fixed cost is shared by fewer events than in (b))`],
      ['(e) peak RSS under overload', `${(overloadPeak / MiB).toFixed(0)} MiB`, `[target < 1024 MiB] service process only; ${(idle.rss / MiB).toFixed(0)} MiB idle, ${(afterLoad.rss / MiB).toFixed(0)} MiB after (b)+(c)`],
      ['    overload', `${fmt(rate(overloadAccepted, overloadMs))} events/s`, `${OVERLOAD_CLIENTS} clients for ${OVERLOAD_SECONDS} s: ${statusList(overloadStatuses)}; acked p50 ${quantile(sortedOverload, 0.5).toFixed(0)} ms, p99 ${quantile(sortedOverload, 0.99).toFixed(0)} ms`],
      ['    stored vs acknowledged', `${fmt(stored.events)} events`, `${stored.events === acknowledged && stored.rows === stored.events ? 'equal, no duplicate rows' : `MISMATCH: ${fmt(acknowledged)} acknowledged, ${fmt(stored.rows)} rows`}`],
    ];
    for (const [what, figure, ratio] of lines) console.log(`${what!.padEnd(32)} ${figure!.padEnd(22)} ${ratio}`);
    const statuses = [...ledgerRun.statuses, ...spanRun.statuses].filter(([s]) => s !== 200);
    if (statuses.length > 0) console.log(`\nnon-200 answers during (b)/(c), each resent after Retry-After: ${statuses.map(([s, n]) => `${s}×${n}`).join(' ')}`);
  } finally {
    server.send({ type: 'close' } satisfies ToServer);
    await next(server, 'closed');
  }
}

const dir = args.dir ?? '';
if (args.role === 'baseline') await baselineRole(dir);
else if (args.role === 'prepare') await prepareRole(dir);
else if (args.role === 'server') await serverRole(dir);
else await benchRole();
