import { env, usesEmbeddedClickHouse, usesEmbeddedPostgres } from '@/lib/config/env';
import { migrateClickHouse } from '@/lib/clickhouse/migrate';
import { migratePostgres } from '@/lib/db/migrate';
import { prisma } from '@/lib/db/client';
import { applyClickHouseRetention } from '@/lib/admin/retention';
import { upsertLocalUser } from '@/lib/auth/users';
import { DEMO_USERS, demoTrafficLoaded, seedDemoRegistry } from '@/lib/demo/estate';

/**
 * Prepares both stores for a process that serves Plumbline: migrations, the start-up
 * admin, and on an empty store the demo users and registry (the demo traffic follows once
 * ingest listens, see lib/runtime/embedded.ts). Safe to run on every start.
 */
export interface BootReport {
  clickhouseMigrations: number[];
  postgresMigrations: string[];
  /** The registry is seeded but the demo traffic has not been sent yet. */
  demoTrafficPending: boolean;
  demoUsers: readonly string[];
}

export async function prepareStores(log: (line: string) => void = console.log): Promise<BootReport> {
  const cfg = env();
  const clickhouseMigrations = await migrateClickHouse();
  const postgresMigrations = await migratePostgres();
  for (const { table, days } of await applyClickHouseRetention()) log(`Retention: ${table} keeps ${days} days`);
  const db = await prisma();
  const emptyStore = (await db.user.count()) === 0;

  if (cfg.PLUMBLINE_ADMIN_EMAIL && cfg.PLUMBLINE_ADMIN_PASSWORD) {
    await upsertLocalUser({ email: cfg.PLUMBLINE_ADMIN_EMAIL, name: 'Administrator', role: 'admin', password: cfg.PLUMBLINE_ADMIN_PASSWORD });
    log(`Admin account ready: ${cfg.PLUMBLINE_ADMIN_EMAIL}`);
  }

  const embedded = usesEmbeddedClickHouse() && usesEmbeddedPostgres();
  const wantDemo = cfg.PLUMBLINE_DEMO ?? (embedded && emptyStore);
  let demoTrafficPending = false;
  if (wantDemo) {
    for (const user of DEMO_USERS) await upsertLocalUser({ ...user, password: cfg.PLUMBLINE_DEMO_PASSWORD });
    if (await seedDemoRegistry()) log('Demo registry seeded: systems, interfaces, ownership rules, schemas and SLOs');
    demoTrafficPending = !(await demoTrafficLoaded());
  }
  return {
    clickhouseMigrations,
    postgresMigrations,
    demoTrafficPending,
    demoUsers: wantDemo ? DEMO_USERS.map((u) => u.email) : [],
  };
}
