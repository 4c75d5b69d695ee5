/**
 * ClickHouse DDL for Plumbline, generated for a single server (or chDB) or for a cluster.
 * On a cluster each table is a Replicated* table suffixed `_local` on every shard plus a
 * Distributed table under the plain name, so queries never need to know the mode.
 */
export interface DdlTarget {
  /** Cluster name for ON CLUSTER DDL; undefined on a single node or chDB. */
  cluster?: string;
  database: string;
}

interface TableSpec {
  name: string;
  columns: string;
  engine: 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree';
  engineArgs?: string;
  tail: string;
  /** Sharding key of the Distributed table in cluster mode. */
  shardingKey: string;
}

interface ViewSpec {
  name: string;
  to: string;
  from: string;
  select: string;
}

export function localName(name: string, target: DdlTarget): string {
  return target.cluster ? `${name}_local` : name;
}

function onCluster(target: DdlTarget): string {
  return target.cluster ? ` ON CLUSTER ${target.cluster}` : '';
}

export function createTable(spec: TableSpec, target: DdlTarget): string[] {
  const local = localName(spec.name, target);
  const engine = target.cluster
    ? `Replicated${spec.engine}('/clickhouse/tables/{shard}/${target.database}/${local}', '{replica}'${spec.engineArgs ? `, ${spec.engineArgs}` : ''})`
    : `${spec.engine}(${spec.engineArgs ?? ''})`;
  const statements = [`CREATE TABLE IF NOT EXISTS ${local}${onCluster(target)} (\n${spec.columns}\n) ENGINE = ${engine}\n${spec.tail}`];
  if (target.cluster) {
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${spec.name}${onCluster(target)} AS ${local} ENGINE = Distributed(${target.cluster}, ${target.database}, ${local}, ${spec.shardingKey})`,
    );
  }
  return statements;
}

/** Materialized views read and write the shard-local tables, so each shard aggregates its own rows. */
export function createMaterializedView(view: ViewSpec, target: DdlTarget): string[] {
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${localName(view.name, target)}${onCluster(target)} TO ${localName(view.to, target)} AS\n${view.select.replace('{from}', localName(view.from, target))}`,
  ];
}

export function createView(name: string, select: string, target: DdlTarget): string[] {
  return [`CREATE VIEW IF NOT EXISTS ${name}${onCluster(target)} AS\n${select}`];
}

// --- otel_traces: the OpenTelemetry Collector ClickHouse exporter's layout, column for column.

export const OTEL_TRACES: TableSpec = {
  name: 'otel_traces',
  engine: 'MergeTree',
  shardingKey: 'cityHash64(TraceId)',
  columns: `  Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
  TraceId String CODEC(ZSTD(1)),
  SpanId String CODEC(ZSTD(1)),
  ParentSpanId String CODEC(ZSTD(1)),
  TraceState String CODEC(ZSTD(1)),
  SpanName LowCardinality(String) CODEC(ZSTD(1)),
  SpanKind LowCardinality(String) CODEC(ZSTD(1)),
  ServiceName LowCardinality(String) CODEC(ZSTD(1)),
  ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  ScopeName String CODEC(ZSTD(1)),
  ScopeVersion String CODEC(ZSTD(1)),
  SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  Duration UInt64 CODEC(ZSTD(1)),
  StatusCode LowCardinality(String) CODEC(ZSTD(1)),
  StatusMessage String CODEC(ZSTD(1)),
  Events Nested (
    Timestamp DateTime64(9),
    Name LowCardinality(String),
    Attributes Map(LowCardinality(String), String)
  ) CODEC(ZSTD(1)),
  Links Nested (
    TraceId String,
    SpanId String,
    TraceState String,
    Attributes Map(LowCardinality(String), String)
  ) CODEC(ZSTD(1)),
  INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_duration Duration TYPE minmax GRANULARITY 1`,
  tail: `PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
};

export const OTEL_TRACES_TRACE_ID_TS: TableSpec = {
  name: 'otel_traces_trace_id_ts',
  engine: 'AggregatingMergeTree',
  shardingKey: 'cityHash64(TraceId)',
  columns: `  TraceId String CODEC(ZSTD(1)),
  Start SimpleAggregateFunction(min, DateTime) CODEC(ZSTD(1)),
  End SimpleAggregateFunction(max, DateTime) CODEC(ZSTD(1))`,
  tail: `PARTITION BY toStartOfWeek(Start)
ORDER BY (TraceId)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
};

