import path from 'node:path';
import { defineConfig } from 'prisma/config';

/**
 * The Prisma CLI on the WASM schema engine (nothing is downloaded). With a real
 * DATABASE_URL, `prisma migrate deploy` / `migrate status` run against that PostgreSQL;
 * otherwise an in-memory PGlite serves `prisma migrate diff` when writing a migration.
 * `npm start` applies migrations itself (lib/db/migrate.ts, same bookkeeping table).
 */
const databaseUrl = process.env.DATABASE_URL ?? '';
const usesServer = /^postgres(ql)?:\/\//.test(databaseUrl) && !databaseUrl.includes('generate-only@');

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    if (usesServer) {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      return new PrismaPg({ connectionString: databaseUrl });
    }
    const { PGlite } = await import('@electric-sql/pglite');
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    return new PrismaPGlite(new PGlite());
  },
});
