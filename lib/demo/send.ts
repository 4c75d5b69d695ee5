import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator } from '@opentelemetry/sdk-trace-base';
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
        spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 200_000, maxExportBatchSize: 2000, scheduledDelayMillis: 100 })],
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
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${target.ingestUrl}/v1/ledger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.key}` },
      body: JSON.stringify({ events }),
    });
    if ((response.status === 429 || response.status === 503) && attempt < 10) {
      const wait = Number(response.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0.1, wait) * 1000));
      continue;
    }
    if (!response.ok) throw new Error(`ingest refused a demo batch: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as LedgerReply;
  }
}
