import { z } from 'zod';
import type { AlertStatus } from '@/lib/db/generated/enums';
import type { SloRecord } from '@/lib/slo/definitions';
import { SLO_WINDOW_KEY, windowCounts, type SloQueryDefinition, type WindowCount } from '@/lib/slo/query';
import { budgetRemaining, burnRate, evaluateAlert, timeToExhaustionMs } from '@/lib/slo/math';

/**
 * One SLO's state from stored data: per-window counts (one ClickHouse query) turned into
 * burn rates, budget and the alert status by lib/slo/math.ts's multiwindow policy.
 */
export interface SloStatusDefinition extends SloQueryDefinition {
  objective: number;
  minEvents: number;
}

export interface WindowStatus extends WindowCount {
  burnRate: number | null;
  /** Fewer events than the SLO's minimum: this window may not alert. */
  belowMinimum: boolean;
}

export interface SloStatus {
  status: AlertStatus;
  /** Good ÷ total over the SLO window; null without events. */
  sli: number | null;
  budgetRemaining: number | null;
  timeToExhaustionMs: number | null;
  windows: WindowStatus[];
  reason: string;
}

export function statusFromCounts(def: SloStatusDefinition, counts: readonly WindowCount[]): SloStatus {
  const windows: WindowStatus[] = counts.map((w) => ({
    ...w,
    burnRate: burnRate(w.bad, w.total, def.objective),
    belowMinimum: w.total < def.minEvents,
  }));
  const full = windows.find((w) => w.key === SLO_WINDOW_KEY);
  const alert = evaluateAlert(
    Object.fromEntries(windows.filter((w) => w.key !== SLO_WINDOW_KEY).map((w) => [w.key, { bad: w.bad, total: w.total }])),
    def.objective,
    def.minEvents,
  );
  const remaining = full && full.total > 0 ? budgetRemaining(full.bad, full.total, def.objective) : null;
  const shortTermBurn = windows.find((w) => w.key === '1h')?.burnRate ?? null;
  // Quiet alerting windows with traffic earlier in the SLO window mean nothing is burning.
  const alertStatus = alert.status === 'no_data' ? 'ok' : alert.status;
  return {
    status: full && full.total > 0 ? alertStatus : 'no_data',
    sli: full && full.total > 0 ? (full.total - full.bad) / full.total : null,
    budgetRemaining: remaining,
    timeToExhaustionMs: remaining === null ? null : timeToExhaustionMs(remaining, shortTermBurn, def.windowDays),
    windows,
    reason: full && full.total > 0 ? alert.reason : 'No events in the SLO window',
  };
}

export async function computeSloStatus(def: SloStatusDefinition, now: Date = new Date()): Promise<SloStatus> {
  return statusFromCounts(def, await windowCounts(def, now));
}

/** The evaluator runs every minute; a result older than this means it is not running, so the pages compute. */
export const EVALUATION_FRESH_MS = 2 * 60_000;

const persistedDetails = z.object({
  reason: z.string(),
  sli: z.number().nullable(),
  budgetRemaining: z.number().nullable(),
  timeToExhaustionMs: z.number().nullable(),
  windows: z.array(
    z.object({ key: z.string(), seconds: z.number(), total: z.number(), bad: z.number(), burnRate: z.number().nullable(), belowMinimum: z.boolean() }),
  ),
});

export interface EvaluatedStatus extends SloStatus {
  evaluatedAt: Date;
}

/**
 * An SLO's status for the pages: the evaluator's persisted result when it is fresh and the
 * definition has not changed since (the same figures that drive the alerts, without a window
 * query per SLO per page view), else computed now.
 */
export async function latestStatus(slo: SloRecord, now: Date = new Date()): Promise<EvaluatedStatus> {
  const alert = slo.alert;
  const fresh = alert && now.getTime() - alert.lastEvaluatedAt.getTime() <= EVALUATION_FRESH_MS && alert.lastEvaluatedAt >= slo.updatedAt;
  const details = fresh ? persistedDetails.safeParse(alert.details) : null;
  if (alert && details?.success) return { status: alert.status, ...details.data, evaluatedAt: alert.lastEvaluatedAt };
  return { ...(await computeSloStatus(slo, now)), evaluatedAt: now };
}

export function latestStatuses(slos: readonly SloRecord[], now: Date = new Date()): Promise<EvaluatedStatus[]> {
  return Promise.all(slos.map((slo) => latestStatus(slo, now)));
}
