/**
 * Rental billing maths (DOMAIN.md "Rental billing"): the customer pays the cheapest
 * combination of day, week (7 days) and 4-week (28 days) rates, a rate covers one 8-hour
 * shift per day, and hours beyond that are overtime.
 *
 * Money convention: every amount going in or out is in currency units (e.g. dollars,
 * 2 decimals); each is converted to integer cents once at the boundary and all sums and
 * comparisons run on cents, so 0.1 + 0.2 style float error never reaches an invoice.
 * Results also carry the exact `amountCents`.
 */

export interface RentalRates {
  day: number;
  week: number;
  fourWeek: number;
}

export interface RentalCharge {
  /** Currency units, exactly `amountCents / 100`. */
  amount: number;
  amountCents: number;
  fourWeeks: number;
  weeks: number;
  days: number;
}

/** The billed periods of a charge (what `cheapestRentalCharge` returns, without money). */
export interface RentalBreakdown {
  fourWeeks: number;
  weeks: number;
  days: number;
}

export const DAYS_PER_WEEK = 7;
export const DAYS_PER_FOUR_WEEKS = 28;
/** One 8-hour shift per rate day (DOMAIN.md). */
export const HOURS_PER_DAY = 8;
export const HOURS_PER_WEEK = 40;
export const HOURS_PER_FOUR_WEEKS = 160;

