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
  /** Table-level SETTINGS. */
  settings?: string;
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
  const settings = spec.settings ? `\nSETTINGS ${spec.settings}` : '';
  const statements = [`CREATE TABLE IF NOT EXISTS ${local}${onCluster(target)} (\n${spec.columns}\n) ENGINE = ${engine}\n${spec.tail}${settings}`];
  if (target.cluster) {
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${spec.name}${onCluster(target)} AS ${local} ENGINE = Distributed(${target.cluster}, ${target.database}, ${local}, ${spec.shardingKey})`,
    );
  }
  return statements;
}

/**
 * Materialized views read and write the shard-local tables, so each shard aggregates its own
 * rows. In `select`, `{from}` is the source (the inserted block) and `{table}` another table.
 */
export function createMaterializedView(view: ViewSpec, target: DdlTarget): string[] {
  const select = view.select.replace(/\{(\w+)\}/g, (_, table: string) => localName(table === 'from' ? view.from : table, target));
  return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${localName(view.name, target)}${onCluster(target)} TO ${localName(view.to, target)} AS\n${select}`];
}

export function createView(name: string, select: string, target: DdlTarget): string[] {
  return [`CREATE VIEW IF NOT EXISTS ${name}${onCluster(target)} AS\n${select}`];
}

/** Drops an object a later migration replaced: a table (shard tables and Distributed), a materialized view (per shard) or a view. */
export function dropObject(kind: 'TABLE' | 'MATERIALIZED VIEW' | 'VIEW', name: string, target: DdlTarget): string[] {
  const names = kind === 'VIEW' ? [name] : kind === 'MATERIALIZED VIEW' || !target.cluster ? [localName(name, target)] : [localName(name, target), name];
  return names.map((n) => `DROP ${kind === 'TABLE' ? 'TABLE' : 'VIEW'} IF EXISTS ${n}${onCluster(target)} SYNC`);
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
 * What the state views below read (record, exception, filter and rental state): a Null table
 * (it keeps nothing) with sync_ledger's columns, filled after acknowledgement by the state feed
 * (lib/ledger/state-feed.ts says why). A column added to sync_ledger is added here too.
 */
export const LEDGER_STATE_INPUT = 'ledger_state_input';

/** A ledger event that leaves its record failing. */
export const FAILING_SQL = `status IN ('failed', 'retrying', 'dead_lettered')`;
const RECORD_KEY = 'entity_type, interface_id, source_record_id';

/**
 * The latest event of a record, in two tuples compared field by field. Both start with the
 * event's version (occurred_at, ingested_at, event_id), unique per event, so `max` of each
 * picks the same event. The split keeps aggregates fast: totals, counts and filters read the
 * few business fields in `latest` (measured: 10x faster than one wide tuple at 10 M events);
 * only row listings read `latest_detail`.
 */
const VERSION_FIELDS = `occurred_at DateTime64(3, 'UTC'), ingested_at DateTime64(3, 'UTC'), event_id String`;
const LATEST_TUPLE = `Tuple(${VERSION_FIELDS}, event_type String, status String, error_category String, amount Decimal(18, 2),
    currency String, project String, customer String, vendor String)`;
const LATEST_DETAIL_TUPLE = `Tuple(${VERSION_FIELDS}, error_code String, error_message String, document_number String,
    contract_id String, contract_line_id String, equipment_id String, trace_id String, source_system String,
    target_system String, source_record_version String, target_record_id String, schema_drift UInt8)`;

/**
 * Current state per synced record. Every column is a SimpleAggregateFunction, so it is stored
 * as a plain column (read at column speed, merged with FINAL) and every aggregate is
 * idempotent (min, max, set union): an event counted twice, or a record's rows copied
 * twice, never changes a figure.
 */
const RECORD_STATE_COLUMNS = `  interface_id LowCardinality(String),
  entity_type LowCardinality(String),
  source_record_id String,
  first_seen_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
  last_event_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
  first_failure_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
  last_success_at SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
  event_hashes SimpleAggregateFunction(groupUniqArrayArray, Array(UInt64)),
  failure_hashes SimpleAggregateFunction(groupUniqArrayArray, Array(UInt64)),
  latest SimpleAggregateFunction(max, ${LATEST_TUPLE}),
  latest_detail SimpleAggregateFunction(max, ${LATEST_DETAIL_TUPLE})`;

/**
 * One event as a state row. Views insert a row per event rather than pre-aggregating each
 * block: cheaper on ingest, and merges (or FINAL) fold a record's rows together anyway.
 */
const RECORD_STATE_ROW = `interface_id, entity_type, source_record_id,
  occurred_at AS first_seen_at,
  occurred_at AS last_event_at,
  if(${FAILING_SQL}, occurred_at, NULL) AS first_failure_at,
  if(status = 'succeeded', occurred_at, NULL) AS last_success_at,
  [cityHash64(event_id)] AS event_hashes,
  if(${FAILING_SQL}, [cityHash64(event_id)], []) AS failure_hashes,
  CAST((occurred_at, ingested_at, event_id, event_type, status, error_category, amount, currency, project, customer, vendor)
    AS ${LATEST_TUPLE}) AS latest,
  CAST((occurred_at, ingested_at, event_id, error_code, error_message, document_number, contract_id, contract_line_id,
    equipment_id, trace_id, source_system, target_system, source_record_version, target_record_id, schema_drift)
    AS ${LATEST_DETAIL_TUPLE}) AS latest_detail`;

function recordStateTable(name: string): TableSpec {
  return {
    name,
    engine: 'AggregatingMergeTree',
    shardingKey: 'cityHash64(interface_id, entity_type, source_record_id)',
    columns: RECORD_STATE_COLUMNS,
    tail: `ORDER BY (${RECORD_KEY})`,
  };
}

/** Every record's state: point lookups, per-interface figures, and the source for LEDGER_EXCEPTION_RECORDS. */
export const LEDGER_RECORDS = recordStateTable('ledger_records');

export const LEDGER_RECORDS_MV: ViewSpec = {
  name: 'ledger_records_mv',
  to: 'ledger_records',
  from: LEDGER_STATE_INPUT,
  select: `SELECT ${RECORD_STATE_ROW}
FROM {from}`,
};

/**
 * The same state for records that ever failed, a few percent of all: the finance and
 * triage dashboards read only these, so their cost follows the exceptions, not the estate.
 * Fed by two views; either alone would miss events that arrive out of order:
 * - LEDGER_EXCEPTION_RECORDS_MV takes a block's events of records failing in that block or
 *   known to have failed before (in a materialized view, `{from}` is the inserted block);
 * - LEDGER_EXCEPTION_BACKFILL_MV copies, when a record first fails, its state so far from
 *   ledger_records, so events that arrived before the failure count too.
 */
export const LEDGER_EXCEPTION_RECORDS = recordStateTable('ledger_exception_records');

export const LEDGER_EXCEPTION_RECORDS_MV: ViewSpec = {
  name: 'ledger_exception_records_mv',
  to: 'ledger_exception_records',
  from: LEDGER_STATE_INPUT,
  select: `SELECT ${RECORD_STATE_ROW}
FROM {from}
WHERE ${FAILING_SQL}
  OR (${RECORD_KEY}) IN (SELECT ${RECORD_KEY} FROM {from} WHERE ${FAILING_SQL})
  OR (${RECORD_KEY}) IN (SELECT ${RECORD_KEY} FROM {ledger_exception_records}
    WHERE source_record_id IN (SELECT source_record_id FROM {from}))`,
};

export const LEDGER_EXCEPTION_BACKFILL_MV: ViewSpec = {
  name: 'ledger_exception_backfill_mv',
  to: 'ledger_exception_records',
  from: LEDGER_STATE_INPUT,
  select: `SELECT r.interface_id AS interface_id, r.entity_type AS entity_type, r.source_record_id AS source_record_id,
  r.first_seen_at AS first_seen_at, r.last_event_at AS last_event_at, r.first_failure_at AS first_failure_at,
  r.last_success_at AS last_success_at, r.event_hashes AS event_hashes, r.failure_hashes AS failure_hashes, r.latest AS latest,
  r.latest_detail AS latest_detail
FROM (SELECT DISTINCT ${RECORD_KEY} FROM {from} WHERE ${FAILING_SQL}) AS f
INNER JOIN (
  SELECT * FROM {ledger_records}
  WHERE (${RECORD_KEY}) IN (SELECT ${RECORD_KEY} FROM {from} WHERE ${FAILING_SQL})
) AS r ON r.entity_type = f.entity_type AND r.interface_id = f.interface_id AND r.source_record_id = f.source_record_id`,
};

/**
 * A state table finished: one row per record, in the columns the dashboards and triage read.
 * The tuples are read whole from FINAL and split outside it: reading their subcolumns
 * (`latest.status`) straight from FINAL skips the max() merge and returns any row's value.
 */
function recordCurrentSelect(table: string): string {
  return `SELECT
  interface_id, entity_type, source_record_id, first_seen_at, last_event_at,
  length(event_hashes) AS attempts,
  length(failure_hashes) AS failures,
  tupleElement(latest, 'status') AS last_status,
  tupleElement(latest, 'event_id') AS last_event_id,
  tupleElement(latest, 'event_type') AS last_event_type,
  tupleElement(latest, 'error_category') AS last_error_category,
  tupleElement(latest_detail, 'error_code') AS last_error_code,
  tupleElement(latest_detail, 'error_message') AS last_error_message,
  tupleElement(latest, 'amount') AS amount,
  tupleElement(latest, 'currency') AS currency,
  tupleElement(latest_detail, 'document_number') AS document_number,
  tupleElement(latest, 'project') AS project,
  tupleElement(latest, 'customer') AS customer,
  tupleElement(latest, 'vendor') AS vendor,
  tupleElement(latest_detail, 'contract_id') AS contract_id,
  tupleElement(latest_detail, 'contract_line_id') AS contract_line_id,
  tupleElement(latest_detail, 'equipment_id') AS equipment_id,
  tupleElement(latest_detail, 'trace_id') AS trace_id,
  tupleElement(latest_detail, 'source_system') AS source_system,
  tupleElement(latest_detail, 'target_system') AS target_system,
  tupleElement(latest_detail, 'schema_drift') AS schema_drift,
  first_failure_at IS NOT NULL AS ever_failed,
  first_failure_at,
  tupleElement(latest, 'status') IN ('failed', 'retrying', 'dead_lettered') AS is_open_exception,
  multiIf(first_failure_at IS NULL, NULL, tupleElement(latest, 'status') = 'succeeded', last_success_at,
    tupleElement(latest, 'status') = 'cancelled', last_event_at, NULL) AS resolved_at
FROM (SELECT * FROM ${table} FINAL)`;
}

/** Every record's current state (point lookups: cases to close, replays awaiting an outcome). */
export const LEDGER_RECORD_CURRENT_VIEW = 'ledger_record_current';
/** Current state of the records that ever failed: what finance dashboards and triage read. */
export const LEDGER_EXCEPTION_CURRENT_VIEW = 'ledger_exception_current';

/** Filter choices (projects, counterparties, currencies, interfaces) per entity type, as seen in the ledger. */
export const LEDGER_FILTER_VALUES: TableSpec = {
  name: 'ledger_filter_values',
  engine: 'ReplacingMergeTree',
  shardingKey: 'cityHash64(entity_type, dimension, value)',
  columns: `  entity_type LowCardinality(String),
  dimension LowCardinality(String),
  value String`,
  tail: 'ORDER BY (entity_type, dimension, value)',
};

export const LEDGER_FILTER_VALUES_MV: ViewSpec = {
  name: 'ledger_filter_values_mv',
  to: 'ledger_filter_values',
  from: LEDGER_STATE_INPUT,
  select: `SELECT DISTINCT entity_type, pair.1 AS dimension, pair.2 AS value
FROM {from}
ARRAY JOIN [('project', project), ('customer', customer), ('vendor', vendor), ('currency', currency), ('interface', interface_id)] AS pair
WHERE pair.2 != ''`,
};

/**
 * A ledger event's version, (occurred_at, ingested_at, event_id), as one string that sorts the
 * same way: both times as zero-padded milliseconds (DateTime64(3) holds nothing finer, and
 * ingest keeps them in 1970..2299, at most 14 digits), then the event id. Comparing one
 * String is ClickHouse's fast path; a tuple goes through generic values, about twice as slow.
 */
export const EVENT_VERSION_SQL = `concat(leftPad(toString(toUnixTimestamp64Milli(occurred_at)), 15, '0'), leftPad(toString(toUnixTimestamp64Milli(ingested_at)), 15, '0'), event_id)`;

/** Rental activity that counts for billing (lib/finance/rental-queries.ts documents the events). */
export const RENTAL_ACTIVITY_SQL = `entity_type = 'rental.contract' AND contract_line_id != '' AND status NOT IN ('cancelled', 'skipped')`;
/** An account.move's Odoo move type: the `move_type` attribute when reported, else what the event type says. */
export const MOVE_TYPE_SQL = `if(attributes['move_type'] != '', attributes['move_type'],
  multiIf(event_type = 'credit_note.sync', 'out_refund', event_type = 'invoice.sync', 'out_invoice', ''))`;
/** Customer invoices and credit notes referencing a contract line; vendor bills never bill a rental. */
export const RENTAL_INVOICE_SQL = `entity_type = 'account.move' AND contract_line_id != '' AND ${MOVE_TYPE_SQL} IN ('out_invoice', 'out_refund')`;
/** A ledger-contract field (rate_terms, period) as text, or the same-named attribute older reporters send instead. */
export function contractFieldSql(column: string, attribute: string): string {
  return `if(isNull(${column}), attributes['${attribute}'], toString(${column}))`;
}

/**
 * Rental billing state, one row per contract line (RENTAL_LINES), per surcharge sync
 * (RENTAL_SURCHARGES) and per invoice record (RENTAL_INVOICES), so the unbilled-rentals
 * dashboard reads a row per line instead of every rental event. Like the record state, every
 * column is an idempotent SimpleAggregateFunction (min, max): duplicates and retries fold
 * away, in any order. "Latest" values are max() of a tuple led by EVENT_VERSION_SQL, and a
 * row that does not report the value carries an empty version so it never wins.
 */
/**
 * State tables read with FINAL: its cost grows with the number of parts a key may sit in, and
 * ClickHouse's merge policy leaves unequal parts apart for good (at 10 M events, seven parts
 * made every invoice-exception query 4x slower than one). Parts older than five minutes are
 * merged regardless: a rewrite of a table of tens of MB every few minutes at most.
 */
export const COMPACT_STATE_SETTINGS = 'min_age_to_force_merge_seconds = 300';

/**
 * For tables read both whole and a few rows by key (a contract line's state and standing):
 * small granules and compression blocks let a read of a few keys decompress a few kilobytes of
 * each column instead of a block spanning thousands of rows, at no cost to reading every row.
 */
const POINT_READ_SETTINGS = 'index_granularity = 256, min_compress_block_size = 4096, max_compress_block_size = 16384';

/**
 * When the row's latest event was ingested: lib/finance/line-standing.ts finds the lines that
 * changed since it last kept their standing. Last column, as version 4 fills the tables by position.
 */
const LAST_INGESTED_COLUMN = `last_ingested_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))`;

const RENTAL_LATEST = `Tuple(version String, contract_id String, equipment_id String, equipment_class String, project String, customer String, interface_id String)`;
const RENTAL_TERMS = `Tuple(version String, rate_day String, rate_week String, rate_4week String, trace_id String)`;

export const RENTAL_LINES: TableSpec = {
  name: 'rental_lines',
  engine: 'AggregatingMergeTree',
  shardingKey: 'cityHash64(contract_line_id)',
  columns: `  contract_line_id String,
  last_event_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
  dispatched_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
  off_rent_at SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
  returned_at SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
  latest SimpleAggregateFunction(max, ${RENTAL_LATEST}),
  latest_currency SimpleAggregateFunction(max, Tuple(version String, currency String)),
  terms SimpleAggregateFunction(max, ${RENTAL_TERMS}),
  ${LAST_INGESTED_COLUMN}`,
  tail: 'ORDER BY contract_line_id',
  settings: `${COMPACT_STATE_SETTINGS}, ${POINT_READ_SETTINGS}`,
};

const RENTAL_LINE_ROW = `contract_line_id,
  occurred_at AS last_event_at,
  if(event_type = 'rental.dispatched', occurred_at, NULL) AS dispatched_at,
  if(event_type = 'rental.off_rent', occurred_at, NULL) AS off_rent_at,
  if(event_type = 'rental.returned', occurred_at, NULL) AS returned_at,
  CAST((${EVENT_VERSION_SQL}, contract_id, equipment_id, equipment_class, project, customer, interface_id) AS ${RENTAL_LATEST}) AS latest,
  CAST(if(currency != '', (${EVENT_VERSION_SQL}, toString(currency)), ('', '')) AS Tuple(version String, currency String)) AS latest_currency,
  CAST(if(event_type = 'rental.dispatched', (${EVENT_VERSION_SQL}, ${contractFieldSql('rate_day', 'rate_day')}, ${contractFieldSql('rate_week', 'rate_week')},
      ${contractFieldSql('rate_four_week', 'rate_4week')}, trace_id), ('', '', '', '', ''))
    AS ${RENTAL_TERMS}) AS terms,
  ingested_at AS last_ingested_at`;

export const RENTAL_LINES_MV: ViewSpec = {
  name: 'rental_lines_mv',
  to: 'rental_lines',
  from: LEDGER_STATE_INPUT,
  select: `SELECT ${RENTAL_LINE_ROW}
FROM {from}
WHERE ${RENTAL_ACTIVITY_SQL}`,
};

/** A surcharge is one logical sync (one sync_key): its retries and redeliveries count once, at the latest amount. */
const SURCHARGE_LATEST = `Tuple(version String, kind String, cents Int64)`;

export const RENTAL_SURCHARGES: TableSpec = {
  name: 'rental_surcharges',
  engine: 'AggregatingMergeTree',
  shardingKey: 'cityHash64(contract_line_id)',
  columns: `  contract_line_id String,
  sync_key String,
  last_event_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
  first_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
  latest SimpleAggregateFunction(max, ${SURCHARGE_LATEST}),
  ${LAST_INGESTED_COLUMN}`,
  tail: 'ORDER BY (contract_line_id, sync_key)',
  settings: `${COMPACT_STATE_SETTINGS}, ${POINT_READ_SETTINGS}`,
};

const RENTAL_SURCHARGE_ROW = `contract_line_id, sync_key, occurred_at AS last_event_at, occurred_at AS first_at,
  CAST((${EVENT_VERSION_SQL}, attributes['surcharge_kind'], toInt64(amount * 100)) AS ${SURCHARGE_LATEST}) AS latest,
  ingested_at AS last_ingested_at`;

export const RENTAL_SURCHARGES_MV: ViewSpec = {
  name: 'rental_surcharges_mv',
  to: 'rental_surcharges',
  from: LEDGER_STATE_INPUT,
  select: `SELECT ${RENTAL_SURCHARGE_ROW}
FROM {from}
WHERE ${RENTAL_ACTIVITY_SQL} AND event_type = 'rental.surcharge'`,
};

const INVOICE_LATEST = `Tuple(version String, move_type String, status String, amount_cents Int64, currency String,
    period_start String, period_end String, document_number String, trace_id String)`;

export const RENTAL_INVOICES: TableSpec = {
  name: 'rental_invoices',
  engine: 'AggregatingMergeTree',
  shardingKey: 'cityHash64(contract_line_id)',
  columns: `  contract_line_id String,
  interface_id LowCardinality(String),
  source_record_id String,
  last_event_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
  billed_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
  latest SimpleAggregateFunction(max, ${INVOICE_LATEST}),
  latest_success SimpleAggregateFunction(max, Tuple(version String, cents Int64)),
  ${LAST_INGESTED_COLUMN}`,
  tail: 'ORDER BY (contract_line_id, interface_id, source_record_id)',
  settings: `${COMPACT_STATE_SETTINGS}, ${POINT_READ_SETTINGS}`,
};

const RENTAL_INVOICE_ROW = `contract_line_id, interface_id, source_record_id, occurred_at AS last_event_at,
  if(status = 'succeeded', occurred_at, NULL) AS billed_at,
  CAST((${EVENT_VERSION_SQL}, ${MOVE_TYPE_SQL}, toString(status), toInt64(amount * 100), toString(currency),
    ${contractFieldSql('period_start', 'period_start')}, ${contractFieldSql('period_end', 'period_end')}, document_number, trace_id)
    AS ${INVOICE_LATEST}) AS latest,
  CAST(if(status = 'succeeded', (${EVENT_VERSION_SQL}, toInt64(amount * 100)), ('', 0)) AS Tuple(version String, cents Int64)) AS latest_success,
  ingested_at AS last_ingested_at`;

export const RENTAL_INVOICES_MV: ViewSpec = {
  name: 'rental_invoices_mv',
  to: 'rental_invoices',
  from: LEDGER_STATE_INPUT,
  select: `SELECT ${RENTAL_INVOICE_ROW}
FROM {from}
WHERE ${RENTAL_INVOICE_SQL}`,
};

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

/** Version 1: traces, the sync ledger and their identity indexes. */
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
  ];
}

