import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/**
 * Kept hourly SLI figures (lib/slo/hourly.ts) against hand-computed figures: a read keeps the
 * closed hours, the next one recomputes only from the first hour a new event can change, and
 * an event that moves a sync out of a kept hour leaves that hour empty. Success SLI, 7-day
 * window (hourly buckets), as of 12:00.
 *
 *   S1 failed 09:10, succeeded 09:20 (synced 09:20:30)  good in 09, latency 630 s done in 09
 *   S2 failed 08:30                                      bad in 08
 *   S3 succeeded 07:05 (synced 07:05:10)                 good in 07, latency 10 s done in 07
 *   S4 dead-lettered 11:30                               bad in 11
 *
 * All of these were ingested an hour ago (wall clock), so nothing is new to the first read.
 */
let stores: TestStores;
const NOW = new Date('2026-11-20T12:00:00.000Z');
const DEF = { interfaceKey: 'iface-h', sliKind: 'success' as const, thresholdMs: null, spanName: null, windowDays: 7 };
const at = (hhmm: string) => new Date(`2026-11-20T${hhmm}:00.000Z`);
const hour = (hh: string) => at(`${hh}:00`).getTime();

let seq = 0;
function event(syncKey: string, status: string, occurred: string, ingestedAt: Date, synced: string | null = null) {
  return {
    event_id: `h-${++seq}`,
    sync_key: syncKey,
    interface_id: DEF.interfaceKey,
    source_system: 'rentaldesk',
    target_system: 'odoo',
    entity_type: 'account.move',
    event_type: 'invoice.sync',
    operation: 'create',
    source_record_id: syncKey,
    status,
    error_category: status === 'succeeded' ? '' : 'transient',
    error_message: status === 'succeeded' ? '' : 'timeout',
    occurred_at: at(occurred).getTime(),
    synced_at: synced === null ? null : new Date(`2026-11-20T${synced}.000Z`).getTime(),
    ingested_at: ingestedAt.getTime(),
  };
}

const anHourAgo = () => new Date(Date.now() - 3_600_000);

async function figures(now: Date, reader: 'page' | 'job' = 'page') {
  const { ledgerHourlyFigures } = await import('@/lib/slo/hourly');
  const result = await ledgerHourlyFigures('ledger_success', DEF, now, now.getTime() - 7 * 86_400_000, reader);
  return {
    computedFrom: result.computedFromMs === null ? null : new Date(result.computedFromMs).toISOString(),
    asOf: new Date(result.asOfMs).toISOString(),
    hours: Object.fromEntries(result.hours.map((h) => [new Date(h.hourMs).toISOString().slice(11, 13), [h.total, h.bad, h.latencyCount, h.p50]])),
  };
}

beforeAll(async () => {
  stores = await useTestStores();
  const old = anHourAgo();
  await insertLedgerRows([
    event('S1', 'failed', '09:10', old),
    event('S1', 'succeeded', '09:20', old, '09:20:30'),
    event('S2', 'failed', '08:30', old),
    event('S3', 'succeeded', '07:05', old, '07:05:10'),
    event('S4', 'dead_lettered', '11:30', old),
  ]);
});

afterAll(async () => {
  await stores.cleanup();
});

