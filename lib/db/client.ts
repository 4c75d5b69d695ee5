import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaClient } from '@/lib/db/generated/client';
import { dataDir, env, usesEmbeddedPostgres } from '@/lib/config/env';

/**
 * The one Prisma client: PGlite in-process on the embedded default, PostgreSQL when
 * DATABASE_URL is set. Kept on globalThis so instrumentation and route bundles share
 * it (PGlite is one connection in one process).
 */
const DB_KEY = Symbol.for('plumbline.prisma');

interface Database {
  prisma: PrismaClient;
  /** Runs raw SQL scripts (migrations) on the same connection Prisma uses. */
  execScript(sql: string): Promise<void>;
  close(): Promise<void>;
}

type Holder = { [DB_KEY]?: Promise<Database> };
const holder = globalThis as unknown as Holder;

export function database(): Promise<Database> {
  if (!holder[DB_KEY]) {
    const opening = openDatabase();
    holder[DB_KEY] = opening;
    opening.catch(() => {
      if (holder[DB_KEY] === opening) holder[DB_KEY] = undefined;
    });
  }
  return holder[DB_KEY];
}

export async function prisma(): Promise<PrismaClient> {
  return (await database()).prisma;
}

export async function closeDatabase(): Promise<void> {
  const opening = holder[DB_KEY];
  holder[DB_KEY] = undefined;
  if (opening) await (await opening).close();
}

async function openDatabase(): Promise<Database> {
  if (!usesEmbeddedPostgres()) {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const pg = await import('pg');
    const pool = new pg.default.Pool({ connectionString: env().DATABASE_URL, max: 10 });
    // An idle connection the server ends (restart, failover, an admin's terminate) is
    // reported here; without a listener it would crash the process. The pool replaces it.
    pool.on('error', (error) => console.error(`PostgreSQL: an idle connection was closed (${error.message}); the pool will open a new one`));
    const client = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      prisma: client,
      execScript: async (sql) => {
        await pool.query(sql);
      },
      close: async () => {
        await client.$disconnect();
        await pool.end();
      },
    };
  }
  const pglite = await openPGlite();
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const client = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma: client,
    execScript: async (sql) => {
      await pglite.exec(sql);
    },
    close: async () => {
      await client.$disconnect();
      await pglite.close();
    },
  };
}

async function openPGlite(): Promise<PGlite> {
  const dir = path.join(/* turbopackIgnore: true */ dataDir(), 'postgres');
  fs.mkdirSync(dir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  try {
    return await PGlite.create(dir, {
      initialMemory: 256 * 1024 * 1024,
      // Postgres writes all of its shared buffers when it starts, so they are resident from
      // then on, in the process that also runs chDB and ingest: at Postgres's default 128 MB,
      // opening a store took 351 MiB of RSS; at 16 MB, 216 MiB. The control-plane tables are
      // small. A start parameter, because PGlite's `postgresqlconf` option rewrites the
      // store's whole postgresql.conf.
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
    });
  } catch (cause) {
    throw new Error(
      `Could not open the embedded Postgres store at ${dir}. If a previous run was killed while it was ` +
        `first being created, move that directory aside and start again (see README, "Recovery").`,
      { cause },
    );
  }
}