/** A state view as versions 3 – 14 made it: fed by sync_ledger itself, until version 15 feeds it from LEDGER_STATE_INPUT. */
function fedByLedger(view: ViewSpec): ViewSpec {
  return { ...view, from: SYNC_LEDGER.name };
}

/**
 * Version 3: record state in plain columns (ledger_records, ledger_exception_records, their
 * current views) and filter values, replacing version 1's argMax-state table. Existing
 * events are folded in with plain INSERT … SELECT (one state row per event; merges and
 * FINAL combine them), so a half-applied run can simply run again.
 */
export function recordStateStatements(target: DdlTarget): string[] {
  const ledger = localName(SYNC_LEDGER.name, target);
  return [
    ...dropObject('VIEW', LEDGER_RECORD_CURRENT_VIEW, target),
    ...dropObject('MATERIALIZED VIEW', 'ledger_record_state_mv', target),
    ...dropObject('TABLE', 'ledger_record_state', target),
    ...createTable(LEDGER_RECORDS, target),
    ...createTable(LEDGER_EXCEPTION_RECORDS, target),
    ...createTable(LEDGER_FILTER_VALUES, target),
    ...[LEDGER_RECORDS_MV, LEDGER_EXCEPTION_RECORDS_MV, LEDGER_EXCEPTION_BACKFILL_MV, LEDGER_FILTER_VALUES_MV].flatMap((view) =>
      createMaterializedView(fedByLedger(view), target),
    ),
    `INSERT INTO ${localName(LEDGER_RECORDS.name, target)} SELECT ${RECORD_STATE_ROW} FROM ${ledger}`,
    `INSERT INTO ${localName(LEDGER_EXCEPTION_RECORDS.name, target)} SELECT * FROM ${localName(LEDGER_RECORDS.name, target)}
     WHERE (${RECORD_KEY}) IN (SELECT ${RECORD_KEY} FROM ${ledger} WHERE ${FAILING_SQL})`,
    `INSERT INTO ${localName(LEDGER_FILTER_VALUES.name, target)} ${LEDGER_FILTER_VALUES_MV.select.replace('{from}', ledger)}`,
    ...createView(LEDGER_RECORD_CURRENT_VIEW, recordCurrentSelect(LEDGER_RECORDS.name), target),
    ...createView(LEDGER_EXCEPTION_CURRENT_VIEW, recordCurrentSelect(LEDGER_EXCEPTION_RECORDS.name), target),
  ];
}

