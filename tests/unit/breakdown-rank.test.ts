import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { rankBreakdown, type BreakdownRow } from '@/lib/finance/unbilled';

describe('rankBreakdown', () => {
  const mixed: BreakdownRow = { key: 'JOB-A', lines: 2, unbilledCents: { USD: 10_000, CAD: 100_000 } };
  const dollars: BreakdownRow = { key: 'JOB-B', lines: 1, unbilledCents: { USD: 20_000 } };
  const tied: BreakdownRow = { key: 'JOB-0', lines: 1, unbilledCents: { USD: 20_000 } };

  it('ranks by the currency with the largest total first, never by a sum across currencies', () => {
    assert.deepEqual(rankBreakdown([mixed, dollars], { USD: 300_000, CAD: 100_000 }).map((r) => r.key), ['JOB-B', 'JOB-A']);
    assert.deepEqual(rankBreakdown([dollars, mixed], { USD: 30_000, CAD: 100_000 }).map((r) => r.key), ['JOB-A', 'JOB-B']);
  });

  it('breaks a tie in the leading currency by the next one, then by key', () => {
    const withCad: BreakdownRow = { key: 'JOB-C', lines: 2, unbilledCents: { USD: 20_000, CAD: 5_000 } };
    assert.deepEqual(rankBreakdown([dollars, withCad, tied], { USD: 60_000, CAD: 5_000 }).map((r) => r.key), ['JOB-C', 'JOB-0', 'JOB-B']);
  });
});
