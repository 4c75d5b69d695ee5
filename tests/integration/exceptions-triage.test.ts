import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import crypto from 'node:crypto';
import { createAdminViewer, useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/**
 * Exception cases on real chDB + PostgreSQL: the sync opens a case per failing record and
 * closes it after a later success; cases group by error signature; triage rights (finance
 * only on money-side entities, viewers never); every action audited; replay idempotent
 * against a local receiver, its outcome recorded when the next event arrives.
 */
let stores: TestStores;
let receiver: http.Server;
const received: { headers: http.IncomingHttpHeaders; raw: string; body: Record<string, unknown> }[] = [];
let seq = 0;
const NOW = Date.now();
const HOUR = 3_600_000;

function ev(record: string, entityType: string, status: string, hoursAgo: number, message: string, fields: Record<string, unknown> = {}) {
  seq += 1;
  const failing = status !== 'succeeded';
  return {
    event_id: `ev-${seq}`, sync_key: `sk-${record}`, interface_id: entityType === 'account.move' ? 'rental-invoicing' : 'timesheets',
    source_system: 'src', target_system: 'odoo', entity_type: entityType, event_type: 'sync', operation: 'create', source_record_id: record,
    source_record_version: '1', target_record_id: '', status, attempt: 1, error_category: failing ? 'validation' : '', error_code: '',
    error_message: failing ? message : '', occurred_at: NOW - hoursAgo * HOUR, synced_at: null, amount: 10, currency: 'USD',
    document_number: '', project: 'JOB-1', customer: 'Acme', vendor: '', contract_id: '', contract_line_id: '', equipment_id: '',
    equipment_class: '', trace_id: 'cd'.repeat(16), span_id: '', schema_version: '', schema_drift: 0, attributes: {}, payload: '',
    ...fields,
  };
}

type Actor = { id: string; email: string; name: string; role: 'admin' | 'integration_engineer' | 'finance' | 'viewer' | 'governance_board' };
const actors: Record<string, Actor> = {};

async function caseOf(record: string) {
  const { prisma } = await import('@/lib/db/client');
  const found = await (await prisma()).exceptionCase.findFirst({ where: { sourceRecordId: record } });
  assert.ok(found, `case for ${record}`);
  return found;
}

async function insert(rows: ReturnType<typeof ev>[]) {
  await insertLedgerRows(rows);
}

beforeAll(async () => {
  stores = await useTestStores();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: body, body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(202).end('queued');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { prisma } = await import('@/lib/db/client');
  const db = await prisma();
  for (const role of ['integration_engineer', 'finance', 'viewer'] as const) {
    const user = await db.user.create({ data: { email: `${role}@test.local`, name: role, role } });
    actors[role] = { id: user.id, email: user.email, name: user.name, role };
  }
  await insert([
    ev('INV-1', 'account.move', 'failed', 100, 'Missing analytic distribution on line 3 of INV/2026/00042'),
    ev('INV-2', 'account.move', 'failed', 10, 'Missing analytic distribution on line 1 of INV/2026/00077'),
    ev('INV-2', 'account.move', 'retrying', 9, 'Missing analytic distribution on line 1 of INV/2026/00077'),
    ev('TS-1', 'account.analytic.line', 'failed', 200, 'Employee 4411 has no hourly cost'),
  ]);
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await stores.cleanup();
});

describe('exception cases', () => {
  it('the sync opens one case per failing record, grouped by signature, and is idempotent', async () => {
    const { syncExceptionCases } = await import('@/lib/exceptions/sync');
    const first = await syncExceptionCases();
    assert.equal(first.opened, 3);
    const again = await syncExceptionCases();
    assert.deepEqual(again, { opened: 0, reopened: 0, updated: 0, closed: 0, replayOutcomes: 0 });
    const inv1 = await caseOf('INV-1');
    const inv2 = await caseOf('INV-2');
    assert.equal(inv1.signatureHash, inv2.signatureHash, 'ids and numbers are normalised away');
    assert.notEqual((await caseOf('TS-1')).signatureHash, inv1.signatureHash);

    const { failureQueue, sortGroups } = await import('@/lib/exceptions/queue');
    const { parseDashboardFilters } = await import('@/lib/finance/filters');
    const { filters } = parseDashboardFilters({});
    const groups = sortGroups((await failureQueue(filters, { category: '', state: '', assignee: '', signature: '', entityType: '' })).groups, 'largest');
    assert.equal(groups[0]?.count, 2);
    assert.deepEqual(groups[0]?.interfaces, ['rental-invoicing']);
    assert.equal(groups[0]?.sampleTraceId, 'cd'.repeat(16));
    // Default rules: invoices are overdue after 72 h, everything else after 7 days.
    assert.equal(groups[0]?.overdue, 1, 'INV-1 (100 h) is overdue, INV-2 (10 h) is not');
    assert.equal(groups[1]?.overdue, 1, 'TS-1 (200 h) is overdue');
  });

  it('finance cannot triage non-finance entities; viewers cannot triage at all', async () => {
    const { assignCase, acknowledgeCase, resolveCase } = await import('@/lib/exceptions/triage');
    const ts = await caseOf('TS-1');
    const inv = await caseOf('INV-2');
    await assert.rejects(acknowledgeCase(actors.finance!, ts.id), (e: { status?: number }) => e.status === 403);
    await assert.rejects(resolveCase(actors.viewer!, inv.id, 'fixed'), (e: { status?: number }) => e.status === 403);
    await assert.rejects(assignCase(actors.finance!, inv.id, actors.viewer!.id), (e: { status?: number }) => e.status === 400, 'a viewer cannot be an assignee');
    await assignCase(actors.finance!, inv.id, actors.finance!.id);
    assert.equal((await caseOf('INV-2')).assigneeId, actors.finance!.id);
    assert.equal((await caseOf('TS-1')).state, 'open', 'the refused action changed nothing');
  });

  it('assigns a whole signature group, acknowledges, notes and resolves with a reason, each audited', async () => {
    const { assignSignatureGroup, acknowledgeCase, addCaseNote, resolveCase } = await import('@/lib/exceptions/triage');
    const inv1 = await caseOf('INV-1');
    const engineer = actors.integration_engineer!;
    assert.deepEqual(await assignSignatureGroup(engineer, inv1.signatureHash, engineer.id), { assigned: 2, skipped: 0 });
    assert.equal((await caseOf('INV-2')).assigneeId, engineer.id);
    await acknowledgeCase(engineer, inv1.id);
    await addCaseNote(engineer, inv1.id, 'Asked finance to create the analytic account');
    await assert.rejects(resolveCase(engineer, inv1.id, '   '), (e: { status?: number }) => e.status === 400, 'a reason is required');
    await resolveCase(engineer, inv1.id, 'Posted by hand in Odoo');
    const resolved = await caseOf('INV-1');
    assert.equal(resolved.state, 'resolved');
    assert.equal(resolved.resolutionReason, 'Posted by hand in Odoo');

    const { prisma } = await import('@/lib/db/client');
    const audit = await (await prisma()).auditLog.findMany({ where: { actorId: engineer.id }, orderBy: { id: 'asc' } });
    assert.deepEqual(audit.map((a) => a.action), ['exception.assign_group', 'exception.acknowledge', 'exception.note', 'exception.resolve']);
    assert.equal(audit[3]?.targetId, inv1.id);

    const { syncExceptionCases } = await import('@/lib/exceptions/sync');
    await syncExceptionCases();
    assert.equal((await caseOf('INV-1')).state, 'resolved', 'a manual resolution holds while nothing new arrives');
  });

  it('reads only the cases people touched, and finds the case of any record shown', async () => {
    const { caseIdsOf, failureQueue, openRecordKey, triagedCases } = await import('@/lib/exceptions/queue');
    const { openRecordsByKey } = await import('@/lib/exceptions/open-records');
    const triaged = await triagedCases(new Date('2026-01-01T00:00:00Z'));
    assert.deepEqual([...triaged.values()].map((c) => [c.sourceRecordId, c.state, c.assigneeId !== null]).sort(), [
      ['INV-1', 'resolved', true],
      ['INV-2', 'open', true],
    ]);
    const { parseDashboardFilters } = await import('@/lib/finance/filters');
    const noOptions = { category: '', state: '', assignee: '', signature: '', entityType: '' };
    const filters = parseDashboardFilters({ from: '2026-01-01' }).filters;
    const { groups } = await failureQueue(filters, noOptions);
    const pages = await Promise.all(groups.map((g) => failureQueue(filters, { ...noOptions, signature: g.signatureHash }, { page: 1, pageSize: 25 })));
    const items = pages.flatMap((q) => q.cases);
    assert.ok(!items.some((i) => i.record.source_record_id === 'INV-1'), 'the manually resolved record stays out of the queue');
    assert.ok(items.find((i) => i.record.source_record_id === 'INV-2')?.assigneeName, 'an assigned record shows its assignee');
    assert.ok(items.some((i) => i.assigneeId === null && i.state === 'open'), 'untouched records are open and unassigned');
    const records = items.map((i) => i.record);
    assert.ok(records.length > 1);
    const ids = await caseIdsOf(records);
    const { prisma } = await import('@/lib/db/client');
    const cases = await (await prisma()).exceptionCase.findMany({ select: { id: true, interfaceKey: true, entityType: true, sourceRecordId: true } });
    for (const record of records) {
      const expected = cases.find((c) => c.interfaceKey === record.interface_id && c.entityType === record.entity_type && c.sourceRecordId === record.source_record_id);
      assert.equal(ids.get(openRecordKey(record)), expected?.id);
    }
    const whole = await openRecordsByKey(records);
    assert.deepEqual([...whole.keys()].sort(), records.map(openRecordKey).sort(), 'each listed record is read whole');
    for (const record of records) assert.deepEqual(whole.get(openRecordKey(record)), { ...whole.get(openRecordKey(record)), ...record });
  });

  it('a later success closes the case; a new failure reopens it', async () => {
    const { syncExceptionCases, RESOLVED_BY_SUCCESS } = await import('@/lib/exceptions/sync');
    await insert([ev('TS-1', 'account.analytic.line', 'succeeded', 1, '')]);
    assert.equal((await syncExceptionCases()).closed, 1);
    const closed = await caseOf('TS-1');
    assert.equal(closed.state, 'resolved');
    assert.equal(closed.resolutionReason, RESOLVED_BY_SUCCESS);
    assert.equal(closed.resolvedById, null);

    await insert([ev('TS-1', 'account.analytic.line', 'failed', 0.5, 'Employee 4411 has no hourly cost')]);
    assert.equal((await syncExceptionCases()).reopened, 1);
    assert.equal((await caseOf('TS-1')).state, 'open');
  });

  it('records a replay once per latest event, posts it once, and shows its outcome when the next event arrives', async () => {
    const { resetEnvCache } = await import('@/lib/config/env');
    process.env.PLUMBLINE_REPLAY_WEBHOOK_URL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/replay`;
    resetEnvCache();
    const { requestReplay } = await import('@/lib/exceptions/replay');
    const { rotateReplaySecret } = await import('@/lib/admin/webhooks');
    const { secret } = await rotateReplaySecret(await createAdminViewer(), 0, null);
    const inv2 = await caseOf('INV-2');
    const engineer = actors.integration_engineer!;
    const first = await requestReplay(engineer, inv2.id);
    const second = await requestReplay(engineer, inv2.id);
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.replay.id, first.replay.id);
    assert.equal(first.replay.status, 'sent');
    assert.equal(first.replay.responseCode, 202);
    assert.equal(received.length, 1, 'the webhook received exactly one request');
    assert.deepEqual(received[0]?.body, { replay_id: first.replay.id, case_id: inv2.id, interface_id: 'rental-invoicing', entity_type: 'account.move', source_record_id: 'INV-2', event_ids: first.replay.eventIds });
    assert.equal(first.replay.eventIds.length, 2);
    assert.equal(received[0]?.headers['idempotency-key'], first.replay.idempotencyKey);
    // Signed like every webhook: the middleware recomputes the HMAC of "t.body" with the replay secret.
    const { headers, raw } = received[0]!;
    assert.equal(headers['plumbline-webhook-id'], 'replay');
    assert.equal(headers['plumbline-delivery-id'], first.replay.id);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers['plumbline-signature']))!;
    assert.equal(v1, crypto.createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex'));
    assert.ok(Math.abs(Number(t) - Date.now() / 1000) < 60);

    const { prisma } = await import('@/lib/db/client');
    const db = await prisma();
    assert.equal(await db.auditLog.count({ where: { action: 'exception.replay_request', targetId: inv2.id } }), 1);
    await assert.rejects(requestReplay(actors.viewer!, inv2.id), (e: { status?: number }) => e.status === 403);

    await insert([ev('INV-2', 'account.move', 'succeeded', 0.1, '')]);
    const { syncExceptionCases } = await import('@/lib/exceptions/sync');
    const sync = await syncExceptionCases();
    assert.equal(sync.replayOutcomes, 1);
    assert.equal((await db.replayRequest.findUniqueOrThrow({ where: { id: first.replay.id } })).outcome, 'succeeded');
    assert.equal((await caseOf('INV-2')).state, 'resolved');
  });

  it('without a webhook URL the replay is recorded as not configured and nothing is sent', async () => {
    delete process.env.PLUMBLINE_REPLAY_WEBHOOK_URL;
    const { resetEnvCache } = await import('@/lib/config/env');
    resetEnvCache();
    const { requestReplay } = await import('@/lib/exceptions/replay');
    const before = received.length;
    const result = await requestReplay(actors.integration_engineer!, (await caseOf('TS-1')).id);
    assert.equal(result.replay.status, 'not_configured');
    assert.equal(received.length, before);
  });
});
