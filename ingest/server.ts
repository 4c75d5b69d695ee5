import http from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { env } from '@/lib/config/env';
import { apiErrorBody } from '@/lib/api/errors';
import { pingClickHouse } from '@/lib/clickhouse/client';
import { prisma } from '@/lib/db/client';
import { BatcherClosedError, QueueFullError, SerialLock, type BatcherOptions, type MicroBatcher } from '@/lib/ingest/batcher';
import { ByteBudget } from '@/lib/ingest/budget';
import { ingestMetrics } from '@/lib/ingest/metrics';
import { presentedKey, verifyIngestKey, type IngestPrincipal } from '@/lib/ingest/api-keys';
import { HttpError, mediaType, readBody } from '@/ingest/body';
import { parseLedgerBody } from '@/ingest/ledger-body';
import { admitLedgerEvents, type Admission } from '@/lib/ledger/admission';
import { createLedgerBatcher } from '@/lib/ledger/store';
import { ledgerStateFeedFull, refeedRecentLedgerState, stopLedgerStateFeed } from '@/lib/ledger/state-feed';
import { createSpanBatcher } from '@/lib/traces/store';
import { OtlpDecodeError, decodeTraceRequest, encodeTraceResponse, toSpanRows, type OtlpFormat, type SpanRows } from '@/lib/traces/otlp/decode';
import { encodeRpcStatus, grpcCodeForHttpStatus } from '@/ingest/rpc-status';

/**
 * The ingest service: OTLP/HTTP traces and sync-ledger batches into ClickHouse.
 * A 200 means the rows are in ClickHouse; a client mistake is always a 4xx with the
 * reason; the process never crashes on input.
 */
export interface IngestServer {
  port: number;
  close(): Promise<void>;
}

export interface IngestServerOptions {
  port: number;
  host: string;
  /** Defaults to PLUMBLINE_INGEST_MAX_BODY_BYTES; applies to the body before and after decompression. */
  maxBodyBytes?: number;
  /** Batching thresholds and queue bound for this server's ledger and span writers. */
  batching?: Partial<BatcherOptions>;
  /** Request bytes (received and decompressed) held at once across all requests; see ByteBudget. */
  maxInflightBytes?: number;
}

const tracer = trace.getTracer('plumbline-ingest');
const LEDGER_TYPES = new Set(['application/json', 'application/x-ndjson']);
const OTLP_TYPES: Record<string, OtlpFormat> = { 'application/x-protobuf': 'protobuf', 'application/json': 'json' };
/** How long close() lets in-flight requests finish before flushing and returning. */
const DRAIN_TIMEOUT_MS = 10_000;
/**
 * 16 MiB is ~28 ledger batches of 1 000 events (~570 KB each as JSON): the queue's two
 * flushes' worth, the flush being written, and as many again waiting to be validated.
 * Holding more bodies only adds ack latency under overload, and memory.
 */
const DEFAULT_MAX_INFLIGHT_BYTES = 16 * 1024 * 1024;
/**
 * Ledger events validated per turn of the event loop. A batch of 1 000 takes 15–35 ms to
 * validate; in one go it would hold up every flush waiting for ClickHouse's answer (and so
 * every other client's ack) that long. In slices, flushes proceed between them.
 */
const ADMISSION_SLICE = 100;
/**
 * One body is validated at a time, first come first served: slices of many bodies
 * interleaved would hold all their parsed events at once and finish all of them late.
 */
const admissionTurns = new SerialLock();