export const OTEL_TRACES_TRACE_ID_TS_MV: ViewSpec = {
  name: 'otel_traces_trace_id_ts_mv',
  to: 'otel_traces_trace_id_ts',
  from: 'otel_traces',
  select: `SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End
FROM {from}
WHERE TraceId != ''
GROUP BY TraceId`,
};

/** Span identity index: lets ingest answer "seen this span?" by primary key, whoever wrote it. */
export const OTEL_SPAN_IDS: TableSpec = {
  name: 'plumbline_span_ids',
  engine: 'ReplacingMergeTree',
  shardingKey: 'cityHash64(TraceId)',
  columns: `  TraceId String CODEC(ZSTD(1)),
  SpanId String CODEC(ZSTD(1)),
  Timestamp DateTime64(9) CODEC(Delta, ZSTD(1))`,
  tail: `ORDER BY (TraceId, SpanId)`,
};

export const OTEL_SPAN_IDS_MV: ViewSpec = {
  name: 'plumbline_span_ids_mv',
  to: 'plumbline_span_ids',
  from: 'otel_traces',
  select: `SELECT TraceId, SpanId, Timestamp FROM {from}`,
};

// --- sync ledger: one row per event an interface reports about one record it tried to move.

export const SYNC_LEDGER: TableSpec = {
  name: 'sync_ledger',
  engine: 'ReplacingMergeTree',
  engineArgs: 'ingested_at',
  shardingKey: 'cityHash64(interface_id, entity_type, source_record_id)',
  columns: `  event_id String,
  sync_key String,
  interface_id LowCardinality(String),
  source_system LowCardinality(String),
  target_system LowCardinality(String),
  entity_type LowCardinality(String),
  event_type LowCardinality(String),
  operation LowCardinality(String),
  source_record_id String,
  source_record_version String,
  target_record_id String,
  status LowCardinality(String),
  attempt UInt16,
  error_category LowCardinality(String),
  error_code String,
  error_message String,
  occurred_at DateTime64(3, 'UTC'),
  synced_at Nullable(DateTime64(3, 'UTC')),
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
  amount Decimal(18, 2),
  currency LowCardinality(String),
  document_number String,
  project LowCardinality(String),
  customer String,
  vendor String,
  contract_id String,
  contract_line_id String,
  equipment_id String,
  equipment_class LowCardinality(String),
  trace_id String,
  span_id String,
  schema_version LowCardinality(String),
  schema_drift UInt8,
  attributes Map(LowCardinality(String), String),
  payload String CODEC(ZSTD(3)),
  INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX idx_document document_number TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_source_record source_record_id TYPE bloom_filter(0.01) GRANULARITY 1`,
  tail: `PARTITION BY toYYYYMM(occurred_at)
ORDER BY (interface_id, entity_type, source_record_id, event_id)`,
};

/** Event identity index: duplicate detection by primary key instead of scanning the ledger. */
export const LEDGER_EVENT_IDS: TableSpec = {
  name: 'plumbline_ledger_event_ids',
  engine: 'ReplacingMergeTree',
  shardingKey: 'cityHash64(event_id)',
  columns: `  event_id String,
  interface_id LowCardinality(String),
  ingested_at DateTime64(3, 'UTC')`,
  tail: `ORDER BY (event_id)`,
};

export const LEDGER_EVENT_IDS_MV: ViewSpec = {
  name: 'plumbline_ledger_event_ids_mv',
  to: 'plumbline_ledger_event_ids',
  from: 'sync_ledger',
  select: `SELECT event_id, interface_id, ingested_at FROM {from}`,
};

