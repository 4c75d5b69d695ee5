/**
 * A small Prometheus registry for the ingest service (text exposition format 0.0.4).
 * One registry per process, on globalThis, so the HTTP server and bulk loaders count
 * into the same series.
 */
type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function series(name: string, key: string): string {
  return key ? `${name}{${key}}` : name;
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}
  abstract lines(): string[];
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join('\n');
  }
}

export class Counter extends Metric {
  private values = new Map<string, number>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    if (by === 0) return;
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  lines(): string[] {
    return [...this.values].map(([key, value]) => `${series(this.name, key)} ${value}`);
  }
}

export class Gauge extends Metric {
  private values = new Map<string, number>();
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }
  set(labels: Labels, value: number): void {
    this.values.set(labelKey(labels), value);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  lines(): string[] {
    return [...this.values].map(([key, value]) => `${series(this.name, key)} ${value}`);
  }
}

interface HistogramState {
  buckets: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  private values = new Map<string, HistogramState>();
  constructor(
    name: string,
    help: string,
    readonly bounds: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let state = this.values.get(key);
    if (!state) {
      state = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.values.set(key, state);
    }
    state.buckets = state.buckets.map((n, i) => (value <= (this.bounds[i] ?? Number.POSITIVE_INFINITY) ? n + 1 : n));
    state.sum += value;
    state.count += 1;
  }
  count(labels: Labels = {}): number {
    return this.values.get(labelKey(labels))?.count ?? 0;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const [key, state] of this.values) {
      const prefix = key ? `${key},` : '';
      this.bounds.forEach((bound, i) => out.push(`${this.name}_bucket{${prefix}le="${bound}"} ${state.buckets[i]}`));
      out.push(`${this.name}_bucket{${prefix}le="+Inf"} ${state.count}`);
      out.push(`${series(`${this.name}_sum`, key)} ${state.sum}`);
      out.push(`${series(`${this.name}_count`, key)} ${state.count}`);
    }
    return out;
  }
}

export class IngestMetrics {
  readonly requests = new Counter('plumbline_ingest_requests_total', 'HTTP requests by endpoint and status code.');
  readonly received = new Counter('plumbline_ingest_received_total', 'Items (ledger events or spans) received in well-formed requests.');
  readonly accepted = new Counter('plumbline_ingest_accepted_total', 'Items newly stored in ClickHouse.');
  readonly duplicates = new Counter('plumbline_ingest_duplicates_total', 'Items already stored (retries, replays, resends).');
  readonly rejected = new Counter('plumbline_ingest_rejected_total', 'Items refused, by reason.');
  readonly schemaDrift = new Counter('plumbline_ingest_schema_drift_total', 'Ledger events stored with a schema version not approved for their interface.');
  readonly unregistered = new Counter('plumbline_ingest_unregistered_interface_total', 'Ledger events for interfaces not in the registry.');
  readonly batchSize = new Histogram('plumbline_ingest_batch_rows', 'Rows per ClickHouse insert.', [1, 10, 100, 500, 1000, 2500, 5000, 10000, 25000]);
  readonly flushSeconds = new Histogram('plumbline_ingest_flush_seconds', 'Duration of one dedupe check plus insert.', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  readonly flushFailures = new Counter('plumbline_ingest_flush_failures_total', 'Flushes that failed (storage unavailable); their requests got 503.');
  readonly queueDepth = new Gauge('plumbline_ingest_queue_rows', 'Rows waiting for the next flush.');
  readonly stateFeedFailures = new Counter('plumbline_ledger_state_feed_failures_total', 'Feeds of stored ledger rows to the state views that failed; they are retried.');
  readonly inflightBytes = new Gauge('plumbline_ingest_inflight_bytes', 'Request bytes (received and decompressed) held by requests not yet answered.');
  readonly requestSeconds = new Histogram('plumbline_ingest_request_seconds', 'Time from request to acknowledgement.', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

  render(): string {
    const all: Metric[] = [
      this.requests,
      this.received,
      this.accepted,
      this.duplicates,
      this.rejected,
      this.schemaDrift,
      this.unregistered,
      this.batchSize,
      this.flushSeconds,
      this.flushFailures,
      this.queueDepth,
      this.stateFeedFailures,
      this.inflightBytes,
      this.requestSeconds,
    ];
    return `${all.map((m) => m.render()).join('\n')}\n`;
  }
}

const METRICS_KEY = Symbol.for('plumbline.ingest.metrics');
type Holder = { [METRICS_KEY]?: IngestMetrics };

export function ingestMetrics(): IngestMetrics {
  const holder = globalThis as unknown as Holder;
  holder[METRICS_KEY] ??= new IngestMetrics();
  return holder[METRICS_KEY];
}
