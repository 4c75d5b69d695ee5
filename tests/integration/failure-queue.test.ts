import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import type { QueueOptions, SignatureGroup } from '@/lib/exceptions/queue';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/**
 * The failure queue groups, filters and pages in ClickHouse (real chDB + PostgreSQL). Its
 * answer is checked against the queue as it was computed in TypeScript before: every open
 * record read back, its signature from the JS normaliser, its case from Postgres, grouped here.
 */
let stores: TestStores;
let seq = 0;
const NOW = Date.now();
const HOUR = 3_600_000;
const NO_OPTIONS: QueueOptions = { category: '', state: '', assignee: '', signature: '', entityType: '' };
const users: Record<string, { id: string; email: string; name: string; role: 'integration_engineer' }> = {};

interface EventSpec {
  record: string;
  iface: string;
  entity: string;
  status?: string;
  at: number;
  category?: string;
  message?: string;
  amount?: number;
  currency?: string;
  trace?: string;
}

function ev(e: EventSpec) {
  seq += 1;
  const status = e.status ?? 'failed';
  const failing = status !== 'succeeded';
  return {
    event_id: `fq-${seq}`, sync_key: `sk-${e.record}`, interface_id: e.iface, source_system: 'src', target_system: 'odoo', entity_type: e.entity,
    event_type: 'sync', operation: 'create', source_record_id: e.record, source_record_version: '1', target_record_id: '', status, attempt: 1,
    error_category: failing ? (e.category ?? 'validation') : '', error_code: '', error_message: failing ? (e.message ?? '') : '', occurred_at: e.at,
    synced_at: null, amount: e.amount ?? 0, currency: e.currency ?? '', document_number: '', project: 'JOB-1', customer: 'Acme', vendor: '',
    contract_id: '', contract_line_id: '', equipment_id: '', equipment_class: '', trace_id: e.trace ?? '', span_id: '', schema_version: '',
    schema_drift: 0, attributes: {}, payload: '',
  };
}

async function insert(specs: EventSpec[]) {
  await insertLedgerRows(specs.map(ev));
}

const hoursAgo = (h: number) => NOW - h * HOUR;

async function caseOf(record: string) {
  const { prisma } = await import('@/lib/db/client');
  return (await prisma()).exceptionCase.findFirstOrThrow({ where: { sourceRecordId: record } });
}

async function filtersNow() {
  const { parseDashboardFilters } = await import('@/lib/finance/filters');
  return parseDashboardFilters({ from: '2026-01-01' }).filters;
}

interface OracleItem {
  key: string;
  state: string;
  assigneeId: string | null;
  assigneeName: string | null;
  overdue: boolean;
  lastEventAt: string;
  signatureHash: string;
  businessMessage: string;
  category: string;
}

/**
 * The queue as TypeScript computed it before it moved to SQL: every open record, its signature
 * by the JS normaliser, its touched case from Postgres, the hand-resolved ones left out, the
 * options applied, then grouped.
 */
