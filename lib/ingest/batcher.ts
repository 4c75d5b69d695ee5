import { SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * Micro-batcher: many concurrent callers submit small groups of items, one flush writes
 * them together. The queue is bounded: when it is full, submit throws QueueFullError
 * instead of letting memory grow.
 *
 * A flush starts as soon as a full batch waits, or once maxDelayMs have passed since the
 * previous flush started: sparse traffic is written at once instead of waiting out a timer,
 * while busy traffic gathers into one insert per flush, and the table never gets more than
 * one small insert per maxDelayMs. Up to maxConcurrentFlushes run at once, so a batch that
 * arrives while another is being written need not wait for it (an insert's cost is mostly
 * fixed, and one leaves a core idle); flushes holding the same key run one after another
 * (KeyLock), so a dedupe check followed by an insert never races a flush of the same id.
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
  /** Flushes this batcher runs at once. */
  maxConcurrentFlushes: number;
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
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  /** performance.now() when the last flush started. */
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly flushFn: FlushFn<Item, Outcome>,
    readonly options: BatcherOptions,
    /** The keys whose flushes must not overlap: what an item is deduplicated by, and any state its insert reads. */
    private readonly keysOf: (item: Item) => readonly string[],
    private readonly observer: FlushObserver = {},
    /** Shared by every batcher writing the same table, so two flushes of one key never overlap. */
    private readonly lock: KeyLock = new KeyLock(),
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
    if (this.queue.length > 0 && this.hasRoom()) this.startFlush();
  }

  /** Resolves once everything submitted so far is flushed, starting flushes now instead of waiting for the timer. */
  async drained(): Promise<void> {
    while (this.queue.length > 0 || this.running.size > 0) {
      if (this.queue.length > 0 && this.hasRoom()) this.startFlush();
      else await Promise.race(this.running);
    }
  }

  /** Flushes everything queued and refuses new work; resolves when the last flush is done. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drained();
  }

  private hasRoom(): boolean {
    return this.running.size < this.options.maxConcurrentFlushes;
  }

  /** Flushes now when a full batch waits or the last flush began maxDelayMs ago, else sets a timer for then. */
  private scheduleNext(): void {
    if (this.queue.length === 0 || !this.hasRoom() || this.closed) return;
    const wait = this.queuedItems >= this.options.maxBatchItems ? 0 : this.lastFlushAt + this.options.maxDelayMs - performance.now();
    if (wait <= 0) this.startFlush();
    else this.timer ??= setTimeout(() => {
      this.timer = null;
      this.scheduleNext();
    }, wait);
  }

  private startFlush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
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
    const flush = this.flush(jobs).finally(() => {
      this.running.delete(flush);
      this.scheduleNext();
    });
    this.running.add(flush);
  }

  private async flush(jobs: Job<Item, Outcome>[]): Promise<void> {
    const items = jobs.flatMap((job) => job.items);
    const started = performance.now();
    try {
      const outcomes = await this.lock.run(items.flatMap(this.keysOf), () => tracedFlush(this.options.name, items.length, () => this.flushFn(items)));
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
}

/**
 * Orders work by key: a call waits for every earlier call still running that holds one of its
 * keys, and runs at once alongside calls whose keys are all different. Keys are claimed when
 * run is called, so overlapping calls run in the order they were made.
 */
export class KeyLock {
  private readonly holders = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const earlier = new Set<Promise<void>>();
    for (const key of keys) {
      const holder = this.holders.get(key);
      if (holder && holder !== done) earlier.add(holder);
      this.holders.set(key, done);
    }
    try {
      if (earlier.size > 0) await Promise.all(earlier);
      return await fn();
    } finally {
      for (const key of keys) if (this.holders.get(key) === done) this.holders.delete(key);
      release();
    }
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