/**
 * Version 4: rental billing state (RENTAL_LINES, RENTAL_SURCHARGES, RENTAL_INVOICES), folded
 * in from the existing ledger like version 3, and the exception state kept compact.
 */
export function rentalStateStatements(target: DdlTarget): string[] {
  const ledger = localName(SYNC_LEDGER.name, target);
  return [
    `ALTER TABLE ${localName(LEDGER_EXCEPTION_RECORDS.name, target)}${onCluster(target)} MODIFY SETTING ${COMPACT_STATE_SETTINGS}`,
    ...createTable(RENTAL_LINES, target),
    ...createTable(RENTAL_SURCHARGES, target),
    ...createTable(RENTAL_INVOICES, target),
    ...[RENTAL_LINES_MV, RENTAL_SURCHARGES_MV, RENTAL_INVOICES_MV].flatMap((view) => createMaterializedView(fedByLedger(view), target)),
    `INSERT INTO ${localName(RENTAL_LINES.name, target)} SELECT ${RENTAL_LINE_ROW} FROM ${ledger} WHERE ${RENTAL_ACTIVITY_SQL}`,
    `INSERT INTO ${localName(RENTAL_SURCHARGES.name, target)} SELECT ${RENTAL_SURCHARGE_ROW} FROM ${ledger} WHERE ${RENTAL_ACTIVITY_SQL} AND event_type = 'rental.surcharge'`,
    `INSERT INTO ${localName(RENTAL_INVOICES.name, target)} SELECT ${RENTAL_INVOICE_ROW} FROM ${ledger} WHERE ${RENTAL_INVOICE_SQL}`,
  ];
}

