import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminViewer, useTestStores, type TestStores } from '../support/stores';
import type { Viewer } from '@/lib/auth/session';

/**
 * Outgoing webhooks against a real local HTTP receiver: a failed attempt is retried after
 * its back-off (not before), success is recorded with its response code, only enabled
 * subscribed endpoints get deliveries, and a receiver that never answers 2xx is given up on.
 * Every request is signed: the receiver recomputes the HMAC itself (README's recipe, plain
 * node:crypto), a rotated secret signs what follows, and the secret is never readable back.
 */
let stores: TestStores;
let admin: Viewer;
let receiver: http.Server;
let receiverUrl = '';
const received: { path: string; event: string | undefined; headers: http.IncomingHttpHeaders; raw: string; body: { id: string; event: string; attempt: number; data: { n: number } } }[] = [];
const failuresLeft = new Map<string, number>([['/flaky', 1]]);

/** README's receiver recipe, written out independently of lib/webhooks/signing.ts. */
function receiverVerifies(headers: http.IncomingHttpHeaders, raw: string, secret: string, receivedAt = Date.now()): boolean {
  const parts = String(headers['plumbline-signature'] ?? '').split(',').map((p) => p.split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  if (!t || Math.abs(receivedAt / 1000 - Number(t)) > 300) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  return parts.some(([k, v]) => k === 'v1' && v!.length === 64 && crypto.timingSafeEqual(Buffer.from(v!, 'hex'), expected));
}

function v1Count(headers: http.IncomingHttpHeaders): number {
  return String(headers['plumbline-signature'] ?? '').split(',').filter((p) => p.startsWith('v1=')).length;
}

beforeAll(async () => {
  stores = await useTestStores();
  admin = await createAdminViewer();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', event: req.headers['x-plumbline-event'] as string | undefined, headers: req.headers, raw: body, body: JSON.parse(body) });
      const left = failuresLeft.get(req.url ?? '') ?? 0;
      if (req.url === '/down' || left > 0) {
        failuresLeft.set(req.url ?? '', left - 1);
        res.writeHead(503).end('try later');
      } else {
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await stores.cleanup();
});

describe('webhook delivery', () => {
  it('retries a failed delivery after its back-off and records the outcome', async () => {
    const { prisma } = await import('@/lib/db/client');
    const { enqueueWebhookEvent, deliverDueWebhooks, listDeliveries, BASE_BACKOFF_MS } = await import('@/lib/webhooks/delivery');
    const db = await prisma();
    const flaky = await db.webhookEndpoint.create({ data: { name: 'Flaky receiver', url: `${receiverUrl}/flaky`, events: ['test.event'] } });
    await db.webhookEndpoint.create({ data: { name: 'Other events', url: `${receiverUrl}/other`, events: ['something.else'] } });
    await db.webhookEndpoint.create({ data: { name: 'Disabled', url: `${receiverUrl}/disabled`, events: ['test.event'], enabled: false } });

    const t0 = new Date('2026-11-20T10:00:00.000Z');
    assert.equal(await enqueueWebhookEvent('test.event', { n: 42 }, { now: t0 }), 1);

    const first = await deliverDueWebhooks(t0);
    assert.deepEqual(first, { attempted: 1, delivered: 0, failed: 0 });
    let [row] = (await listDeliveries({ endpointId: flaky.id })).rows;
    assert.equal(row!.status, 'pending');
    assert.equal(row!.attempts, 1);
    assert.equal(row!.responseCode, 503);
    assert.match(row!.error ?? '', /503/);
    assert.equal(row!.nextAttemptAt?.getTime(), t0.getTime() + BASE_BACKOFF_MS);

    const tooEarly = await deliverDueWebhooks(new Date(t0.getTime() + BASE_BACKOFF_MS - 1000));
    assert.equal(tooEarly.attempted, 0);

    const second = await deliverDueWebhooks(new Date(t0.getTime() + BASE_BACKOFF_MS));
    assert.deepEqual(second, { attempted: 1, delivered: 1, failed: 0 });
    [row] = (await listDeliveries({ endpointId: flaky.id })).rows;
    assert.equal(row!.status, 'delivered');
    assert.equal(row!.attempts, 2);
    assert.equal(row!.responseCode, 204);
    assert.equal(row!.error, null);
    assert.ok(row!.deliveredAt);

    const flakyRequests = received.filter((r) => r.path === '/flaky');
    assert.equal(flakyRequests.length, 2);
    assert.deepEqual(flakyRequests.map((r) => [r.event, r.body.event, r.body.attempt, r.body.data.n]), [
      ['test.event', 'test.event', 1, 42],
      ['test.event', 'test.event', 2, 42],
    ]);
    assert.equal(received.some((r) => r.path === '/other' || r.path === '/disabled'), false);

    // Created before signing existed (no secret): signed anyway, with a secret Plumbline generated
    // at the first delivery, audited as its own doing, and flagged as never shown to anyone.
    for (const r of flakyRequests) {
      assert.match(String(r.headers['plumbline-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.equal(r.headers['plumbline-webhook-id'], flaky.id);
      assert.equal(r.headers['plumbline-delivery-id'], row!.id, 'one delivery id across retries, so a receiver can drop duplicates');
      assert.equal(r.body.id, row!.id, 'the delivery id is also inside the signed body');
    }
    const { listEndpoints } = await import('@/lib/admin/webhooks');
    assert.equal((await listEndpoints()).find((e) => e.id === flaky.id)?.secret?.revealed, false);
    const generated = await db.auditLog.findMany({ where: { action: 'webhook.secret_generated', targetId: flaky.id } });
    assert.equal(generated.length, 1);
    assert.equal(generated[0]!.actorId, null);
  });

  it('signs every delivery so the receiver can verify it, and a rotated secret signs what follows', async () => {
    const { prisma } = await import('@/lib/db/client');
    const { enqueueWebhookEvent, deliverDueWebhooks } = await import('@/lib/webhooks/delivery');
    const { createEndpoint, rotateEndpointSecret, listEndpoints } = await import('@/lib/admin/webhooks');
    const created = await createEndpoint(admin, { name: 'Signed', url: `${receiverUrl}/signed`, events: 'signed.event', enabled: true }, null);
    assert.match(created.secret, /^plws_[A-Za-z0-9_-]{43}$/);
    const signed = () => received.filter((r) => r.path === '/signed');
    const deliverOne = async (n: number) => {
      await enqueueWebhookEvent('signed.event', { n });
      assert.equal((await deliverDueWebhooks()).delivered, 1);
      return signed().at(-1)!;
    };

    const first = await deliverOne(1);
    assert.equal(first.body.data.n, 1);
    assert.ok(receiverVerifies(first.headers, first.raw, created.secret), 'the receiver’s own HMAC matches');
    assert.equal(first.headers['plumbline-webhook-id'], created.webhookId);
    assert.equal(first.headers['plumbline-delivery-id'], first.body.id);
    assert.ok(!receiverVerifies(first.headers, first.raw.replace('"n":1', '"n":2'), created.secret), 'a changed body does not verify');
    assert.ok(!receiverVerifies(first.headers, first.raw, `${created.secret.slice(0, -1)}x`), 'another secret does not verify');
    const t = Number(/t=(\d+)/.exec(String(first.headers['plumbline-signature']))![1]);
    assert.ok(Math.abs(t - Date.now() / 1000) < 60, 't is the wall-clock send time');
    assert.ok(!receiverVerifies(first.headers, first.raw, created.secret, (t + 301) * 1000), 'the same request resent six minutes later is refused');

    // Rotation without overlap: the next delivery is signed with the new secret only.
    const rotated = await rotateEndpointSecret(admin, created.webhookId, 0, null);
    assert.notEqual(rotated.secret, created.secret);
    const second = await deliverOne(2);
    assert.equal(v1Count(second.headers), 1);
    assert.ok(receiverVerifies(second.headers, second.raw, rotated.secret));
    assert.ok(!receiverVerifies(second.headers, second.raw, created.secret), 'the replaced secret no longer signs');

    // Rotation with overlap: new and previous secret both sign until the overlap ends.
    const overlapped = await rotateEndpointSecret(admin, created.webhookId, 24, null);
    const third = await deliverOne(3);
    assert.equal(v1Count(third.headers), 2);
    assert.ok(receiverVerifies(third.headers, third.raw, overlapped.secret));
    assert.ok(receiverVerifies(third.headers, third.raw, rotated.secret), 'the previous secret still verifies during the overlap');
    assert.ok(!receiverVerifies(third.headers, third.raw, created.secret));
    const listed = (await listEndpoints()).find((e) => e.id === created.webhookId)!;
    assert.ok(listed.secret?.previousExpiresAt && listed.secret.previousExpiresAt.getTime() > Date.now() + 23 * 3_600_000);
    assert.equal(listed.secret?.revealed, true);

    // Audited, masked: creation, then two rotations.
    const db = await prisma();
    const audit = await db.auditLog.findMany({ where: { targetId: created.webhookId }, orderBy: { id: 'asc' } });
    assert.deepEqual(audit.map((a) => a.action), ['webhook.created', 'webhook.secret_rotated', 'webhook.secret_rotated']);
    assert.deepEqual(audit[1]!.after, { secret: rotated.masked, previousSecretValidUntil: null });
  });

  it('never lets the secret be read back, and never sends unsigned', async () => {
    const { prisma } = await import('@/lib/db/client');
    const { resetEnvCache } = await import('@/lib/config/env');
    const { enqueueWebhookEvent, deliverDueWebhooks, listDeliveries } = await import('@/lib/webhooks/delivery');
    const { createEndpoint, listEndpoints, replayWebhook } = await import('@/lib/admin/webhooks');
    const { decryptSecret, encryptSecret } = await import('@/lib/webhooks/secrets');
    const created = await createEndpoint(admin, { name: 'Readback', url: `${receiverUrl}/readback`, events: 'readback.event', enabled: true }, null);
    const body = created.secret.slice('plws_'.length);

    const listed = (await listEndpoints()).find((e) => e.id === created.webhookId)!;
    assert.equal(listed.secret?.masked, `plws_…${created.secret.slice(-4)}`);
    assert.ok(!JSON.stringify(await listEndpoints()).includes(body), 'endpoint reads are masked');
    assert.ok(!JSON.stringify(await replayWebhook()).includes(body));
    const db = await prisma();
    const endpointRow = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: created.webhookId } });
    assert.ok(!JSON.stringify(endpointRow).includes(body), 'the endpoint row holds no secret');
    const stored = await db.webhookSecret.findUniqueOrThrow({ where: { webhookId: created.webhookId } });
    assert.ok(!stored.ciphertext.includes(body), 'stored encrypted');
    assert.match(stored.ciphertext, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(decryptSecret(stored.ciphertext, created.webhookId), created.secret);
    assert.throws(() => decryptSecret(stored.ciphertext, 'another-webhook'), /cannot be decrypted/, 'bound to its webhook');
    assert.notEqual(encryptSecret(created.secret, created.webhookId), stored.ciphertext, 'a fresh IV every time');
    const audit = JSON.stringify((await db.auditLog.findMany()).map((a) => [a.before, a.after]));
    assert.ok(!audit.includes(body), 'the audit log never holds a secret');

    // A different app secret cannot open the stored one: the delivery fails, nothing goes out unsigned.
    const previousAppSecret = process.env.NEXTAUTH_SECRET;
    process.env.NEXTAUTH_SECRET = 'a-different-app-secret-0123456789';
    resetEnvCache();
    try {
      await enqueueWebhookEvent('readback.event', { n: 7 });
      assert.deepEqual(await deliverDueWebhooks(), { attempted: 1, delivered: 0, failed: 0 });
      const [row] = (await listDeliveries({ endpointId: created.webhookId })).rows;
      assert.equal(row!.status, 'pending');
      assert.match(row!.error ?? '', /not sent: signing secret cannot be decrypted/);
      assert.equal(received.filter((r) => r.path === '/readback').length, 0);
      assert.ok(!JSON.stringify((await listDeliveries()).rows).includes(body));
    } finally {
      if (previousAppSecret === undefined) delete process.env.NEXTAUTH_SECRET;
      else process.env.NEXTAUTH_SECRET = previousAppSecret;
      resetEnvCache();
    }
  });

  it('only administrators may create or rotate secrets', async () => {
    const { rotateEndpointSecret, rotateReplaySecret, createEndpoint } = await import('@/lib/admin/webhooks');
    const { prisma } = await import('@/lib/db/client');
    const db = await prisma();
    const engineer = await db.user.create({ data: { email: 'eng@test.local', name: 'Eng', role: 'integration_engineer' } });
    const viewer = { id: engineer.id, email: engineer.email, name: engineer.name, role: engineer.role };
    const endpoint = await db.webhookEndpoint.findFirstOrThrow();
    const forbidden = (e: { status?: number }) => e.status === 403;
    await assert.rejects(rotateEndpointSecret(viewer, endpoint.id, 0, null), forbidden);
    await assert.rejects(rotateReplaySecret(viewer, 0, null), forbidden);
    await assert.rejects(createEndpoint(viewer, { name: 'x', url: `${receiverUrl}/x`, events: 'a', enabled: true }, null), forbidden);
  });

  it('backs off exponentially and gives up after the maximum attempts', async () => {
    const { prisma } = await import('@/lib/db/client');
    const { enqueueWebhookEvent, deliverDueWebhooks, listDeliveries, backoffMs, MAX_ATTEMPTS } = await import('@/lib/webhooks/delivery');
    assert.deepEqual([1, 2, 3, 4].map(backoffMs), [30_000, 60_000, 120_000, 240_000]);
    const db = await prisma();
    const down = await db.webhookEndpoint.create({ data: { name: 'Down', url: `${receiverUrl}/down`, events: ['down.event'] } });
    let now = new Date('2026-11-21T10:00:00.000Z');
    await enqueueWebhookEvent('down.event', { n: 1 }, { now });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const run = await deliverDueWebhooks(now);
      assert.equal(run.attempted, 1, `attempt ${attempt} should run`);
      now = new Date(now.getTime() + backoffMs(attempt));
    }
    const [row] = (await listDeliveries({ endpointId: down.id })).rows;
    assert.equal(row!.status, 'failed');
    assert.equal(row!.attempts, MAX_ATTEMPTS);
    assert.equal(row!.nextAttemptAt, null);
    assert.equal((await deliverDueWebhooks(new Date(now.getTime() + 86_400_000))).attempted, 0);
    assert.equal(received.filter((r) => r.path === '/down').length, MAX_ATTEMPTS);
  });
});
