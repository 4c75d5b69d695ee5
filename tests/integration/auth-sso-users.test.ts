import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { prisma } from '@/lib/db/client';
import { parseRoleMap, upsertSsoUser, type OidcSettings } from '@/lib/auth/oidc';
import { upsertLocalUser } from '@/lib/auth/users';

/** SSO users on real PostgreSQL: created by (issuer, subject), role from the group map or from an admin. */
let stores: TestStores;
const settings: OidcSettings = {
  issuer: 'https://login.example.com/tenant',
  clientId: 'plumbline',
  clientSecret: 'secret',
  name: 'Example SSO',
  scopes: 'openid email profile',
  roleClaim: 'groups',
  roleMap: parseRoleMap('plumbline-admins=admin,finance-team=finance'),
  defaultRole: 'viewer',
};

beforeAll(async () => {
  stores = await useTestStores();
});

afterAll(async () => {
  await stores.cleanup();
});

describe('SSO user upsert', () => {
  test('a new user gets the mapped role, a later group change updates it', async () => {
    const first = await upsertSsoUser(settings, { sub: 'sub-1', email: 'Pat@Example.com', name: 'Pat', groups: ['finance-team'] }, '10.0.0.9');
    assert.deepEqual(first.ok && first.role, 'finance');
    const again = await upsertSsoUser(settings, { sub: 'sub-1', email: 'pat@example.com', groups: ['plumbline-admins', 'finance-team'] }, null);
    assert.equal(again.ok && again.role, 'admin');
    assert.equal(again.ok && first.ok && again.userId === first.userId, true);
    const db = await prisma();
    const user = await db.user.findUniqueOrThrow({ where: { email: 'pat@example.com' } });
    assert.equal(user.ssoIssuer, settings.issuer);
    assert.equal(user.passwordHash, null);
  });

  test('without a mapped group a new user gets the default role and an admin-set role is kept', async () => {
    const created = await upsertSsoUser(settings, { sub: 'sub-2', email: 'lee@example.com', groups: ['unrelated'] }, null);
    assert.equal(created.ok && created.role, 'viewer');
    const db = await prisma();
    await db.user.update({ where: { email: 'lee@example.com' }, data: { role: 'integration_engineer' } });
    const later = await upsertSsoUser(settings, { sub: 'sub-2', email: 'lee@example.com', groups: [] }, null);
    assert.equal(later.ok && later.role, 'integration_engineer');
  });

  test('disabled SSO users are refused', async () => {
    const db = await prisma();
    await db.user.update({ where: { email: 'lee@example.com' }, data: { disabled: true } });
    assert.deepEqual(await upsertSsoUser(settings, { sub: 'sub-2', email: 'lee@example.com' }, null), { ok: false, reason: 'disabled' });
  });

  test('an invited local account is linked by verified email; an unverified or already linked one is not taken over', async () => {
    await upsertLocalUser({ email: 'invited@example.com', name: 'Invited', role: 'governance_board', password: 'a long enough password' });
    assert.deepEqual(await upsertSsoUser(settings, { sub: 'sub-3', email: 'invited@example.com', email_verified: false }, null), { ok: false, reason: 'email_taken' });
    const linked = await upsertSsoUser(settings, { sub: 'sub-3', email: 'invited@example.com', email_verified: true }, null);
    assert.equal(linked.ok && linked.role, 'governance_board');
    assert.deepEqual(await upsertSsoUser(settings, { sub: 'sub-4', email: 'invited@example.com', email_verified: true }, null), { ok: false, reason: 'email_taken' });
    const db = await prisma();
    const actions = (await db.auditLog.findMany({ orderBy: { id: 'asc' } })).map((r) => r.action);
    assert.ok(actions.includes('auth.sso_linked'));
    assert.ok(actions.includes('auth.sso_refused'));
    assert.ok(actions.includes('user.role_from_sso'));
  });
});