describe('kept hourly SLI figures', () => {
  it('computes every hour on the first read, then keeps the closed ones', async () => {
    const first = await figures(NOW);
    assert.equal(first.computedFrom, '2026-11-13T12:00:00.000Z');
    const expected = { '07': [1, 0, 1, 10_000], '08': [1, 1, 0, 0], '09': [1, 0, 1, 630_000], '11': [1, 1, 0, 0] };
    assert.deepEqual(first.hours, expected);
    const again = await figures(new Date(NOW.getTime() + 60_000));
    assert.deepEqual([again.computedFrom, again.asOf], [null, NOW.toISOString()], 'within two minutes: the last computation, as it was');
    assert.deepEqual(again.hours, expected);
    const later = await figures(at('12:03'));
    assert.equal(later.computedFrom, NOW.toISOString(), 'nothing changed: only the open hour is computed');
    assert.deepEqual(later.hours, expected);
  });

  it('sees an event dated after the last read even when it was ingested before it', async () => {
    // S4 succeeds at 12:30 (synced 12:30:05); the event was stamped an hour ago, before the kept hours were computed.
    await insertLedgerRows([event('S4', 'succeeded', '12:30', anHourAgo(), '12:30:05')]);
    const later = await figures(at('13:00'));
    assert.equal(later.computedFrom, new Date(hour('11')).toISOString());
    assert.deepEqual(later.hours, { '07': [1, 0, 1, 10_000], '08': [1, 1, 0, 0], '09': [1, 0, 1, 630_000], '12': [1, 0, 1, 3_605_000] });
  });

  it('recomputes from the start of a sync that gained an event, and empties the hour it left', async () => {
    // S2's retry succeeds at 10:40, ingested now: S2 is good in 10 (latency 2 h 10 min 30 s) and no longer bad in 08.
    await insertLedgerRows([event('S2', 'succeeded', '10:40', new Date(), '10:40:30')]);
    const after = await figures(at('13:05'));
    assert.equal(after.computedFrom, new Date(hour('08')).toISOString());
    assert.deepEqual(after.hours, { '07': [1, 0, 1, 10_000], '09': [1, 0, 1, 630_000], '10': [1, 0, 1, 7_830_000], '12': [1, 0, 1, 3_605_000] });
  });

  it('computes a read as of an earlier instant in full and keeps nothing from it', async () => {
    const earlier = await figures(at('10:00'));
    assert.equal(earlier.computedFrom, '2026-11-13T10:00:00.000Z');
    // As of 10:00, S2 has only failed (08:30) and S4 has not happened yet.
    assert.deepEqual(earlier.hours, { '07': [1, 0, 1, 10_000], '08': [1, 1, 0, 0], '09': [1, 0, 1, 630_000] });
    // The 13:05 computation is still the one kept.
    const again = await figures(at('13:06'));
    assert.deepEqual([again.computedFrom, again.asOf], [null, at('13:05').toISOString()]);
    assert.deepEqual(again.hours, { '07': [1, 0, 1, 10_000], '09': [1, 0, 1, 630_000], '10': [1, 0, 1, 7_830_000], '12': [1, 0, 1, 3_605_000] });
  });

  it('gives the detail page the same history, quantiles and worst records from kept hours as from a full computation', async () => {
    const { sloDetail } = await import('@/lib/slo/detail');
    const kept = await sloDetail(DEF, at('13:10'), 7);
    const { command } = await import('@/lib/clickhouse/client');
    await command('TRUNCATE TABLE slo_hour_refreshes');
    const full = await sloDetail(DEF, at('13:10'), 7);
    assert.deepEqual(kept, full);
    // Every sync ends good: most events first, then the latest; S3 comes from a kept hour (07).
    assert.deepEqual(
      kept.worst.map((w) => [w.sourceRecordId, w.status, w.attempts]),
      [['S4', 'succeeded', 2], ['S2', 'succeeded', 2], ['S1', 'succeeded', 2], ['S3', 'succeeded', 1]],
    );
    assert.deepEqual(
      full.history.map((b) => [b.at.slice(11, 13), b.total, b.bad]),
      [['07', 1, 0], ['09', 1, 0], ['10', 1, 0], ['12', 1, 0]],
    );
  });

  it('has the minute job compute every time, and the whole window on its first run in an hour', async () => {
    const first = await figures(at('13:20'), 'job');
    const again = await figures(new Date(at('13:20').getTime() + 30_000), 'job');
    assert.notEqual(again.computedFrom, null, 'not the last computation as it was');
    // An event stamped long before it became visible (older than the visibility margin), in an hour
    // no change reopened (S2's retry, moments old, reopens 08:00 onwards): no read sees it as new.
    await insertLedgerRows([event('S5', 'failed', '07:30', anHourAgo())]);
    const missed = await figures(at('13:30'), 'job');
    assert.deepEqual(missed.hours['07'], first.hours['07']);
    const nextHour = await figures(at('14:01'), 'job');
    assert.equal(nextHour.computedFrom, '2026-11-13T14:00:00.000Z');
    assert.deepEqual(nextHour.hours['07'], [2, 1, 1, 10_000]);
  });

  it("has every job run keep its figures, so pages show the latest run's", async () => {
    const { ledgerHourlyFigures } = await import('@/lib/slo/hourly');
    const quiet = { ...DEF, interfaceKey: 'iface-quiet' };
    await insertLedgerRows([{ ...event('Q1', 'failed', '11:10', anHourAgo()), interface_id: 'iface-quiet' }]);
    const read = (now: Date, reader: 'page' | 'job') => ledgerHourlyFigures('ledger_success', quiet, now, now.getTime() - 7 * 86_400_000, reader);
    await read(at('13:20'), 'job');
    const second = await read(new Date(at('13:20').getTime() + 30_000), 'job');
    assert.equal(second.computedFromMs, hour('13'), 'nothing changed: the open hour computed, and kept');
    const page = await read(at('13:21'), 'page');
    assert.deepEqual([page.computedFromMs, new Date(page.asOfMs).toISOString()], [null, '2026-11-20T13:20:30.000Z']);
    assert.deepEqual(page.hours.map((h) => [new Date(h.hourMs).toISOString().slice(11, 13), h.total, h.bad]), [['11', 1, 1]]);
  });
});