/**
 * Current state per synced record, kept as aggregate states. Every aggregate is
 * idempotent (min, max, argMax, uniq), so an event that somehow arrives twice can
 * never change a figure.
 */
export const LEDGER_RECORD_STATE: TableSpec = {
  name: 'ledger_record_state',
  engine: 'AggregatingMergeTree',
  shardingKey: 'cityHash64(interface_id, entity_type, source_record_id)',
  columns: `  interface_id LowCardinality(String),
  entity_type LowCardinality(String),
  source_record_id String,
  first_seen_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
  last_event_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
  first_failure_at AggregateFunction(minIf, DateTime64(3, 'UTC'), UInt8),
  last_success_at AggregateFunction(maxIf, DateTime64(3, 'UTC'), UInt8),
  attempts AggregateFunction(uniq, String),
  failures AggregateFunction(uniqIf, String, UInt8),
  latest AggregateFunction(argMax, Tuple(
    event_id String, event_type String, status String, error_category String, error_code String, error_message String,
    amount Decimal(18, 2), currency String, document_number String, project String, customer String, vendor String,
    contract_id String, contract_line_id String, equipment_id String, trace_id String, source_system String,
    target_system String, source_record_version String, target_record_id String, schema_drift UInt8),
    Tuple(DateTime64(3, 'UTC'), DateTime64(3, 'UTC'), String))`,
  tail: `ORDER BY (interface_id, entity_type, source_record_id)`,
};

export const FAILING_STATUSES = ['failed', 'retrying', 'dead_lettered'] as const;

const FAILING_SQL = `status IN ('failed', 'retrying', 'dead_lettered')`;

export const LEDGER_RECORD_STATE_MV: ViewSpec = {
  name: 'ledger_record_state_mv',
  to: 'ledger_record_state',
  from: 'sync_ledger',
  select: `SELECT
  interface_id, entity_type, source_record_id,
  min(occurred_at) AS first_seen_at,
  max(occurred_at) AS last_event_at,
  minIfState(occurred_at, toUInt8(${FAILING_SQL})) AS first_failure_at,
  maxIfState(occurred_at, toUInt8(status = 'succeeded')) AS last_success_at,
  uniqState(event_id) AS attempts,
  uniqIfState(event_id, toUInt8(${FAILING_SQL})) AS failures,
  argMaxState(
    CAST((event_id, event_type, status, error_category, error_code, error_message, amount, currency, document_number,
      project, customer, vendor, contract_id, contract_line_id, equipment_id, trace_id, source_system, target_system,
      source_record_version, target_record_id, schema_drift),
      'Tuple(event_id String, event_type String, status String, error_category String, error_code String, error_message String, amount Decimal(18, 2), currency String, document_number String, project String, customer String, vendor String, contract_id String, contract_line_id String, equipment_id String, trace_id String, source_system String, target_system String, source_record_version String, target_record_id String, schema_drift UInt8)'),
    (occurred_at, ingested_at, event_id)) AS latest
FROM {from}
GROUP BY interface_id, entity_type, source_record_id`,
};

