import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createAdminViewer, useTestStores, type TestStores } from '../support/stores';
import { prisma } from '@/lib/db/client';
import type { Viewer } from '@/lib/auth/session';
import { changeRole, createUser, setUserDisabled } from '@/lib/admin/users';
import { createKeyForInterface, listIngestKeys, revokeKey, rotateKey } from '@/lib/admin/ingest-keys';
import { createEndpoint, deleteEndpoint, rotateEndpointSecret, rotateReplaySecret, updateEndpoint } from '@/lib/admin/webhooks';
import { retentionSettings, saveRetention } from '@/lib/admin/retention';
import { AdminFormError } from '@/lib/admin/errors';
import { verifyIngestKey } from '@/lib/ingest/api-keys';
import { verifyAuditChain } from '@/lib/audit/verify';

/** Admin changes on real PostgreSQL: each one lands in the audit log with before/after. */
let stores: TestStores;
let admin: Viewer;

beforeAll(async () => {
  stores = await useTestStores();
  admin = await createAdminViewer();
});

afterAll(async () => {
  await stores.cleanup();
});

async function lastAudit() {
  const db = await prisma();
  return db.auditLog.findFirstOrThrow({ orderBy: { id: 'desc' } });
}

describe('admin changes are validated and audited', () => {
  test('users: create with a strong password, invite without one, change role, disable', async () => {
    await assert.rejects(createUser(admin, { email: 'weak@x.io', name: 'W', role: 'finance', password: 'short' }, null), AdminFormError);
    const id = await createUser(admin, { email: 'New@X.io', name: 'New', role: 'finance', password: 'a sufficiently long pass' }, '10.2.2.2');
    const created = await lastAudit();
    assert.equal(created.action, 'user.created');
    assert.equal(created.ip, '10.2.2.2');
    assert.deepEqual(created.after, { email: 'new@x.io', name: 'New', role: 'finance' });
    await createUser(admin, { email: 'sso@x.io', name: 'Invited', role: 'viewer' }, null);
    assert.equal((await lastAudit()).action, 'user.invited');
    await assert.rejects(createUser(admin, { email: 'new@x.io', name: 'Dup', role: 'viewer' }, null), AdminFormError);
    await changeRole(admin, id, 'governance_board', null);
    const roleChange = await lastAudit();
    assert.deepEqual([roleChange.action, roleChange.before, roleChange.after], ['user.role_changed', { role: 'finance' }, { role: 'governance_board' }]);
    await assert.rejects(changeRole(admin, admin.id, 'viewer', null), AdminFormError, 'no self-demotion');
    await assert.rejects(setUserDisabled(admin, admin.id, true, null), AdminFormError, 'no self-disable');
    await setUserDisabled(admin, id, true, null);
    assert.equal((await lastAudit()).action, 'user.disabled');
    const db = await prisma();
    assert.equal((await db.user.findUniqueOrThrow({ where: { id } })).disabled, true);
  });

  test('ingest keys: created once, rotated with overlap, revoked', async () => {
    const created = await createKeyForInterface(admin, { name: 'rentaldesk prod', interfaceId: '' }, null);
    assert.match(created.key, /^plk_/);
    assert.ok((await verifyIngestKey(created.key)) !== null);
    const db = await prisma();
    const stored = await db.ingestApiKey.findUniqueOrThrow({ where: { id: created.id } });
    assert.notEqual(stored.keyHash, created.key);
    assert.ok(!JSON.stringify((await db.auditLog.findMany()).map((r) => [r.before, r.after])).includes(created.key), 'the key never reaches the audit log');

    const rotated = await rotateKey(admin, created.id, 24, null);
    assert.notEqual(rotated.key, created.key);
    assert.ok(await verifyIngestKey(created.key), 'the old key still works during the overlap');
    assert.ok(await verifyIngestKey(rotated.key));
    const rows = await listIngestKeys();
    assert.equal(rows.find((k) => k.id === created.id)?.status, 'expiring');
    assert.equal(rows.find((k) => k.id === rotated.id)?.status, 'active');
    assert.equal((await lastAudit()).action, 'ingest_key.rotated');

    await revokeKey(admin, created.id, null);
    assert.equal(await verifyIngestKey(created.key), null, 'revoked at once');
    assert.ok(await verifyIngestKey(rotated.key));
    assert.equal((await lastAudit()).action, 'ingest_key.revoked');
  });

  test('webhook endpoints and retention settings', async () => {
    await assert.rejects(createEndpoint(admin, { name: 'x', url: 'ftp://x', events: 'a', enabled: true }, null), AdminFormError);
    const { webhookId: id, secret, masked } = await createEndpoint(admin, { name: 'ops', url: 'https://hooks.example.com/p', events: 'slo.alert, slo.alert exception.opened', enabled: true }, null);
    assert.deepEqual((await lastAudit()).after, { name: 'ops', url: 'https://hooks.example.com/p', events: ['slo.alert', 'exception.opened'], enabled: true, secret: masked });
    assert.equal(masked, `plws_…${secret.slice(-4)}`);
    const rotated = await rotateEndpointSecret(admin, id, 0, '10.3.3.3');
    const rotation = await lastAudit();
    assert.deepEqual([rotation.action, rotation.ip, rotation.before, rotation.after], ['webhook.secret_rotated', '10.3.3.3', { secret: masked }, { secret: rotated.masked, previousSecretValidUntil: null }]);
    const replay = await rotateReplaySecret(admin, 24, null);
    assert.equal((await lastAudit()).action, 'webhook.secret_created', 'the replay webhook’s first secret');
    const everything = JSON.stringify((await (await prisma()).auditLog.findMany()).map((r) => [r.before, r.after, r.targetId]));
    for (const s of [secret, rotated.secret, replay.secret]) assert.ok(!everything.includes(s.slice(5)), 'no secret reaches the audit log');
    await updateEndpoint(admin, id, { name: 'ops', url: 'https://hooks.example.com/p', events: 'slo.alert', enabled: false }, null);
    assert.equal((await lastAudit()).action, 'webhook.updated');
    await deleteEndpoint(admin, id, null);
    assert.equal((await lastAudit()).action, 'webhook.deleted');

    await assert.rejects(saveRetention(admin, { 'retention.ledgerDays': '0', 'retention.tracesDays': '30', 'retention.webhookDeliveriesDays': '90' }, null), AdminFormError);
    await saveRetention(admin, { 'retention.ledgerDays': '400', 'retention.tracesDays': '30', 'retention.webhookDeliveriesDays': '90' }, null);
    const settings = await retentionSettings();
    assert.equal(settings.find((s) => s.key === 'retention.ledgerDays')?.days, 400);
    const db = await prisma();
    assert.equal(await db.auditLog.count({ where: { action: 'setting.changed' } }), 3);
    assert.equal((await verifyAuditChain()).ok, true);
  });
});