async function oracle(options: QueueOptions, now: Date): Promise<{ groups: (Omit<SignatureGroup, 'businessMessage' | 'category'> & { businessMessages: string[]; categories: string[] })[]; items: OracleItem[] }> {
  const { queryRows } = await import('@/lib/clickhouse/client');
  const { recordSignature } = await import('@/lib/exceptions/signature');
  const { describeError, triagedCases } = await import('@/lib/exceptions/queue');
  const { isOverdue, overdueRules } = await import('@/lib/exceptions/overdue');
  const { recordKey } = await import('@/lib/exceptions/open-records');
  const records = await queryRows<{
    interface_id: string; entity_type: string; source_record_id: string; last_error_category: string; last_error_message: string;
    last_event_at: string; first_failure_at: string | null; amountCents: number; currency: string; trace_id: string;
  }>(
    `SELECT interface_id, entity_type, source_record_id, last_error_category, last_error_message, last_event_at, first_failure_at,
       toInt64(amount * 100) AS amountCents, currency, trace_id
     FROM ledger_exception_current WHERE is_open_exception`,
  );
  const triaged = await triagedCases(new Date('2026-01-01T00:00:00Z'));
  const rules = await overdueRules();
  const groups = new Map<string, Omit<SignatureGroup, 'businessMessage' | 'category'> & { businessMessages: string[]; categories: string[]; sampleAt: string }>();
  const items: OracleItem[] = [];
  for (const r of records) {
    const key = recordKey({ interfaceKey: r.interface_id, entityType: r.entity_type, sourceRecordId: r.source_record_id });
    const c = triaged.get(key);
    if (c?.state === 'resolved' && c.resolvedAt !== null && new Date(r.last_event_at).getTime() <= c.resolvedAt.getTime()) continue;
    const state = c && c.state !== 'resolved' ? c.state : 'open';
    const assigneeId = c?.assigneeId ?? null;
    const { signature, hash } = recordSignature(r.last_error_category, r.last_error_message);
    if (options.category && r.last_error_category !== options.category) continue;
    if (options.entityType && r.entity_type !== options.entityType) continue;
    if (options.state && state !== options.state) continue;
    if (options.assignee === 'unassigned' ? assigneeId !== null : options.assignee && assigneeId !== options.assignee) continue;
    if (options.signature && hash !== options.signature) continue;
    const overdue = isOverdue(rules, r.entity_type, r.last_error_category, r.first_failure_at, now);
    const businessMessage = describeError(r.last_error_category, r.last_error_message, r.entity_type);
    items.push({ key, state, assigneeId, assigneeName: c?.assignee?.name ?? null, overdue, lastEventAt: r.last_event_at, signatureHash: hash, businessMessage, category: r.last_error_category });
    const firstFailure = r.first_failure_at ?? r.last_event_at;
    let g = groups.get(hash);
    if (!g) {
      g = {
        signatureHash: hash, signature, businessMessages: [], categories: [], count: 0, overdue: 0, unassigned: 0, acknowledged: 0, interfaces: [],
        entityTypes: [], firstSeen: firstFailure, lastSeen: r.last_event_at, sampleTraceId: '', sampleAt: '', amountCents: {},
      };
      groups.set(hash, g);
    }
    g.count += 1;
    if (overdue) g.overdue += 1;
    if (!assigneeId) g.unassigned += 1;
    if (state === 'acknowledged') g.acknowledged += 1;
    if (!g.interfaces.includes(r.interface_id)) g.interfaces.push(r.interface_id);
    if (!g.entityTypes.includes(r.entity_type)) g.entityTypes.push(r.entity_type);
    if (!g.businessMessages.includes(businessMessage)) g.businessMessages.push(businessMessage);
    if (!g.categories.includes(r.last_error_category)) g.categories.push(r.last_error_category);
    if (firstFailure < g.firstSeen) g.firstSeen = firstFailure;
    if (r.last_event_at > g.lastSeen) g.lastSeen = r.last_event_at;
    if (r.trace_id && r.last_event_at > g.sampleAt) {
      g.sampleTraceId = r.trace_id;
      g.sampleAt = r.last_event_at;
    }
    if (r.currency) g.amountCents[r.currency] = (g.amountCents[r.currency] ?? 0) + r.amountCents;
  }
  return {
    groups: [...groups.values()]
      .map(({ sampleAt: _sampleAt, ...g }) => ({ ...g, interfaces: g.interfaces.sort(), entityTypes: g.entityTypes.sort() }))
      .sort((a, b) => a.signatureHash.localeCompare(b.signatureHash)),
    items: items.sort((a, b) => b.lastEventAt.localeCompare(a.lastEventAt)),
  };
}