/**
 * Version 5: a skip index on the ledger's event id, so looking an event up by id (the ledger
 * API's `event_id` and `q`) reads a few granules instead of the whole range. Existing parts
 * get it by a background mutation; until then they are scanned as before.
 */
export function eventIdIndexStatements(target: DdlTarget): string[] {
  const ledger = `${localName(SYNC_LEDGER.name, target)}${onCluster(target)}`;
  return [
    `ALTER TABLE ${ledger} ADD INDEX IF NOT EXISTS idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1`,
    `ALTER TABLE ${ledger} MATERIALIZE INDEX idx_event_id`,
  ];
}

/** The ledger's projection sorted by interface and time; see sloProjectionStatements. */
export const LEDGER_BY_INTERFACE_TIME = 'ledger_by_interface_time';

/**
 * Version 6: a projection of the ledger sorted by (interface_id, occurred_at), holding the
 * columns the SLO queries group by sync (the worst records' text is then read by event id).
 * The table is sorted by record, so "this interface's last week" read every event of the
 * interface in the partitions the week touches (a month or two); from the projection it
 * reads that week. Merges that replace duplicate rows rebuild it. Existing parts get it by a
 * background mutation and are read as before until then.
 */
export function sloProjectionStatements(target: DdlTarget): string[] {
  const ledger = `${localName(SYNC_LEDGER.name, target)}${onCluster(target)}`;
  return [
    `ALTER TABLE ${ledger} MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild'`,
    `ALTER TABLE ${ledger} ADD PROJECTION IF NOT EXISTS ${LEDGER_BY_INTERFACE_TIME} (
      SELECT interface_id, occurred_at, ingested_at, synced_at, status, sync_key, event_id, error_message
      ORDER BY interface_id, occurred_at)`,
    `ALTER TABLE ${ledger} MATERIALIZE PROJECTION ${LEDGER_BY_INTERFACE_TIME}`,
  ];
}

