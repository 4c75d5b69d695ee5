import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { useTestStores, type TestStores } from '../support/stores';
import { BOOTSTRAP_KEY, ledgerEvent, postLedger, seedIngestRegistry } from '../support/ingest';

/**
 * POST /v1/traces with unmodified OpenTelemetry JS exporters (protobuf and JSON, plain
 * and gzip): spans land in otel_traces exactly once, join to ledger events by trace id,
 * and malformed requests get OTLP-shaped errors.
 */
let stores: TestStores;
let server: { port: number; close(): Promise<void> };
let url: string;

beforeAll(async () => {
  process.env.PLUMBLINE_INGEST_KEY = BOOTSTRAP_KEY;
  stores = await useTestStores();
  await seedIngestRegistry();
  const { startIngestServer } = await import('@/ingest/server');
  server = await startIngestServer({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${server.port}/v1/traces`;
});

afterAll(async () => {
  await server.close();
  await stores.cleanup();
});

async function spanCount(traceId: string): Promise<number> {
  const { queryOne } = await import('@/lib/clickhouse/client');
  return Number((await queryOne<{ n: number }>('SELECT count() AS n FROM otel_traces WHERE TraceId = {t:String}', { t: traceId }))?.n ?? 0);
}

/** Makes a small field-app → middleware → Odoo trace and returns its finished spans. */
function recordTrace(service: string): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('ingest-test', '1.0.0');
  const root = tracer.startSpan('sync timesheet', { attributes: { 'odoo.model': 'account.analytic.line', 'plumbline.record_id': 'TS-1' } });
  const rootContext = root.spanContext();
  const parent = { traceId: rootContext.traceId, spanId: rootContext.spanId, traceFlags: 1 };
  const ctx = trace.setSpanContext(context.active(), parent);
  tracer.startSpan('middleware enqueue', {}, ctx).end();
  tracer.startSpan('odoo create', {}, ctx).end();
  root.end();
  return memory.getFinishedSpans();
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(spans, (result) => resolve(result)));
}

describe('POST /v1/traces', () => {
  it('stores spans sent by the protobuf exporter through a BatchSpanProcessor', async () => {
    const exporter = new ProtoExporter({ url, headers: { Authorization: `Bearer ${BOOTSTRAP_KEY}` } });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'sitelog' }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const span = provider.getTracer('ingest-test').startSpan('daily log upload', { attributes: { 'sitelog.project': 'P-104' } });
    const traceId = span.spanContext().traceId;
    span.end();
    await provider.forceFlush();
    await provider.shutdown();

    const { queryRows } = await import('@/lib/clickhouse/client');
    const rows = await queryRows<{ ServiceName: string; SpanName: string; project: string; ScopeName: string }>(
      `SELECT ServiceName, SpanName, SpanAttributes['sitelog.project'] AS project, ScopeName FROM otel_traces WHERE TraceId = {t:String}`,
      { t: traceId },
    );
    assert.deepEqual(rows, [{ ServiceName: 'sitelog', SpanName: 'daily log upload', project: 'P-104', ScopeName: 'ingest-test' }]);
  });

  it('stores a whole trace from the JSON exporter with gzip, and a resend stores nothing twice', async () => {
    const spans = recordTrace('rentaldesk');
    const traceId = spans[0]!.spanContext().traceId;
    const exporter = new JsonExporter({ url, headers: { Authorization: `Bearer ${BOOTSTRAP_KEY}` }, compression: CompressionAlgorithm.GZIP });
    assert.equal((await exportWith(exporter, spans)).code, 0);
    assert.equal(await spanCount(traceId), 3);

    assert.equal((await exportWith(exporter, spans)).code, 0);
    const proto = new ProtoExporter({ url, headers: { Authorization: `Bearer ${BOOTSTRAP_KEY}` }, compression: CompressionAlgorithm.GZIP });
    assert.equal((await exportWith(proto, spans)).code, 0);
    assert.equal(await spanCount(traceId), 3);
    await exporter.shutdown();
    await proto.shutdown();
  });

  it('joins ledger events to the spans of their trace', async () => {
    const spans = recordTrace('middleware');
    const exporter = new ProtoExporter({ url, headers: { Authorization: `Bearer ${BOOTSTRAP_KEY}` } });
    assert.equal((await exportWith(exporter, spans)).code, 0);
    const odooSpan = spans.find((s) => s.name === 'odoo create')!;
    const { traceId, spanId } = odooSpan.spanContext();
    const res = await postLedger(server.port, JSON.stringify([ledgerEvent(1, { trace_id: traceId.toUpperCase(), span_id: spanId })]));
    assert.equal(res.body.accepted, 1);

    const { queryRows } = await import('@/lib/clickhouse/client');
    const joined = await queryRows<{ event_id: string; SpanName: string; spans: number }>(
      `SELECT l.event_id AS event_id, t.SpanName AS SpanName, count() OVER (PARTITION BY l.trace_id) AS spans
       FROM sync_ledger AS l INNER JOIN otel_traces AS t ON t.TraceId = l.trace_id
       WHERE l.event_id = 'evt-000001' AND t.SpanId = l.span_id`,
    );
    assert.deepEqual(joined, [{ event_id: 'evt-000001', SpanName: 'odoo create', spans: 1 }]);
    const trace = await queryRows<{ n: number }>(
      `SELECT count() AS n FROM otel_traces WHERE TraceId IN (SELECT trace_id FROM sync_ledger WHERE event_id = 'evt-000001')`,
    );
    assert.equal(trace[0]!.n, 3);
    await exporter.shutdown();
  });

  it('answers partial success for spans it cannot store', async () => {
    const valid = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'ok', kind: 1, startTimeUnixNano: '1780000000000000000', endTimeUnixNano: '1780000000500000000' };
    const zeroTrace = { ...valid, traceId: '0'.repeat(32), spanId: 'ef'.repeat(8) };
    const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans: [valid, zeroTrace] }] }] };
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const reply = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(reply.partialSuccess.rejectedSpans, '1');
    assert.match(reply.partialSuccess.errorMessage, /trace id/);
    assert.equal(await spanCount('ab'.repeat(16)), 1);
  });

  it('answers malformed protobuf with 400 and a protobuf google.rpc.Status', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    const reader = protobuf.Reader.create(new Uint8Array(await res.arrayBuffer()));
    const status: { code?: number; message?: string } = {};
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === 1) status.code = reader.int32();
      else if (tag >>> 3 === 2) status.message = reader.string();
      else reader.skipType(tag & 7);
    }
    assert.equal(status.code, 3);
    assert.ok(status.message && status.message.length > 0);
  });

  it('answers malformed JSON with 400, other content types with 415 and missing keys with 401', async () => {
    const headers = { authorization: `Bearer ${BOOTSTRAP_KEY}`, 'content-type': 'application/json' };
    const bad = await fetch(url, { method: 'POST', headers, body: '{"resourceSpans": [' });
    assert.equal(bad.status, 400);
    const status = (await bad.json()) as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.match(status.message, /JSON/);

    const wrongType = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(wrongType.status, 415);
    const noKey = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(noKey.status, 401);

    const exporter = new ProtoExporter({ url, headers: { Authorization: 'Bearer wrong-key' } });
    assert.notEqual((await exportWith(exporter, recordTrace('odoo'))).code, 0);
    await exporter.shutdown();
  });

  it('counts spans in the Prometheus metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    assert.match(text, /plumbline_ingest_accepted_total\{signal="spans"\} [1-9]/);
    assert.match(text, /plumbline_ingest_duplicates_total\{signal="spans"\} [1-9]/);
    assert.match(text, /plumbline_ingest_rejected_total\{reason="invalid",signal="spans"\} 1/);
  });
});
