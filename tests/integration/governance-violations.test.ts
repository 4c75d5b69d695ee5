import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { SyncDirection } from '@/lib/db/generated/enums';
import type { Viewer } from '@/lib/auth/session';
import { useTestStores, type TestStores } from '../support/stores';

let stores: TestStores;
const now = new Date();
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const systemIds: Record<string, string> = {};
let board: Viewer;

interface EventSpec {
  event_id: string;
  interface_id: string;
  source_system: string;
  target_system: string;
  entity_type: string;
  operation?: string;
  status?: string;
  occurred_at?: Date;
  attributes?: Record<string, string>;
  schema_version?: string;
  schema_drift?: number;
}

async function insertEvents(events: EventSpec[]): Promise<void> {
  const { insertRows, toClickHouseDateTime } = await import('@/lib/clickhouse/client');
  await insertRows(
    'sync_ledger',
    events.map((e) => ({
      event_id: e.event_id,
      sync_key: e.event_id,
      interface_id: e.interface_id,
      source_system: e.source_system,
      target_system: e.target_system,
      entity_type: e.entity_type,
      event_type: `${e.entity_type}.sync`,
      operation: e.operation ?? 'create',
      source_record_id: `rec-${e.event_id}`,
      status: e.status ?? 'succeeded',
      occurred_at: toClickHouseDateTime(e.occurred_at ?? daysAgo(1)),
      attributes: e.attributes ?? {},
      schema_version: e.schema_version ?? '1.0',
      schema_drift: e.schema_drift ?? 0,
    })),
  );
}

beforeAll(async () => {
  stores = await useTestStores();
  const { prisma } = await import('@/lib/db/client');
  const db = await prisma();
  const user = await db.user.create({ data: { email: 'board@test.local', name: 'Board', role: 'governance_board' } });
  board = { id: user.id, email: user.email, name: user.name, role: user.role };
  for (const key of ['odoo', 'sitelog', 'buyportal', 'middleware']) systemIds[key] = (await db.system.create({ data: { key, name: key, kind: 'x' } })).id;
  const iface = async (key: string, source: string, target: string) =>
    (await db.interface.create({ data: { key, name: key, sourceSystemId: systemIds[source]!, targetSystemId: systemIds[target]!, entityTypes: [], ownerTeam: 'Team', syncClass: 'batch' } })).id;
  const interfaces = {
    vendorMaster: await iface('vendor-master', 'odoo', 'buyportal'),
    fieldExpenses: await iface('field-expenses', 'sitelog', 'odoo'),
    timesheets: await iface('timesheets', 'sitelog', 'odoo'),
    bills: await iface('vendor-bills', 'buyportal', 'odoo'),
    timesheetSync: await iface('timesheet-sync', 'odoo', 'sitelog'),
  };
  const entity = async (key: string, odooModel: string, sor: string, writers: string[], directions: [string, SyncDirection][]) =>
    db.businessEntity.create({
      data: {
        key,
        name: key,
        odooModel,
        systemOfRecordId: systemIds[sor]!,
        writers: { create: writers.map((w) => ({ systemId: systemIds[w]! })) },
        directions: { create: directions.map(([interfaceId, direction]) => ({ interfaceId, direction })) },
      },
    });
  await entity('vendor', 'res.partner', 'odoo', [], [
    [interfaces.vendorMaster, 'source_to_target'],
    [interfaces.fieldExpenses, 'forbidden'],
  ]);
  await entity('customer', 'res.partner', 'odoo', [], []);
  await entity('timesheet', 'account.analytic.line', 'sitelog', ['odoo'], [
    [interfaces.timesheets, 'source_to_target'],
    [interfaces.timesheetSync, 'source_to_target'],
  ]);
  await entity('vendor_bill', 'account.move', 'odoo', ['buyportal'], [[interfaces.bills, 'source_to_target']]);
  await entity('customer_invoice', 'account.move', 'odoo', [], []);
  await db.unregisteredInterface.create({ data: { key: 'old-blocked-feed', blocked: true } });

  await insertEvents([
    // Allowed: the system of record publishes vendors to the portal.
    { event_id: 'vm-1', interface_id: 'vendor-master', source_system: 'odoo', target_system: 'buyportal', entity_type: 'res.partner', attributes: { partner_kind: 'vendor' } },
    // Forbidden: the field app creating vendors in Odoo (sent twice: one event).
    { event_id: 'fe-1', interface_id: 'field-expenses', source_system: 'sitelog', target_system: 'odoo', entity_type: 'res.partner', attributes: { partner_kind: 'vendor' }, occurred_at: daysAgo(3) },
    { event_id: 'fe-1', interface_id: 'field-expenses', source_system: 'sitelog', target_system: 'odoo', entity_type: 'res.partner', attributes: { partner_kind: 'vendor' }, occurred_at: daysAgo(3) },
    { event_id: 'fe-2', interface_id: 'field-expenses', source_system: 'sitelog', target_system: 'odoo', entity_type: 'res.partner', operation: 'update', status: 'failed', attributes: { partner_kind: 'vendor' }, occurred_at: daysAgo(2) },
    // Outside the 30-day window.
    { event_id: 'fe-old', interface_id: 'field-expenses', source_system: 'sitelog', target_system: 'odoo', entity_type: 'res.partner', attributes: { partner_kind: 'vendor' }, occurred_at: daysAgo(60) },
    // Not a write: a post of an existing record is not governed here.
    { event_id: 'fe-post', interface_id: 'field-expenses', source_system: 'sitelog', target_system: 'odoo', entity_type: 'res.partner', operation: 'post', attributes: { partner_kind: 'customer' } },
    // Allowed: timesheets from their system of record; an allowed writer's bill.
    { event_id: 'ts-1', interface_id: 'timesheets', source_system: 'sitelog', target_system: 'odoo', entity_type: 'account.analytic.line' },
    { event_id: 'vb-1', interface_id: 'vendor-bills', source_system: 'buyportal', target_system: 'odoo', entity_type: 'account.move', operation: 'upsert', attributes: { move_type: 'in_invoice' } },
    // The portal writing a customer invoice: not an allowed writer of customer invoices.
    { event_id: 'vb-ci', interface_id: 'vendor-bills', source_system: 'buyportal', target_system: 'odoo', entity_type: 'account.move', attributes: { move_type: 'out_invoice' } },
    // Against the interface's direction: odoo → sitelog only, but this writes into odoo.
    { event_id: 'sync-back', interface_id: 'timesheet-sync', source_system: 'sitelog', target_system: 'odoo', entity_type: 'account.analytic.line', operation: 'update' },
    // Unregistered interface, middleware is no writer of timesheets.
    { event_id: 'ftp-1', interface_id: 'legacy-ftp-costs', source_system: 'middleware', target_system: 'odoo', entity_type: 'account.analytic.line', status: 'failed', schema_version: '0.9', schema_drift: 1 },
    { event_id: 'ftp-2', interface_id: 'legacy-ftp-costs', source_system: 'middleware', target_system: 'odoo', entity_type: 'account.analytic.line', schema_version: '0.9', schema_drift: 1 },
    // No business entity for expenses: ungoverned.
    { event_id: 'exp-1', interface_id: 'field-expenses', source_system: 'sitelog', target_system: 'odoo', entity_type: 'hr.expense' },
  ]);
});

