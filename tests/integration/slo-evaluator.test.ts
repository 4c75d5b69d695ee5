import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/**
 * The evaluator on stored data: a burst of failures pages, the state is persisted, the
 * change is posted to a subscribed webhook (retried after the receiver's first failure),
 * re-evaluating without change posts nothing, a low-traffic SLO cannot page, and recovery
 * is a second change.
 */
let stores: TestStores;
let receiver: http.Server;
let receiverUrl = '';
const received: { status: string; previousStatus: string | null; slo: { name: string } }[] = [];
let failFirst = true;

const T1 = new Date('2026-11-20T12:00:00.000Z');
const MIN = 60_000;
let seq = 0;

function event(iface: string, status: string, at: Date) {
  const id = `ev-${++seq}`;
  return {
    event_id: id, sync_key: `sync-${seq}`, interface_id: iface, source_system: 'rentaldesk', target_system: 'odoo', entity_type: 'account.move',
    event_type: 'invoice.created', operation: 'create', source_record_id: `R-${seq}`, source_record_version: '', target_record_id: '', status, attempt: 1,
    error_category: status === 'failed' ? 'transient' : '', error_code: '', error_message: status === 'failed' ? 'timeout' : '',
    occurred_at: at.getTime(), synced_at: status === 'succeeded' ? at.getTime() + 1000 : null, amount: 0, currency: '', document_number: '', project: '',
    customer: '', vendor: '', contract_id: '', contract_line_id: '', equipment_id: '', equipment_class: '', trace_id: '', span_id: '', schema_version: '',
    schema_drift: 0, attributes: {}, payload: '',
  };
}

beforeAll(async () => {
  stores = await useTestStores();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (failFirst) {
        failFirst = false;
        res.writeHead(500).end();
        return;
      }
      received.push((JSON.parse(body) as { data: (typeof received)[number] }).data);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const { prisma } = await import('@/lib/db/client');
  const db = await prisma();
  const source = await db.system.create({ data: { key: 'rentaldesk', name: 'RentalDesk', kind: 'rental_dispatch' } });
  const target = await db.system.create({ data: { key: 'odoo', name: 'Odoo', kind: 'erp' } });
  for (const key of ['busy', 'quiet']) {
    await db.interface.create({ data: { key, name: key, sourceSystemId: source.id, targetSystemId: target.id, entityTypes: ['account.move'], ownerTeam: 'Finance', syncClass: 'near_real_time' } });
  }
  const user = await db.user.create({ data: { email: 'engineer@test.local', name: 'Engineer', role: 'integration_engineer' } });
  const { createSlo } = await import('@/lib/slo/definitions');
  const actor = { id: user.id, email: user.email, name: user.name, role: user.role };
  const base = { description: '', sliKind: 'success' as const, thresholdMs: null, spanName: null, objective: 0.99, windowDays: 7 as const, minEvents: 5 };
  await createSlo(actor, { ...base, interfaceKey: 'busy', name: 'Busy syncs succeed' });
  await createSlo(actor, { ...base, interfaceKey: 'quiet', name: 'Quiet syncs succeed' });
  await db.webhookEndpoint.create({ data: { name: 'On-call', url: receiverUrl, events: ['slo.alert'] } });

  await insertLedgerRows([
    ...Array.from({ length: 10 }, (_, i) => event('busy', 'failed', new Date(T1.getTime() - (i % 4) * MIN - 1000))),
    ...Array.from({ length: 2 }, () => event('quiet', 'failed', new Date(T1.getTime() - MIN))),
  ]);
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await stores.cleanup();
});

