/**
 * SLO arithmetic and the Google SRE workbook's multiwindow, multi-burn-rate alerting
 * policy (https://sre.google/workbook/alerting-on-slos/, "Multiwindow, Multi-Burn-Rate
 * Alerts"). Objectives are fractions (0.99 = 99 %); counts are events (bad ⊆ total).
 */

export const ALERT_WINDOW_KEYS = ['5m', '30m', '1h', '6h', '3d'] as const;
export type AlertWindowKey = (typeof ALERT_WINDOW_KEYS)[number];

export interface EventCounts {
  bad: number;
  total: number;
}

export type AlertSeverity = 'page' | 'ticket';
export type AlertStatus = 'ok' | AlertSeverity | 'no_data';

export interface BurnRateRule {
  severity: AlertSeverity;
  /** The window that proves the burn is significant. */
  longWindow: AlertWindowKey;
  /** The window that proves it is still happening (so the alert resets quickly). */
  shortWindow: AlertWindowKey;
  /** Both windows must burn strictly faster than this. */
  threshold: number;
  /** Share of a 30-day error budget spent in the long window at the threshold (workbook table). */
  budgetConsumed: number;
}

/**
 * The workbook's recommended policy, exported for the UI. 14.4 = 2 % of a 30-day budget
 * in 1 h, 6 = 5 % in 6 h, 1 = 10 % in 3 d; each long window is paired with a short one of
 * 1/12 its length.
 */
export const BURN_RATE_POLICY: readonly BurnRateRule[] = [
  { severity: 'page', longWindow: '1h', shortWindow: '5m', threshold: 14.4, budgetConsumed: 0.02 },
  { severity: 'page', longWindow: '6h', shortWindow: '30m', threshold: 6, budgetConsumed: 0.05 },
  { severity: 'ticket', longWindow: '3d', shortWindow: '6h', threshold: 1, budgetConsumed: 0.1 },
];

function assertObjective(objective: number): void {
  if (!(objective > 0 && objective < 1)) throw new RangeError(`objective must be a fraction strictly between 0 and 1, got ${objective}`);
}

/**
 * Allowed bad fraction: 1 − objective, rounded to 12 decimals so 0.99 gives 0.01 rather
 * than 0.010000000000000009 (that noise would otherwise show up in burn rates).
 */
export function errorBudget(objective: number): number {
  assertObjective(objective);
  return Number((1 - objective).toFixed(12));
}

/**
 * How fast the budget burns: observed bad fraction ÷ allowed bad fraction. 1 spends the
 * budget exactly over the SLO window; null when there were no events (no evidence).
 */
export function burnRate(bad: number, total: number, objective: number): number | null {
  const budget = errorBudget(objective);
  if (total <= 0) return null;
  // bad / (total × budget) keeps hand-checkable values exact (15 / (1000 × 0.01) = 1.5).
  return bad / (total * budget);
}

/**
 * Fraction of the error budget left over the SLO window: 1 − bad ÷ (total × budget).
 * 1 = untouched, 0 = spent, negative = overspent. No events means nothing spent (1).
 */
export function budgetRemaining(bad: number, total: number, objective: number): number {
  const rate = burnRate(bad, total, objective);
  return rate === null ? 1 : 1 - rate;
}

/**
 * Hours until the remaining budget is gone at the current burn rate: at burn rate b the
 * whole budget lasts windowDays ÷ b, so the remaining fraction r lasts r × windowDays × 24 ÷ b
 * hours. 0 when already exhausted; null when not burning (rate null or ≤ 0).
 */
export function timeToExhaustion(budgetRemainingFraction: number, currentBurnRate: number | null, windowDays: number): number | null {
  if (currentBurnRate === null || !(currentBurnRate > 0)) return null;
  if (budgetRemainingFraction <= 0) return 0;
  return (budgetRemainingFraction * windowDays * 24) / currentBurnRate;
}

/** Same as timeToExhaustion, in milliseconds (for duration formatters). */
export function timeToExhaustionMs(budgetRemainingFraction: number, currentBurnRate: number | null, windowDays: number): number | null {
  const hours = timeToExhaustion(budgetRemainingFraction, currentBurnRate, windowDays);
  return hours === null ? null : hours * 60 * 60 * 1000;
}

export interface AlertEvaluation {
  status: AlertStatus;
  /** One sentence per rule that fired, e.g. "page: 1h burn rate 20 > 14.4 and 5m burn rate 30 > 14.4". */
  reasons: string[];
  /** `reasons` joined, or why nothing fired. */
  reason: string;
  /** Windows with fewer events than the minimum: they cannot trigger an alert. */
  lowTraffic: AlertWindowKey[];
  /** Burn rate each window contributed to the decision: null where empty or below the minimum. */
  burnRates: Record<AlertWindowKey, number | null>;
}

function formatRate(rate: number): string {
  return String(Number(rate.toFixed(2)));
}

/** A window's burn rate if it has enough traffic to count, else null. */
function eligibleRate(counts: EventCounts | undefined, objective: number, minEvents: number): number | null {
  if (!counts || counts.total <= 0 || counts.total < minEvents) return null;
  return burnRate(counts.bad, counts.total, objective);
}

function ruleFires(rule: BurnRateRule, rates: Record<AlertWindowKey, number | null>): string | null {
  const long = rates[rule.longWindow];
  const short = rates[rule.shortWindow];
  if (long === null || short === null || !(long > rule.threshold && short > rule.threshold)) return null;
  return `${rule.severity}: ${rule.longWindow} burn rate ${formatRate(long)} > ${rule.threshold} and ${rule.shortWindow} burn rate ${formatRate(short)} > ${rule.threshold}`;
}

/**
 * Applies BURN_RATE_POLICY. A rule fires only when both its windows have at least
 * `minEvents` events and both burn faster than its threshold (a handful of failures in a
 * quiet hour must not page anyone). Missing windows count as empty; all windows empty is
 * no_data. Page outranks ticket.
 */
export function evaluateAlert(windows: Partial<Record<AlertWindowKey, EventCounts>>, objective: number, minEvents: number): AlertEvaluation {
  assertObjective(objective);
  const lowTraffic = ALERT_WINDOW_KEYS.filter((key) => (windows[key]?.total ?? 0) < minEvents);
  const burnRates = Object.fromEntries(ALERT_WINDOW_KEYS.map((key) => [key, eligibleRate(windows[key], objective, minEvents)])) as Record<AlertWindowKey, number | null>;
  if (ALERT_WINDOW_KEYS.every((key) => (windows[key]?.total ?? 0) <= 0)) {
    return { status: 'no_data', reasons: [], reason: 'No events in any alert window', lowTraffic, burnRates };
  }
  const fired = BURN_RATE_POLICY.map((rule) => ({ rule, reason: ruleFires(rule, burnRates) })).filter((f): f is { rule: BurnRateRule; reason: string } => f.reason !== null);
  const status: AlertStatus = fired.some((f) => f.rule.severity === 'page') ? 'page' : fired.length > 0 ? 'ticket' : 'ok';
  const reasons = fired.map((f) => f.reason);
  const reason = reasons.length > 0 ? reasons.join('; ') : lowTraffic.length > 0 ? `Within policy (too few events to alert in ${lowTraffic.join(', ')})` : 'All burn rates within policy';
  return { status, reasons, reason, lowTraffic, burnRates };
}
