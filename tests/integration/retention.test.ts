import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createAdminViewer, useTestStores, type TestStores } from '../support/stores';
import { ledgerEvent } from '../support/ingest';
import { prisma } from '@/lib/db/client';
import { command, insertRows, queryRows } from '@/lib/clickhouse/client';
import type { Viewer } from '@/lib/auth/session';
import { AdminFormError } from '@/lib/admin/errors';
import { applyClickHouseRetention, purgeWebhookDeliveries, saveRetention } from '@/lib/admin/retention';
import { appendLedgerEvents } from '@/lib/ledger/store';

/** Retention settings are enforced: ClickHouse TTLs on chDB, the webhook log on real PostgreSQL. */
let stores: TestStores;
let admin: Viewer;
const DAY = 86_400_000;

beforeAll(async () => {
  stores = await useTestStores();
  admin = await createAdminViewer();
});

afterAll(async () => {
  await stores.cleanup();
});

async function ttlOf(table: string): Promise<string> {
  const [row] = await queryRows<{ engine_full: string }>('SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {table:String}', { table });
  return /TTL (.*?)(?: SETTINGS|$)/.exec(row?.engine_full ?? '')?.[1] ?? '';
}

const span = (traceId: string, at: Date) => ({
  Timestamp: at.toISOString().replace('T', ' ').replace('Z', ''),
  TraceId: traceId, SpanId: '1'.repeat(16), ParentSpanId: '', TraceState: '', SpanName: 'export', SpanKind: 'Internal', ServiceName: 'rentaldesk',
  ResourceAttributes: {}, ScopeName: '', ScopeVersion: '', SpanAttributes: {}, Duration: 1_000_000, StatusCode: 'Ok', StatusMessage: '',
  'Events.Timestamp': [], 'Events.Name': [], 'Events.Attributes': [], 'Links.TraceId': [], 'Links.SpanId': [], 'Links.TraceState': [], 'Links.Attributes': [],
});

describe('retention', () => {
  test('the defaults become table TTLs once; applying again changes nothing', async () => {
    const changed = await applyClickHouseRetention();
    assert.deepEqual(changed.map((c) => c.table).sort(), ['otel_traces', 'otel_traces_trace_id_ts', 'plumbline_ledger_event_ids', 'plumbline_span_ids', 'sync_ledger']);
    assert.match(await ttlOf('sync_ledger'), /toDateTime\(occurred_at\) \+ toIntervalDay\(730\)/);
    assert.match(await ttlOf('otel_traces'), /toDateTime\(Timestamp\) \+ toIntervalDay\(30\)/);
    assert.deepEqual(await applyClickHouseRetention(), []);
  });

  test('an admin’s change is applied and audited; expired ledger events and spans are dropped, recent ones kept', async () => {
    await assert.rejects(saveRetention(admin, { 'retention.ledgerDays': '0', 'retention.tracesDays': '7', 'retention.webhookDeliveriesDays': '14' }, null), AdminFormError);
    assert.match(await ttlOf('sync_ledger'), /toIntervalDay\(730\)/, 'a rejected form changes nothing');

    await saveRetention(admin, { 'retention.ledgerDays': '30', 'retention.tracesDays': '7', 'retention.webhookDeliveriesDays': '14' }, '10.0.0.9');
    assert.match(await ttlOf('sync_ledger'), /toIntervalDay\(30\)/);
    assert.match(await ttlOf('plumbline_span_ids'), /toIntervalDay\(7\)/);
    const db = await prisma();
    const audited = await db.auditLog.findMany({ where: { action: 'setting.changed' }, orderBy: { id: 'asc' } });
    assert.deepEqual(audited.map((a) => [a.targetId, a.after]), [
      ['retention.ledgerDays', { days: 30 }],
      ['retention.tracesDays', { days: 7 }],
      ['retention.webhookDeliveriesDays', { days: 14 }],
    ]);

    const now = Date.now();
    const result = await appendLedgerEvents([
      ledgerEvent(1, { occurred_at: new Date(now - 40 * DAY).toISOString() }),
      ledgerEvent(2, { occurred_at: new Date(now - 2 * DAY).toISOString() }),
    ]);
    assert.equal(result.accepted, 2);
    await insertRows('otel_traces', [span('a'.repeat(32), new Date(now - 10 * DAY)), span('b'.repeat(32), new Date(now - DAY))]);
    // Merges apply TTLs in the background; OPTIMIZE FINAL makes it happen now.
    await command('OPTIMIZE TABLE sync_ledger FINAL');
    await command('OPTIMIZE TABLE otel_traces FINAL');
    const events = await queryRows<{ event_id: string }>('SELECT event_id FROM sync_ledger ORDER BY event_id');
    assert.deepEqual(events.map((e) => e.event_id), ['evt-000002']);
    const traces = await queryRows<{ TraceId: string }>('SELECT TraceId FROM otel_traces');
    assert.deepEqual(traces.map((t) => t.TraceId), ['b'.repeat(32)]);
  });

  test('finished webhook deliveries past retention are purged; pending ones and recent ones stay', async () => {
    const db = await prisma();
    const endpoint = await db.webhookEndpoint.create({ data: { name: 'ops', url: 'https://hooks.example.com/p', events: ['slo.alert'] } });
    const now = new Date();
    const old = new Date(now.getTime() - 20 * DAY);
    const recent = new Date(now.getTime() - 3 * DAY);
    const make = (status: string, createdAt: Date) => db.webhookDelivery.create({ data: { endpointId: endpoint.id, event: 'slo.alert', payload: {}, status, createdAt } });
    const kept = [await make('pending', old), await make('delivered', recent), await make('failed', recent)].map((d) => d.id).sort();
    await make('delivered', old);
    await make('failed', old);
    assert.equal(await purgeWebhookDeliveries(now), 2);
    const left = (await db.webhookDelivery.findMany({ select: { id: true } })).map((d) => d.id).sort();
    assert.deepEqual(left, kept);
  });
});
