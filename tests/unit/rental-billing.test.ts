import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { accruedRentalValue, billableDays, cheapestRentalCharge, overtimeCharge, type RentalRates } from '@/lib/finance/rental-billing';

const RATES: RentalRates = { day: 100, week: 300, fourWeek: 800 };
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Independent reference: dynamic programming over "cheapest way to cover at least n days", in cents. */
function referenceCents(days: number, rates: RentalRates): number {
  const r = { day: Math.round(rates.day * 100), week: Math.round(rates.week * 100), four: Math.round(rates.fourWeek * 100) };
  const cost = [0];
  for (let n = 1; n <= days; n++) {
    const at = (k: number) => cost[Math.max(0, n - k)] ?? 0;
    cost.push(Math.min(r.day + at(1), r.week + at(7), r.four + at(28)));
  }
  return cost[days] ?? 0;
}

describe('cheapestRentalCharge', () => {
  it('DOMAIN example: 9 days = 1 week + 2 days = $500', () => {
    assert.deepEqual(cheapestRentalCharge(9, RATES), { amount: 500, amountCents: 50000, fourWeeks: 0, weeks: 1, days: 2 });
  });

  it('DOMAIN example: 3 weeks are capped by the 4-week rate ($800, not $900)', () => {
    assert.deepEqual(cheapestRentalCharge(21, RATES), { amount: 800, amountCents: 80000, fourWeeks: 1, weeks: 0, days: 0 });
  });

  it('1 day is the day rate', () => {
    assert.deepEqual(cheapestRentalCharge(1, RATES), { amount: 100, amountCents: 10000, fourWeeks: 0, weeks: 0, days: 1 });
  });

  it('6 days bill as a full week ($300 < 6 × $100)', () => {
    assert.deepEqual(cheapestRentalCharge(6, RATES), { amount: 300, amountCents: 30000, fourWeeks: 0, weeks: 1, days: 0 });
  });

  it('3 days: a tie with the week rate bills the days actually used', () => {
    assert.deepEqual(cheapestRentalCharge(3, RATES), { amount: 300, amountCents: 30000, fourWeeks: 0, weeks: 0, days: 3 });
  });

  it('7 days at equal day and week pricing prefer the week', () => {
    assert.deepEqual(cheapestRentalCharge(7, { day: 100, week: 700, fourWeek: 5000 }), { amount: 700, amountCents: 70000, fourWeeks: 0, weeks: 1, days: 0 });
  });

  it('30 days = 4 weeks + 2 days = $1000 (cheaper than 4 weeks + 1 week, or two 4-week cycles)', () => {
    assert.deepEqual(cheapestRentalCharge(30, RATES), { amount: 1000, amountCents: 100000, fourWeeks: 1, weeks: 0, days: 2 });
  });

  it('a partial 4-week cycle is billed as a full one when cheaper (50 days = 2 × $800)', () => {
    assert.deepEqual(cheapestRentalCharge(50, RATES), { amount: 1600, amountCents: 160000, fourWeeks: 2, weeks: 0, days: 0 });
  });

  it('0 and negative days cost nothing; fractional days round up', () => {
    const zero = { amount: 0, amountCents: 0, fourWeeks: 0, weeks: 0, days: 0 };
    assert.deepEqual(cheapestRentalCharge(0, RATES), zero);
    assert.deepEqual(cheapestRentalCharge(-5, RATES), zero);
    assert.equal(cheapestRentalCharge(1.2, RATES).amount, 200);
  });

  it('rejects NaN days and negative rates', () => {
    assert.throws(() => cheapestRentalCharge(Number.NaN, RATES), RangeError);
    assert.throws(() => cheapestRentalCharge(3, { day: -1, week: 300, fourWeek: 800 }), RangeError);
  });

  it('works in cents: $0.10/$0.20 style rates add up exactly', () => {
    const r = cheapestRentalCharge(3, { day: 0.1, week: 0.7, fourWeek: 2.8 });
    assert.equal(r.amountCents, 30);
    assert.equal(r.amount, 0.3);
  });

  it('matches an independent DP optimum for 0..120 days under several rate cards', () => {
    const cards: RentalRates[] = [RATES, { day: 450, week: 1350, fourWeek: 3600 }, { day: 99.99, week: 650.5, fourWeek: 1999.95 }, { day: 10, week: 100, fourWeek: 1000 }, { day: 100, week: 250, fourWeek: 1200 }];
    for (const rates of cards) {
      for (let d = 0; d <= 120; d++) {
        const charge = cheapestRentalCharge(d, rates);
        assert.equal(charge.amountCents, referenceCents(d, rates), `${d} days at ${JSON.stringify(rates)}`);
        assert.ok(charge.fourWeeks * 28 + charge.weeks * 7 + charge.days >= d, 'the breakdown covers every day');
      }
    }
  });
});