/**
 * Error signatures of the messages failing records carry: (category, message) → signature, the
 * JS normaliser's answer (lib/ledger/error-signature.ts: look-behind and back-references that
 * RE2 cannot run), so the failure queue can group and filter in ClickHouse. A cache of a pure
 * function, filled by ensureSignatures (lib/exceptions/signature.ts) and always refillable.
 * `message_hash` is computed here, on insert, exactly as the queue's join computes it from a
 * record. Rows are per normaliser version: a new normaliser fills its own rows beside the old
 * ones. Concurrent fills may insert a row twice; the rows are identical, and readers use FINAL.
 * Every query of the queue reads the whole table, so it must not keep every message that ever
 * failed: rows expire SIGNATURE_TTL_DAYS after they were written, and the case sync writes again
 * those of still-failing records once they are SIGNATURE_REFRESH_DAYS old.
 */
export const SIGNATURE_TTL_DAYS = 30;
export const SIGNATURE_REFRESH_DAYS = 7;

export const ERROR_SIGNATURES: TableSpec = {
  name: 'error_signatures',
  engine: 'ReplacingMergeTree',
  engineArgs: 'created_at',
  shardingKey: 'message_hash',
  columns: `  normalizer_version UInt32,
  error_category LowCardinality(String),
  error_message String CODEC(ZSTD(3)),
  message_hash UInt64 DEFAULT cityHash64(error_category, error_message),
  signature String,
  signature_hash String,
  created_at DateTime64(3, 'UTC') DEFAULT now64(3)`,
  tail: `ORDER BY (normalizer_version, message_hash)
TTL toDateTime(created_at) + toIntervalDay(${SIGNATURE_TTL_DAYS})`,
  settings: COMPACT_STATE_SETTINGS,
};

/** Version 7: the error signature cache (ERROR_SIGNATURES); filled by the case sync and the queue, not here. */
export function errorSignatureStatements(target: DdlTarget): string[] {
  return createTable(ERROR_SIGNATURES, target);
}

/** Retention as a table TTL (on the shard tables on a cluster): ClickHouse drops expired rows as it merges. */
export function modifyTtl(table: string, timeExpression: string, days: number, target: DdlTarget): string {
  if (!Number.isInteger(days) || days < 1) throw new Error(`TTL days must be a positive whole number, got ${days}`);
  return `ALTER TABLE ${localName(table, target)}${onCluster(target)} MODIFY TTL ${timeExpression} + toIntervalDay(${days})`;
}

/**
 * A table of lib/slo/hourly.ts's kept figures: rows per SLI (sli_key, on one shard), the latest
 * computation (computed_at) replacing older ones. Hourly rows expire after 62 days, longer
 * than any SLO window. Read with FINAL after a small insert every minute, so kept compact.
 */
function keptSloTable(name: string, columns: string, orderBy: string, hourly: boolean): TableSpec {
  return keptTable(name, 'cityHash64(sli_key)', `  sli_key String,\n  ${columns}`, `ORDER BY ${orderBy}${hourly ? '\nTTL hour + INTERVAL 62 DAY' : ''}`);
}

/**
 * A table of figures computed from stored events and kept: the latest computation of a key
 * (computed_at) replaces older ones, and as it is read with FINAL after small inserts, it is
 * kept compact.
 */
function keptTable(name: string, shardingKey: string, columns: string, tail: string, settings: string[] = []): TableSpec {
  return {
    name,
    engine: 'ReplacingMergeTree',
    engineArgs: 'computed_at',
    shardingKey,
    columns: `${columns},\n  computed_at DateTime64(3, 'UTC')`,
    tail,
    settings: [COMPACT_STATE_SETTINGS, ...settings].join(', '),
  };
}

/**
 * Hourly figures of the ledger SLIs (lib/slo/hourly.ts): per SLI and hour, the syncs decided
 * in it (good and bad) and the latency quantiles of those that succeeded in it. Kept only for
 * closed hours and rewritten whenever later events change them; a version of an hour replaces
 * the older one (computed_at), so concurrent page views may both write.
 */
