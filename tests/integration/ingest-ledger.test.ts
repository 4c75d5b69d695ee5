import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { useTestStores, type TestStores } from '../support/stores';
import { BOOTSTRAP_KEY, ledgerEvent, postLedger, seedIngestRegistry, type SeededRegistry } from '../support/ingest';

/**
 * POST /v1/ledger against real chDB and PostgreSQL: per-event replies, idempotency
 * across requests and restarts, every bad-input class, key scope and revocation,
 * schema drift and unregistered interfaces.
 */
let stores: TestStores;
let registry: SeededRegistry;
let server: { port: number; close(): Promise<void> };
const MAX_BODY = 64 * 1024;

type Ingest = typeof import('@/ingest/server');

async function start(): Promise<void> {
  const { startIngestServer } = (await import('@/ingest/server')) as Ingest;
  server = await startIngestServer({ port: 0, host: '127.0.0.1', maxBodyBytes: MAX_BODY });
}

async function count(sql: string, params: Record<string, unknown> = {}): Promise<number> {
  const { queryOne } = await import('@/lib/clickhouse/client');
  return Number((await queryOne<{ n: number }>(sql, params))?.n ?? 0);
}

/** Every record's state once what this process stored has been fed to it. */
async function recordState(): Promise<unknown[]> {
  const { ledgerStateFed } = await import('@/lib/ledger/state-feed');
  await ledgerStateFed();
  const { queryRows } = await import('@/lib/clickhouse/client');
  return queryRows(
    `SELECT interface_id, source_record_id, attempts, failures, last_status, last_event_id, amount, schema_drift
     FROM ledger_record_current ORDER BY interface_id, source_record_id`,
  );
}

beforeAll(async () => {
  process.env.PLUMBLINE_INGEST_KEY = BOOTSTRAP_KEY;
  stores = await useTestStores();
  registry = await seedIngestRegistry();
  await start();
});

afterAll(async () => {
  await server.close();
  await stores.cleanup();
});