/** The finished current state: what finance dashboards and triage read. */
export const LEDGER_RECORD_CURRENT_SELECT = `SELECT
  interface_id, entity_type, source_record_id,
  merged_first_seen_at AS first_seen_at,
  merged_last_event_at AS last_event_at,
  attempts_count AS attempts,
  failures_count AS failures,
  latest.status AS last_status,
  latest.event_id AS last_event_id,
  latest.event_type AS last_event_type,
  latest.error_category AS last_error_category,
  latest.error_code AS last_error_code,
  latest.error_message AS last_error_message,
  latest.amount AS amount,
  latest.currency AS currency,
  latest.document_number AS document_number,
  latest.project AS project,
  latest.customer AS customer,
  latest.vendor AS vendor,
  latest.contract_id AS contract_id,
  latest.contract_line_id AS contract_line_id,
  latest.equipment_id AS equipment_id,
  latest.trace_id AS trace_id,
  latest.source_system AS source_system,
  latest.target_system AS target_system,
  latest.schema_drift AS schema_drift,
  failures_count > 0 AS ever_failed,
  if(failures_count > 0, merged_first_failure_at, NULL) AS first_failure_at,
  latest.status IN ('failed', 'retrying', 'dead_lettered') AS is_open_exception,
  multiIf(failures_count = 0, NULL, latest.status = 'succeeded', merged_last_success_at,
    latest.status = 'cancelled', merged_last_event_at, NULL) AS resolved_at
FROM (
  SELECT
    interface_id, entity_type, source_record_id,
    min(first_seen_at) AS merged_first_seen_at,
    max(last_event_at) AS merged_last_event_at,
    minIfMerge(first_failure_at) AS merged_first_failure_at,
    maxIfMerge(last_success_at) AS merged_last_success_at,
    uniqMerge(attempts) AS attempts_count,
    uniqIfMerge(failures) AS failures_count,
    argMaxMerge(ledger_record_state.latest) AS latest
  FROM ledger_record_state
  GROUP BY interface_id, entity_type, source_record_id
)`;

export const LEDGER_RECORD_CURRENT_VIEW = 'ledger_record_current';

/**
 * Version 2 of the ledger contract: correlation, planning and rental terms as columns
 * (nullable where absence means "not reported", not zero).
 */
export const SYNC_LEDGER_V2_COLUMNS = [
  'emitted_at Nullable(DateTime64(3, \'UTC\')) AFTER synced_at',
  'job_id String',
  'retryable Nullable(UInt8)',
  'cost_code LowCardinality(String)',
  'po_number String',
  'period_start Nullable(Date)',
  'period_end Nullable(Date)',
  'quantity Nullable(Decimal(18, 6))',
  'unit LowCardinality(String)',
  'rate_day Nullable(Decimal(18, 2))',
  'rate_week Nullable(Decimal(18, 2))',
  'rate_four_week Nullable(Decimal(18, 2))',
] as const;

/** ADD COLUMN on the table (and, on a cluster, on both the shard tables and the Distributed one). */
export function addColumns(table: string, columns: readonly string[], target: DdlTarget): string[] {
  const tables = target.cluster ? [localName(table, target), table] : [table];
  return tables.map(
    (name) => `ALTER TABLE ${name}${onCluster(target)} ${columns.map((c) => `ADD COLUMN IF NOT EXISTS ${c}`).join(', ')}`,
  );
}

/** Every statement, in order, for a fresh store. Migrations reference these by version. */
export function allStatements(target: DdlTarget): string[] {
  return [
    ...createTable(OTEL_TRACES, target),
    ...createTable(OTEL_TRACES_TRACE_ID_TS, target),
    ...createMaterializedView(OTEL_TRACES_TRACE_ID_TS_MV, target),
    ...createTable(OTEL_SPAN_IDS, target),
    ...createMaterializedView(OTEL_SPAN_IDS_MV, target),
    ...createTable(SYNC_LEDGER, target),
    ...createTable(LEDGER_EVENT_IDS, target),
    ...createMaterializedView(LEDGER_EVENT_IDS_MV, target),
    ...createTable(LEDGER_RECORD_STATE, target),
    ...createMaterializedView(LEDGER_RECORD_STATE_MV, target),
    ...createView(LEDGER_RECORD_CURRENT_VIEW, LEDGER_RECORD_CURRENT_SELECT, target),
  ];
}

/** Retention as a table TTL (on the shard tables on a cluster): ClickHouse drops expired rows as it merges. */
export function modifyTtl(table: string, timeExpression: string, days: number, target: DdlTarget): string {
  if (!Number.isInteger(days) || days < 1) throw new Error(`TTL days must be a positive whole number, got ${days}`);
  return `ALTER TABLE ${localName(table, target)}${onCluster(target)} MODIFY TTL ${timeExpression} + toIntervalDay(${days})`;
}