const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** Currency units → integer cents; rejects values that cannot be money. */
export function toCents(amount: number, what = 'amount'): number {
  if (!Number.isFinite(amount)) throw new RangeError(`${what} must be a finite number, got ${amount}`);
  return Math.round(amount * 100);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

interface RateCents {
  day: number;
  week: number;
  fourWeek: number;
}

function rateCents(rates: RentalRates): RateCents {
  const cents = { day: toCents(rates.day, 'day rate'), week: toCents(rates.week, 'week rate'), fourWeek: toCents(rates.fourWeek, '4-week rate') };
  if (cents.day < 0 || cents.week < 0 || cents.fourWeek < 0) throw new RangeError('rental rates cannot be negative');
  return cents;
}

function costCents(b: RentalBreakdown, r: RateCents): number {
  return b.fourWeeks * r.fourWeek + b.weeks * r.week + b.days * r.day;
}

function coveredDays(b: RentalBreakdown): number {
  return b.fourWeeks * DAYS_PER_FOUR_WEEKS + b.weeks * DAYS_PER_WEEK + b.days;
}

/**
 * Tie-break between equal prices: bill the days actually used rather than an overshooting
 * period (3 days at $100 reads better than "1 week" at $300), then prefer longer periods
 * (1 week rather than 7 days), so the result is deterministic.
 */
function better(a: RentalBreakdown, aCost: number, b: RentalBreakdown, bCost: number): boolean {
  if (aCost !== bCost) return aCost < bCost;
  if (coveredDays(a) !== coveredDays(b)) return coveredDays(a) < coveredDays(b);
  return a.fourWeeks > b.fourWeeks || (a.fourWeeks === b.fourWeeks && a.weeks > b.weeks);
}

/**
 * Exhaustive search over 4-week and week counts; days fill whatever is left. Allowing the
 * larger periods to overshoot by one is what lets a partial week (or 4-week cycle) be
 * billed as a full one when that is cheaper. Cost is O(days² / 196): trivial for any
 * realistic rental (10 years ≈ 70k combinations).
 */
function cheapestBreakdown(days: number, r: RateCents): { breakdown: RentalBreakdown; cents: number } {
  let best: RentalBreakdown = { fourWeeks: 0, weeks: 0, days };
  let bestCost = costCents(best, r);
  const maxFourWeeks = Math.ceil(days / DAYS_PER_FOUR_WEEKS);
  for (let fourWeeks = 0; fourWeeks <= maxFourWeeks; fourWeeks++) {
    const afterFourWeeks = Math.max(0, days - fourWeeks * DAYS_PER_FOUR_WEEKS);
    const maxWeeks = Math.ceil(afterFourWeeks / DAYS_PER_WEEK);
    for (let weeks = 0; weeks <= maxWeeks; weeks++) {
      const candidate = { fourWeeks, weeks, days: Math.max(0, afterFourWeeks - weeks * DAYS_PER_WEEK) };
      const cost = costCents(candidate, r);
      if (better(candidate, cost, best, bestCost)) {
        best = candidate;
        bestCost = cost;
      }
    }
  }
  return { breakdown: best, cents: bestCost };
}

/**
 * cheapestBreakdown is pure, and the unbilled dashboard's trend re-prices every contract line
 * at dozens of instants, so the same (days, rates) pairs recur thousands of times: keep the
 * answers, bounded (cleared when full; a demo estate needs a few hundred entries).
 */
const BREAKDOWN_CACHE_LIMIT = 20_000;
const breakdownCache = new Map<string, { breakdown: RentalBreakdown; cents: number }>();

function cachedCheapestBreakdown(days: number, r: RateCents): { breakdown: RentalBreakdown; cents: number } {
  const key = `${days}:${r.day}:${r.week}:${r.fourWeek}`;
  let found = breakdownCache.get(key);
  if (!found) {
    found = cheapestBreakdown(days, r);
    if (breakdownCache.size >= BREAKDOWN_CACHE_LIMIT) breakdownCache.clear();
    breakdownCache.set(key, found);
  }
  return found;
}

/**
 * The cheapest charge for `days` rental days. Fractional days round up (a started day
 * counts); zero or negative days cost nothing (a data error upstream must not become a
 * negative charge). Throws RangeError for NaN/infinite days or negative rates.
 */
export function cheapestRentalCharge(days: number, rates: RentalRates): RentalCharge {
  if (!Number.isFinite(days)) throw new RangeError(`days must be a finite number, got ${days}`);
  const r = rateCents(rates);
  const wholeDays = Math.ceil(days);
  if (wholeDays <= 0) return { amount: 0, amountCents: 0, fourWeeks: 0, weeks: 0, days: 0 };
  const { breakdown, cents } = cachedCheapestBreakdown(wholeDays, r);
  return { amount: fromCents(cents), amountCents: cents, ...breakdown };
}

function assertDate(d: Date, what: string): void {
  if (Number.isNaN(d.getTime())) throw new RangeError(`${what} is not a valid date`);
}

/**
 * Billable rental days from dispatch to off-rent (or to `now` while still on rent), in
 * calendar days (weekends count) of 24 hours counted from the dispatch time; a started
 * day counts and the minimum is 1. An off-rent date in the future is capped at `now`,
 * because this is what has been used so far. Off-rent — not physical return — stops
 * billing (DOMAIN.md).
 */
export function billableDays(dispatchedAt: Date, offRentAt: Date | null, now: Date): number {
  assertDate(dispatchedAt, 'dispatchedAt');
  assertDate(now, 'now');
  if (offRentAt) assertDate(offRentAt, 'offRentAt');
  const end = Math.min(offRentAt ? offRentAt.getTime() : now.getTime(), now.getTime());
  const elapsed = end - dispatchedAt.getTime();
  return Math.max(1, Math.ceil(elapsed / MS_PER_DAY));
}

export interface OvertimeCharge {
  /** Hours covered by the billed periods: 8 per day, 40 per week, 160 per 4 weeks. */
  includedHours: number;
  excessHours: number;
  /** Currency units per excess hour (unrounded). */
  hourlyRate: number;
  amount: number;
  amountCents: number;
}

/** Hours the billed periods include (one 8-hour shift per day). */
export function includedHours(b: RentalBreakdown): number {
  return b.fourWeeks * HOURS_PER_FOUR_WEEKS + b.weeks * HOURS_PER_WEEK + b.days * HOURS_PER_DAY;
}

/**
 * Overtime for `totalHours` of use over the billed periods. Each excess hour costs the
 * period charge divided by its included hours: exactly 1/8, 1/40 or 1/160 of the period
 * rate when one kind of period is billed (DOMAIN.md), and the hours-weighted blend of
 * those when the breakdown mixes periods (hours are not attributed to individual
 * periods). No billed period, or no excess, means no overtime. Rounded to the cent.
 */
export function overtimeCharge(totalHours: number, breakdown: RentalBreakdown, rates: RentalRates): OvertimeCharge {
  if (!Number.isFinite(totalHours)) throw new RangeError(`totalHours must be a finite number, got ${totalHours}`);
  const included = includedHours(breakdown);
  const excessHours = Math.max(0, totalHours - included);
  if (included === 0 || excessHours === 0) return { includedHours: included, excessHours, hourlyRate: 0, amount: 0, amountCents: 0 };
  const periodCents = costCents(breakdown, rateCents(rates));
  const amountCents = Math.round((excessHours * periodCents) / included);
  return { includedHours: included, excessHours, hourlyRate: fromCents(periodCents / included), amount: fromCents(amountCents), amountCents };
}

export interface AccruedRentalInput {
  dispatchedAt: Date;
  offRentAt: Date | null;
  now: Date;
  rates: RentalRates;
  /** Currency units each: damage waiver, fuel, transport, cleaning, environmental fee… */
  surcharges: number[];
  /** Machine hours used, if metered; adds overtime beyond the included shifts. */
  hoursUsed?: number;
}

export interface AccruedRentalValue {
  billableDays: number;
  rental: RentalCharge;
  overtime: OvertimeCharge | null;
  surchargeTotal: number;
  /** Rental + overtime + surcharges, currency units. */
  amount: number;
  amountCents: number;
}

function zeroAccrual(): AccruedRentalValue {
  return { billableDays: 0, rental: cheapestRentalCharge(0, { day: 0, week: 0, fourWeek: 0 }), overtime: null, surchargeTotal: 0, amount: 0, amountCents: 0 };
}

/**
 * What a rental line has accrued so far (DOMAIN.md "Unbilled rental value"): dispatch →
 * off-rent (or → now while on rent) at the cheapest combination, plus overtime if hours
 * are known, plus surcharges. Equipment not yet dispatched (dispatch after `now`) has
 * accrued nothing. Subtract posted invoices elsewhere to get the unbilled value.
 */
export function accruedRentalValue(input: AccruedRentalInput): AccruedRentalValue {
  assertDate(input.dispatchedAt, 'dispatchedAt');
  assertDate(input.now, 'now');
  if (input.dispatchedAt.getTime() > input.now.getTime()) return zeroAccrual();
  const days = billableDays(input.dispatchedAt, input.offRentAt, input.now);
  const rental = cheapestRentalCharge(days, input.rates);
  const overtime = input.hoursUsed === undefined ? null : overtimeCharge(input.hoursUsed, rental, input.rates);
  const surchargeCents = input.surcharges.reduce((sum, s) => sum + toCents(s, 'surcharge'), 0);
  const totalCents = rental.amountCents + (overtime?.amountCents ?? 0) + surchargeCents;
  return { billableDays: days, rental, overtime, surchargeTotal: fromCents(surchargeCents), amount: fromCents(totalCents), amountCents: totalCents };
}
