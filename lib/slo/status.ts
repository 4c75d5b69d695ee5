import type { AlertStatus } from '@/lib/db/generated/enums';
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