afterAll(async () => {
  await stores?.cleanup();
});

describe('ownership violations from live traffic (chDB)', () => {
  test('flags forbidden, reversed and unauthorized writes and nothing that is allowed', async () => {
    const { findOwnershipViolations } = await import('@/lib/governance/violations');
    const report = await findOwnershipViolations(30, now);
    const byKey = new Map(report.violations.map((v) => [`${v.interfaceKey}/${v.entityKey}`, v]));
    assert.deepEqual([...byKey.keys()].sort(), ['field-expenses/vendor', 'legacy-ftp-costs/timesheet', 'timesheet-sync/timesheet', 'vendor-bills/customer_invoice']);

    const vendor = byKey.get('field-expenses/vendor')!;
    assert.deepEqual(vendor.reasons, ['direction_forbidden', 'unauthorized_writer']);
    assert.equal(vendor.events, 2, 'a duplicated event counts once, the 60-day-old one is outside the window');
    assert.equal(vendor.succeeded, 1);
    assert.deepEqual(vendor.sampleEventIds, ['fe-1', 'fe-2']);
    assert.ok(vendor.firstSeen < vendor.lastSeen);

    assert.deepEqual(byKey.get('timesheet-sync/timesheet')!.reasons, ['direction_reversed']);
    assert.deepEqual(byKey.get('vendor-bills/customer_invoice')!.reasons, ['unauthorized_writer']);
    const ftp = byKey.get('legacy-ftp-costs/timesheet')!;
    assert.equal(ftp.registered, false);
    assert.deepEqual(ftp.reasons, ['unauthorized_writer']);

    assert.deepEqual(report.unmapped.map((u) => u.entityType), ['hr.expense']);
  });

  test('a registry change is reflected at once: allowing the writer clears the violation', async () => {
    const { prisma } = await import('@/lib/db/client');
    const { updateEntity, getEntity } = await import('@/lib/governance/registry');
    const { findOwnershipViolations } = await import('@/lib/governance/violations');
    const db = await prisma();
    const invoice = await db.businessEntity.findUniqueOrThrow({ where: { key: 'customer_invoice' } });
    const current = (await getEntity(invoice.id))!;
    await updateEntity(board, invoice.id, { key: current.key, name: current.name, odooModel: current.odooModel, systemOfRecordId: systemIds.odoo!, stewardId: board.id, writerSystemIds: [systemIds.buyportal!] });
    const report = await findOwnershipViolations(30, now);
    assert.ok(!report.violations.some((v) => v.entityKey === 'customer_invoice'));
    const audit = await db.auditLog.findFirstOrThrow({ where: { targetType: 'business_entity', targetId: invoice.id, action: 'entity.update' } });
    assert.deepEqual((audit.before as { writers: string[] }).writers, []);
    assert.deepEqual((audit.after as { writers: string[]; steward: string }).writers, ['buyportal']);
    assert.equal((audit.after as { steward: string }).steward, 'board@test.local');
  });

  test('ownership matrix marks owner, writer and violating author', async () => {
    const { listEntities, ownershipMatrix } = await import('@/lib/governance/registry');
    const { findOwnershipViolations } = await import('@/lib/governance/violations');
    const entities = await listEntities();
    const report = await findOwnershipViolations(30, now);
    const matrix = ownershipMatrix(entities, [{ key: 'odoo' }, { key: 'sitelog' }, { key: 'middleware' }], report.violations);
    const timesheet = entities.find((e) => e.key === 'timesheet')!;
    const vendor = entities.find((e) => e.key === 'vendor')!;
    assert.deepEqual(matrix.get(timesheet.id)!.get('sitelog'), { owner: true, writer: false, violations: 1 });
    assert.deepEqual(matrix.get(timesheet.id)!.get('odoo'), { owner: false, writer: true, violations: 0 });
    assert.deepEqual(matrix.get(timesheet.id)!.get('middleware'), { owner: false, writer: false, violations: 2 });
    assert.deepEqual(matrix.get(vendor.id)!.get('sitelog'), { owner: false, writer: false, violations: 2 });
  });
});