describe('POST /v1/ledger', () => {
  it('stores the valid events of a batch and rejects the invalid ones by index with field errors', async () => {
    const batch = [
      ledgerEvent(1),
      ledgerEvent(2, { status: 'failed' }),
      ledgerEvent(3, { currency: 'usd' }),
      'not an event',
      ledgerEvent(4, { status: 'failed', error: { category: 'validation', code: 'ValidationError', message: 'Missing analytic account' } }),
    ];
    const res = await postLedger(server.port, JSON.stringify(batch));
    assert.equal(res.status, 200);
    assert.equal(res.body.accepted, 2);
    assert.equal(res.body.duplicates, 0);
    const rejected = res.body.rejected as { index: number; event_id?: string; errors: string[] }[];
    assert.deepEqual(
      rejected.map((r) => [r.index, r.event_id]),
      [
        [1, 'evt-000002'],
        [2, 'evt-000003'],
        [3, undefined],
      ],
    );
    assert.ok(rejected[0]!.errors.some((e) => e.startsWith('error: ')), rejected[0]!.errors.join());
    assert.ok(rejected[1]!.errors.some((e) => e.startsWith('currency: ')), rejected[1]!.errors.join());
    assert.equal(await count('SELECT count() AS n FROM sync_ledger'), 2);
    const stored = await count(`SELECT count() AS n FROM sync_ledger WHERE event_id = 'evt-000004' AND error_category = 'validation' AND interface_id = 'rental-invoicing'`);
    assert.equal(stored, 1);
  });

  it('reports a resent batch as duplicates and changes no stored figure', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => ledgerEvent(100 + i));
    const first = await postLedger(server.port, JSON.stringify({ events: batch }));
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { accepted: 50, duplicates: 0, rejected: [] });
    const rowsBefore = await count('SELECT count() AS n FROM sync_ledger');
    const stateBefore = await recordState();

    const again = await postLedger(server.port, JSON.stringify({ events: batch }));
    assert.deepEqual(again.body, { accepted: 0, duplicates: 50, rejected: [] });
    assert.equal(await count('SELECT count() AS n FROM sync_ledger'), rowsBefore);
    assert.deepEqual(await recordState(), stateBefore);
  });

  it('counts a repeated event_id inside one batch once', async () => {
    const res = await postLedger(server.port, JSON.stringify([ledgerEvent(200), ledgerEvent(200), ledgerEvent(201)]));
    assert.deepEqual(res.body, { accepted: 2, duplicates: 1, rejected: [] });
    assert.equal(await count(`SELECT count() AS n FROM sync_ledger WHERE event_id = 'evt-000200'`), 1);
  });

  it('accepts NDJSON, gzip-compressed, with blank lines', async () => {
    const ndjson = [ledgerEvent(300), ledgerEvent(301)].map((e) => JSON.stringify(e)).join('\n\n') + '\n';
    const res = await postLedger(server.port, zlib.gzipSync(ndjson), { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { accepted: 2, duplicates: 0, rejected: [] });
  });

  it('answers 400 saying where the body is broken', async () => {
    const json = await postLedger(server.port, '[{"event_id": "x",\n  "interface": }]');
    assert.equal(json.status, 400);
    const jsonError = json.body.error as { code: string; message: string };
    assert.equal(jsonError.code, 'bad_request');
    assert.match(jsonError.message, /line 2, column/);

    const ndjson = await postLedger(server.port, `${JSON.stringify(ledgerEvent(400))}\n{oops\n`, { 'content-type': 'application/x-ndjson' });
    assert.equal(ndjson.status, 400);
    assert.match((ndjson.body.error as { message: string }).message, /line 2/);

    const shape = await postLedger(server.port, '{"rows": []}');
    assert.equal(shape.status, 400);

    const badGzip = await postLedger(server.port, Buffer.from('definitely not gzip'), { 'content-encoding': 'gzip' });
    assert.equal(badGzip.status, 400);
    assert.equal(await count(`SELECT count() AS n FROM sync_ledger WHERE event_id = 'evt-000400'`), 0);
  });

  it('answers 415 for other content types and encodings', async () => {
    assert.equal((await postLedger(server.port, '[]', { 'content-type': 'text/csv' })).status, 415);
    assert.equal((await postLedger(server.port, '[]', { 'content-encoding': 'br' })).status, 415);
  });

  it('answers 413 for bodies over the limit, before and after gunzip', async () => {
    const big = JSON.stringify(Array.from({ length: 600 }, (_, i) => ledgerEvent(10_000 + i)));
    assert.ok(big.length > MAX_BODY);
    const plain = await postLedger(server.port, big);
    assert.equal(plain.status, 413);
    assert.equal((plain.body.error as { code: string }).code, 'payload_too_large');

    const bomb = zlib.gzipSync(Buffer.alloc(10 * MAX_BODY, 0x20));
    assert.ok(bomb.length < MAX_BODY);
    const inflated = await postLedger(server.port, bomb, { 'content-encoding': 'gzip' });
    assert.equal(inflated.status, 413);
    assert.equal(await count(`SELECT count() AS n FROM sync_ledger WHERE event_id = 'evt-010000'`), 0);
  });

  it('answers 401 without a key, with a wrong key and with a revoked key', async () => {
    const { createIngestApiKey, revokeIngestApiKey } = await import('@/lib/ingest/api-keys');
    assert.equal((await postLedger(server.port, '[]', { authorization: '' })).status, 401);
    assert.equal((await postLedger(server.port, '[]', { authorization: 'Bearer plk_wrong' })).status, 401);

    const key = await createIngestApiKey({ name: 'rental invoicing', interfaceId: registry.interfaceIds['rental-invoicing']! });
    const ok = await postLedger(server.port, JSON.stringify([ledgerEvent(500)]), { authorization: '', 'x-plumbline-key': key.key });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.accepted, 1);
    await revokeIngestApiKey(key.id);
    const revoked = await postLedger(server.port, JSON.stringify([ledgerEvent(501)]), { authorization: `Bearer ${key.key}` });
    assert.equal(revoked.status, 401);
    assert.equal((revoked.body.error as { code: string }).code, 'unauthorized');
  });

  it('rejects events for an interface outside the key scope and keeps the in-scope ones', async () => {
    const { createIngestApiKey } = await import('@/lib/ingest/api-keys');
    const key = await createIngestApiKey({ name: 'vendor bills', interfaceId: registry.interfaceIds['vendor-bills']! });
    const res = await postLedger(server.port, JSON.stringify([ledgerEvent(600, { interface_id: 'vendor-bills' }), ledgerEvent(601)]), {
      authorization: `Bearer ${key.key}`,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.accepted, 1);
    const rejected = res.body.rejected as { index: number; reason: string; errors: string[] }[];
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.index, 1);
    assert.equal(rejected[0]!.reason, 'out_of_scope');
    assert.match(rejected[0]!.errors[0]!, /vendor-bills/);
  });

  it('rotation keeps the old key working until it expires', async () => {
    const { createIngestApiKey, rotateIngestApiKey } = await import('@/lib/ingest/api-keys');
    const old = await createIngestApiKey({ name: 'rotating', interfaceId: registry.interfaceIds['rental-invoicing']! });
    const fresh = await rotateIngestApiKey(old.id, 60_000);
    assert.equal((await postLedger(server.port, JSON.stringify([ledgerEvent(650)]), { authorization: `Bearer ${old.key}` })).status, 200);
    assert.equal((await postLedger(server.port, JSON.stringify([ledgerEvent(651)]), { authorization: `Bearer ${fresh.key}` })).status, 200);
    const { prisma } = await import('@/lib/db/client');
    const db = await prisma();
    await db.ingestApiKey.update({ where: { id: old.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const { invalidateIngestKeyCache } = await import('@/lib/ingest/api-keys');
    invalidateIngestKeyCache();
    assert.equal((await postLedger(server.port, JSON.stringify([ledgerEvent(652)]), { authorization: `Bearer ${old.key}` })).status, 401);
  });

  it('flags events whose schema version is not approved for their interface', async () => {
    const res = await postLedger(server.port, JSON.stringify([ledgerEvent(700, { schema_version: '2.0' }), ledgerEvent(701)]));
    assert.equal(res.body.accepted, 2);
    const { queryRows } = await import('@/lib/clickhouse/client');
    const rows = await queryRows<{ event_id: string; schema_drift: number }>(
      `SELECT event_id, schema_drift FROM sync_ledger WHERE event_id IN ('evt-000700', 'evt-000701') ORDER BY event_id`,
    );
    assert.deepEqual(rows, [
      { event_id: 'evt-000700', schema_drift: 1 },
      { event_id: 'evt-000701', schema_drift: 0 },
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    assert.match(metrics, /plumbline_ingest_schema_drift_total\{interface="rental-invoicing"\} [1-9]/);
  });

  it('accepts unregistered interfaces with the bootstrap key, records them, and refuses blocked ones', async () => {
    const res = await postLedger(server.port, JSON.stringify([ledgerEvent(800, { interface_id: 'legacy-ftp-costs' })]));
    assert.equal(res.body.accepted, 1);
    const { prisma } = await import('@/lib/db/client');
    const db = await prisma();
    const seen = await db.unregisteredInterface.findUnique({ where: { key: 'legacy-ftp-costs' } });
    assert.ok(seen);

    await db.unregisteredInterface.update({ where: { key: 'legacy-ftp-costs' }, data: { blocked: true } });
    const { invalidateInterfaceCatalog } = await import('@/lib/ingest/interfaces');
    invalidateInterfaceCatalog();
    const blocked = await postLedger(server.port, JSON.stringify([ledgerEvent(801, { interface_id: 'legacy-ftp-costs' })]));
    assert.equal(blocked.body.accepted, 0);
    assert.equal((blocked.body.rejected as { reason: string }[])[0]!.reason, 'interface_blocked');
  });

  it('stores each event once, and every event of a record, when two requests arrive at once', async () => {
    const { startIngestServer } = (await import('@/ingest/server')) as Ingest;
    // No delay between flushes: each request is flushed as soon as it can be, not gathered with the other.
    const eager = await startIngestServer({ port: 0, host: '127.0.0.1', batching: { maxDelayMs: 0 } });
    try {
      const batch = JSON.stringify(Array.from({ length: 200 }, (_, i) => ledgerEvent(1000 + i)));
      const replies = await Promise.all([postLedger(eager.port, batch), postLedger(eager.port, batch)]);
      assert.deepEqual(
        replies.map((r) => r.body.accepted + ':' + r.body.duplicates).sort(),
        ['0:200', '200:0'],
      );
      assert.equal(await count(`SELECT count() AS n FROM sync_ledger WHERE event_id >= 'evt-001000' AND event_id < 'evt-001200'`), 200);

      // Two requests about the same records at once: a success each, then a failure each.
      // The exception state's views read what is stored of a record, so both must count once fed.
      const records = Array.from({ length: 100 }, (_, i) => 2000 + i);
      const successes = records.map((n) => ledgerEvent(n, { event_id: `ok-${n}` }));
      const failures = records.map((n) =>
        ledgerEvent(n, { event_id: `fail-${n}`, status: 'failed', occurred_at: new Date(Date.UTC(2026, 10, 2)).toISOString(), error: { category: 'validation', code: 'ValidationError', message: 'Missing analytic account' } }),
      );
      const [ok, failed] = await Promise.all([postLedger(eager.port, JSON.stringify(successes)), postLedger(eager.port, JSON.stringify(failures))]);
      assert.equal(ok.body.accepted, 100);
      assert.equal(failed.body.accepted, 100);
      const { ledgerStateFed } = await import('@/lib/ledger/state-feed');
      await ledgerStateFed();
      const { queryRows } = await import('@/lib/clickhouse/client');
      const state = await queryRows<{ attempts: number; failures: number; n: number }>(
        `SELECT attempts, failures, count() AS n FROM ledger_exception_current
         WHERE source_record_id IN {ids:Array(String)} GROUP BY attempts, failures`,
        { ids: records.map((n) => `INV-${n}`) },
      );
      assert.deepEqual(state, [{ attempts: 2, failures: 1, n: 100 }]);
    } finally {
      await eager.close();
    }
  });

  it('loses nothing across a restart between two sends', async () => {
    const first = Array.from({ length: 20 }, (_, i) => ledgerEvent(900 + i));
    const second = Array.from({ length: 20 }, (_, i) => ledgerEvent(920 + i));
    assert.equal((await postLedger(server.port, JSON.stringify(first))).body.accepted, 20);
    await server.close();
    await start();
    const res = await postLedger(server.port, JSON.stringify([...first, ...second]));
    assert.deepEqual(res.body, { accepted: 20, duplicates: 20, rejected: [] });
    assert.equal(await count(`SELECT count() AS n FROM sync_ledger WHERE event_id >= 'evt-000900' AND event_id < 'evt-000940'`), 40);
  });

  it('acknowledges once the events are stored, and feeds their state after, retrying until it can', async () => {
    const { command, queryOne } = await import('@/lib/clickhouse/client');
    const { ingestMetrics } = await import('@/lib/ingest/metrics');
    const { ledgerStateFed } = await import('@/lib/ledger/state-feed');
    const failures = () => ingestMetrics().stateFeedFailures.get();
    const failedBefore = failures();
    // The state cannot be written while its table is detached: every feed fails.
    await command('DETACH TABLE ledger_records');
    try {
      const res = await postLedger(server.port, JSON.stringify([ledgerEvent(950)]));
      assert.equal(res.body.accepted, 1, 'acknowledged while the state cannot be fed');
      assert.equal(await count(`SELECT count() AS n FROM sync_ledger WHERE event_id = 'evt-000950'`), 1);
      while (failures() === failedBefore) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await command('ATTACH TABLE ledger_records');
    }
    await ledgerStateFed();
    const state = await queryOne<{ attempts: number; last_status: string }>(
      `SELECT attempts, last_status FROM ledger_record_current WHERE source_record_id = 'INV-950'`,
    );
    assert.deepEqual(state, { attempts: 1, last_status: 'succeeded' }, 'fed once ClickHouse takes the insert again');
  });

  it('feeds again, when ingest starts, events stored but not fed before a stop', async () => {
    const { insertRows, queryOne } = await import('@/lib/clickhouse/client');
    const { toLedgerRow } = await import('@/lib/ledger/row');
    const { ledgerEventSchema } = await import('@/lib/ledger/event');
    // What a process that stopped between acknowledging and feeding leaves: the row in sync_ledger only.
    await insertRows('sync_ledger', [toLedgerRow(ledgerEventSchema.parse(ledgerEvent(960)), false, new Date())]);
    const stateOf = () => queryOne<{ attempts: number }>(`SELECT attempts FROM ledger_record_current WHERE source_record_id = 'INV-960'`);
    assert.equal(await stateOf(), undefined, 'not in the state');
    await server.close();
    await start();
    assert.deepEqual(await stateOf(), { attempts: 1 });
  });

  it('serves healthz, readyz and Prometheus metrics', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', clickhouse: true, postgres: true });
    const metrics = await fetch(`${base}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await metrics.text();
    for (const name of ['received', 'accepted', 'duplicates']) {
      assert.match(text, new RegExp(`plumbline_ingest_${name}_total\\{signal="ledger"\\} [1-9]`));
    }
    assert.match(text, /plumbline_ingest_rejected_total\{reason="invalid",signal="ledger"\} [1-9]/);
    assert.match(text, /plumbline_ingest_rejected_total\{reason="out_of_scope",signal="ledger"\} [1-9]/);
    assert.match(text, /plumbline_ingest_batch_rows_count\{signal="ledger"\} [1-9]/);
    assert.match(text, /plumbline_ingest_flush_seconds_bucket\{signal="ledger",le="\+Inf"\} [1-9]/);
    assert.match(text, /plumbline_ingest_queue_rows\{signal="ledger"\} 0/);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/v1/ledger`)).status, 405);
  });
});
