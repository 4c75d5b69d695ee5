import { insertRows, queryRows } from '@/lib/clickhouse/client';
import { KeyLock, MicroBatcher, type BatcherOptions } from '@/lib/ingest/batcher';
import { ingestMetrics } from '@/lib/ingest/metrics';
import type { SpanRow } from '@/lib/traces/otlp/decode';

/**
 * Writes spans into otel_traces once per (TraceId, SpanId): each flush checks the batch
 * against plumbline_span_ids (primary-key prefix TraceId) and against itself. Flushes
 * for otel_traces that share a span run one after another process-wide (spanKeys).
 */
export type SpanWriteOutcome = 'accepted' | 'duplicate';

/** An otel_traces row; Duration may be a number when built in code (bulk loaders). */
export type StoredSpanRow = Omit<SpanRow, 'Duration'> & { Duration: string | number };

/** Two full batches, as for the ledger (lib/ledger/store.ts). */
const DEFAULT_OPTIONS: BatcherOptions = { name: 'otel_traces', maxBatchItems: 5000, maxDelayMs: 50, maxQueueItems: 10_000, maxConcurrentFlushes: 2 };
const LOOKUP_CHUNK = 5000;
const spanKeys = new KeyLock();

function spanKey(traceId: string, spanId: string): string {
  return `${traceId}:${spanId}`;
}

export async function existingSpanKeys(rows: readonly { TraceId: string; SpanId: string }[]): Promise<Set<string>> {
  const found = new Set<string>();
  const keys = [...new Set(rows.map((r) => spanKey(r.TraceId, r.SpanId)))];
  for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
    const chunk = keys.slice(i, i + LOOKUP_CHUNK);
    const traceIds = [...new Set(chunk.map((k) => k.slice(0, k.indexOf(':'))))];
    const hits = await queryRows<{ key: string }>(
      `SELECT DISTINCT concat(TraceId, ':', SpanId) AS key FROM plumbline_span_ids
       WHERE TraceId IN {traceIds:Array(String)} AND concat(TraceId, ':', SpanId) IN {keys:Array(String)}`,
      { traceIds, keys: chunk },
    );
    for (const hit of hits) found.add(hit.key);
  }
  return found;
}

export async function writeSpanRows(rows: readonly StoredSpanRow[]): Promise<SpanWriteOutcome[]> {
  const existing = await existingSpanKeys(rows);
  const seen = new Set<string>();
  const fresh: StoredSpanRow[] = [];
  const outcomes = rows.map((row): SpanWriteOutcome => {
    const key = spanKey(row.TraceId, row.SpanId);
    if (existing.has(key) || seen.has(key)) return 'duplicate';
    seen.add(key);
    fresh.push(row);
    return 'accepted';
  });
  await insertRows('otel_traces', fresh);
  ingestMetrics().batchSize.observe({ signal: 'spans' }, fresh.length);
  return outcomes;
}

export function createSpanBatcher(options: Partial<BatcherOptions> = {}): MicroBatcher<StoredSpanRow, SpanWriteOutcome> {
  const metrics = ingestMetrics();
  return new MicroBatcher<StoredSpanRow, SpanWriteOutcome>(
    writeSpanRows,
    { ...DEFAULT_OPTIONS, ...options },
    (row) => [spanKey(row.TraceId, row.SpanId)],
    {
      onFlush: (_items, seconds, ok) => {
        metrics.flushSeconds.observe({ signal: 'spans' }, seconds);
        if (!ok) metrics.flushFailures.inc({ signal: 'spans' });
      },
      onQueueDepth: (items) => metrics.queueDepth.set({ signal: 'spans' }, items),
    },
    spanKeys,
  );
}

const BATCHER_KEY = Symbol.for('plumbline.traces.batcher');
type Holder = { [BATCHER_KEY]?: MicroBatcher<StoredSpanRow, SpanWriteOutcome> };

export function sharedSpanBatcher(): MicroBatcher<StoredSpanRow, SpanWriteOutcome> {
  const holder = globalThis as unknown as Holder;
  holder[BATCHER_KEY] ??= createSpanBatcher();
  return holder[BATCHER_KEY];
}

const APPEND_CHUNK = 5000;

/** Appends spans programmatically (demo loader) with the same dedupe as OTLP ingest; waits for durability. */
export async function appendSpans(rows: readonly StoredSpanRow[]): Promise<{ accepted: number; duplicates: number }> {
  const batcher = sharedSpanBatcher();
  const metrics = ingestMetrics();
  let accepted = 0;
  let duplicates = 0;
  for (let start = 0; start < rows.length; start += APPEND_CHUNK) {
    const outcomes = await batcher.submit(rows.slice(start, start + APPEND_CHUNK), true);
    const fresh = outcomes.filter((o) => o === 'accepted').length;
    accepted += fresh;
    duplicates += outcomes.length - fresh;
    metrics.received.inc({ signal: 'spans' }, outcomes.length);
    metrics.accepted.inc({ signal: 'spans' }, fresh);
    metrics.duplicates.inc({ signal: 'spans' }, outcomes.length - fresh);
  }
  return { accepted, duplicates };
}