describe('interface catalog (chDB + PostgreSQL)', () => {
  test('lists traffic-only and recorded unregistered interfaces, never registered ones', async () => {
    const { loadCatalog } = await import('@/lib/governance/catalog');
    const catalog = await loadCatalog({ includeKeyCounts: true }, now);
    assert.deepEqual(
      catalog.unregistered.map((u) => [u.key, u.blocked]),
      [
        ['legacy-ftp-costs', false],
        ['old-blocked-feed', true],
      ],
    );
    const ftp = catalog.unregistered.find((u) => u.key === 'legacy-ftp-costs')!;
    assert.deepEqual(ftp.traffic?.sourceSystems, ['middleware']);
    assert.equal(ftp.traffic?.volume7d, 2);
    assert.equal(ftp.traffic?.failures7d, 1);
    const fieldExpenses = catalog.interfaces.find((i) => i.key === 'field-expenses')!;
    assert.equal(fieldExpenses.traffic?.volume7d, 4, 'fe-1 (once), fe-2, fe-post, exp-1; the 60-day-old event is outside 7 days');
    assert.equal(fieldExpenses.activeKeyCount, 0);
    assert.equal((await loadCatalog({ includeKeyCounts: false }, now)).interfaces[0]!.activeKeyCount, null);
  });

  test('adopting registers the interface and removes it from the unregistered list; blocking is recorded and audited', async () => {
    const { adoptInterface, loadCatalog, setUnregisteredBlocked, InterfaceFormError } = await import('@/lib/governance/catalog');
    const { prisma } = await import('@/lib/db/client');
    await setUnregisteredBlocked(board, 'legacy-ftp-costs', true);
    const db = await prisma();
    assert.equal((await db.unregisteredInterface.findUniqueOrThrow({ where: { key: 'legacy-ftp-costs' } })).blocked, true);
    const input = { key: 'legacy-ftp-costs', name: 'Legacy FTP costs', sourceSystemId: systemIds.middleware!, targetSystemId: systemIds.odoo!, entityTypes: ['account.analytic.line'], syncClass: 'batch' as const, ownerTeam: 'Finance Systems' };
    await assert.rejects(adoptInterface(board, { ...input, ownerTeam: '' }), InterfaceFormError);
    const id = await adoptInterface(board, input);
    const catalog = await loadCatalog({ includeKeyCounts: false }, now);
    assert.ok(!catalog.unregistered.some((u) => u.key === 'legacy-ftp-costs'));
    assert.equal(catalog.interfaces.find((i) => i.id === id)?.traffic?.volume7d, 2);
    assert.equal(await db.unregisteredInterface.count({ where: { key: 'legacy-ftp-costs' } }), 0);
    assert.deepEqual(
      (await db.auditLog.findMany({ where: { action: { in: ['interface.block', 'interface.adopt'] } }, orderBy: { id: 'asc' } })).map((a) => a.action),
      ['interface.block', 'interface.adopt'],
    );
  });

  test('schema drift is counted per interface and version with sample events', async () => {
    const { schemaDrift } = await import('@/lib/governance/catalog');
    const drift = await schemaDrift();
    assert.deepEqual(
      drift.map((d) => [d.interfaceKey, d.schemaVersion, d.events, d.sampleEventIds]),
      [['legacy-ftp-costs', '0.9', 2, ['ftp-1', 'ftp-2']]],
    );
    assert.deepEqual(await schemaDrift('timesheets'), []);
  });
});
