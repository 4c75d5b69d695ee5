import { insertRows, queryRows } from '@/lib/clickhouse/client';
import { KeyLock, MicroBatcher, type BatcherOptions } from '@/lib/ingest/batcher';
import { ingestMetrics } from '@/lib/ingest/metrics';
import { admitLedgerEvents, type RejectedEvent } from '@/lib/ledger/admission';
import type { LedgerRow } from '@/lib/ledger/row';
import { feedLedgerState, ledgerStateFed } from '@/lib/ledger/state-feed';

/**
 * Writes ledger rows into ClickHouse exactly once per event_id: every flush checks the
 * batch against plumbline_ledger_event_ids (primary-key lookups) and against itself,
 * then inserts only new rows, and queues them for the state (lib/ledger/state-feed.ts). Flushes
 * for sync_ledger that share an event id run one after another process-wide (ledgerKeys);
 * others run side by side.
 */
export type WriteOutcome = 'accepted' | 'duplicate';

/**
 * The queue holds two full batches: one waiting while another is written keeps ClickHouse
 * busy, and more would only add ack latency (it drains at ~20–40k rows/s) and memory.
 * Two flushes at once: a ledger insert has a fixed cost (skip indexes, a projection, the event
 * id view), so a batch that waited for the flush in progress waited mostly for that; beside it,
 * on another chDB connection, it uses the idle core.
 */
export const DEFAULT_BATCHER_OPTIONS: BatcherOptions = { name: 'sync_ledger', maxBatchItems: 5000, maxDelayMs: 50, maxQueueItems: 10_000, maxConcurrentFlushes: 2 };

const LOOKUP_CHUNK = 5000;
const ledgerKeys = new KeyLock();

/** A row's event id: the dedupe check and the insert after it must not overlap another flush of the same id. */
function flushKeys(row: LedgerRow): string[] {
  return [row.event_id];
}

export async function existingLedgerEventIds(ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
    const rows = await queryRows<{ event_id: string }>(
      'SELECT DISTINCT event_id FROM plumbline_ledger_event_ids WHERE event_id IN {ids:Array(String)}',
      { ids: unique.slice(i, i + LOOKUP_CHUNK) },
    );
    for (const row of rows) found.add(row.event_id);
  }
  return found;
}

/** The flush: dedupe within the batch and against storage, insert the rest, report per row. */
export async function writeLedgerRows(rows: readonly LedgerRow[]): Promise<WriteOutcome[]> {
  const existing = await existingLedgerEventIds(rows.map((r) => r.event_id));
  const seen = new Set<string>();
  const fresh: LedgerRow[] = [];
  const outcomes = rows.map((row): WriteOutcome => {
    if (existing.has(row.event_id) || seen.has(row.event_id)) return 'duplicate';
    seen.add(row.event_id);
    fresh.push(row);
    return 'accepted';
  });
  await insertRows('sync_ledger', fresh);
  feedLedgerState(fresh);
  const metrics = ingestMetrics();
  metrics.batchSize.observe({ signal: 'ledger' }, fresh.length);
  for (const row of fresh) if (row.schema_drift) metrics.schemaDrift.inc({ interface: row.interface_id });
  return outcomes;
}

export function createLedgerBatcher(options: Partial<BatcherOptions> = {}): MicroBatcher<LedgerRow, WriteOutcome> {
  const metrics = ingestMetrics();
  return new MicroBatcher<LedgerRow, WriteOutcome>(
    writeLedgerRows,
    { ...DEFAULT_BATCHER_OPTIONS, ...options },
    flushKeys,
    {
      onFlush: (_items, seconds, ok) => {
        metrics.flushSeconds.observe({ signal: 'ledger' }, seconds);
        if (!ok) metrics.flushFailures.inc({ signal: 'ledger' });
      },
      onQueueDepth: (items) => metrics.queueDepth.set({ signal: 'ledger' }, items),
    },
    ledgerKeys,
  );
}

const BATCHER_KEY = Symbol.for('plumbline.ledger.batcher');
type Holder = { [BATCHER_KEY]?: MicroBatcher<LedgerRow, WriteOutcome> };

/** The process's default ledger batcher (the ingest server uses its own when given options). */
export function sharedLedgerBatcher(): MicroBatcher<LedgerRow, WriteOutcome> {
  const holder = globalThis as unknown as Holder;
  holder[BATCHER_KEY] ??= createLedgerBatcher();
  return holder[BATCHER_KEY];
}

export interface AppendResult {
  accepted: number;
  duplicates: number;
  rejected: RejectedEvent[];
}

const APPEND_CHUNK = 5000;

/**
 * Appends events programmatically (demo loader, replays) through the same validation,
 * drift detection and dedupe as HTTP ingest, with the rights of the bootstrap key.
 * Waits for durability and for the state to show the events; chunks are submitted one after
 * another so memory stays flat.
 */
export async function appendLedgerEvents(events: readonly unknown[]): Promise<AppendResult> {
  const result: AppendResult = { accepted: 0, duplicates: 0, rejected: [] };
  const batcher = sharedLedgerBatcher();
  const metrics = ingestMetrics();
  for (let start = 0; start < events.length; start += APPEND_CHUNK) {
    const chunk = events.slice(start, start + APPEND_CHUNK);
    const admission = await admitLedgerEvents(chunk, { keyId: null, bootstrap: true, interfaceKey: null });
    const outcomes = await batcher.submit(
      admission.admitted.map((a) => a.row),
      true,
    );
    const accepted = outcomes.filter((o) => o === 'accepted').length;
    result.accepted += accepted;
    result.duplicates += outcomes.length - accepted;
    for (const rejected of admission.rejected) result.rejected.push({ ...rejected, index: rejected.index + start });
    metrics.received.inc({ signal: 'ledger' }, chunk.length);
    metrics.accepted.inc({ signal: 'ledger' }, accepted);
    metrics.duplicates.inc({ signal: 'ledger' }, outcomes.length - accepted);
    for (const rejected of admission.rejected) metrics.rejected.inc({ signal: 'ledger', reason: rejected.reason });
  }
  await ledgerStateFed();
  return result;
}