/** The SQL queue's groups and every page of every group's case list, for the options. */
async function queue(options: QueueOptions, now: Date) {
  const { failureQueue, openRecordKey } = await import('@/lib/exceptions/queue');
  const filters = await filtersNow();
  const groups = (await failureQueue(filters, options, null, now)).groups.sort((a, b) => a.signatureHash.localeCompare(b.signatureHash));
  const pages: Record<string, { key: string; state: string; assigneeId: string | null; assigneeName: string | null; overdue: boolean; lastEventAt: string }[]> = {};
  for (const g of groups) {
    pages[g.signatureHash] = [];
    // Pages of two, so paging is exercised; one past the end must be empty.
    for (let page = 1; page <= Math.ceil(g.count / 2) + 1; page++) {
      const selected = await failureQueue(filters, { ...options, signature: g.signatureHash }, { page, pageSize: 2 }, now);
      assert.deepEqual(selected.groups, [g], 'a selected signature shows its group alone');
      if (page > Math.ceil(g.count / 2)) assert.equal(selected.cases.length, 0, 'no page past the group');
      else assert.equal(selected.cases.length, Math.min(2, g.count - 2 * (page - 1)));
      for (const i of selected.cases) {
        pages[g.signatureHash]!.push({ key: openRecordKey(i.record), state: i.state, assigneeId: i.assigneeId, assigneeName: i.assigneeName, overdue: i.overdue, lastEventAt: i.record.last_event_at });
      }
    }
  }
  return { groups, pages };
}

async function assertSameAsTypeScript(options: QueueOptions): Promise<Awaited<ReturnType<typeof queue>>> {
  const now = new Date();
  const [sql, expected] = [await queue(options, now), await oracle(options, now)];
  assert.deepEqual(sql.groups.map((g) => g.signatureHash), expected.groups.map((g) => g.signatureHash), `same groups for ${JSON.stringify(options)}`);
  for (const [i, g] of sql.groups.entries()) {
    const { businessMessages, categories, ...want } = expected.groups[i]!;
    const { businessMessage, category, ...got } = g;
    assert.deepEqual(got, want, `group ${g.signature}`);
    assert.ok(businessMessages.includes(businessMessage), `${businessMessage} describes a record of the group`);
    assert.ok(categories.includes(category));
    const listed = expected.items.filter((item) => item.signatureHash === g.signatureHash).map(({ signatureHash: _h, businessMessage: _b, category: _c, ...item }) => item);
    assert.deepEqual(sql.pages[g.signatureHash], listed, `case list of ${g.signature}, newest first`);
  }
  return sql;
}