export const SLO_HOURS: TableSpec = keptSloTable(
  'slo_hours',
  `hour DateTime('UTC'),
  total UInt64,
  bad UInt64,
  latency_count UInt64,
  latency_p50 Float64,
  latency_p95 Float64,
  latency_p99 Float64`,
  '(sli_key, hour)',
  true,
);

/**
 * What SLO_HOURS holds for an SLI: its hours from covered_from to covered_until, computed
 * from the events up to as_of that were ingested by computed_at (wall clock). The latest
 * version is the one that counts.
 */
export const SLO_HOUR_REFRESHES: TableSpec = keptSloTable(
  'slo_hour_refreshes',
  `covered_from DateTime('UTC'),
  covered_until DateTime('UTC'),
  as_of DateTime64(3, 'UTC')`,
  'sli_key',
  false,
);

/**
 * The worst syncs decided in each kept hour of SLO_HOURS, the candidates for the detail page's
 * worst records: a fixed number per class (bad and completed, bad and still waiting, good) in
 * numbered slots, so a recomputed hour overwrites its slots; a slot left from an older
 * computation is told apart by its computed_at, which differs from the hour's.
 */
export const SLO_HOUR_WORST: TableSpec = keptSloTable(
  'slo_hour_worst',
  `hour DateTime('UTC'),
  slot UInt16,
  sync UInt64,
  good UInt8,
  done UInt8,
  started_ms Int64,
  done_ms Int64,
  last_ms Int64,
  events UInt64,
  final_status LowCardinality(String)`,
  '(sli_key, hour, slot)',
  true,
);

/** Version 8: the kept hourly SLI figures (SLO_HOURS), their worst syncs (SLO_HOUR_WORST) and what they cover (SLO_HOUR_REFRESHES). */
export function sloHourStatements(target: DdlTarget): string[] {
  return [...createTable(SLO_HOURS, target), ...createTable(SLO_HOUR_WORST, target), ...createTable(SLO_HOUR_REFRESHES, target)];
}

/** A span's interface as its `plumbline.interface` attribute names it, kept as a column (version 9). */
const SPAN_INTERFACE_COLUMN = 'PlumblineInterface';

/**
 * Version 9: the span attribute `plumbline.interface` as a materialized column of otel_traces.
 * Finding an interface's spans by the attribute read the whole attribute map of every span with
 * the name (a span SLI's 28 days at 20 M spans: 160 ms of a 170 ms scan); the column is a few
 * bytes. It is computed on insert, so writers (a Collector included) need not know of it, and
 * `SELECT *` leaves it out; existing parts get it by a background mutation and compute it on
 * read until then.
 */
export function spanInterfaceStatements(target: DdlTarget): string[] {
  return [
    ...addColumns(OTEL_TRACES.name, [`${SPAN_INTERFACE_COLUMN} LowCardinality(String) MATERIALIZED SpanAttributes['plumbline.interface'] CODEC(ZSTD(1))`], target),
    `ALTER TABLE ${localName(OTEL_TRACES.name, target)}${onCluster(target)} MATERIALIZE COLUMN ${SPAN_INTERFACE_COLUMN}`,
  ];
}

const LATE_EVENTS_COLUMN = 'late_events UInt64 DEFAULT 0';

/** A contract line's billing standing (lib/finance/rental-queries.ts standingSql), as RENTAL_LINE_STANDING and RENTAL_DATED_STANDING keep it. */
const STANDING_COLUMN_TYPES = `  contract_line_id String,
  contract_id String,
  equipment_id String,
  equipment_class LowCardinality(String),
  project LowCardinality(String),
  customer LowCardinality(String),
  currency LowCardinality(String),
  interface_id LowCardinality(String),
  dispatched_at DateTime64(3, 'UTC'),
  off_rent_as_of Nullable(DateTime64(3, 'UTC')),
  returned_as_of Nullable(DateTime64(3, 'UTC')),
  rate_day String,
  rate_week String,
  rate_4week String,
  rate_day_cents Int64,
  rate_week_cents Int64,
  rate_4week_cents Int64,
  dispatch_trace_id String,
  surcharge_points Array(Tuple(Int64, Int64)),
  billing_points Array(Tuple(Int64, Int64, UInt8)),
  surcharge_cents Int64,
  invoiced_cents Int64,
  credited_cents Int64,
  covered_until String,
  credited_from String,
  failing_interface_id String,
  failing_source_record_id String,
  failing_document_number String,
  failing_trace_id String`;

/**
 * Each contract line's billing standing once every stored event counts (lib/finance/line-standing.ts):
 * its terms, surcharge and billing points, totals, covered-until day and failing invoice, the
 * time-independent part of its unbilled value. The latest computation of a line replaces older
 * ones; a page evaluates only what depends on the as-of instant (billable days, age) at read.
 *
 * Pages read every line and also single lines by id (the oldest unbilled line, a line's detail),
 * hence POINT_READ_SETTINGS (at 500 k lines, ~40 ms instead of ~150 for 50 lines).
 */
export const RENTAL_LINE_STANDING: TableSpec = keptTable(
  'rental_line_standing',
  'cityHash64(contract_line_id)',
  STANDING_COLUMN_TYPES,
  'ORDER BY contract_line_id',
  [POINT_READ_SETTINGS],
);

/**
 * How long a dated standing's computation is kept: a page reads one for at most an hour after it
 * (lib/finance/line-standing.ts), an export a few seconds more, and the minute job replaces a view
 * it keeps ahead every 55 minutes, so each such view holds one or two copies of every line's
 * standing (~46 MB at 10 M events).
 */
const DATED_STANDING_TTL = 'toDateTime(computed_at) + INTERVAL 70 MINUTE';
const DATED_STANDING_TTL_MERGE = 'merge_with_ttl_timeout = 600';

/**
 * Each contract line's billing standing as of a past instant (a dated view, as_of), kept by
 * lib/finance/line-standing.ts: one computation of every line dispatched before it, written at
 * once and named by computed_at, so a reader picks the computation its refresh marker names and
 * reads it whole. A dated view's figures stand until an event dated before as_of arrives late
 * (then it is computed again), and every hour; computations expire (DATED_STANDING_TTL) after
 * the marker has stopped naming them.
 */
