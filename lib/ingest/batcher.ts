import { SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * Micro-batcher: many concurrent callers submit small groups of items, one flush writes
 * them together. Flushes run one at a time (so a dedupe check followed by an insert can't
 * race another flush in this process), and the queue is bounded: when it is full, submit
 * throws QueueFullError instead of letting memory grow.
 *
 * A flush starts as soon as a full batch waits, or once maxDelayMs have passed since the
 * previous flush started: sparse traffic is written at once instead of waiting out a timer,
 * while busy traffic gathers into one insert per flush (what arrived while the previous one
 * ran), and the table never gets more than one small insert per maxDelayMs.
 */
export interface BatcherOptions {
  /** Names the flush span, e.g. "sync_ledger". */
  name: string;
  /** Flush as soon as this many items are queued. */
  maxBatchItems: number;
  /** Least time between the starts of two flushes that are not full batches; also the longest an item waits for one. */
  maxDelayMs: number;
  /** Queued (not yet flushing) items beyond which submit refuses work. */
  maxQueueItems: number;
}

export interface FlushObserver {
  onFlush?(items: number, seconds: number, ok: boolean): void;
  onQueueDepth?(items: number): void;
}

export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('ingest queue is full; retry later');
    this.name = 'QueueFullError';
  }
}

export class BatcherClosedError extends Error {
  constructor() {
    super('ingest is shutting down');
    this.name = 'BatcherClosedError';
  }
}

interface Job<Item, Outcome> {
  items: Item[];
  resolve(outcomes: Outcome[]): void;
  reject(error: unknown): void;
}

export type FlushFn<Item, Outcome> = (items: Item[]) => Promise<Outcome[]>;

export class MicroBatcher<Item, Outcome> {
  private queue: Job<Item, Outcome>[] = [];
  private queuedItems = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private closed = false;
  /** performance.now() when the last flush started. */
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly flushFn: FlushFn<Item, Outcome>,
    readonly options: BatcherOptions,
    private readonly observer: FlushObserver = {},
    /** Shared by every batcher writing the same table, so two batchers never race a dedupe. */
    private readonly lock: SerialLock = new SerialLock(),
  ) {}

  get depth(): number {
    return this.queuedItems;
  }

  /** True when no more items would be taken now: callers can refuse a request before doing any work for it. */
  get full(): boolean {
    return this.queuedItems >= this.options.maxQueueItems;
  }

  /** What a refused caller is told to wait: a few flush intervals. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.options.maxDelayMs * 4) / 1000));
  }

  /**
   * Resolves with one outcome per item once the flush holding them has finished.
   * `force` skips the queue bound (bulk loaders that submit sequentially and wait).
   */
  submit(items: Item[], force = false): Promise<Outcome[]> {
    if (this.closed) return Promise.reject(new BatcherClosedError());
    if (items.length === 0) return Promise.resolve([]);
    if (!force && this.queuedItems > 0 && this.queuedItems + items.length > this.options.maxQueueItems) {
      return Promise.reject(new QueueFullError(this.retryAfterSeconds));
    }
    return new Promise<Outcome[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queuedItems += items.length;
      this.observer.onQueueDepth?.(this.queuedItems);
      this.scheduleNext();
    });
  }

  /** Starts a flush now instead of waiting for the timer (shutdown). */
  flushNow(): void {
    if (this.queue.length > 0) this.scheduleFlush();
  }

  /** Flushes everything queued and refuses new work; resolves when the last flush is done. */
  async close(): Promise<void> {
    this.closed = true;
    this.scheduleFlush();
    await this.flushing;
    while (this.queue.length > 0) {
      this.scheduleFlush();
      await this.flushing;
    }
  }

  /** Flushes now when a full batch waits or the last flush began maxDelayMs ago, else sets a timer for then. */
  private scheduleNext(): void {
    if (this.queue.length === 0 || this.flushScheduled) return;
    const wait = this.queuedItems >= this.options.maxBatchItems ? 0 : this.lastFlushAt + this.options.maxDelayMs - performance.now();
    if (wait <= 0) this.scheduleFlush();
    else this.timer ??= setTimeout(() => this.scheduleFlush(), wait);
  }

  private scheduleFlush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.flushing = this.flushing.then(() => this.flushOnce());
  }

  private async flushOnce(): Promise<void> {
    this.flushScheduled = false;
    this.lastFlushAt = performance.now();
    const jobs: Job<Item, Outcome>[] = [];
    let count = 0;
    // Take whole jobs up to the batch size (always at least one) so a request is never split.
    for (let next = this.queue[0]; next && (count === 0 || count + next.items.length <= this.options.maxBatchItems); next = this.queue[0]) {
      this.queue.shift();
      jobs.push(next);
      count += next.items.length;
    }
    this.queuedItems -= count;
    this.observer.onQueueDepth?.(this.queuedItems);
    if (jobs.length > 0) {
      const items = jobs.flatMap((job) => job.items);
      const started = performance.now();
      try {
        const outcomes = await this.lock.run(() => tracedFlush(this.options.name, items.length, () => this.flushFn(items)));
        this.observer.onFlush?.(items.length, (performance.now() - started) / 1000, true);
        let offset = 0;
        for (const job of jobs) {
          job.resolve(outcomes.slice(offset, offset + job.items.length));
          offset += job.items.length;
        }
      } catch (error) {
        this.observer.onFlush?.(items.length, (performance.now() - started) / 1000, false);
        for (const job of jobs) job.reject(error);
      }
    }
    if (this.closed && this.queue.length > 0) this.scheduleFlush();
    else this.scheduleNext();
  }
}

/** A promise-chain mutex: callers run one after another, in arrival order. */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const tracer = trace.getTracer('plumbline-ingest');

function tracedFlush<T>(name: string, rows: number, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`flush ${name}`, { attributes: { 'plumbline.flush.rows': rows } }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
