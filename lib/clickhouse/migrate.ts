import { createClient } from '@clickhouse/client';
import { env, usesEmbeddedClickHouse } from '@/lib/config/env';
import { command, queryRows } from '@/lib/clickhouse/client';
import {
  addColumns,
  allStatements,
  errorSignatureStatements,
  eventIdIndexStatements,
  ledgerStateInputStatements,
  recordStateStatements,
  rentalCellStatements,
  rentalDatedLookStatements,
  rentalDatedStandingStatements,
  rentalStandingStatements,
  rentalStateGranuleStatements,
  rentalStateStatements,
  rentalSummaryViewStatements,
  sloHourStatements,
  sloProjectionStatements,
  spanInterfaceStatements,
  SYNC_LEDGER,
  SYNC_LEDGER_V2_COLUMNS,
  type DdlTarget,
} from '@/lib/clickhouse/ddl';

/**
 * Versioned, idempotent ClickHouse migrations. Each version's statements use IF NOT
 * EXISTS, so re-running a half-applied version is safe; the version row is written last.
 */
interface Migration {
  version: number;
  name: string;
  statements: (target: DdlTarget) => string[];
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'traces, sync ledger and record state', statements: allStatements },
  {
    version: 2,
    name: 'ledger contract: emitted_at, job id, retryable, cost code, PO, rental period and rate terms',
    statements: (target) => addColumns(SYNC_LEDGER.name, SYNC_LEDGER_V2_COLUMNS, target),
  },
  { version: 3, name: 'record state in plain columns, records that ever failed apart, filter values', statements: recordStateStatements },
  { version: 4, name: 'rental billing state per contract line, surcharge and invoice', statements: rentalStateStatements },
  { version: 5, name: 'skip index on the ledger event id', statements: eventIdIndexStatements },
  { version: 6, name: 'ledger projection by interface and time for the SLO queries', statements: sloProjectionStatements },
  { version: 7, name: 'error signature per failing message, for the failure queue', statements: errorSignatureStatements },
  { version: 8, name: 'hourly SLI figures kept for closed hours', statements: sloHourStatements },
  { version: 9, name: 'span interface attribute as a column', statements: spanInterfaceStatements },
  { version: 10, name: 'rental state notes ingest time; billing standing kept per contract line', statements: rentalStandingStatements },
  { version: 11, name: 'unbilled-rentals summary kept per live view; line standing with small granules', statements: rentalSummaryViewStatements },
  { version: 12, name: 'unbilled-rentals summary and trend kept in cells by filter', statements: rentalCellStatements },
  { version: 13, name: 'line standing kept as of past instants, for dated views', statements: rentalDatedStandingStatements },
  { version: 14, name: 'rental state tables with small granules, for reads of a few lines', statements: rentalStateGranuleStatements },
  { version: 15, name: 'state views fed after acknowledgement, from a Null input table', statements: ledgerStateInputStatements },
  { version: 16, name: 'when each dated unbilled-rentals view was last looked at, to keep recent ones ahead', statements: rentalDatedLookStatements },
];

const MIGRATIONS_TABLE = 'plumbline_schema_migrations';

export function ddlTarget(): DdlTarget {
  const cfg = env();
  if (usesEmbeddedClickHouse()) return { database: 'default' };
  return { database: cfg.CLICKHOUSE_DATABASE, cluster: cfg.CLICKHOUSE_CLUSTER };
}

export async function migrateClickHouse(): Promise<number[]> {
  const target = ddlTarget();
  if (!usesEmbeddedClickHouse()) await ensureServerDatabase(target);
  const cluster = target.cluster ? ` ON CLUSTER ${target.cluster}` : '';
  const engine = target.cluster
    ? `ReplicatedMergeTree('/clickhouse/tables/{shard}/${target.database}/${MIGRATIONS_TABLE}', '{replica}')`
    : 'MergeTree';
  await command(
    `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}${cluster} (version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = ${engine} ORDER BY version`,
  );
  const applied = new Set(
    (await queryRows<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`)).map((r) => Number(r.version)),
  );
  const ran: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements(target)) await command(statement);
    await command(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES ({version:UInt32}, {name:String})`, {
      version: migration.version,
      name: migration.name,
    });
    ran.push(migration.version);
  }
  return ran;
}

/** The HTTP client is bound to the database, so the database itself is created from a bare client. */
async function ensureServerDatabase(target: DdlTarget): Promise<void> {
  const cfg = env();
  const bare = createClient({ url: cfg.CLICKHOUSE_URL, username: cfg.CLICKHOUSE_USER, password: cfg.CLICKHOUSE_PASSWORD });
  try {
    const cluster = target.cluster ? ` ON CLUSTER ${target.cluster}` : '';
    await bare.command({ query: `CREATE DATABASE IF NOT EXISTS ${target.database}${cluster}` });
  } finally {
    await bare.close();
  }
}
