import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { BOOTSTRAP_KEY, ledgerEvent, postLedger, seedIngestRegistry } from '../support/ingest';

/**
 * With a tiny queue, a request that would overfill it is shed with 429 + Retry-After
 * (never queued, never stored), while the queued request is still acknowledged once
 * its rows are in ClickHouse; the in-flight byte budget sheds the same way; close()
 * flushes what is queued.
 *
 * A lone request is written at once; one arriving less than maxDelayMs after a flush
 * began waits for the next flush. Each test sends one request first so that the next
 * stays queued for the long maxDelayMs below.
 */
const DELAY_MS = 2000;

let stores: TestStores;
let server: { port: number; close(): Promise<void> };

beforeAll(async () => {
  process.env.PLUMBLINE_INGEST_KEY = BOOTSTRAP_KEY;
  stores = await useTestStores();
  await seedIngestRegistry();
  const { startIngestServer } = await import('@/ingest/server');
  server = await startIngestServer({ port: 0, host: '127.0.0.1', batching: { maxQueueItems: 5, maxBatchItems: 1000, maxDelayMs: DELAY_MS } });
});

afterAll(async () => {
  await server.close();
  await stores.cleanup();
});

async function queuedRows(signal: 'ledger' | 'spans', atLeast: number): Promise<void> {
  const { ingestMetrics } = await import('@/lib/ingest/metrics');
  while (ingestMetrics().queueDepth.get({ signal }) < atLeast) await new Promise((r) => setTimeout(r, 5));
}

async function count(sql: string): Promise<number> {
  const { queryOne } = await import('@/lib/clickhouse/client');
  return Number((await queryOne<{ n: number }>(sql))?.n ?? 0);
}

/** A lone ledger request: acknowledged without waiting out maxDelayMs. */
async function sendAlone(port: number, n: number): Promise<void> {
  const started = performance.now();
  const alone = await postLedger(port, JSON.stringify([ledgerEvent(n)]));
  assert.equal(alone.status, 200);
  assert.ok(performance.now() - started < DELAY_MS, 'a lone request is flushed at once');
}

describe('ingest back-pressure', () => {
  it('sheds ledger batches with 429 and Retry-After when the queue is full', async () => {
    await sendAlone(server.port, 1);
    const queued = postLedger(server.port, JSON.stringify([2, 3, 4, 5].map((n) => ledgerEvent(n))));
    await queuedRows('ledger', 4);
    const shed = await postLedger(server.port, JSON.stringify([ledgerEvent(10), ledgerEvent(11)]));
    assert.equal(shed.status, 429);
    assert.ok(Number(shed.headers.get('retry-after')) >= 1);
    assert.equal((shed.body.error as { code: string }).code, 'overloaded');

    const first = await queued;
    assert.equal(first.status, 200);
    assert.equal(first.body.accepted, 4);
    assert.equal(await count(`SELECT count() AS n FROM sync_ledger WHERE event_id IN ('evt-000010', 'evt-000011')`), 0);

    const retried = await postLedger(server.port, JSON.stringify([ledgerEvent(10), ledgerEvent(11)]));
    assert.deepEqual(retried.body, { accepted: 2, duplicates: 0, rejected: [] });
  });

  it('sheds OTLP exports with 429, Retry-After and a google.rpc.Status', async () => {
    const span = (n: number) => ({
      traceId: 'ab'.repeat(15) + String(n).padStart(2, '0'),
      spanId: 'cd'.repeat(8),
      name: 'export',
      kind: 2,
      startTimeUnixNano: '1780000000000000000',
      endTimeUnixNano: '1780000000500000000',
    });
    const body = (spans: unknown[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
    const url = `http://127.0.0.1:${server.port}/v1/traces`;
    const headers = { authorization: `Bearer ${BOOTSTRAP_KEY}`, 'content-type': 'application/json' };
    assert.equal((await fetch(url, { method: 'POST', headers, body: body([span(1)]) })).status, 200);
    const queued = fetch(url, { method: 'POST', headers, body: body([span(2), span(3), span(4)]) });
    await queuedRows('spans', 3);
    const shed = await fetch(url, { method: 'POST', headers, body: body([span(5), span(6), span(7)]) });
    assert.equal(shed.status, 429);
    assert.ok(Number(shed.headers.get('retry-after')) >= 1);
    assert.deepEqual(Object.keys((await shed.json()) as object).sort(), ['code', 'message']);
    assert.equal((await queued).status, 200);
    const shedIds = [5, 6, 7].map((n) => `'${span(n).traceId}'`).join(', ');
    assert.equal(await count(`SELECT count() AS n FROM otel_traces WHERE TraceId IN (${shedIds})`), 0);
    assert.equal(await count(`SELECT count() AS n FROM otel_traces`), 4);
  });

  it('sheds requests beyond the in-flight byte budget, with or without a Content-Length', async () => {
    const { startIngestServer } = await import('@/ingest/server');
    // The queue could take both requests; the budget (smaller than one body) can't.
    const tight = await startIngestServer({ port: 0, host: '127.0.0.1', maxInflightBytes: 256, batching: { maxQueueItems: 1000, maxBatchItems: 1000, maxDelayMs: DELAY_MS } });
    try {
      await sendAlone(tight.port, 20);
      const held = postLedger(tight.port, JSON.stringify([21, 22, 23, 24].map((n) => ledgerEvent(n))));
      await queuedRows('ledger', 4);
      const shed = await postLedger(tight.port, JSON.stringify([ledgerEvent(25)]));
      assert.equal(shed.status, 429);
      assert.ok(Number(shed.headers.get('retry-after')) >= 1);
      assert.equal((shed.body.error as { code: string }).code, 'overloaded');
      // Sent chunked: the budget is checked as the bytes arrive, and the rest is left unread.
      const chunked = await fetch(`http://127.0.0.1:${tight.port}/v1/ledger`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
        body: new Blob([JSON.stringify([ledgerEvent(26)])]).stream(),
        duplex: 'half',
      } as RequestInit & { duplex: 'half' });
      assert.equal(chunked.status, 429);
      assert.equal(chunked.headers.get('connection'), 'close');
      assert.equal((await held).body.accepted, 4, 'a body larger than the budget still goes through when it is alone');
      assert.equal(await count(`SELECT count() AS n FROM sync_ledger WHERE event_id IN ('evt-000025', 'evt-000026')`), 0);
      assert.deepEqual((await postLedger(tight.port, JSON.stringify([ledgerEvent(25)]))).body, { accepted: 1, duplicates: 0, rejected: [] });
    } finally {
      await tight.close();
    }
  });

  it('flushes queued rows on close before returning', async () => {
    await sendAlone(server.port, 49);
    const pending = postLedger(server.port, JSON.stringify([ledgerEvent(50), ledgerEvent(51)]));
    await queuedRows('ledger', 2);
    await server.close();
    assert.equal((await pending).status, 200);
    assert.equal(await count(`SELECT count() AS n FROM sync_ledger WHERE event_id IN ('evt-000050', 'evt-000051')`), 2);
    const { startIngestServer } = await import('@/ingest/server');
    server = await startIngestServer({ port: 0, host: '127.0.0.1' });
  });
});
