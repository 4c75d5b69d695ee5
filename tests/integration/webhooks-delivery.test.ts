import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useTestStores, type TestStores } from '../support/stores';

/**
 * Outgoing webhooks against a real local HTTP receiver: a failed attempt is retried after
 * its back-off (not before), success is recorded with its response code, only enabled
 * subscribed endpoints get deliveries, and a receiver that never answers 2xx is given up on.
 */
let stores: TestStores;
let receiver: http.Server;
let receiverUrl = '';
const received: { path: string; event: string | undefined; body: { event: string; attempt: number; data: { n: number } } }[] = [];
const failuresLeft = new Map<string, number>([['/flaky', 1]]);

beforeAll(async () => {
  stores = await useTestStores();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', event: req.headers['x-plumbline-event'] as string | undefined, body: JSON.parse(body) });
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