describe('SLO evaluator', () => {
  it('pages on a burst of failures, persists the state and posts it to the webhook with a retry', async () => {
    const { evaluateSlos } = await import('@/lib/slo/evaluator');
    const { deliverDueWebhooks, BASE_BACKOFF_MS } = await import('@/lib/webhooks/delivery');
    const { listSlos } = await import('@/lib/slo/definitions');
    const result = await evaluateSlos(T1);
    assert.equal(result.evaluated, 2);
    const slos = await listSlos();
    const busy = slos.find((s) => s.interfaceKey === 'busy')!;
    const quiet = slos.find((s) => s.interfaceKey === 'quiet')!;
    assert.equal(busy.alert?.status, 'page');
    assert.equal(busy.alert?.since.getTime(), T1.getTime());
    // Two failures are below the 5-event minimum in every window: no alert however bad they are.
    assert.equal(quiet.alert?.status, 'ok');
    assert.deepEqual(result.changes.map((c) => [c.sloId, c.from, c.to]).sort(), [
      [busy.id, null, 'page'],
      [quiet.id, null, 'ok'],
    ].sort());

    assert.equal((await deliverDueWebhooks(T1)).delivered, 0);
    assert.equal(received.length, 0);
    assert.equal((await deliverDueWebhooks(new Date(T1.getTime() + BASE_BACKOFF_MS))).delivered, 1);
    assert.equal(received.length, 1);
    assert.equal(received[0]!.status, 'page');
    assert.equal(received[0]!.previousStatus, null);
    assert.equal(received[0]!.slo.name, 'Busy syncs succeed');
  });

  it('posts nothing when the status has not changed', async () => {
    const { evaluateSlos } = await import('@/lib/slo/evaluator');
    const { prisma } = await import('@/lib/db/client');
    const before = await (await prisma()).webhookDelivery.count();
    const result = await evaluateSlos(new Date(T1.getTime() + MIN));
    assert.deepEqual(result.changes, []);
    assert.equal(await (await prisma()).webhookDelivery.count(), before);
  });

  it('recovers to ok once the failures age out of the alerting windows', async () => {
    const { evaluateSlos } = await import('@/lib/slo/evaluator');
    const { deliverDueWebhooks } = await import('@/lib/webhooks/delivery');
    const T2 = new Date(T1.getTime() + 4 * 1440 * MIN);
    await insertLedgerRows(Array.from({ length: 50 }, (_, i) => event('busy', 'succeeded', new Date(T2.getTime() - (i % 4) * MIN - 1000))));
    const result = await evaluateSlos(T2);
    assert.deepEqual(result.changes.map((c) => [c.from, c.to]), [['page', 'ok']]);
    await deliverDueWebhooks(T2);
    assert.deepEqual(received.map((r) => [r.previousStatus, r.status]), [
      [null, 'page'],
      ['page', 'ok'],
    ]);
  });

  it("shows the evaluator's fresh result on the overview, and computes when it is stale or the SLO changed since", async () => {
    const { evaluateSlos } = await import('@/lib/slo/evaluator');
    const { listSlos } = await import('@/lib/slo/definitions');
    const { computeSloStatus, latestStatuses } = await import('@/lib/slo/status');
    const now = new Date();
    await evaluateSlos(now);
    const slos = await listSlos();
    const soon = new Date(now.getTime() + 30_000);
    const fresh = await latestStatuses(slos, soon);
    assert.deepEqual(fresh.map((s) => s.evaluatedAt.getTime()), [now.getTime(), now.getTime()], 'read from the evaluation');
    for (const [i, slo] of slos.entries()) {
      const { evaluatedAt: _at, ...persisted } = fresh[i]!;
      assert.deepEqual(persisted, await computeSloStatus(slo, now), 'the same figures as computing at the evaluation');
    }
    const later = new Date(now.getTime() + 3 * MIN);
    assert.ok((await latestStatuses(slos, later)).every((s) => s.evaluatedAt.getTime() === later.getTime()), 'stale: computed');
    const { prisma } = await import('@/lib/db/client');
    await (await prisma()).sloDefinition.update({ where: { id: slos[0]!.id }, data: { objective: 0.95 } });
    const changed = await latestStatuses(await listSlos(), soon);
    assert.deepEqual(changed.map((s) => s.evaluatedAt.getTime()), [soon.getTime(), now.getTime()], 'a changed SLO is computed');
  });

  it("keeps every ledger SLO's hourly figures up to the hour, once per SLI (the minute job beside the evaluator)", async () => {
    const { refreshKeptHours } = await import('@/lib/slo/hourly');
    const { queryRows } = await import('@/lib/clickhouse/client');
    assert.equal(await refreshKeptHours(T1), 2);
    const kept = await queryRows<{ sli_key: string; hours: number; bad: number; until: string }>(
      `SELECT sli_key, count() AS hours, sum(bad) AS bad, toString(any(r.covered_until)) AS until
       FROM slo_hours AS h FINAL JOIN (SELECT sli_key, covered_until FROM slo_hour_refreshes FINAL) AS r USING sli_key
       GROUP BY sli_key ORDER BY sli_key`,
    );
    // 7 days of closed hours and the open one each, holding the fixture's failures (10 and 2 syncs, all in the hour before T1).
    assert.deepEqual(
      kept.map((k) => [k.sli_key, Number(k.hours), Number(k.bad), k.until]),
      [
        ['["ledger_success","busy",null]', 169, 10, '2026-11-20 12:00:00'],
        ['["ledger_success","quiet",null]', 169, 2, '2026-11-20 12:00:00'],
      ],
    );
  });
});
