import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import type { ContractLineAggregate, RentalInvoiceRow } from '@/lib/finance/rental-queries';
import { computeUnbilledLine, unbilledTrend, type CurrencyTotals } from '@/lib/finance/unbilled';

const DAY = 86_400_000;
const TO = new Date('2026-11-20T12:00:00.000Z');
const FROM = new Date(TO.getTime() - 90 * DAY);

/** mulberry32, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function line(next: () => number, i: number): ContractLineAggregate {
  const at = (ms: number) => new Date(Math.round(ms)).toISOString();
  const dispatched = TO.getTime() - next() * 120 * DAY;
  const offRent = next() < 0.5 ? dispatched + next() * 60 * DAY : null;
  const invoices: RentalInvoiceRow[] = Array.from({ length: Math.floor(next() * 4) }, (_, n) => {
    const periodStart = dispatched + n * 28 * DAY;
    const synced = next() < 0.7;
    return {
      interfaceId: 'rental-invoicing',
      sourceRecordId: `INV-${i}-${n}`,
      moveType: next() < 0.15 ? 'out_refund' : 'out_invoice',
      lastStatus: synced ? (next() < 0.1 ? 'cancelled' : 'succeeded') : 'failed',
      billedCents: synced ? Math.round(next() * 300_000) : 0,
      amountCents: Math.round(next() * 300_000),
      billedAt: synced ? at(periodStart + 29 * DAY + next() * 3 * DAY) : null,
      periodStart: at(periodStart).slice(0, 10),
      periodEnd: at(periodStart + 28 * DAY).slice(0, 10),
      documentNumber: `INV/${i}/${n}`,
      traceId: '',
    };
  });
  return {
    contractLineId: `RC-${i}-L1`,
    contractId: `RC-${i}`,
    equipmentId: `EQ-${i}`,
    equipmentClass: 'Excavator',
    project: 'JOB-1',
    customer: 'Harbourline Civil',
    currency: next() < 0.2 ? 'CAD' : 'USD',
    interfaceId: 'rental-dispatch',
    dispatchedAt: next() < 0.05 ? null : at(dispatched),
    offRentAt: offRent === null ? null : at(offRent),
    returnedAt: offRent === null ? null : at(offRent + DAY),
    rateDay: String(100 + Math.floor(next() * 400)),
    rateWeek: String(400 + Math.floor(next() * 1200)),
    rateFourWeek: String(1200 + Math.floor(next() * 3600)),
    dispatchTraceId: '',
    surcharges: Array.from({ length: Math.floor(next() * 3) }, () => ({ at: at(dispatched + next() * 70 * DAY), kind: 'fuel', cents: Math.round(next() * 25_000) })),
    invoices,
  };
}

describe('unbilled trend', () => {
  it('equals the per-line maths re-run as of every instant', () => {
    const next = random(7);
    const aggregates = Array.from({ length: 400 }, (_, i) => line(next, i));
    const trend = unbilledTrend(aggregates, FROM, TO);
    assert.ok(trend.length > 40);
    for (const point of trend) {
      const asOf = new Date(point.at);
      const expected: CurrencyTotals = {};
      for (const aggregate of aggregates) {
        const computed = computeUnbilledLine(aggregate, asOf);
        if (computed && computed.unbilledCents > 0) expected[computed.currency] = (expected[computed.currency] ?? 0) + computed.unbilledCents;
      }
      assert.deepEqual(point.unbilledCents, expected, `as of ${point.at}`);
    }
  });
});
