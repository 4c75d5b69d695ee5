import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { database } from '@/lib/db/client';

/**
 * Applies prisma/migrations/* in order and records them in `_prisma_migrations` the way
 * `prisma migrate deploy` does, so either tool can take over. Runs in-process because the
 * Prisma CLI cannot share PGlite's single connection with the app.
 */
const MIGRATIONS_DIR = path.join(process.cwd(), 'prisma', 'migrations');

const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export async function migratePostgres(): Promise<string[]> {
  const db = await database();
  await db.execScript(BOOKKEEPING);
  const done = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
    `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const applied = new Map(done.map((row) => [row.migration_name, row.checksum]));
  const ran: string[] = [];
  for (const name of fs.readdirSync(MIGRATIONS_DIR).filter((n) => /^\d+_/.test(n)).sort()) {
    const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8');
    const checksum = crypto.createHash('sha256').update(sql).digest('hex');
    const previous = applied.get(name);
    if (previous !== undefined) {
      if (previous !== checksum) throw new Error(`Migration ${name} was edited after it was applied`);
      continue;
    }
    await db.execScript(`BEGIN;\n${sql}\nCOMMIT;`);
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
      crypto.randomUUID(),
      checksum,
      name,
    );
    ran.push(name);
  }
  return ran;
}
