import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { prisma } from '@/lib/db/client';
import { MAX_FAILED_LOGINS, signIn, upsertLocalUser } from '@/lib/auth/users';
import { verifyAuditChain } from '@/lib/audit/verify';

/** Local sign-in on real PostgreSQL: argon2 hashes, lockout after repeated failures, every attempt audited. */
let stores: TestStores;
const EMAIL = 'lockout@plumbline.local';
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  stores = await useTestStores();
  await upsertLocalUser({ email: EMAIL, name: 'Lockout', role: 'finance', password: PASSWORD });
});

afterAll(async () => {
  await stores.cleanup();
});

async function actions(): Promise<string[]> {
  const db = await prisma();
  return (await db.auditLog.findMany({ where: { actorLabel: EMAIL }, orderBy: { id: 'asc' } })).map((r) => r.action);
}

describe('local sign-in', () => {
  test('the password is stored as an argon2id hash, and the right one signs in', async () => {
    const db = await prisma();
    const user = await db.user.findUniqueOrThrow({ where: { email: EMAIL } });
    assert.match(user.passwordHash ?? '', /^\$argon2id\$/);
    assert.ok(!user.passwordHash!.includes(PASSWORD));
    const signedIn = await signIn(' LOCKOUT@plumbline.local ', PASSWORD, '10.1.1.1');
    assert.equal(signedIn?.email, EMAIL);
    assert.equal(signedIn?.role, 'finance');
  });

  test(`after ${MAX_FAILED_LOGINS} wrong passwords the account is locked, even for the right password`, async () => {
    for (let i = 0; i < MAX_FAILED_LOGINS; i += 1) assert.equal(await signIn(EMAIL, `wrong-${i}`, '10.1.1.2'), null);
    const db = await prisma();
    const locked = await db.user.findUniqueOrThrow({ where: { email: EMAIL } });
    assert.ok(locked.lockedUntil && locked.lockedUntil > new Date(), 'lockedUntil is in the future');
    assert.equal(await signIn(EMAIL, PASSWORD, '10.1.1.2'), null, 'locked accounts refuse the right password');
    const log = await actions();
    assert.equal(log.filter((a) => a === 'auth.sign_in_failed').length, MAX_FAILED_LOGINS - 1);
    assert.ok(log.includes('auth.locked_out'));
    assert.equal(log.at(-1), 'auth.sign_in_refused');
  });

  test('when the lockout has passed the right password works again and resets the counter', async () => {
    const db = await prisma();
    await db.user.update({ where: { email: EMAIL }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    assert.equal((await signIn(EMAIL, PASSWORD, null))?.email, EMAIL);
    const user = await db.user.findUniqueOrThrow({ where: { email: EMAIL } });
    assert.equal(user.failedLogins, 0);
    assert.equal(user.lockedUntil, null);
  });

  test('disabled accounts and unknown emails are refused and audited', async () => {
    const db = await prisma();
    await db.user.update({ where: { email: EMAIL }, data: { disabled: true } });
    assert.equal(await signIn(EMAIL, PASSWORD, null), null);
    assert.equal(await signIn('nobody@plumbline.local', PASSWORD, null), null);
    const refused = await db.auditLog.findMany({ where: { action: 'auth.sign_in_refused' } });
    assert.ok(refused.some((r) => r.actorLabel === 'nobody@plumbline.local'));
    assert.equal((await verifyAuditChain()).ok, true, 'sign-in auditing keeps the chain intact');
  });
});