beforeAll(async () => {
  stores = await useTestStores();
  const { prisma } = await import('@/lib/db/client');
  const db = await prisma();
  for (const name of ['alice', 'bob']) {
    const user = await db.user.create({ data: { email: `${name}@test.local`, name, role: 'integration_engineer' } });
    users[name] = { id: user.id, email: user.email, name: user.name, role: 'integration_engineer' };
  }
  const { overdueRules } = await import('@/lib/exceptions/overdue');
  await overdueRules();
  // A rule naming both an entity type and a category: purchase-order conflicts are overdue after 2 h.
  await db.overdueRule.create({ data: { entityType: 'purchase.order', errorCategory: 'conflict', maxAgeHours: 2, label: 'PO conflicts' } });
  const trace = (n: number) => n.toString(16).padStart(32, '0');
  await insert([
    // One cause on two interfaces, in two currencies, ids and amounts differing; one record without money, one without a trace.
    { record: 'INV-1', iface: 'rental-invoicing', entity: 'account.move', at: hoursAgo(100), message: 'Missing analytic distribution on line 3 of INV/2026/00042', amount: 1234.56, currency: 'USD', trace: trace(1) },
    { record: 'INV-2', iface: 'rental-invoicing', entity: 'account.move', at: hoursAgo(10), message: 'Missing analytic distribution on line 1 of INV/2026/00077', amount: 0.01, currency: 'USD' },
    { record: 'INV-2', iface: 'rental-invoicing', entity: 'account.move', status: 'retrying', at: hoursAgo(9), message: 'Missing analytic distribution on line 1 of INV/2026/00077', amount: 10.1, currency: 'USD' },
    { record: 'INV-3', iface: 'field-billing', entity: 'account.move', at: hoursAgo(8), message: 'Missing analytic distribution on line 12 of INV/2026/00101', amount: 99.99, currency: 'EUR', trace: trace(3) },
    { record: 'INV-4', iface: 'field-billing', entity: 'account.move', at: hoursAgo(7), message: 'Missing analytic distribution on line 2 of INV/2026/00102', amount: 0, currency: 'EUR', trace: trace(4) },
    { record: 'INV-5', iface: 'field-billing', entity: 'account.move', at: hoursAgo(6), message: 'Missing analytic distribution on line 5 of INV/2026/00103' },
    // The same text in another category is another cause.
    { record: 'INV-6', iface: 'rental-invoicing', entity: 'account.move', category: 'business_rule', at: hoursAgo(5), message: 'Missing analytic distribution on line 7 of INV/2026/00104', amount: 0, currency: 'USD' },
    // Timesheets: one cause, overdue after 7 days, one record healed by a later success.
    { record: 'TS-1', iface: 'timesheets', entity: 'account.analytic.line', at: hoursAgo(200), message: 'Employee 4411 has no hourly cost' },
    { record: 'TS-2', iface: 'timesheets', entity: 'account.analytic.line', at: hoursAgo(20), message: 'Employee 77 has no hourly cost', trace: trace(6) },
    { record: 'TS-3', iface: 'timesheets', entity: 'account.analytic.line', at: hoursAgo(30), message: 'Employee 12 has no hourly cost' },
    { record: 'TS-3', iface: 'timesheets', entity: 'account.analytic.line', status: 'succeeded', at: hoursAgo(29) },
    // Purchase orders: conflicts (the specific 2 h rule) and a transient error, with a traceback.
    { record: 'PO-1', iface: 'procurement', entity: 'purchase.order', category: 'conflict', at: hoursAgo(3), message: 'could not serialize access due to concurrent update on purchase_order 881', amount: 250, currency: 'CAD' },
    { record: 'PO-2', iface: 'procurement', entity: 'purchase.order', category: 'conflict', at: hoursAgo(1), message: 'could not serialize access due to concurrent update on purchase_order 9', amount: 100, currency: 'CAD', trace: trace(8) },
    { record: 'PO-3', iface: 'procurement', entity: 'purchase.order', category: 'transient', at: hoursAgo(4), message: 'Traceback (most recent call last):\n  File "x.py", line 3\nTimeoutError: timed out after 30.5 s' },
  ]);
  const { syncExceptionCases } = await import('@/lib/exceptions/sync');
  await syncExceptionCases();
  const { acknowledgeCase, assignCase, resolveCase } = await import('@/lib/exceptions/triage');
  await assignCase(users.alice!, (await caseOf('INV-3')).id, users.alice!.id);
  await acknowledgeCase(users.alice!, (await caseOf('INV-4')).id);
  await assignCase(users.bob!, (await caseOf('PO-1')).id, users.bob!.id);
  await acknowledgeCase(users.bob!, (await caseOf('PO-1')).id);
  // Resolved by hand: INV-1 stays out; TS-2, resolved and then failing again, is back (open, still Bob's).
  await resolveCase(users.alice!, (await caseOf('INV-1')).id, 'Fixed in Odoo');
  await assignCase(users.bob!, (await caseOf('TS-2')).id, users.bob!.id);
  await resolveCase(users.bob!, (await caseOf('TS-2')).id, 'Cost added');
  await new Promise((resolve) => setTimeout(resolve, 20));
  await insert([{ record: 'TS-2', iface: 'timesheets', entity: 'account.analytic.line', at: Date.now() - 5, message: 'Employee 77 has no hourly cost', trace: trace(9) }]);
  await new Promise((resolve) => setTimeout(resolve, 5));
});

afterAll(async () => {
  await stores.cleanup();
});

