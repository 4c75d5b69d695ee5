import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SerialLock } from '@/lib/ingest/batcher';
import type { LedgerEventInput } from '@/lib/ledger/event';
import type { DemoTraffic, SpanPlan } from '@/lib/demo/generate';

/**
 * Sends demo traffic the way a real estate does: traces through the OpenTelemetry JS SDK
 * and its OTLP/HTTP exporter, ledger events as HTTP batches to /v1/ledger.
 */
export interface SendTarget {
  ingestUrl: string;
  key: string;
}

export interface SendResult {
  events: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  spans: number;
}

const KINDS: Record<SpanPlan['kind'], SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

const LEDGER_BATCH = 1000;
/**
 * How long one batch keeps being retried while the ingest sheds load (429/503), as a
 * Collector's retry queue would (its default max_elapsed_time is five minutes too). A busy
 * machine can keep the ingest queue full for longer than the exporter's own five attempts.
 */
const SHED_PATIENCE_MS = 5 * 60_000;
const MAX_RETRY_WAIT_MS = 10_000;
/** Batches wait their turn behind other services' and may be retried: the SDK must not give up on them first. */
const WHOLE_LOAD_TIMEOUT_MS = 60 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The OTLP exporter reports a refused export with its HTTP status as `code`; shed load
 * (429/503 after its own retries) and network errors carry none and are worth retrying.
 */
function isRetryable(error: Error | undefined): boolean {
  const status = (error as { code?: unknown } | undefined)?.code;
  return typeof status !== 'number' || status === 429 || status >= 500;
}

/**
 * Hands batches to the OTLP exporter one at a time across all services, and retries a batch
 * the ingest shed until SHED_PATIENCE_MS have passed. The demo's spans are all made before
 * the flush, so without the turns every batch would be posted at once and most of them shed.
 */
class PatientExporter implements SpanExporter {
  constructor(
    private readonly exporter: SpanExporter,
    private readonly turns: SerialLock,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    void this.turns.run(() => this.exportUntilAccepted(spans)).then(resultCallback, (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }));
  }

  private async exportUntilAccepted(spans: ReadableSpan[]): Promise<ExportResult> {
    const giveUpAt = Date.now() + SHED_PATIENCE_MS;
    for (let wait = 1000; ; wait = Math.min(wait * 2, MAX_RETRY_WAIT_MS)) {
      const result = await new Promise<ExportResult>((resolve) => this.exporter.export(spans, resolve));
      if (result.code === ExportResultCode.SUCCESS || !isRetryable(result.error) || Date.now() + wait > giveUpAt) return result;
      await sleep(wait);
    }
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}

/** Ids from a seeded generator, so re-sending the same demo only yields duplicates. */
class SeededIds implements IdGenerator {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  private hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i++) {
      this.state = (Math.imul(this.state ^ (this.state >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
      out += ((this.state >>> 13) & 0xff).toString(16).padStart(2, '0');
    }
    return out;
  }
  generateTraceId(): string {
    return this.hex(16);
  }
  generateSpanId(): string {
    return this.hex(8);
  }
}

export async function sendDemoTraffic(traffic: DemoTraffic, target: SendTarget, seed = 20261122): Promise<SendResult> {
  const ids = new SeededIds(seed);
  const exportTurns = new SerialLock();
  const providers = new Map<string, BasicTracerProvider>();
  const tracerFor = (service: string): Tracer => {
    let provider = providers.get(service);
    if (!provider) {
      const exporter = new OTLPTraceExporter({
        url: `${target.ingestUrl}/v1/traces`,
        headers: { Authorization: `Bearer ${target.key}` },
        timeoutMillis: 30_000,
      });
      provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'demo' }),
        idGenerator: ids,
        spanProcessors: [
          new BatchSpanProcessor(new PatientExporter(exporter, exportTurns), {
            maxQueueSize: 200_000,
            maxExportBatchSize: 2000,
            scheduledDelayMillis: 100,
            exportTimeoutMillis: WHOLE_LOAD_TIMEOUT_MS,
          }),
        ],
        forceFlushTimeoutMillis: WHOLE_LOAD_TIMEOUT_MS,
      });
      providers.set(service, provider);
    }
    return provider.getTracer(`${service}-integration`, '1.4.2');
  };

  let spans = 0;
  const emit = (plan: SpanPlan, parent: Span | null): Span => {
    const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
    const span = tracerFor(plan.service).startSpan(plan.name, { kind: KINDS[plan.kind], startTime: plan.startMs, attributes: plan.attributes }, ctx);
    spans += 1;
    for (const child of plan.children) emit(child, span);
    if (plan.failed) {
      span.addEvent('exception', { 'exception.message': plan.message }, plan.startMs + plan.durationMs);
      span.setStatus({ code: SpanStatusCode.ERROR, message: plan.message });
    } else {
      span.setStatus({ code: SpanStatusCode.OK });
    }
    span.end(plan.startMs + plan.durationMs);
    return span;
  };

  const events: LedgerEventInput[] = traffic.attempts.map((attempt) => {
    const root = emit(attempt.trace, null).spanContext();
    return { ...attempt.event, trace_id: root.traceId, span_id: root.spanId };
  });
  await Promise.all([...providers.values()].map((p) => p.forceFlush()));
  await Promise.all([...providers.values()].map((p) => p.shutdown()));

  const result: SendResult = { events: events.length, accepted: 0, duplicates: 0, rejected: 0, spans };
  for (let i = 0; i < events.length; i += LEDGER_BATCH) {
    const reply = await postLedgerBatch(target, events.slice(i, i + LEDGER_BATCH));
    result.accepted += reply.accepted;
    result.duplicates += reply.duplicates;
    result.rejected += reply.rejected.length;
  }
  return result;
}

interface LedgerReply {
  accepted: number;
  duplicates: number;
  rejected: { index: number; errors: string[] }[];
}

/** Posts one batch, honouring 429/503 Retry-After like a well-behaved middleware would. */
async function postLedgerBatch(target: SendTarget, events: LedgerEventInput[]): Promise<LedgerReply> {
  const giveUpAt = Date.now() + SHED_PATIENCE_MS;
  for (;;) {
    const response = await fetch(`${target.ingestUrl}/v1/ledger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.key}` },
      body: JSON.stringify({ events }),
    });
    const waitMs = Math.max(0.1, Number(response.headers.get('retry-after') ?? '1')) * 1000;
    if ((response.status === 429 || response.status === 503) && Date.now() + waitMs <= giveUpAt) {
      await sleep(waitMs);
      continue;
    }
    if (!response.ok) throw new Error(`ingest refused a demo batch: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as LedgerReply;
  }
}
