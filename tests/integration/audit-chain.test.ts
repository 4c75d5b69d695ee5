import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { useTestStores, type TestStores } from '../support/stores';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { verifyAuditChain } from '@/lib/audit/verify';
import { listAudit, parseAuditFilter } from '@/lib/audit/queries';
import { auditCsvStream } from '@/lib/audit/csv';

/** The hash chain on real PostgreSQL: intact, an edited row, a deleted row; filters and CSV. */
let stores: TestStores;

beforeAll(async () => {
  stores = await useTestStores();
});

afterAll(async () => {
  await stores.cleanup();
});

/** Changes the log behind the application's back, as someone with owner rights on the table could. */
async function tamper(sql: string, ...values: unknown[]): Promise<void> {
  const db = await prisma();
  await db.$executeRawUnsafe(`ALTER TABLE "AuditLog" DISABLE TRIGGER USER`);
  try {
    await db.$executeRawUnsafe(sql, ...values);
  } finally {
    await db.$executeRawUnsafe(`ALTER TABLE "AuditLog" ENABLE TRIGGER USER`);
  }
}

async function resetLog(entries = 5): Promise<bigint[]> {
  const db = await prisma();
  await tamper(`DELETE FROM "AuditLog"`);
  await db.auditHead.deleteMany({});
  for (let i = 0; i < entries; i += 1) {
    await writeAudit({
      actorId: null,
      actorLabel: i % 2 ? 'board@plumbline.local' : 'admin@plumbline.local',
      action: i % 2 ? 'schema.vote' : 'user.role_changed',
      targetType: 'user',
      targetId: `u-${i}`,
      before: { role: 'viewer', nested: { b: 2, a: 1 } },
      after: { role: 'finance', amount: 1234.5 },
      ip: '10.0.0.1',
    });
  }
  return (await db.auditLog.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((r) => r.id);
}

function runCli(): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join('scripts', 'audit-verify.ts')], {
    env: { ...process.env, DATABASE_URL: stores.databaseUrl },
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('audit chain verification', () => {
  beforeEach(async () => {
    await resetLog();
  });

  test('an untouched chain verifies, in the library and from npm run audit:verify', async () => {
    const result = await verifyAuditChain();
    assert.equal(result.ok, true);
    assert.equal(result.checked, 5);
    const cli = runCli();
    assert.equal(cli.status, 0, cli.output);
    assert.match(cli.output, /5 entries verified/);
  });

  test('an edited row is reported as the first broken link', async () => {
    const ids = await verifyAuditChain().then(async () => (await prisma()).auditLog.findMany({ orderBy: { id: 'asc' } }));
    await tamper(`UPDATE "AuditLog" SET "after" = '{"role":"admin"}'::jsonb WHERE id = $1`, ids[2]!.id);
    const result = await verifyAuditChain();
    assert.equal(result.ok, false);
    assert.equal(result.firstBroken?.id, ids[2]!.id.toString());
    assert.equal(result.firstBroken?.reason, 'content_changed');
    assert.equal(result.checked, 2);
    const cli = runCli();
    assert.equal(cli.status, 1, cli.output);
    assert.match(cli.output, new RegExp(`First broken link: entry ${ids[2]!.id}`));
  });

  test('a deleted row breaks the link of the row after it', async () => {
    const ids = await resetLog();
    await tamper(`DELETE FROM "AuditLog" WHERE id = $1`, ids[1]);
    const result = await verifyAuditChain();
    assert.equal(result.ok, false);
    assert.equal(result.firstBroken?.id, ids[2]!.toString());
    assert.equal(result.firstBroken?.reason, 'previous_missing');
  });

  test('the newest entries removed from the end are reported', async () => {
    const ids = await resetLog();
    await tamper(`DELETE FROM "AuditLog" WHERE id >= $1`, ids[3]);
    const result = await verifyAuditChain();
    assert.equal(result.ok, false);
    assert.equal(result.checked, 3);
    assert.equal(result.firstBroken?.reason, 'newest_missing');
    assert.equal(result.firstBroken?.id, ids[4]!.toString());
    const cli = runCli();
    assert.equal(cli.status, 1, cli.output);
    assert.match(cli.output, /the newest entries were removed/);
  });

  test('the database refuses to change, remove or truncate entries', async () => {
    const ids = await resetLog();
    const db = await prisma();
    await assert.rejects(db.$executeRawUnsafe(`UPDATE "AuditLog" SET "actorLabel" = 'x' WHERE id = $1`, ids[0]), /append-only/);
    await assert.rejects(db.auditLog.deleteMany({ where: { id: ids[4] } }), /append-only/);
    await assert.rejects(db.$executeRawUnsafe(`TRUNCATE "AuditLog"`), /append-only/);
    assert.equal((await verifyAuditChain()).ok, true);
    assert.equal(await db.auditLog.count(), 5);
  });

  test('a re-hashed edit still fails at the next row', async () => {
    const ids = await resetLog();
    await tamper(`UPDATE "AuditLog" SET "actorLabel" = 'someone-else', hash = repeat('a', 64) WHERE id = $1`, ids[0]);
    const result = await verifyAuditChain();
    assert.equal(result.ok, false);
    assert.equal(result.firstBroken?.id, ids[0]!.toString());
  });
});

describe('audit queries and CSV', () => {
  test('filters by actor, action, target and date, paginates on the server', async () => {
    await resetLog(120);
    const byActor = await listAudit(parseAuditFilter({ actor: 'BOARD@' }).filter, 1);
    assert.equal(byActor.total, 60);
    assert.equal(byActor.rows.length, 50);
    assert.equal(byActor.pages, 2);
    assert.ok(byActor.rows.every((r) => r.actorLabel === 'board@plumbline.local'));
    const page2 = await listAudit(parseAuditFilter({ actor: 'board' }).filter, 2);
    assert.equal(page2.rows.length, 10);
    assert.equal(new Set([...byActor.rows, ...page2.rows].map((r) => r.id)).size, 60);
    assert.equal((await listAudit(parseAuditFilter({ action: 'schema.' }).filter, 1)).total, 60);
    assert.equal((await listAudit(parseAuditFilter({ target: 'u-119' }).filter, 1)).total, 1);
    assert.equal((await listAudit(parseAuditFilter({ to: '2000-01-01' }).filter, 1)).total, 0);
    const today = new Date().toISOString().slice(0, 10);
    assert.equal((await listAudit(parseAuditFilter({ from: today, to: today }).filter, 1)).total, 120);
    // A time that does not read is named, not dropped in silence (the export answers 400 with them, the page says so).
    assert.deepEqual(parseAuditFilter({ from: 'yesterday', to: '2026-02-30', actor: 'board' }).issues, [
      { parameter: 'from', message: 'must be an ISO 8601 time such as 2026-11-20T12:00:00Z' },
      { parameter: 'to', message: 'is not a valid time' },
    ]);
    assert.deepEqual(parseAuditFilter({ from: '2026-11-02', to: '2026-11-01T23:00:00Z' }).issues, [{ parameter: 'from', message: 'must be on or before to' }]);
  });

  test('CSV export streams every matching row with a header and neutralised formulas', async () => {
    await resetLog(3);
    await writeAudit({ actorId: null, actorLabel: '=HYPERLINK("x")', action: 'user.created', targetType: 'user', targetId: 'x' });
    const text = await new Response(auditCsvStream(parseAuditFilter({}).filter)).text();
    const lines = text.trim().split('\n');
    assert.equal(lines[0], 'id,at,actor,actor_id,action,target_type,target_id,before,after,ip,hash');
    assert.equal(lines.length, 5);
    assert.ok(lines[1]!.includes(`'=HYPERLINK`), lines[1]);
    const filtered = await new Response(auditCsvStream(parseAuditFilter({ action: 'schema.vote' }).filter)).text();
    assert.equal(filtered.trim().split('\n').length, 2);
  });
});