export const RENTAL_DATED_STANDING: TableSpec = {
  name: 'rental_dated_standing',
  engine: 'MergeTree',
  shardingKey: 'cityHash64(contract_line_id)',
  columns: `  as_of DateTime64(3, 'UTC'),
  computed_at DateTime64(3, 'UTC'),
${STANDING_COLUMN_TYPES}`,
  tail: `ORDER BY (as_of, computed_at, contract_line_id)\nTTL ${DATED_STANDING_TTL}`,
  settings: `${POINT_READ_SETTINGS}, ${DATED_STANDING_TTL_MERGE}`,
};

/**
 * When each dated unbilled-rentals view (as of as_of, its range from range_from) was last looked
 * at, so the minute job keeps the views looked at within the day ahead (lib/finance/dated-looks.ts);
 * the latest look replaces older ones, and a row expires a day after it.
 */
export const RENTAL_DATED_LOOKS: TableSpec = {
  name: 'rental_dated_looks',
  engine: 'ReplacingMergeTree',
  engineArgs: 'looked_at',
  shardingKey: 'cityHash64(as_of)',
  columns: `  as_of DateTime64(3, 'UTC'),
  range_from DateTime64(3, 'UTC'),
  looked_at DateTime64(3, 'UTC')`,
  tail: 'ORDER BY (as_of, range_from)\nTTL toDateTime(looked_at) + INTERVAL 1 DAY',
};

/**
 * When a kept standing (scope: RENTAL_LINE_STANDING, or RENTAL_DATED_STANDING as of an instant)
 * was last brought up to date (computed_at) and last recomputed whole (full_at). late_events
 * counts events the computation may already count, so a later look can tell whether more came:
 * for a dated one, the events dated before its instant ingested within the visibility margin
 * before full_at; for the live one, the rental and invoice events ingested within a page's reach
 * before computed_at (lib/finance/line-standing.ts).
 */
export const RENTAL_STANDING_REFRESHES: TableSpec = keptTable(
  'rental_standing_refreshes',
  'cityHash64(scope)',
  `  scope String,
  full_at DateTime64(3, 'UTC'),
  ${LATE_EVENTS_COLUMN}`,
  'ORDER BY scope',
);

/**
 * The unbilled-rentals trend of each view (lib/finance/kept-views.ts): per-currency totals at
 * each of its instants, as computed at computed_at, the latest replacing older ones. A view's
 * key holds its instants, which move on each day, so rows expire after two days.
 */
export const RENTAL_TREND_VIEWS: TableSpec = keptTable(
  'rental_trend_views',
  'cityHash64(view_key)',
  `  view_key String,
  totals Array(Map(String, Int64))`,
  'ORDER BY view_key\nTTL toDateTime(computed_at) + INTERVAL 2 DAY',
);

/**
 * The unbilled-rentals summary of each view (lib/finance/kept-views.ts): its headline, aging,
 * causes and breakdowns as JSON as of as_of (for a live view, merged from the summary cells as of
 * then; a dated view's key names the standing it came from), the latest replacing older ones; a
 * live view whose cells were computed again is merged again. Rows expire after two days.
 */
export const RENTAL_SUMMARY_VIEWS: TableSpec = keptTable(
  'rental_summary_views',
  'cityHash64(view_key)',
  `  view_key String,
  as_of DateTime64(3, 'UTC'),
  summary String`,
  'ORDER BY view_key\nTTL toDateTime(computed_at) + INTERVAL 2 DAY',
);

/**
 * The unbilled-rentals summary as of an instant, in cells (lib/finance/kept-views.ts): per
 * project, customer, interface and currency (the dashboard's filters), the lines with something
 * unbilled by dimension ('contracts': all of them; 'aging', 'cause', 'equipment_class': by that
 * key) with their count and cents, and on 'contracts' rows the count of distinct contracts and,
 * as aggregate states, the contracts and the line unbilled the longest, so any filter's summary
 * merges exactly from the cells it matches. A computation writes every cell as of one instant
 * (as_of) and a marker row (dimension 'computed') whose `lines` counts the contracts with lines
 * in more than one cell, in one insert. Computations are never rewritten, so a page reads the
 * one it chose whole; they expire a quarter of an hour on, which no page reads by then.
 */
export const RENTAL_SUMMARY_CELLS: TableSpec = {
  name: 'rental_summary_cells',
  engine: 'MergeTree',
  shardingKey: 'cityHash64(project, customer)',
  columns: `  as_of DateTime64(3, 'UTC'),
  dimension LowCardinality(String),
  project LowCardinality(String),
  customer LowCardinality(String),
  interface_id LowCardinality(String),
  currency LowCardinality(String),
  key String,
  lines UInt64,
  cents Int64,
  contract_count UInt64,
  contracts AggregateFunction(uniqExact, String),
  oldest AggregateFunction(argMin, String, Tuple(Int64, Int64, String))`,
  tail: 'ORDER BY (as_of, dimension, project, customer, interface_id, currency, key)\nTTL toDateTime(as_of) + INTERVAL 15 MINUTE',
  settings: 'merge_with_ttl_timeout = 300',
};

/**
 * The unbilled-rentals trend at a set of instants (instants_key), in cells per project,
 * customer, interface and currency (lib/finance/kept-views.ts): the cents of lines priced at
 * an instant (settled 0) and of lines settled by it, carried to every later instant (settled 1),
 * as computed at computed_at. A computation writes every cell of its instants plus a marker row
 * (instant_index 0); cells of older computations are read past by their computed_at. The
 * instants move on each day, so rows expire after two days.
 */
export const RENTAL_TREND_CELLS: TableSpec = keptTable(
  'rental_trend_cells',
  'cityHash64(instants_key, project, customer)',
  `  instants_key String,
  project LowCardinality(String),
  customer LowCardinality(String),
  interface_id LowCardinality(String),
  currency LowCardinality(String),
  instant_index UInt16,
  settled UInt8,
  cents Int64`,
  'ORDER BY (instants_key, project, customer, interface_id, currency, instant_index, settled)\nTTL toDateTime(computed_at) + INTERVAL 2 DAY',
);

/**
 * Version 10: the rental state tables note when each row last changed (last_ingested_at; their
 * views are recreated to fill it, rows from before read 1970 and are covered by the first full
 * computation), the kept line standing with its refresh marker, and the kept trend views.
 */
