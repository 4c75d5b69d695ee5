import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { resetEnvCache } from '@/lib/config/env';
import type { Viewer } from '@/lib/auth/session';

/**
 * Real stores for an integration test file: chDB in a fresh temp directory and a fresh
 * database on the local PostgreSQL (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
 * vitest runs every file in its own process (vitest.config.ts), which chDB needs (one data dir per process).
 */
export interface TestStores {
  dataDir: string;
  databaseUrl: string;
  cleanup(): Promise<void>;
}

export const ADMIN_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `plumbline_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_POSTGRES_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Points this process at fresh stores and migrates them. Call from `before()`. */
export async function useTestStores(): Promise<TestStores> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumbline-test-'));
  const db = await createTestDatabase();
  process.env.PLUMBLINE_DATA_DIR = dataDir;
  process.env.DATABASE_URL = db.url;
  delete process.env.CLICKHOUSE_URL;
  process.env.PLUMBLINE_DEMO = '0';
  resetEnvCache();
  const { migrateClickHouse } = await import('@/lib/clickhouse/migrate');
  const { migratePostgres } = await import('@/lib/db/migrate');
  await migrateClickHouse();
  await migratePostgres();
  return {
    dataDir,
    databaseUrl: db.url,
    cleanup: async () => {
      const { closeClickHouse } = await import('@/lib/clickhouse/client');
      const { closeDatabase } = await import('@/lib/db/client');
      await closeClickHouse();
      await closeDatabase();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An admin user in the test database, as the session would present them to lib/ code. */
export async function createAdminViewer(email = 'root@plumbline.local'): Promise<Viewer> {
  const { prisma } = await import('@/lib/db/client');
  const row = await (await prisma()).user.create({ data: { email, name: 'Root', role: 'admin' } });
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}
