import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useTestStores, type TestStores } from '../support/stores';

/**
 * The demo estate loads through the real ingest even while it sheds load: a busy machine
 * can keep the ingest queue full for longer than the OTLP exporter's own five attempts,
 * and start-up must not fail for it. A relay in front of the ingest sheds the first
 * requests (503 + Retry-After, as the ingest does) and passes the rest through.
 */
const KEY = 'demo-send-test-key-0123456789abcdef';
/**
 * How long the relay sheds each kind of request from the first one on. With Retry-After: 0
 * the OTLP exporter spends its five attempts in milliseconds, and a sender that gives up
 * after a fixed number of attempts would too.
 */
const SHED_FOR_MS = 2000;

const FORWARDED_HEADERS = ['authorization', 'content-type', 'content-encoding'];

let stores: TestStores;
let ingest: { port: number; close(): Promise<void> };
let relay: http.Server;
const shed = { traces: 0, ledger: 0 };
const firstSeen: Partial<Record<keyof typeof shed, number>> = {};

function startSheddingRelay(target: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const kind = path.startsWith('/v1/traces') ? 'traces' : 'ledger';
      firstSeen[kind] ??= Date.now();
      if (Date.now() - firstSeen[kind] < SHED_FOR_MS) {
        shed[kind] += 1;
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"error":{"code":"shed_by_test"}}');
        return;
      }
      const headers = Object.fromEntries(FORWARDED_HEADERS.flatMap((name) => (typeof req.headers[name] === 'string' ? [[name, req.headers[name]]] : [])));
      fetch(`${target}${path}`, { method: req.method, headers, body: Buffer.concat(chunks) })
        .then(async (reply) => {
          res.writeHead(reply.status, { 'content-type': reply.headers.get('content-type') ?? 'application/octet-stream' });
          res.end(Buffer.from(await reply.arrayBuffer()));
        })
        .catch((error: unknown) => res.writeHead(502).end(String(error)));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  process.env.PLUMBLINE_INGEST_KEY = KEY;
  stores = await useTestStores();
  const { seedDemoRegistry } = await import('@/lib/demo/estate');
  await seedDemoRegistry();
  const { startIngestServer } = await import('@/ingest/server');
  ingest = await startIngestServer({ port: 0, host: '127.0.0.1' });
  relay = await startSheddingRelay(`http://127.0.0.1:${ingest.port}`);
});

afterAll(async () => {
  await new Promise((resolve) => relay.close(resolve));
  await ingest.close();
  await stores.cleanup();
});

describe('demo estate load', () => {
  it('retries what a shedding ingest refused until every event and span is stored', async () => {
    const { loadDemoTraffic } = await import('@/lib/demo/estate');
    const { queryOne } = await import('@/lib/clickhouse/client');
    const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;

    const result = await loadDemoTraffic(relayUrl, () => undefined, { scale: 0.05 });

    assert.ok(shed.traces > 5, `the relay shed ${shed.traces} trace exports`);
    assert.ok(shed.ledger > 1, `the relay shed ${shed.ledger} ledger batches`);
    assert.ok(result.events > 0 && result.spans > 0);
    assert.equal(result.rejected, 0);
    assert.equal(result.accepted + result.duplicates, result.events);
    const stored = await queryOne<{ events: string; spans: string }>(
      'SELECT (SELECT count() FROM sync_ledger) AS events, (SELECT count() FROM otel_traces) AS spans',
    );
    assert.equal(Number(stored?.events), result.accepted);
    assert.equal(Number(stored?.spans), result.spans);
  });
});
