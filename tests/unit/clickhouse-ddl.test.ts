import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import {
  addColumns,
  allStatements,
  createTable,
  errorSignatureStatements,
  eventIdIndexStatements,
  ledgerStateInputStatements,
  modifyTtl,
  OTEL_TRACES,
  recordStateStatements,
  rentalCellStatements,
  rentalDatedLookStatements,
  rentalDatedStandingStatements,
  rentalStateGranuleStatements,
  rentalStandingStatements,
  rentalSummaryViewStatements,
  rentalStateStatements,
  sloHourStatements,
  sloProjectionStatements,
  spanInterfaceStatements,
  SYNC_LEDGER,
} from '@/lib/clickhouse/ddl';

describe('ClickHouse DDL', () => {
  it('creates plain engines and no ON CLUSTER on a single node', () => {
    const statements = [...allStatements({ database: 'default' }), ...recordStateStatements({ database: 'default' }), ...rentalStateStatements({ database: 'default' })];
    assert.ok(statements.every((s) => !s.includes('ON CLUSTER')));
    assert.ok(statements.every((s) => !s.includes('Replicated') && !s.includes('Distributed')));
    const ledger = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS sync_ledger '));
    assert.match(ledger ?? '', /ENGINE = ReplacingMergeTree\(ingested_at\)/);
  });

  it('creates Replicated local tables and Distributed tables ON CLUSTER in cluster mode', () => {
    const target = { database: 'plumbline', cluster: 'prod' };
    const [local, distributed] = createTable(SYNC_LEDGER, target);
    assert.match(local!, /^CREATE TABLE IF NOT EXISTS sync_ledger_local ON CLUSTER prod \(/);
    assert.match(local!, /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/plumbline\/sync_ledger_local', '\{replica\}', ingested_at\)/);
    assert.equal(
      distributed,
      'CREATE TABLE IF NOT EXISTS sync_ledger ON CLUSTER prod AS sync_ledger_local ENGINE = Distributed(prod, plumbline, sync_ledger_local, cityHash64(interface_id, entity_type, source_record_id))',
    );
    const statements = [...allStatements(target), ...recordStateStatements(target), ...rentalStateStatements(target)];
    const ddl = statements.filter((s) => !s.startsWith('INSERT'));
    assert.ok(ddl.every((s) => s.includes('ON CLUSTER prod')), 'every DDL statement runs on the cluster');
    const views = statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    assert.ok(views.length >= 7);
    for (const view of views) {
      assert.match(view, /_mv_local ON CLUSTER prod TO \w+_local AS/, 'views write shard-local tables');
      const tables = [...view.matchAll(/FROM (\w+)/g)].map((m) => m[1]);
      assert.ok(tables.length > 0 && tables.every((t) => t?.endsWith('_local')), `views read shard-local tables only: ${tables.join(', ')}`);
    }
    for (const insert of statements.filter((s) => s.startsWith('INSERT'))) {
      assert.match(insert, /^INSERT INTO \w+_local /, 'the one-off backfills write each shard from its own rows');
      assert.ok([...insert.matchAll(/FROM (\w+)/g)].every((m) => m[1]?.endsWith('_local')));
    }
    const current = statements.find((s) => s.startsWith('CREATE VIEW IF NOT EXISTS ledger_exception_current '));
    assert.match(current ?? '', /FROM ledger_exception_records FINAL/, 'the current views read the Distributed table, merged per shard');
  });

  it('keeps the state tables read with FINAL compact, on shard tables only', () => {
    const target = { database: 'plumbline', cluster: 'prod' };
    const statements = rentalStateStatements(target);
    assert.equal(statements[0], 'ALTER TABLE ledger_exception_records_local ON CLUSTER prod MODIFY SETTING min_age_to_force_merge_seconds = 300');
    for (const table of ['rental_lines', 'rental_surcharges', 'rental_invoices']) {
      const [local, distributed] = statements.filter((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${table}`));
      assert.match(local ?? '', /\nSETTINGS min_age_to_force_merge_seconds = 300, index_granularity = 256, /);
      assert.ok(distributed?.includes('ENGINE = Distributed') && !distributed.includes('SETTINGS'));
    }
  });

  it('notes ingest time in the rental state and keeps each line\'s standing in version 10, views recreated on the shards', () => {
    const statements = rentalStandingStatements({ database: 'plumbline', cluster: 'prod' });
    for (const table of ['rental_lines', 'rental_surcharges', 'rental_invoices']) {
      assert.ok(statements.includes(`ALTER TABLE ${table}_local ON CLUSTER prod ADD COLUMN IF NOT EXISTS last_ingested_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))`));
      const drop = statements.indexOf(`DROP VIEW IF EXISTS ${table}_mv_local ON CLUSTER prod SYNC`);
      const create = statements.findIndex((s) => s.startsWith(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${table}_mv_local ON CLUSTER prod TO ${table}_local AS`));
      assert.ok(drop >= 0 && create === drop + 1, `${table}: view dropped, then created again`);
      assert.match(statements[create] ?? '', /ingested_at AS last_ingested_at/);
    }
    const standing = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS rental_line_standing_local '));
    assert.match(standing ?? '', /ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/plumbline\/rental_line_standing_local', '\{replica\}', computed_at\)\nORDER BY contract_line_id/);
    assert.ok(statements.includes('CREATE TABLE IF NOT EXISTS rental_line_standing ON CLUSTER prod AS rental_line_standing_local ENGINE = Distributed(prod, plumbline, rental_line_standing_local, cityHash64(contract_line_id))'));
    const views = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS rental_trend_views_local '));
    assert.match(views ?? '', /ORDER BY view_key\nTTL toDateTime\(computed_at\) \+ INTERVAL 2 DAY\nSETTINGS/);
  });

  it('makes the line standing and its refresh marker again, with small granules, and keeps live summary views in version 11', () => {
    const statements = rentalSummaryViewStatements({ database: 'plumbline', cluster: 'prod' });
    for (const table of ['rental_line_standing', 'rental_standing_refreshes']) {
      const drop = statements.indexOf(`DROP TABLE IF EXISTS ${table}_local ON CLUSTER prod SYNC`);
      const create = statements.findIndex((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${table}_local `));
      assert.ok(drop >= 0 && statements.includes(`DROP TABLE IF EXISTS ${table} ON CLUSTER prod SYNC`) && create > drop, `${table}: dropped, then made again`);
    }
    const standing = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS rental_line_standing_local '));
    assert.match(standing ?? '', /\nSETTINGS min_age_to_force_merge_seconds = 300, index_granularity = 256, min_compress_block_size = 4096, max_compress_block_size = 16384$/);
    const summaries = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS rental_summary_views_local '));
    assert.match(summaries ?? '', /as_of DateTime64\(3, 'UTC'\),\n  summary String,\n  computed_at DateTime64\(3, 'UTC'\)/);
    assert.match(summaries ?? '', /ORDER BY view_key\nTTL toDateTime\(computed_at\) \+ INTERVAL 2 DAY\nSETTINGS/);
    assert.ok(statements.includes('CREATE TABLE IF NOT EXISTS rental_summary_views ON CLUSTER prod AS rental_summary_views_local ENGINE = Distributed(prod, plumbline, rental_summary_views_local, cityHash64(view_key))'));
  });

  it('keeps the unbilled summary and trend in cells by filter in version 12', () => {
    const statements = rentalCellStatements({ database: 'plumbline', cluster: 'prod' });
    assert.equal(statements.length, 4, 'two tables, each a shard table and its Distributed table');
    const summary = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS rental_summary_cells_local '));
    assert.match(summary ?? '', /contracts AggregateFunction\(uniqExact, String\),\n  oldest AggregateFunction\(argMin, String, Tuple\(Int64, Int64, String\)\)/);
    assert.match(summary ?? '', /ENGINE = ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/plumbline\/rental_summary_cells_local', '\{replica\}'\)\n/);
    assert.match(summary ?? '', /ORDER BY \(as_of, dimension, project, customer, interface_id, currency, key\)\nTTL toDateTime\(as_of\) \+ INTERVAL 15 MINUTE\nSETTINGS merge_with_ttl_timeout = 300$/);
    assert.ok(statements.includes('CREATE TABLE IF NOT EXISTS rental_summary_cells ON CLUSTER prod AS rental_summary_cells_local ENGINE = Distributed(prod, plumbline, rental_summary_cells_local, cityHash64(project, customer))'));
    const trend = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS rental_trend_cells_local '));
    assert.match(trend ?? '', /ORDER BY \(instants_key, project, customer, interface_id, currency, instant_index, settled\)\nTTL toDateTime\(computed_at\) \+ INTERVAL 2 DAY\nSETTINGS/);
    assert.ok(statements.includes('CREATE TABLE IF NOT EXISTS rental_trend_cells ON CLUSTER prod AS rental_trend_cells_local ENGINE = Distributed(prod, plumbline, rental_trend_cells_local, cityHash64(instants_key, project, customer))'));
  });

  it('keeps a dated view\'s standing in version 13, and lets refresh markers expire', () => {
    const statements = rentalDatedStandingStatements({ database: 'plumbline', cluster: 'prod' });
    const table = statements.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS rental_dated_standing_local '));
    assert.match(table ?? '', /as_of DateTime64\(3, 'UTC'\),\n  computed_at DateTime64\(3, 'UTC'\),\n  contract_line_id String,/);
    assert.match(table ?? '', /ORDER BY \(as_of, computed_at, contract_line_id\)\nTTL toDateTime\(computed_at\) \+ INTERVAL 70 MINUTE\nSETTINGS index_granularity = 256/);
    assert.ok(statements.includes('ALTER TABLE rental_standing_refreshes_local ON CLUSTER prod ADD COLUMN IF NOT EXISTS late_events UInt64 DEFAULT 0'));
    assert.ok(statements.includes('ALTER TABLE rental_standing_refreshes_local ON CLUSTER prod MODIFY TTL toDateTime(computed_at) + toIntervalDay(2)'));
  });

  it('notes when each dated view was last looked at in version 16, the latest look replacing older ones, sharded by its instant, and keeps dated standings 70 minutes', () => {
    const statements = rentalDatedLookStatements({ database: 'plumbline', cluster: 'prod' });
    assert.match(statements[0] ?? '', /^CREATE TABLE IF NOT EXISTS rental_dated_looks_local ON CLUSTER prod \(/);
    assert.match(statements[0] ?? '', /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/plumbline\/rental_dated_looks_local', '\{replica\}', looked_at\)\nORDER BY \(as_of, range_from\)\nTTL toDateTime\(looked_at\) \+ INTERVAL 1 DAY$/);
    assert.equal(statements[1], 'CREATE TABLE IF NOT EXISTS rental_dated_looks ON CLUSTER prod AS rental_dated_looks_local ENGINE = Distributed(prod, plumbline, rental_dated_looks_local, cityHash64(as_of))');
    assert.deepEqual(statements.slice(2), [
      'ALTER TABLE rental_dated_standing_local ON CLUSTER prod MODIFY TTL toDateTime(computed_at) + INTERVAL 70 MINUTE',
      'ALTER TABLE rental_dated_standing_local ON CLUSTER prod MODIFY SETTING merge_with_ttl_timeout = 600',
    ]);
  });

  it('makes the rental state tables again with small granules in version 14, each copied, exchanged and its view made again', () => {
    const statements = rentalStateGranuleStatements({ database: 'plumbline', cluster: 'prod' });
    const lines = statements.slice(0, statements.findIndex((s) => s.startsWith('CREATE MATERIALIZED VIEW')) + 1);
    assert.deepEqual(
      lines.map((s) => s.split('\n')[0]),
      [
        'DROP VIEW IF EXISTS rental_lines_mv_local ON CLUSTER prod SYNC',
        'CREATE TABLE IF NOT EXISTS rental_lines_v14_local ON CLUSTER prod (',
        'CREATE TABLE IF NOT EXISTS rental_lines_v14 ON CLUSTER prod AS rental_lines_v14_local ENGINE = Distributed(prod, plumbline, rental_lines_v14_local, cityHash64(contract_line_id))',
        'INSERT INTO rental_lines_v14 SELECT * FROM rental_lines SETTINGS insert_distributed_sync = 1',
        'EXCHANGE TABLES rental_lines_local AND rental_lines_v14_local ON CLUSTER prod',
        'DROP TABLE IF EXISTS rental_lines_v14_local ON CLUSTER prod SYNC',
        'DROP TABLE IF EXISTS rental_lines_v14 ON CLUSTER prod SYNC',
        'CREATE MATERIALIZED VIEW IF NOT EXISTS rental_lines_mv_local ON CLUSTER prod TO rental_lines_local AS',
      ],
    );
    assert.match(lines[1] ?? '', /SETTINGS min_age_to_force_merge_seconds = 300, index_granularity = 256, min_compress_block_size = 4096, max_compress_block_size = 16384$/);
    assert.equal(statements.filter((s) => s.startsWith('EXCHANGE TABLES')).length, 3);
    assert.ok(rentalStateGranuleStatements({ database: 'default' }).includes('INSERT INTO rental_lines_v14 SELECT * FROM rental_lines'), 'a single node copies directly');
  });

  it('feeds the state views from a Null input table in version 15, sharded as the ledger, each view made again on it', () => {
    const statements = ledgerStateInputStatements({ database: 'plumbline', cluster: 'prod' });
    assert.deepEqual(statements.slice(0, 2), [
      'CREATE TABLE IF NOT EXISTS ledger_state_input_local ON CLUSTER prod AS sync_ledger_local ENGINE = Null',
      'CREATE TABLE IF NOT EXISTS ledger_state_input ON CLUSTER prod AS ledger_state_input_local ENGINE = Distributed(prod, plumbline, ledger_state_input_local, cityHash64(interface_id, entity_type, source_record_id))',
    ]);
    const views = statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    assert.deepEqual(
      views.map((s) => /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) /.exec(s)?.[1]),
      ['ledger_records_mv_local', 'ledger_exception_records_mv_local', 'ledger_exception_backfill_mv_local', 'ledger_filter_values_mv_local', 'rental_lines_mv_local', 'rental_surcharges_mv_local', 'rental_invoices_mv_local'],
    );
    for (const view of views) {
      assert.match(view, /FROM ledger_state_input_local\b/);
      assert.doesNotMatch(view, /FROM sync_ledger/);
    }
    assert.equal(statements.filter((s) => s.startsWith('DROP VIEW IF EXISTS')).length, 7, 'each view is dropped before it is made again');
    assert.ok(rentalStateGranuleStatements({ database: 'default' }).some((s) => /rental_lines_mv TO rental_lines AS\n[\s\S]*FROM sync_ledger\n/.test(s)), 'version 14 still makes them on sync_ledger');
  });

  it('indexes the ledger event id on the shard tables in version 5', () => {
    assert.deepEqual(eventIdIndexStatements({ database: 'plumbline', cluster: 'prod' }), [
      'ALTER TABLE sync_ledger_local ON CLUSTER prod ADD INDEX IF NOT EXISTS idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1',
      'ALTER TABLE sync_ledger_local ON CLUSTER prod MATERIALIZE INDEX idx_event_id',
    ]);
  });

  it('projects the shard tables of the ledger by interface and time in version 6, rebuilt when merges replace rows', () => {
    const statements = sloProjectionStatements({ database: 'plumbline', cluster: 'prod' });
    assert.equal(statements[0], "ALTER TABLE sync_ledger_local ON CLUSTER prod MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild'");
    assert.match(statements[1] ?? '', /^ALTER TABLE sync_ledger_local ON CLUSTER prod ADD PROJECTION IF NOT EXISTS ledger_by_interface_time \(\s+SELECT .+\s+ORDER BY interface_id, occurred_at\)$/);
    assert.equal(statements[2], 'ALTER TABLE sync_ledger_local ON CLUSTER prod MATERIALIZE PROJECTION ledger_by_interface_time');
  });

  it('keeps error signatures per normaliser version and message hash in version 7, sharded by that hash on a cluster', () => {
    const [single, ...rest] = errorSignatureStatements({ database: 'default' });
    assert.equal(rest.length, 0);
    assert.match(single ?? '', /^CREATE TABLE IF NOT EXISTS error_signatures \(/);
    assert.match(single ?? '', /message_hash UInt64 DEFAULT cityHash64\(error_category, error_message\)/);
    assert.match(single ?? '', /ENGINE = ReplacingMergeTree\(created_at\)\nORDER BY \(normalizer_version, message_hash\)\nTTL toDateTime\(created_at\) \+ toIntervalDay\(30\)\nSETTINGS min_age_to_force_merge_seconds = 300$/);
    const [local, distributed] = errorSignatureStatements({ database: 'plumbline', cluster: 'prod' });
    assert.match(local ?? '', /^CREATE TABLE IF NOT EXISTS error_signatures_local ON CLUSTER prod .+ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/plumbline\/error_signatures_local', '\{replica\}', created_at\)/s);
    assert.equal(distributed, 'CREATE TABLE IF NOT EXISTS error_signatures ON CLUSTER prod AS error_signatures_local ENGINE = Distributed(prod, plumbline, error_signatures_local, message_hash)');
  });

  it('keeps hourly SLI figures and their worst syncs per SLI in version 8, the latest computation of an hour replacing older ones, on the shard of the SLI', () => {
    const [hours, worst, refreshes] = sloHourStatements({ database: 'default' });
    assert.match(hours ?? '', /^CREATE TABLE IF NOT EXISTS slo_hours \(/);
    assert.match(hours ?? '', /ENGINE = ReplacingMergeTree\(computed_at\)\nORDER BY \(sli_key, hour\)/);
    assert.match(worst ?? '', /ENGINE = ReplacingMergeTree\(computed_at\)\nORDER BY \(sli_key, hour, slot\)/);
    assert.match(refreshes ?? '', /ENGINE = ReplacingMergeTree\(computed_at\)\nORDER BY sli_key/);
    for (const table of [hours, worst, refreshes]) assert.match(table ?? '', /SETTINGS min_age_to_force_merge_seconds = 300$/);
    const cluster = sloHourStatements({ database: 'plumbline', cluster: 'prod' });
    assert.equal(cluster[1], 'CREATE TABLE IF NOT EXISTS slo_hours ON CLUSTER prod AS slo_hours_local ENGINE = Distributed(prod, plumbline, slo_hours_local, cityHash64(sli_key))');
  });

  it('keeps the span attribute plumbline.interface as a materialized column of the trace tables in version 9', () => {
    assert.deepEqual(spanInterfaceStatements({ database: 'default' }), [
      "ALTER TABLE otel_traces ADD COLUMN IF NOT EXISTS PlumblineInterface LowCardinality(String) MATERIALIZED SpanAttributes['plumbline.interface'] CODEC(ZSTD(1))",
      'ALTER TABLE otel_traces MATERIALIZE COLUMN PlumblineInterface',
    ]);
    const cluster = spanInterfaceStatements({ database: 'plumbline', cluster: 'prod' });
    assert.deepEqual(cluster.map((s) => s.split(' ADD COLUMN')[0]!.split(' MATERIALIZE')[0]), [
      'ALTER TABLE otel_traces_local ON CLUSTER prod',
      'ALTER TABLE otel_traces ON CLUSTER prod',
      'ALTER TABLE otel_traces_local ON CLUSTER prod',
    ]);
  });

  it('replaces the version-1 record state in version 3', () => {
    const statements = recordStateStatements({ database: 'default' });
    assert.deepEqual(statements.slice(0, 3), [
      'DROP VIEW IF EXISTS ledger_record_current SYNC',
      'DROP VIEW IF EXISTS ledger_record_state_mv SYNC',
      'DROP TABLE IF EXISTS ledger_record_state SYNC',
    ]);
    assert.deepEqual(recordStateStatements({ database: 'plumbline', cluster: 'prod' }).slice(0, 4), [
      'DROP VIEW IF EXISTS ledger_record_current ON CLUSTER prod SYNC',
      'DROP VIEW IF EXISTS ledger_record_state_mv_local ON CLUSTER prod SYNC',
      'DROP TABLE IF EXISTS ledger_record_state_local ON CLUSTER prod SYNC',
      'DROP TABLE IF EXISTS ledger_record_state ON CLUSTER prod SYNC',
    ]);
    assert.ok(!allStatements({ database: 'default' }).some((s) => s.includes('ledger_record_state')));
  });

  it('keeps the OpenTelemetry Collector exporter layout for otel_traces', () => {
    const [ddl] = createTable(OTEL_TRACES, { database: 'default' });
    for (const column of [
      'Timestamp DateTime64(9)',
      'TraceId String',
      'SpanId String',
      'ParentSpanId String',
      'TraceState String',
      'SpanName LowCardinality(String)',
      'SpanKind LowCardinality(String)',
      'ServiceName LowCardinality(String)',
      'ResourceAttributes Map(LowCardinality(String), String)',
      'ScopeName String',
      'ScopeVersion String',
      'SpanAttributes Map(LowCardinality(String), String)',
      'Duration UInt64',
      'StatusCode LowCardinality(String)',
      'StatusMessage String',
      'Events Nested',
      'Links Nested',
    ]) {
      assert.ok(ddl!.includes(column), `otel_traces has ${column}`);
    }
    assert.match(ddl!, /ORDER BY \(ServiceName, SpanName, toDateTime\(Timestamp\)\)/);
  });

  it('adds columns to the shard tables and the Distributed table on a cluster', () => {
    assert.deepEqual(addColumns('sync_ledger', ['job_id String', 'unit LowCardinality(String)'], { database: 'default' }), [
      'ALTER TABLE sync_ledger ADD COLUMN IF NOT EXISTS job_id String, ADD COLUMN IF NOT EXISTS unit LowCardinality(String)',
    ]);
    assert.deepEqual(addColumns('sync_ledger', ['job_id String'], { database: 'plumbline', cluster: 'prod' }), [
      'ALTER TABLE sync_ledger_local ON CLUSTER prod ADD COLUMN IF NOT EXISTS job_id String',
      'ALTER TABLE sync_ledger ON CLUSTER prod ADD COLUMN IF NOT EXISTS job_id String',
    ]);
  });

  it('sets retention TTLs on the shard tables only on a cluster, and refuses nonsense', () => {
    assert.equal(modifyTtl('sync_ledger', 'toDateTime(occurred_at)', 30, { database: 'default' }), 'ALTER TABLE sync_ledger MODIFY TTL toDateTime(occurred_at) + toIntervalDay(30)');
    assert.equal(
      modifyTtl('otel_traces', 'toDateTime(Timestamp)', 7, { database: 'plumbline', cluster: 'prod' }),
      'ALTER TABLE otel_traces_local ON CLUSTER prod MODIFY TTL toDateTime(Timestamp) + toIntervalDay(7)',
    );
    assert.throws(() => modifyTtl('sync_ledger', 'toDateTime(occurred_at)', 0, { database: 'default' }));
    assert.throws(() => modifyTtl('sync_ledger', 'toDateTime(occurred_at)', 1.5, { database: 'default' }));
  });
});
