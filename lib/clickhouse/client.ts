import fs from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { dataDir, env, usesEmbeddedClickHouse } from '@/lib/config/env';

/**
 * The one place that creates the ClickHouse client: chDB in-process on the embedded
 * default, or a ClickHouse server over HTTP when CLICKHOUSE_URL is set.
 *
 * The client lives on globalThis because Next.js bundles instrumentation and routes
 * separately: module-level state would open chDB twice and hit its directory lock.
 */
const CLIENT_KEY = Symbol.for('plumbline.clickhouse.client');

type Holder = { [CLIENT_KEY]?: Promise<ClickHouseClient> };
const holder = globalThis as unknown as Holder;

/**
 * JSON output as plain numbers and timestamps read and written as UTC, so chDB and a
 * server return the same shapes whatever their own time zone.
 */
const SETTINGS: ClickHouseSettings = {
  session_timezone: 'UTC',
  output_format_json_quote_64bit_integers: 0,
  output_format_json_quote_decimals: 0,
  date_time_output_format: 'iso',
};

/**
 * chDB's engine configuration (embedded only: a ClickHouse server keeps its own). Merges into
 * wide parts give every column its own write buffers, and sync_ledger and otel_traces have
 * ~40 columns: in the ingest benchmark the three or four merges running at once held ~270 MiB
 * of the service process. Adaptive write buffers start small and grow only as a column needs;
 * measured, merges then held ~80 MiB (chDB's tracked memory under overload ~105 MiB instead of
 * ~305), with insert rates unchanged. ClickHouse turns them on by itself only from 500 columns.
 */
const CHDB_CONFIG = `<clickhouse>
  <merge_tree>
    <min_columns_to_activate_adaptive_write_buffer>1</min_columns_to_activate_adaptive_write_buffer>
  </merge_tree>
</clickhouse>
`;

export function clickhouse(): Promise<ClickHouseClient> {
  if (!holder[CLIENT_KEY]) {
    const opening = openClient();
    holder[CLIENT_KEY] = opening;
    opening.catch(() => {
      if (holder[CLIENT_KEY] === opening) holder[CLIENT_KEY] = undefined;
    });
  }
  return holder[CLIENT_KEY];
}

async function openClient(): Promise<ClickHouseClient> {
  const cfg = env();
  if (!usesEmbeddedClickHouse()) {
    return createClient({
      url: cfg.CLICKHOUSE_URL,
      username: cfg.CLICKHOUSE_USER,
      password: cfg.CLICKHOUSE_PASSWORD,
      database: cfg.CLICKHOUSE_DATABASE,
      clickhouse_settings: SETTINGS,
      request_timeout: 60_000,
    });
  }
  // turbopackIgnore: runtime data, not a build input (else the build scans every chDB part file).
  const chdbPath = path.join(/* turbopackIgnore: true */ dataDir(), 'clickhouse');
  fs.mkdirSync(chdbPath, { recursive: true });
  const { createChdbConnection } = await import('chdb/connection');
  const { Session } = await import('chdb');
  // createChdbConnection passes the engine no arguments, and MergeTree settings come only from
  // a config file read when the engine starts. The engine is one per data directory, shared by
  // every connection to it: a Session given the config starts it, the client's connection joins
  // it, and closing that Session leaves the engine running for the connection.
  const configFile = path.join(/* turbopackIgnore: true */ dataDir(), 'chdb.xml');
  fs.writeFileSync(configFile, CHDB_CONFIG);
  const configuring = new Session(chdbPath, { connectionArgs: [`--config-file=${configFile}`] });
  let connection: ReturnType<typeof createChdbConnection>;
  try {
    connection = createChdbConnection({ path: chdbPath });
  } finally {
    configuring.close();
  }
  type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];
  // chdb's Connection type and the client's differ at compile time only (DESIGN.md).
  return createClient({
    connection: connection as unknown as ClientConnection,
    clickhouse_settings: SETTINGS,
  });
}

export async function closeClickHouse(): Promise<void> {
  const opening = holder[CLIENT_KEY];
  holder[CLIENT_KEY] = undefined;
  if (opening) await (await opening).close();
}

export type QueryParams = Record<string, unknown>;

/** Runs a SELECT; every user value must come in through `params` ({name:Type} placeholders). */
export async function queryRows<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
  const client = await clickhouse();
  const result = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

export async function queryOne<T>(sql: string, params: QueryParams = {}): Promise<T | undefined> {
  const rows = await queryRows<T>(sql, params);
  return rows[0];
}

export async function command(sql: string, params: QueryParams = {}): Promise<void> {
  const client = await clickhouse();
  await client.command({ query: sql, query_params: params });
}

/**
 * Inserts take only the setting that changes how values are read (session_timezone). The
 * output settings above would be sent too, and chDB runs each as a `SET …;` statement ahead
 * of the INSERT and its inline data: measured here, that made inserts 1.5–2× slower.
 */
const INSERT_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: undefined,
  output_format_json_quote_decimals: undefined,
  date_time_output_format: undefined,
};

/**
 * Rows go as JSONCompactEachRow (one array per row, columns named once) rather than
 * JSONEachRow: ClickHouse parses it ~1.5× faster (no key to match per value), and it is
 * quicker to encode. A key some rows lack is sent as null, which ClickHouse turns into the
 * column's default (input_format_null_as_default), as for a key missing from JSONEachRow.
 */
export async function insertRows<T extends object>(table: string, rows: readonly T[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) columns.add(key);
  const names = [...columns] as [string, ...string[]];
  const values = rows.map((row) => names.map((name) => (row as Record<string, unknown>)[name] ?? null));
  const client = await clickhouse();
  await client.insert({ table, columns: names, values, format: 'JSONCompactEachRow', clickhouse_settings: INSERT_SETTINGS });
}

export async function pingClickHouse(): Promise<boolean> {
  try {
    await queryRows('SELECT 1 AS ok');
    return true;
  } catch {
    return false;
  }
}

/** Formats a Date the way DateTime64(3) parameters and JSONEachRow inserts expect. */
export function toClickHouseDateTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
