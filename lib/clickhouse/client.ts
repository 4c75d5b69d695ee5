import fs from 'node:fs';
import path from 'node:path';
import { createClient, TupleParam, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { dataDir, env, usesEmbeddedClickHouse } from '@/lib/config/env';

/**
 * The one place that creates the ClickHouse client: chDB in-process on the embedded
 * default, or a ClickHouse server over HTTP when CLICKHOUSE_URL is set.
 *
 * The clients live on globalThis because Next.js bundles instrumentation and routes
 * separately: module-level state would open chDB twice and hit its directory lock.
 */
const CLIENT_KEY = Symbol.for('plumbline.clickhouse.client');

type Holder = { [CLIENT_KEY]?: Promise<ClientPool> };
const holder = globalThis as unknown as Holder;

/**
 * chDB runs one statement at a time per connection, so with one connection an ingest insert
 * waited for every query before it, and one flush's insert for the other's. Several
 * connections to the one engine run side by side (chdb-node still runs statements with
 * parameters one at a time across the process, its binder being unsafe under concurrency, so
 * what overlaps is inserts and parameterless statements with the rest). A statement waits here
 * when all are busy, not on a libuv thread. Three: two flushes' inserts and a dashboard query.
 */
const EMBEDDED_CONNECTIONS = 3;

/**
 * The clients queries run on: over HTTP one client, which runs any number at once; embedded,
 * one client per chDB connection, each lent to one query at a time, in arrival order.
 */
class ClientPool {
  private readonly idle: ClickHouseClient[];
  private readonly waiting: ((client: ClickHouseClient) => void)[] = [];

  constructor(
    private readonly clients: readonly ClickHouseClient[],
    private readonly oneQueryEach: boolean,
  ) {
    this.idle = [...clients];
  }

  async run<T>(use: (client: ClickHouseClient) => Promise<T>): Promise<T> {
    if (!this.oneQueryEach) return use(this.clients[0]!);
    const client = this.idle.pop() ?? (await new Promise<ClickHouseClient>((resolve) => this.waiting.push(resolve)));
    try {
      return await use(client);
    } finally {
      const next = this.waiting.shift();
      if (next) next(client);
      else this.idle.push(client);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }
}

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

function clickhouse(): Promise<ClientPool> {
  if (!holder[CLIENT_KEY]) {
    const opening = openPool();
    holder[CLIENT_KEY] = opening;
    opening.catch(() => {
      if (holder[CLIENT_KEY] === opening) holder[CLIENT_KEY] = undefined;
    });
  }
  return holder[CLIENT_KEY];
}

async function openPool(): Promise<ClientPool> {
  const cfg = env();
  if (!usesEmbeddedClickHouse()) {
    const client = createClient({
      url: cfg.CLICKHOUSE_URL,
      username: cfg.CLICKHOUSE_USER,
      password: cfg.CLICKHOUSE_PASSWORD,
      database: cfg.CLICKHOUSE_DATABASE,
      clickhouse_settings: SETTINGS,
      request_timeout: 60_000,
    });
    return new ClientPool([client], false);
  }
  // turbopackIgnore: runtime data, not a build input (else the build scans every chDB part file).
  const chdbPath = path.join(/* turbopackIgnore: true */ dataDir(), 'clickhouse');
  fs.mkdirSync(chdbPath, { recursive: true });
  const { createChdbConnection } = await import('chdb/connection');
  const { Session } = await import('chdb');
  // createChdbConnection passes the engine no arguments, and MergeTree settings come only from
  // a config file read when the engine starts. The engine is one per data directory, shared by
  // every connection to it: a Session given the config starts it, the clients' connections join
  // it, and closing that Session leaves the engine running for them.
  const configFile = path.join(/* turbopackIgnore: true */ dataDir(), 'chdb.xml');
  fs.writeFileSync(configFile, CHDB_CONFIG);
  const configuring = new Session(chdbPath, { connectionArgs: [`--config-file=${configFile}`] });
  let connections: ReturnType<typeof createChdbConnection>[];
  try {
    connections = Array.from({ length: EMBEDDED_CONNECTIONS }, () => createChdbConnection({ path: chdbPath }));
  } finally {
    configuring.close();
  }
  type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];
  // chdb's Connection type and the client's differ at compile time only (DESIGN.md).
  const clients = connections.map((connection) => createClient({ connection: connection as unknown as ClientConnection, clickhouse_settings: SETTINGS }));
  return new ClientPool(clients, true);
}

export async function closeClickHouse(): Promise<void> {
  const opening = holder[CLIENT_KEY];
  holder[CLIENT_KEY] = undefined;
  if (opening) await (await opening).close();
}

export type QueryParams = Record<string, unknown>;

/** Runs a SELECT; every user value must come in through `params` ({name:Type} placeholders). */
export async function queryRows<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
  const pool = await clickhouse();
  const result = await pool.run((client) => client.query({ query: sql, query_params: params, format: 'JSONEachRow' }));
  return result.json<T>();
}

/**
 * Runs a SELECT and yields its rows in batches of `batchRows` as they are parsed, so an export
 * of every row holds one batch of objects at a time. Over HTTP the rows also arrive as
 * ClickHouse sends them; chDB hands over the whole result at once, parsed here batch by batch.
 * Rows come as JSONCompactEachRowWithNames (arrays after one row of column names): without a key
 * per value the result is about half the bytes, and the memory an export takes follows its bytes.
 */
export async function* queryRowBatches<T>(sql: string, params: QueryParams = {}, batchRows = 5000): AsyncGenerator<T[]> {
  const pool = await clickhouse();
  const result = await pool.run((client) => client.query({ query: sql, query_params: params, format: 'JSONCompactEachRowWithNames' }));
  try {
    let names: string[] | null = null;
    let batch: T[] = [];
    for await (const rows of result.stream<unknown[]>()) {
      for (const row of rows) {
        const values = row.json<unknown[]>();
        if (!names) {
          names = values as string[];
          continue;
        }
        const item: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) item[names[i]!] = values[i];
        batch.push(item as T);
        if (batch.length >= batchRows) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    result.close();
  }
}

/** A tuple as a query parameter value (`{name:Array(Tuple(String, …))}` takes a list of them). */
export function tupleParam(values: readonly unknown[]): TupleParam {
  return new TupleParam(values);
}

export async function queryOne<T>(sql: string, params: QueryParams = {}): Promise<T | undefined> {
  const rows = await queryRows<T>(sql, params);
  return rows[0];
}

export async function command(sql: string, params: QueryParams = {}): Promise<void> {
  const pool = await clickhouse();
  await pool.run((client) => client.command({ query: sql, query_params: params }));
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
  const pool = await clickhouse();
  await pool.run((client) => client.insert({ table, columns: names, values, format: 'JSONCompactEachRow', clickhouse_settings: INSERT_SETTINGS }));
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
