import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Viewer } from '@/lib/auth/session';
import { useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

let stores: TestStores;
let engineer: Viewer;

const BASE = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { id: { type: 'string' }, amount_total: { type: 'number' }, currency: { type: 'string' } },
  required: ['id'],
};

beforeAll(async () => {
  stores = await useTestStores();
  const { prisma } = await import('@/lib/db/client');
  const { insertRows, toClickHouseDateTime } = await import('@/lib/clickhouse/client');
  const db = await prisma();
  const user = await db.user.create({ data: { email: 'eng@test.local', name: 'Eng', role: 'integration_engineer' } });
  engineer = { id: user.id, email: user.email, name: user.name, role: user.role };
  const a = await db.system.create({ data: { key: 'portal', name: 'Portal', kind: 'x' } });
  const b = await db.system.create({ data: { key: 'odoo', name: 'Odoo', kind: 'erp' } });
  const iface = await db.interface.create({ data: { key: 'bills', name: 'Bills', sourceSystemId: a.id, targetSystemId: b.id, entityTypes: ['account.move'], ownerTeam: 'AP', syncClass: 'batch', activeSchemaVersion: '1.0' } });
  await db.schemaVersion.create({ data: { interfaceId: iface.id, version: '1.0', schema: BASE, status: 'active', compatibility: 'FULL' } });
  const now = Date.now();
  const payloads = [
    { id: 'B-1', amount_total: 10, currency: 'USD' },
    { id: 'B-2', amount_total: 20 },
    { id: 'B-3', amount_total: 30, currency: 'EUR' },
    { id: 'B-4' },
  ];
  await insertRows(
    'sync_ledger',
    payloads.map((p, i) => ({
      event_id: `ev-${i + 1}`,
      interface_id: 'bills',
      source_system: 'portal',
      target_system: 'odoo',
      entity_type: 'account.move',
      event_type: 'vendor_bill.sync',
      operation: 'create',
      source_record_id: p.id,
      status: 'succeeded',
      occurred_at: toClickHouseDateTime(new Date(now - (i + 1) * 60_000)),
      payload: JSON.stringify(p),
    })),
  );
  // Another interface's traffic must not be sampled.
  await insertLedgerRows([{ event_id: 'other-1', interface_id: 'other', source_system: 'x', target_system: 'y', entity_type: 'z', event_type: 'z', operation: 'create', source_record_id: 'o', status: 'succeeded', occurred_at: toClickHouseDateTime(new Date(now)), payload: '{}' }]);
});

afterAll(async () => {
  await stores?.cleanup();
});

describe('schema proposals', () => {
  test('live traffic check: counts recent events of the interface that would fail, with errors', async () => {
    const { checkRecentTraffic } = await import('@/lib/governance/traffic-check');
    const proposed = { ...BASE, required: ['id', 'currency'] };
    const result = await checkRecentTraffic('bills', proposed);
    assert.equal(result.checked, 4);
    assert.equal(result.failing, 2);
    assert.deepEqual(result.examples.map((e) => e.eventId).sort(), ['ev-2', 'ev-4']);
    assert.match(result.examples[0]!.errors[0]!, /currency/);
    assert.equal((await checkRecentTraffic('bills', BASE)).failing, 0);
    assert.equal((await checkRecentTraffic('bills', proposed, 2)).checked, 2, 'the sample is limited to the most recent events');
  });

  test('a proposal is validated, diffed against the active version and audited', async () => {
    const { proposeSchemaVersion, getProposal, ProposalError } = await import('@/lib/governance/proposals');
    await assert.rejects(proposeSchemaVersion(engineer, { interfaceKey: 'bills', version: '1.1', schemaText: '{not json' }), ProposalError);
    await assert.rejects(proposeSchemaVersion(engineer, { interfaceKey: 'bills', version: '1.1', schemaText: JSON.stringify({ type: 'objekt' }) }), ProposalError);
    const withDescription = { ...BASE, properties: { ...BASE.properties, memo: { type: 'string' } } };
    const id = await proposeSchemaVersion(engineer, { interfaceKey: 'bills', version: '1.1', schemaText: JSON.stringify(withDescription) });
    const proposal = (await getProposal(id))!;
    assert.equal(proposal.status, 'proposed');
    assert.notEqual(proposal.compatibility, 'BREAKING');
    assert.ok(proposal.changes.length > 0);
    assert.deepEqual(proposal.timeline.map((t) => t.action), ['schema.propose']);
    await assert.rejects(proposeSchemaVersion(engineer, { interfaceKey: 'bills', version: '1.1', schemaText: JSON.stringify(BASE) }), /already exists/);
  });

  test('a breaking proposal needs a migration plan and then quorum + 1 approvals', async () => {
    const { proposeSchemaVersion, getProposal } = await import('@/lib/governance/proposals');
    const breaking = { ...BASE, properties: { ...BASE.properties, amount_total: { type: 'string' } }, required: ['id', 'currency'] };
    await assert.rejects(proposeSchemaVersion(engineer, { interfaceKey: 'bills', version: '2.0', schemaText: JSON.stringify(breaking) }), /migration plan/);
    const id = await proposeSchemaVersion(engineer, { interfaceKey: 'bills', version: '2.0', schemaText: JSON.stringify(breaking), migrationPlan: 'Dual-write until all portals upgrade.' });
    const proposal = (await getProposal(id))!;
    assert.equal(proposal.compatibility, 'BREAKING');
    assert.equal(proposal.requiredApprovals, 3);
  });
});