describe('billableDays', () => {
  const dispatched = new Date('2026-03-02T08:00:00Z');

  it('counts started 24-hour days from dispatch to off-rent', () => {
    assert.equal(billableDays(dispatched, new Date('2026-03-11T08:00:00Z'), new Date('2026-04-01T00:00:00Z')), 9);
    assert.equal(billableDays(dispatched, new Date('2026-03-11T08:00:01Z'), new Date('2026-04-01T00:00:00Z')), 10);
  });

  it('runs to now while on rent, and caps a future off-rent at now', () => {
    const now = new Date('2026-03-04T09:00:00Z');
    assert.equal(billableDays(dispatched, null, now), 3);
    assert.equal(billableDays(dispatched, new Date('2026-03-20T00:00:00Z'), now), 3);
  });

  it('is at least 1, even for an off-rent at (or before) dispatch', () => {
    assert.equal(billableDays(dispatched, dispatched, dispatched), 1);
    assert.equal(billableDays(dispatched, new Date(dispatched.getTime() - DAY), new Date('2026-04-01T00:00:00Z')), 1);
  });

  it('rejects invalid dates', () => {
    assert.throws(() => billableDays(new Date('nope'), null, dispatched), RangeError);
  });
});

describe('overtimeCharge', () => {
  it('bills excess hours at 1/8 of the day rate', () => {
    // 2 days include 16 h; 20 h used → 4 h × $100/8 = $50.
    const ot = overtimeCharge(20, { fourWeeks: 0, weeks: 0, days: 2 }, RATES);
    assert.deepEqual(ot, { includedHours: 16, excessHours: 4, hourlyRate: 12.5, amount: 50, amountCents: 5000 });
  });

  it('bills excess hours at 1/40 of the week rate and 1/160 of the 4-week rate', () => {
    assert.equal(overtimeCharge(50, { fourWeeks: 0, weeks: 1, days: 0 }, RATES).amount, 75); // 10 h × $7.50
    assert.equal(overtimeCharge(170, { fourWeeks: 1, weeks: 0, days: 0 }, RATES).amount, 50); // 10 h × $5
  });

  it('blends the hourly rate over a mixed breakdown', () => {
    // 1 week + 2 days = $500 for 56 h → $500/56 per excess hour; 7 h over → $62.50.
    const ot = overtimeCharge(63, { fourWeeks: 0, weeks: 1, days: 2 }, RATES);
    assert.equal(ot.excessHours, 7);
    assert.equal(ot.amountCents, 6250);
  });

  it('charges nothing within the included hours or without a billed period', () => {
    assert.equal(overtimeCharge(16, { fourWeeks: 0, weeks: 0, days: 2 }, RATES).amount, 0);
    assert.equal(overtimeCharge(10, { fourWeeks: 0, weeks: 0, days: 0 }, RATES).amount, 0);
  });
});

describe('accruedRentalValue', () => {
  const dispatchedAt = new Date('2026-03-02T08:00:00Z');

  it('adds surcharges to the cheapest rental charge (9 days + 10 % waiver + $75 delivery)', () => {
    const v = accruedRentalValue({ dispatchedAt, offRentAt: new Date(dispatchedAt.getTime() + 9 * DAY), now: new Date('2026-04-01T00:00:00Z'), rates: RATES, surcharges: [50, 75] });
    assert.equal(v.billableDays, 9);
    assert.equal(v.rental.amount, 500);
    assert.equal(v.surchargeTotal, 125);
    assert.equal(v.amount, 625);
    assert.equal(v.overtime, null);
  });

  it('accrues to now while on rent and includes overtime when hours are known', () => {
    const v = accruedRentalValue({ dispatchedAt, offRentAt: null, now: new Date(dispatchedAt.getTime() + 2 * DAY - HOUR), rates: RATES, surcharges: [0.1, 0.2], hoursUsed: 20 });
    assert.equal(v.billableDays, 2);
    assert.equal(v.rental.amount, 200);
    assert.equal(v.overtime?.amount, 50);
    assert.equal(v.surchargeTotal, 0.3);
    assert.equal(v.amountCents, 25030);
  });

  it('is zero before dispatch', () => {
    const v = accruedRentalValue({ dispatchedAt, offRentAt: null, now: new Date(dispatchedAt.getTime() - HOUR), rates: RATES, surcharges: [75] });
    assert.equal(v.amount, 0);
    assert.equal(v.billableDays, 0);
  });
});
