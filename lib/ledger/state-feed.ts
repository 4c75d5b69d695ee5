import { setTimeout as sleep } from 'node:timers/promises';
import { command, insertRows, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { LEDGER_STATE_INPUT, SYNC_LEDGER } from '@/lib/clickhouse/ddl';
import { MicroBatcher } from '@/lib/ingest/batcher';
import { ingestMetrics } from '@/lib/ingest/metrics';
import type { LedgerRow } from '@/lib/ledger/row';

/**
 * The state feed: ledger rows that ingest has stored, and acknowledged, go on to the record,
 * exception, filter and rental state through LEDGER_STATE_INPUT (lib/clickhouse/ddl.ts), every
 * batch stored since the last feed in one insert. A state view's cost is mostly fixed per
 * insert (planning its query, a part in its table): fed with every 1 000-event batch, the seven
 * views held each acknowledgement ~50 ms and kept both cores busy at half the ingest's rate.
 * Dashboards show an event once it is fed, a fraction of a second after its acknowledgement.
 *
 * One feed at a time: the exception views read what is stored of a record, and two inserts
 * holding one record's events at once could each miss the other's. A failed feed is retried
 * (the rows are stored; only their state waits). Rows acknowledged but not fed when a process
 * stops are fed again when ingest next starts (refeedRecentLedgerState): every state aggregate is
 * idempotent, so a row fed twice changes nothing.
 */
const FEED_INTERVAL_MS = 250;
/**
 * Rows per feed. Measured in the ingest benchmark (overload: 64 clients): feeds of 5 000 rows,
 * running beside two ledger flushes, took the service's peak RSS to 994 – 1 035 MiB; of 2 500,
 * 879 – 936 MiB, with p99 ack at half rate as low (137 – 183 ms against 118 – 164).
 */
const FEED_MAX_ROWS = 2_500;
/**
 * Rows waiting beyond which ingest sheds new ledger requests (429), so the state's lag and the
 * feed's memory stay bounded. At 5 000 the full-rate benchmark was shed ~50 times and its rate
 * fell to ~0.5× the baseline; at 10 000, 24 – 30 times, at 0.58 – 0.67×.
 */
const FEED_QUEUE_ROWS = 10_000;
const RETRY_MAX_MS = 10_000;
/**
 * What a starting ingest feeds the state again: the rows stored in the REFEED_MINUTES before the
 * latest, at most the latest REFEED_MAX_ROWS of them. A stopped process left unfed at most the
 * feed's queue (FEED_QUEUE_ROWS, overrun by up to two ledger flushes of 5 000) and the feed in
 * progress, stored seconds before its last; after heavy traffic two minutes hold a million rows.
 */
const REFEED_MINUTES = 2;
const REFEED_MAX_ROWS = 50_000;

const FEED_KEY = Symbol.for('plumbline.ledger.stateFeed');
type Holder = { [FEED_KEY]?: StateFeed };

class StateFeed {
  private stopping = false;
  readonly batcher = new MicroBatcher<LedgerRow, null>(
    (rows) => this.feed(rows),
    { name: 'ledger state', maxBatchItems: FEED_MAX_ROWS, maxDelayMs: FEED_INTERVAL_MS, maxQueueItems: FEED_QUEUE_ROWS, maxConcurrentFlushes: 1 },
    () => [],
    { onQueueDepth: (rows) => ingestMetrics().queueDepth.set({ signal: 'ledger_state' }, rows) },
  );

  private async feed(rows: LedgerRow[]): Promise<null[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        await insertRows(LEDGER_STATE_INPUT, rows);
        return rows.map(() => null);
      } catch (error) {
        ingestMetrics().stateFeedFailures.inc();
        // Stopping: what is left is fed again at the next start.
        if (this.stopping) throw error;
        console.error(`Ledger state feed of ${rows.length} rows failed; retrying:`, error);
        await sleep(Math.min(RETRY_MAX_MS, 250 * 2 ** attempt));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.batcher.drained();
    } finally {
      this.stopping = false;
    }
  }
}

function stateFeed(): StateFeed {
  const holder = globalThis as unknown as Holder;
  holder[FEED_KEY] ??= new StateFeed();
  return holder[FEED_KEY];
}

/** Queues stored rows for the state; never refuses them (they are acknowledged), see ledgerStateFeedFull. */
export function feedLedgerState(rows: readonly LedgerRow[]): void {
  if (rows.length === 0) return;
  stateFeed()
    .batcher.submit([...rows], true)
    .catch(() => undefined); // only when stopping: fed again at the next start
}

/** True while the feed is behind by more than its bound: ingest then refuses new ledger requests. */
export function ledgerStateFeedFull(): boolean {
  return stateFeed().batcher.full;
}

/** Resolves once every row stored so far by this process has reached the state (dashboards show it). */
export function ledgerStateFed(): Promise<void> {
  return stateFeed().batcher.drained();
}

/** Feeds what is queued and stops retrying failed feeds (shutdown); rows left unfed are fed again at the next start. */
export function stopLedgerStateFeed(): Promise<void> {
  return stateFeed().stop();
}

/**
 * Feeds again the latest rows stored (REFEED_MINUTES, REFEED_MAX_ROWS): those a process stopped
 * before feeding. `SELECT *` maps by position: LEDGER_STATE_INPUT has sync_ledger's columns in
 * sync_ledger's order.
 */
export async function refeedRecentLedgerState(): Promise<void> {
  await command(
    `INSERT INTO ${LEDGER_STATE_INPUT} SELECT * FROM ${SYNC_LEDGER.name}
     WHERE ingested_at >= (SELECT max(ingested_at) FROM ${SYNC_LEDGER.name}) - INTERVAL ${REFEED_MINUTES} MINUTE
     ORDER BY ingested_at DESC LIMIT ${REFEED_MAX_ROWS}`,
  );
}

/**
 * Stores rows and feeds their state at once, without dedupe or batching: loaders and tests that
 * write the ledger directly. Rows without `ingested_at` get one stamp for both inserts.
 */
export async function insertLedgerRows(rows: readonly object[]): Promise<void> {
  const ingestedAt = toClickHouseDateTime(new Date());
  const stamped = rows.map((row) => ({ ingested_at: ingestedAt, ...row }));
  await insertRows(SYNC_LEDGER.name, stamped);
  await insertRows(LEDGER_STATE_INPUT, stamped);
}