export async function startIngestServer(options: IngestServerOptions): Promise<IngestServer> {
  const maxBodyBytes = options.maxBodyBytes ?? env().PLUMBLINE_INGEST_MAX_BODY_BYTES;
  // Rows a stopped process stored and acknowledged but had not fed to the state yet.
  await refeedRecentLedgerState();
  const ledgerBatcher = createLedgerBatcher(options.batching);
  const spanBatcher = createSpanBatcher(options.batching);
  const metrics = ingestMetrics();
  const budget = new ByteBudget(options.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES, (bytes) => metrics.inflightBytes.set({}, bytes));
  let inFlight = 0;
  let drained: (() => void) | null = null;

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<number> => {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    if (path === '/healthz' || path === '/readyz' || path === '/metrics') {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, apiErrorBody('method_not_allowed', `${path} accepts GET`), { allow: 'GET, HEAD' });
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') return readiness(res);
      return send(res, 200, metrics.render(), { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    }
    if (path === '/v1/ledger' || path === '/v1/traces') {
      if (method !== 'POST') return sendJson(res, 405, apiErrorBody('method_not_allowed', `${path} accepts POST`), { allow: 'POST' });
      const reservation = budget.reservation();
      try {
        return await (path === '/v1/ledger'
          ? handleLedger(req, res, maxBodyBytes, reservation.take, ledgerBatcher)
          : handleTraces(req, res, maxBodyBytes, reservation.take, spanBatcher));
      } finally {
        reservation.release();
      }
    }
    return sendJson(res, 404, apiErrorBody('not_found', `No such endpoint: ${method} ${path}`));
  };

  const server = http.createServer((req, res) => {
    inFlight += 1;
    const started = performance.now();
    const endpoint = (req.url ?? '/').split('?')[0] ?? '/';
    void tracer.startActiveSpan(`${req.method ?? 'GET'} ${endpoint}`, { kind: SpanKind.SERVER }, async (span: Span) => {
      let status = 500;
      try {
        status = await route(req, res);
      } catch (error) {
        status = sendUnexpected(res, error);
      } finally {
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        const known = ['/v1/ledger', '/v1/traces', '/healthz', '/readyz', '/metrics'].includes(endpoint) ? endpoint : 'other';
        metrics.requests.inc({ endpoint: known, code: String(status) });
        if (known.startsWith('/v1/')) metrics.requestSeconds.observe({ endpoint: known }, (performance.now() - started) / 1000);
        inFlight -= 1;
        if (inFlight === 0) drained?.();
      }
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  let closing: Promise<void> | null = null;

  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        ledgerBatcher.flushNow();
        spanBatcher.flushNow();
        if (inFlight > 0) {
          await Promise.race([
            new Promise<void>((resolve) => (drained = resolve)),
            new Promise<void>((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref()),
          ]);
        }
        await Promise.all([ledgerBatcher.close(), spanBatcher.close()]);
        await stopLedgerStateFeed();
        server.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}

async function readiness(res: http.ServerResponse): Promise<number> {
  const [clickhouse, postgres] = await Promise.all([
    pingClickHouse(),
    prisma()
      .then((db) => db.$queryRaw`SELECT 1`)
      .then(
        () => true,
        () => false,
      ),
  ]);
  const ready = clickhouse && postgres;
  return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', clickhouse, postgres }, ready ? {} : { 'retry-after': '5' });
}

async function authenticate(req: http.IncomingMessage): Promise<IngestPrincipal> {
  const key = presentedKey(req.headers);
  if (!key) throw new HttpError(401, 'unauthorized', 'Send an ingest API key as "Authorization: Bearer <key>" or "x-plumbline-key".');
  let principal: IngestPrincipal | null;
  try {
    principal = await verifyIngestKey(key);
  } catch {
    throw new HttpError(503, 'storage_unavailable', 'Cannot check API keys right now; retry later.', { 'retry-after': '5' });
  }
  if (!principal) throw new HttpError(401, 'unauthorized', 'The API key is unknown, revoked or expired.');
  return principal;
}

/** Refuses a request before its body is read or decoded when its rows could not be queued anyway. */
function shedIfFull(batcher: Pick<MicroBatcher<unknown, unknown>, 'full' | 'retryAfterSeconds'>): void {
  if (batcher.full) throw overloadError(new QueueFullError(batcher.retryAfterSeconds));
}

/** Ledger requests are refused as well while the state feed is behind its bound (lib/ledger/state-feed.ts). */
function shedLedgerIfFull(batcher: ReturnType<typeof createLedgerBatcher>): void {
  shedIfFull(batcher);
  if (ledgerStateFeedFull()) throw overloadError(new QueueFullError(batcher.retryAfterSeconds));
}

/** Storage trouble and shedding are the server's problem, said so with a retry hint. */
function overloadError(error: unknown): HttpError {
  if (error instanceof QueueFullError) {
    return new HttpError(429, 'overloaded', 'The ingest queue is full; retry after the indicated delay.', { 'retry-after': String(error.retryAfterSeconds) });
  }
  if (error instanceof BatcherClosedError) {
    return new HttpError(503, 'shutting_down', 'Ingest is shutting down; retry against another instance or later.', { 'retry-after': '5' });
  }
  return new HttpError(503, 'storage_unavailable', 'ClickHouse did not accept the write; nothing from this request was acknowledged. Retry later.', { 'retry-after': '5' });
}

/**
 * Reads, parses and validates a ledger body. Apart from the handler so that the body and
 * the parsed JSON are garbage once it returns, not held while the rows wait for a flush.
 */
async function admitLedgerBody(
  req: http.IncomingMessage,
  type: string,
  maxBodyBytes: number,
  take: (bytes: number) => boolean,
  principal: IngestPrincipal,
  batcher: ReturnType<typeof createLedgerBatcher>,
): Promise<Admission> {
  const body = await readBody(req, maxBodyBytes, take);
  return admissionTurns.run(async () => {
    shedLedgerIfFull(batcher);
    return admitInSlices(parseLedgerBody(body, type), principal);
  });
}

async function admitInSlices(items: unknown[], principal: IngestPrincipal): Promise<Admission> {
  ingestMetrics().received.inc({ signal: 'ledger' }, items.length);
  const now = new Date();
  const whole: Admission = { admitted: [], rejected: [], unregistered: new Map() };
  for (let start = 0; start < items.length; start += ADMISSION_SLICE) {
    if (start > 0) await nextTurn();
    let slice: Admission;
    try {
      slice = await admitLedgerEvents(items.slice(start, start + ADMISSION_SLICE), principal, now);
    } catch {
      throw new HttpError(503, 'storage_unavailable', 'Cannot read the interface registry right now; retry later.', { 'retry-after': '5' });
    }
    for (const event of slice.admitted) whole.admitted.push({ ...event, index: event.index + start });
    for (const event of slice.rejected) whole.rejected.push({ ...event, index: event.index + start });
    for (const [key, count] of slice.unregistered) whole.unregistered.set(key, (whole.unregistered.get(key) ?? 0) + count);
  }
  return whole;
}

async function handleLedger(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  maxBodyBytes: number,
  take: (bytes: number) => boolean,
  batcher: ReturnType<typeof createLedgerBatcher>,
): Promise<number> {
  const metrics = ingestMetrics();
  try {
    const principal = await authenticate(req);
    const type = mediaType(req.headers['content-type']);
    if (!type || !LEDGER_TYPES.has(type)) {
      throw new HttpError(415, 'unsupported_media_type', `Content-Type must be application/json or application/x-ndjson, not "${type ?? '(none)'}".`);
    }
    shedLedgerIfFull(batcher);
    const admission = await admitLedgerBody(req, type, maxBodyBytes, take, principal, batcher);
    let outcomes: string[];
    try {
      outcomes = await batcher.submit(admission.admitted.map((a) => a.row));
    } catch (error) {
      throw overloadError(error);
    }
    const accepted = outcomes.filter((o) => o === 'accepted').length;
    const duplicates = outcomes.length - accepted;
    metrics.accepted.inc({ signal: 'ledger' }, accepted);
    metrics.duplicates.inc({ signal: 'ledger' }, duplicates);
    for (const r of admission.rejected) metrics.rejected.inc({ signal: 'ledger', reason: r.reason });
    for (const [iface, count] of admission.unregistered) metrics.unregistered.inc({ interface: iface }, count);
    trace.getActiveSpan()?.setAttributes({ 'plumbline.ledger.accepted': accepted, 'plumbline.ledger.duplicates': duplicates, 'plumbline.ledger.rejected': admission.rejected.length });
    return sendJson(res, 200, {
      accepted,
      duplicates,
      rejected: admission.rejected.map((r) => ({ index: r.index, event_id: r.event_id, reason: r.reason, errors: r.errors })),
    });
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    metrics.rejected.inc({ signal: 'ledger', reason: `request_${error.status}` });
    return sendJson(res, error.status, apiErrorBody(error.code, error.message, error.details), error.headers);
  }
}

/** Reads and decodes an OTLP body; apart from the handler for the same reason as admitLedgerBody. */
async function decodeSpanBody(
  req: http.IncomingMessage,
  format: OtlpFormat,
  maxBodyBytes: number,
  take: (bytes: number) => boolean,
  batcher: ReturnType<typeof createSpanBatcher>,
): Promise<SpanRows> {
  const body = await readBody(req, maxBodyBytes, take);
  shedIfFull(batcher);
  let decoded;
  try {
    decoded = decodeTraceRequest(body, format);
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw new HttpError(400, 'bad_request', error.message);
    throw error;
  }
  const spans = toSpanRows(decoded);
  ingestMetrics().received.inc({ signal: 'spans' }, spans.rows.length + spans.rejected);
  return spans;
}

async function handleTraces(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  maxBodyBytes: number,
  take: (bytes: number) => boolean,
  batcher: ReturnType<typeof createSpanBatcher>,
): Promise<number> {
  const metrics = ingestMetrics();
  const type = mediaType(req.headers['content-type']);
  const format = type ? OTLP_TYPES[type] : undefined;
  try {
    await authenticate(req);
    if (!format) throw new HttpError(415, 'unsupported_media_type', `Content-Type must be application/x-protobuf or application/json, not "${type ?? '(none)'}".`);
    shedIfFull(batcher);
    const spans = await decodeSpanBody(req, format, maxBodyBytes, take, batcher);
    let outcomes: string[];
    try {
      outcomes = await batcher.submit(spans.rows);
    } catch (error) {
      throw overloadError(error);
    }
    const accepted = outcomes.filter((o) => o === 'accepted').length;
    metrics.accepted.inc({ signal: 'spans' }, accepted);
    metrics.duplicates.inc({ signal: 'spans' }, outcomes.length - accepted);
    metrics.rejected.inc({ signal: 'spans', reason: 'invalid' }, spans.rejected);
    const response = encodeTraceResponse(format, spans.rejected, spans.errors.join('; '));
    return send(res, 200, response, { 'content-type': type! });
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    metrics.rejected.inc({ signal: 'spans', reason: `request_${error.status}` });
    // OTLP/HTTP: failures carry a google.rpc.Status in the request's encoding.
    const status = { code: grpcCodeForHttpStatus(error.status), message: error.message };
    if (format === 'protobuf') {
      return send(res, error.status, encodeRpcStatus(status.code, status.message), { ...error.headers, 'content-type': 'application/x-protobuf' });
    }
    return send(res, error.status, JSON.stringify(status), { ...error.headers, 'content-type': 'application/json' });
  }
}

function sendUnexpected(res: http.ServerResponse, error: unknown): number {
  if (error instanceof HttpError) return sendJson(res, error.status, apiErrorBody(error.code, error.message, error.details), error.headers);
  console.error('ingest: unexpected error', error);
  return sendJson(res, 500, apiErrorBody('internal_error', 'Unexpected ingest error; nothing from this request was acknowledged.'));
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  return send(res, status, JSON.stringify(body), { ...headers, 'content-type': 'application/json' });
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string>): number {
  if (res.headersSent) return status;
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'content-length': String(payload.length) });
  res.end(payload);
  return status;
}