export function rentalStandingStatements(target: DdlTarget): string[] {
  const views = [RENTAL_LINES_MV, RENTAL_SURCHARGES_MV, RENTAL_INVOICES_MV];
  return [
    ...[RENTAL_LINES, RENTAL_SURCHARGES, RENTAL_INVOICES].flatMap((table) => addColumns(table.name, [LAST_INGESTED_COLUMN], target)),
    ...views.flatMap((view) => [...dropObject('MATERIALIZED VIEW', view.name, target), ...createMaterializedView(fedByLedger(view), target)]),
    ...createTable(RENTAL_LINE_STANDING, target),
    ...createTable(RENTAL_STANDING_REFRESHES, target),
    ...createTable(RENTAL_TREND_VIEWS, target),
  ];
}

/**
 * Version 11: the kept unbilled-rentals summary of each live view, and the kept line standing
 * made again with small granules (a table's granularity is fixed when it is made), with its
 * refresh marker, so the first read finds nothing computed and computes every line.
 */
export function rentalSummaryViewStatements(target: DdlTarget): string[] {
  return [
    ...[RENTAL_LINE_STANDING, RENTAL_STANDING_REFRESHES].flatMap((table) => [...dropObject('TABLE', table.name, target), ...createTable(table, target)]),
    ...createTable(RENTAL_SUMMARY_VIEWS, target),
  ];
}

/**
 * Version 12: the unbilled-rentals summary and trend kept in cells by filter (RENTAL_SUMMARY_CELLS,
 * RENTAL_TREND_CELLS), so every filtered view is merged from what one computation wrote. Kept
 * summaries of views computed before (version 11) are not as of any cells, so none is read again.
 */
export function rentalCellStatements(target: DdlTarget): string[] {
  return [...createTable(RENTAL_SUMMARY_CELLS, target), ...createTable(RENTAL_TREND_CELLS, target)];
}

/**
 * Version 13: the line standing kept as of past instants (RENTAL_DATED_STANDING), so a dated
 * view reads its lines instead of computing them from the events on every look, with the count
 * of late events its refresh marker needs. Each dated instant adds a marker, so markers now
 * expire two days after their last refresh (the live one is refreshed every minute; a standing
 * whose marker expired is computed again in full).
 */
export function rentalDatedStandingStatements(target: DdlTarget): string[] {
  return [
    ...createTable(RENTAL_DATED_STANDING, target),
    ...addColumns(RENTAL_STANDING_REFRESHES.name, [LATE_EVENTS_COLUMN], target),
    modifyTtl(RENTAL_STANDING_REFRESHES.name, 'toDateTime(computed_at)', 2, target),
  ];
}

/**
 * Version 14: the rental state tables made again with small granules (POINT_READ_SETTINGS; a
 * table's granularity is fixed when it is made). Bringing the kept standing up to date reads
 * the state of the lines ingested since, scattered over the table: with 8 192-row granules, ~5 ms
 * a line at 10 M events, which every page view paid under steady ingest. Each table is copied
 * into a new one while its view is dropped (run before ingest starts, as every migration),
 * exchanged with it, and its view made again; the state's max/min columns make a repeated copy
 * harmless.
 */
export function rentalStateGranuleStatements(target: DdlTarget): string[] {
  const pairs: [TableSpec, ViewSpec][] = [
    [RENTAL_LINES, RENTAL_LINES_MV],
    [RENTAL_SURCHARGES, RENTAL_SURCHARGES_MV],
    [RENTAL_INVOICES, RENTAL_INVOICES_MV],
  ];
  return pairs.flatMap(([table, view]) => {
    const copy: TableSpec = { ...table, name: `${table.name}_v14` };
    return [
      ...dropObject('MATERIALIZED VIEW', view.name, target),
      ...createTable(copy, target),
      // Through the Distributed tables on a cluster, each row to its shard, written before the exchange.
      `INSERT INTO ${copy.name} SELECT * FROM ${table.name}${target.cluster ? ' SETTINGS insert_distributed_sync = 1' : ''}`,
      `EXCHANGE TABLES ${localName(table.name, target)} AND ${localName(copy.name, target)}${onCluster(target)}`,
      ...dropObject('TABLE', copy.name, target),
      ...createMaterializedView(fedByLedger(view), target),
    ];
  });
}

/** The state views, in the order they are made (each reads its source as the inserted block). */
const STATE_VIEWS: readonly ViewSpec[] = [
  LEDGER_RECORDS_MV,
  LEDGER_EXCEPTION_RECORDS_MV,
  LEDGER_EXCEPTION_BACKFILL_MV,
  LEDGER_FILTER_VALUES_MV,
  RENTAL_LINES_MV,
  RENTAL_SURCHARGES_MV,
  RENTAL_INVOICES_MV,
];

/**
 * Version 15: the state views read LEDGER_STATE_INPUT instead of sync_ledger, so ingest can
 * acknowledge a batch once it is stored and feed the state afterwards, batches together (run
 * before ingest starts, as every migration: no event is stored between a view's drop and its
 * making again).
 */
export function ledgerStateInputStatements(target: DdlTarget): string[] {
  const local = localName(LEDGER_STATE_INPUT, target);
  return [
    `CREATE TABLE IF NOT EXISTS ${local}${onCluster(target)} AS ${localName(SYNC_LEDGER.name, target)} ENGINE = Null`,
    ...(target.cluster
      ? [`CREATE TABLE IF NOT EXISTS ${LEDGER_STATE_INPUT}${onCluster(target)} AS ${local} ENGINE = Distributed(${target.cluster}, ${target.database}, ${local}, ${SYNC_LEDGER.shardingKey})`]
      : []),
    ...STATE_VIEWS.flatMap((view) => [...dropObject('MATERIALIZED VIEW', view.name, target), ...createMaterializedView(view, target)]),
  ];
}

/**
 * Version 16: when each dated unbilled-rentals view was last looked at (RENTAL_DATED_LOOKS), so
 * the minute job keeps the recent ones ahead, and dated standings kept 70 minutes instead of two
 * hours (DATED_STANDING_TTL), as the job now computes a kept-ahead view again every 55 minutes.
 */
export function rentalDatedLookStatements(target: DdlTarget): string[] {
  const dated = `ALTER TABLE ${localName(RENTAL_DATED_STANDING.name, target)}${onCluster(target)}`;
  return [...createTable(RENTAL_DATED_LOOKS, target), `${dated} MODIFY TTL ${DATED_STANDING_TTL}`, `${dated} MODIFY SETTING ${DATED_STANDING_TTL_MERGE}`];
}
