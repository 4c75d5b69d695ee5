import { ledgerHourlyFigures } from '@/lib/slo/hourly';
import { sliSource, sloWindowSeconds, spanLatencyQuantiles, spanSliHistory, type LatencyQuantiles, type SliBucket, type SloQueryDefinition } from '@/lib/slo/query';

export interface SloCharts {
  /** Good and bad counts per bucket across the SLO window (hours; 6 h for windows over 7 days). */
  history: SliBucket[];
  /** p50 / p95 / p99 latency per hour over the last `latencyDays`. */
  quantiles: LatencyQuantiles[];
}

const HOUR_MS = 3_600_000;

function bucketSeconds(windowDays: number): number {
  return windowDays <= 7 ? 3600 : 6 * 3600;
}

/**
 * The detail page's SLI, budget and latency charts. Ledger SLIs read their kept hourly figures
 * (lib/slo/hourly.ts), whose hours cover the window's first hour whole; span SLIs are plain
 * filters on spans and are computed each time.
 */
export async function sloCharts(def: SloQueryDefinition, now: Date, latencyDays: number): Promise<SloCharts> {
  const source = sliSource(def);
  const bucketMs = bucketSeconds(def.windowDays) * 1000;
  if (source === 'span_latency') {
    const [history, quantiles] = await Promise.all([spanSliHistory(def, now, bucketMs / 1000), spanLatencyQuantiles(def, now, latencyDays)]);
    return { history, quantiles };
  }
  const windowStartMs = now.getTime() - sloWindowSeconds(def.windowDays) * 1000;
  const { hours } = await ledgerHourlyFigures(source, def, now, windowStartMs);
  const buckets = new Map<number, SliBucket>();
  for (const h of hours) {
    if (h.total === 0) continue;
    const at = Math.floor(h.hourMs / bucketMs) * bucketMs;
    const bucket = buckets.get(at) ?? { at: new Date(at).toISOString(), total: 0, bad: 0 };
    bucket.total += h.total;
    bucket.bad += h.bad;
    buckets.set(at, bucket);
  }
  const latencyFromMs = Math.floor((now.getTime() - latencyDays * 86_400_000) / HOUR_MS) * HOUR_MS;
  const quantiles = hours
    .filter((h) => h.latencyCount > 0 && h.hourMs >= latencyFromMs)
    .map((h) => ({ hour: new Date(h.hourMs).toISOString(), count: h.latencyCount, p50: h.p50, p95: h.p95, p99: h.p99 }));
  return { history: [...buckets.values()].sort((a, b) => a.at.localeCompare(b.at)), quantiles };
}
