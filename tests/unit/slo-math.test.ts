import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { ALERT_WINDOW_KEYS, BURN_RATE_POLICY, budgetRemaining, burnRate, errorBudget, evaluateAlert, timeToExhaustion, timeToExhaustionMs, type AlertWindowKey, type EventCounts } from '@/lib/slo/math';

const close = (actual: number | null, expected: number, what = '') => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what} expected ${expected}, got ${actual}`);
};

/** Healthy traffic in every window (0.5 % bad at a 99 % objective = burn rate 0.5). */
function healthy(): Record<AlertWindowKey, EventCounts> {
  return { '5m': { bad: 1, total: 200 }, '30m': { bad: 5, total: 1000 }, '1h': { bad: 10, total: 2000 }, '6h': { bad: 60, total: 12000 }, '3d': { bad: 720, total: 144000 } };
}

describe('errorBudget', () => {
  it('is 1 − objective without float noise', () => {
    assert.equal(errorBudget(0.99), 0.01);
    assert.equal(errorBudget(0.999), 0.001);
    assert.equal(errorBudget(0.95), 0.05);
  });

  it('rejects objectives outside (0, 1)', () => {
    assert.throws(() => errorBudget(1), RangeError);
    assert.throws(() => errorBudget(0), RangeError);
    assert.throws(() => errorBudget(99), RangeError);
  });
});

describe('burnRate', () => {
  it('is the bad fraction over the budget, per window (hand-computed at 99 %)', () => {
    close(burnRate(30, 100, 0.99), 30, '5m: 30 % bad'); // 0.30 / 0.01
    close(burnRate(70, 1000, 0.99), 7, '30m: 7 % bad');
    close(burnRate(200, 1000, 0.99), 20, '1h: 20 % bad');
    close(burnRate(700, 10000, 0.99), 7, '6h: 7 % bad');
    close(burnRate(150, 10000, 0.99), 1.5, '3d: 1.5 % bad');
    close(burnRate(144, 1000, 0.99), 14.4, 'exactly the page threshold');
  });

  it('scales with the objective and is 0 without failures', () => {
    close(burnRate(3, 1000, 0.999), 3); // 0.003 / 0.001
    close(burnRate(5, 100, 0.95), 1); // 0.05 / 0.05
    assert.equal(burnRate(0, 500, 0.99), 0);
  });

  it('is null without events', () => {
    assert.equal(burnRate(0, 0, 0.99), null);
  });
});

describe('budgetRemaining', () => {
  it('is 1 − burn rate over the SLO window, and can go negative', () => {
    close(budgetRemaining(0, 10000, 0.99), 1);
    close(budgetRemaining(50, 10000, 0.99), 0.5); // 50 of 100 allowed
    close(budgetRemaining(100, 10000, 0.99), 0);
    close(budgetRemaining(200, 10000, 0.99), -1);
  });

  it('is untouched without events', () => {
    assert.equal(budgetRemaining(0, 0, 0.99), 1);
  });
});

describe('timeToExhaustion', () => {
  it('is remaining × window ÷ burn rate, in hours', () => {
    close(timeToExhaustion(0.5, 2, 30), 180); // half a 30-day budget at 2× → 7.5 days
    close(timeToExhaustion(1, 14.4, 30), 50); // whole budget at 14.4× → 50 h
    close(timeToExhaustionMs(0.5, 2, 30), 180 * 3600 * 1000);
  });

  it('is null when not burning and 0 when already exhausted', () => {
    assert.equal(timeToExhaustion(0.5, 0, 30), null);
    assert.equal(timeToExhaustion(0.5, null, 30), null);
    assert.equal(timeToExhaustionMs(0.5, null, 30), null);
    assert.equal(timeToExhaustion(-0.2, 3, 30), 0);
  });
});

describe('BURN_RATE_POLICY', () => {
  it('is the SRE workbook table', () => {
    assert.deepEqual(
      BURN_RATE_POLICY.map((r) => [r.severity, r.longWindow, r.shortWindow, r.threshold]),
      [
        ['page', '1h', '5m', 14.4],
        ['page', '6h', '30m', 6],
        ['ticket', '3d', '6h', 1],
      ],
    );
    // threshold = budget share × 30 days ÷ long window
    close(BURN_RATE_POLICY[0]!.budgetConsumed * 30 * 24, 14.4);
    close(BURN_RATE_POLICY[1]!.budgetConsumed * 30 * 4, 6);
    close(BURN_RATE_POLICY[2]!.budgetConsumed * 10, 1);
  });
});

describe('evaluateAlert', () => {
  it('ok when everything burns slowly', () => {
    const r = evaluateAlert(healthy(), 0.99, 10);
    assert.equal(r.status, 'ok');
    assert.deepEqual(r.reasons, []);
    assert.deepEqual(r.lowTraffic, []);
    close(r.burnRates['1h'], 0.5);
  });

  it('pages when 1h and 5m both burn > 14.4', () => {
    const w = { ...healthy(), '5m': { bad: 30, total: 100 }, '1h': { bad: 200, total: 1000 } };
    const r = evaluateAlert(w, 0.99, 10);
    assert.equal(r.status, 'page');
    assert.deepEqual(r.reasons, ['page: 1h burn rate 20 > 14.4 and 5m burn rate 30 > 14.4']);
  });

  it('does not page when only one of the pair burns fast (the short window shows it stopped)', () => {
    const w = { ...healthy(), '1h': { bad: 200, total: 1000 } };
    assert.equal(evaluateAlert(w, 0.99, 10).status, 'ok');
  });

  it('does not page at exactly the threshold (strictly greater)', () => {
    const w = { ...healthy(), '5m': { bad: 144, total: 1000 }, '1h': { bad: 144, total: 1000 } };
    assert.equal(evaluateAlert(w, 0.99, 10).status, 'ok');
  });

  it('pages when 6h and 30m both burn > 6', () => {
    const w = { ...healthy(), '30m': { bad: 70, total: 1000 }, '6h': { bad: 700, total: 10000 } };
    const r = evaluateAlert(w, 0.99, 10);
    assert.equal(r.status, 'page');
    assert.deepEqual(r.reasons, ['page: 6h burn rate 7 > 6 and 30m burn rate 7 > 6']);
  });

  it('tickets when 3d and 6h both burn > 1', () => {
    const w = { ...healthy(), '6h': { bad: 200, total: 10000 }, '3d': { bad: 1500, total: 100000 } };
    const r = evaluateAlert(w, 0.99, 10);
    assert.equal(r.status, 'ticket');
    assert.deepEqual(r.reasons, ['ticket: 3d burn rate 1.5 > 1 and 6h burn rate 2 > 1']);
    assert.equal(r.reason, r.reasons[0]);
  });

  it('page outranks ticket and lists every rule that fired', () => {
    const w = { '5m': { bad: 30, total: 100 }, '30m': { bad: 70, total: 1000 }, '1h': { bad: 200, total: 1000 }, '6h': { bad: 700, total: 10000 }, '3d': { bad: 1500, total: 100000 } };
    const r = evaluateAlert(w, 0.99, 10);
    assert.equal(r.status, 'page');
    assert.equal(r.reasons.length, 3);
  });

  it('a window below minEvents cannot alert and is listed as low traffic', () => {
    // 5m: 10 of 10 bad (burn 100) but only 10 events; 1h burns 20 with plenty of events.
    const w = { ...healthy(), '5m': { bad: 10, total: 10 }, '1h': { bad: 200, total: 1000 } };
    const r = evaluateAlert(w, 0.99, 50);
    assert.equal(r.status, 'ok');
    assert.deepEqual(r.lowTraffic, ['5m']);
    assert.equal(r.burnRates['5m'], null);
    assert.match(r.reason, /too few events.*5m/);
    // The same traffic with a lower minimum pages.
    assert.equal(evaluateAlert(w, 0.99, 10).status, 'page');
  });

  it('no_data when every window is empty or missing', () => {
    const empty = Object.fromEntries(ALERT_WINDOW_KEYS.map((k) => [k, { bad: 0, total: 0 }]));
    const r = evaluateAlert(empty, 0.99, 10);
    assert.equal(r.status, 'no_data');
    assert.deepEqual(r.lowTraffic, [...ALERT_WINDOW_KEYS]);
    assert.equal(evaluateAlert({}, 0.99, 0).status, 'no_data');
  });

  it('treats a missing window as empty', () => {
    const { '5m': _dropped, ...rest } = { ...healthy(), '1h': { bad: 200, total: 1000 } };
    const r = evaluateAlert(rest, 0.99, 0);
    assert.equal(r.status, 'ok');
    assert.equal(r.burnRates['5m'], null);
  });
});
