import type { SloRecord } from '@/lib/slo/definitions';
import type { SloStatus } from '@/lib/slo/status';
import { formatDurationMs } from '@/lib/traces/format';

/** Words for SLO pages, shared by the overview and the detail page. */
export function describeSli(slo: Pick<SloRecord, 'sliKind' | 'thresholdMs' | 'spanName'>): string {
  if (slo.sliKind === 'success') return 'Syncs that succeed (retries counted once per sync)';
  const threshold = formatDurationMs(slo.thresholdMs ?? 0);
  return slo.spanName ? `Span "${slo.spanName}" within ${threshold}` : `Reaches the target within ${threshold} (occurred → synced)`;
}

export function formatObjective(objective: number): string {
  return `${(objective * 100).toFixed(objective * 100 >= 99.9 ? 3 : objective * 100 >= 99 ? 2 : 1).replace(/\.?0+$/, '')} %`;
}

export function formatTimeToExhaustion(status: SloStatus): string {
  if (status.budgetRemaining === null) return '—';
  if (status.budgetRemaining <= 0) return 'exhausted';
  if (status.timeToExhaustionMs === null) return 'not burning';
  return formatDurationMs(status.timeToExhaustionMs);
}

/** The windows whose traffic is below the SLO's minimum, so they cannot alert. */
export function lowTrafficNote(status: SloStatus, minEvents: number): string | null {
  const low = status.windows.filter((w) => w.belowMinimum && w.key !== 'slo').map((w) => `${w.key} (${w.total})`);
  if (low.length === 0) return null;
  return `Below the ${minEvents}-event minimum, so these windows cannot alert: ${low.join(', ')}`;
}