describe('failure queue in ClickHouse', () => {
  it('groups exactly as grouping the same records by the TypeScript normaliser did', async () => {
    const { groups } = await assertSameAsTypeScript(NO_OPTIONS);
    const { recordSignature } = await import('@/lib/exceptions/signature');
    const analytic = groups.find((g) => g.signatureHash === recordSignature('validation', 'Missing analytic distribution on line 9 of INV/2026/00001').hash);
    assert.ok(analytic, 'the invoices share one group');
    assert.equal(analytic.count, 4, 'INV-2..5; INV-1 was resolved by hand');
    assert.deepEqual(analytic.interfaces, ['field-billing', 'rental-invoicing']);
    assert.deepEqual(analytic.amountCents, { USD: 1010, EUR: 9999 }, 'the latest amount of each record, in exact cents');
    assert.deepEqual(groups.find((g) => g.category === 'business_rule')?.amountCents, { USD: 0 }, 'a currency whose amounts add up to zero is kept');
    assert.equal(analytic.acknowledged, 1);
    assert.equal(analytic.unassigned, 3, 'INV-3 is assigned; INV-4 is acknowledged but not assigned');
    assert.equal(analytic.sampleTraceId, '4'.padStart(32, '0'), 'the latest record with a trace');
    const timesheets = groups.find((g) => g.entityTypes.includes('account.analytic.line'));
    assert.equal(timesheets?.count, 2, 'TS-1 and TS-2 (back after its hand resolution); TS-3 succeeded');
    assert.equal(timesheets?.overdue, 1);
    const conflicts = groups.find((g) => g.category === 'conflict');
    assert.equal(conflicts?.overdue, 1, 'PO-1 (3 h) is past the 2 h rule for purchase-order conflicts, PO-2 (1 h) is not');
    assert.equal(groups.length, 5);
  });

  it('lists a record that failed after the last case sync, under its signature', async () => {
    const { queryOne } = await import('@/lib/clickhouse/client');
    const message = 'Duplicate barcode 0042-77 on maintenance.equipment(31,)';
    await insert([{ record: 'EQ-1', iface: 'telematics', entity: 'maintenance.equipment', category: 'duplicate', at: Date.now() - 10, message }]);
    const known = await queryOne<{ n: number }>(`SELECT count() AS n FROM error_signatures WHERE message_hash = cityHash64('duplicate', {message:String})`, { message });
    assert.equal(Number(known?.n), 0, 'no case sync has seen the message yet');
    const { groups } = await assertSameAsTypeScript(NO_OPTIONS);
    const { recordSignature } = await import('@/lib/exceptions/signature');
    const expected = recordSignature('duplicate', message);
    const group = groups.find((g) => g.signatureHash === expected.hash);
    assert.equal(group?.signature, expected.signature);
    assert.equal(group?.count, 1);

    // A new message of a known cause counts in its group when that group is the one selected.
    const fresh = 'Missing analytic distribution on line 4 of INV/2026/00999';
    await insert([{ record: 'INV-7', iface: 'rental-invoicing', entity: 'account.move', at: Date.now() - 10, message: fresh, amount: 1, currency: 'USD' }]);
    const { failureQueue } = await import('@/lib/exceptions/queue');
    const analytic = recordSignature('validation', fresh).hash;
    const selected = await failureQueue(await filtersNow(), { ...NO_OPTIONS, signature: analytic }, { page: 1, pageSize: 25 });
    assert.equal(selected.groups[0]?.count, 5);
    assert.equal(selected.cases[0]?.record.source_record_id, 'INV-7', 'listed first, as the newest');
  });

  it('the case sync writes again the signatures of records still failing before they expire; the queue only fills gaps', async () => {
    const { command, insertRows, queryOne, toClickHouseDateTime } = await import('@/lib/clickhouse/client');
    const { ensureSignatures, recordSignature } = await import('@/lib/exceptions/signature');
    const { SIGNATURE_NORMALIZER_VERSION } = await import('@/lib/ledger/error-signature');
    const { syncExceptionCases } = await import('@/lib/exceptions/sync');
    const messages = Number((await queryOne<{ n: number }>(`SELECT uniqExact(last_error_category, last_error_message) AS n FROM ledger_exception_current WHERE is_open_exception`))?.n);
    await command('TRUNCATE TABLE error_signatures');
    const message = 'Employee 4411 has no hourly cost';
    const { signature, hash } = recordSignature('validation', message);
    const eightDaysAgo = toClickHouseDateTime(new Date(Date.now() - 8 * 86_400_000));
    await insertRows('error_signatures', [{ normalizer_version: SIGNATURE_NORMALIZER_VERSION, error_category: 'validation', error_message: message, signature, signature_hash: hash, created_at: eightDaysAgo }]);
    assert.equal(await ensureSignatures(), messages - 1, 'the queue fills what is missing, and keeps the old row');
    assert.equal(await ensureSignatures(), 0);
    await syncExceptionCases();
    const written = await queryOne<{ at: string }>(`SELECT max(created_at) AS at FROM error_signatures WHERE message_hash = cityHash64('validation', {message:String})`, { message });
    assert.ok(Date.now() - new Date(written!.at).getTime() < 60_000, 'the sync wrote the eight-day-old row again');
    assert.equal(await ensureSignatures({ refresh: true }), 0, 'nothing is older than the refresh age now');
  });

  it('filters by state, assignee, signature, category and entity type in SQL as before', async () => {
    const { recordSignature } = await import('@/lib/exceptions/signature');
    const analytic = recordSignature('validation', 'Missing analytic distribution on line 9 of INV/2026/00001').hash;
    const cases: [Partial<QueueOptions>, number][] = [
      [{ state: 'acknowledged' }, 2],
      [{ state: 'open' }, 10],
      [{ assignee: users.alice!.id }, 1],
      [{ assignee: users.bob!.id }, 2],
      [{ assignee: 'unassigned' }, 9],
      [{ signature: analytic }, 5],
      [{ signature: analytic, state: 'open', assignee: 'unassigned' }, 3],
      [{ category: 'conflict' }, 2],
      [{ entityType: 'purchase.order' }, 3],
      [{ entityType: 'purchase.order', category: 'transient' }, 1],
      [{ state: 'resolved' }, 0],
    ];
    for (const [options, records] of cases) {
      const { groups } = await assertSameAsTypeScript({ ...NO_OPTIONS, ...options });
      assert.equal(groups.reduce((n, g) => n + g.count, 0), records, `${JSON.stringify(options)} keeps ${records} records`);
    }
  });

  it('exports every record of a group, past the page, newest first, the technical message only with details', async () => {
    const { recordSignature } = await import('@/lib/exceptions/signature');
    const { failureQueue, groupRecordExportColumns, groupRecords, parseQueueOptions } = await import('@/lib/exceptions/queue');
    const { exportResponse } = await import('@/lib/api/csv');
    const { parse } = await import('csv-parse/sync');
    const analytic = recordSignature('validation', 'Missing analytic distribution on line 9 of INV/2026/00001').hash;
    const options = parseQueueOptions({ signature: analytic, state: 'not-a-state', assignee: 'me' }, 'viewer-id');
    assert.deepEqual(options, { category: '', state: '', assignee: 'viewer-id', signature: analytic, entityType: '' }, 'an unknown state means both; me is the viewer');
    const all = { ...options, assignee: '' };
    const records = await groupRecords(await filtersNow(), all);
    const firstPage = await failureQueue(await filtersNow(), all, { page: 1, pageSize: 2 });
    assert.equal(records.length, firstPage.groups.find((g) => g.signatureHash === analytic)?.count);
    assert.ok(records.length > 2, 'more than a page');
    assert.deepEqual(records.slice(0, 2).map((r) => r.record.source_record_id), firstPage.cases.map((r) => r.record.source_record_id));
    const times = records.map((r) => r.record.last_event_at);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    assert.deepEqual(await groupRecords(await filtersNow(), { ...all, signature: 'no-such-group' }), []);

    const csv = async (details: boolean) => parse(await (await exportResponse(new Request('http://plumbline.test/x?format=csv'), 'g', groupRecordExportColumns(details), [records])).text()) as string[][];
    const withDetails = await csv(true);
    const without = await csv(false);
    assert.ok(withDetails[0]!.includes('error_message'));
    assert.ok(!without[0]!.includes('error_message'), 'a role without error details gets the business message only');
    assert.equal(without.length, records.length + 1);
    assert.match(without[1]![without[0]!.indexOf('error')]!, /analytic/i);
  });
});
