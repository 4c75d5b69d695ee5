import { floorHour, ledgerHourlyFigures } from '@/lib/slo/hourly';
import {
  describeWorstSyncs,
  sliSource,
  sloWindowSeconds,
  spanLatencyQuantiles,
  spanSliHistory,
  spanWorstRecords,
  type LatencyQuantiles,
  type SliBucket,
  type SloQueryDefinition,
  type WorstRecord,
} from '@/lib/slo/query';

export interface SloDetail {
  /** Good and bad counts per bucket across the SLO window (hours; 6 h for windows over 7 days). */
  history: SliBucket[];
  /** p50 / p95 / p99 latency per hour over the last `latencyDays`. */
  quantiles: LatencyQuantiles[];
  /** The window's worst records, worst first. */
  worst: WorstRecord[];
  /** The instant these figures are as of (the minute job's last computation when fresh). */
  asOf: Date;
}

function bucketSeconds(windowDays: number): number {
  return windowDays <= 7 ? 3600 : 6 * 3600;
}

/**
 * The detail page's SLI, budget and latency charts and its worst records. Ledger SLIs read
 * their kept hourly figures (lib/slo/hourly.ts), whose hours cover the window's first hour
 * whole, and list the worst syncs decided in them; span SLIs are plain filters on spans and
 * are computed each time.
 */
export async function sloDetail(def: SloQueryDefinition, now: Date, latencyDays: number): Promise<SloDetail> {
  const source = sliSource(def);
  const bucketMs = bucketSeconds(def.windowDays) * 1000;
  if (source === 'span_latency') {
    const [history, quantiles, worst] = await Promise.all([
      spanSliHistory(def, now, bucketMs / 1000),
      spanLatencyQuantiles(def, now, latencyDays),
      spanWorstRecords(def, now),
    ]);
    return { history, quantiles, worst, asOf: now };
  }
  const windowStartMs = now.getTime() - sloWindowSeconds(def.windowDays) * 1000;
  const figures = await ledgerHourlyFigures(source, def, now, windowStartMs);
  const buckets = new Map<number, SliBucket>();
  for (const h of figures.hours) {
    if (h.total === 0) continue;
    const at = Math.floor(h.hourMs / bucketMs) * bucketMs;
    const bucket = buckets.get(at) ?? { at: new Date(at).toISOString(), total: 0, bad: 0 };
    bucket.total += h.total;
    bucket.bad += h.bad;
    buckets.set(at, bucket);
  }
  const latencyFromMs = floorHour(now.getTime() - latencyDays * 86_400_000);
  const quantiles = figures.hours
    .filter((h) => h.latencyCount > 0 && h.hourMs >= latencyFromMs)
    .map((h) => ({ hour: new Date(h.hourMs).toISOString(), count: h.latencyCount, p50: h.p50, p95: h.p95, p99: h.p99 }));
  return {
    history: [...buckets.values()].sort((a, b) => a.at.localeCompare(b.at)),
    quantiles,
    worst: await describeWorstSyncs(def, new Date(figures.asOfMs), figures.worst),
    asOf: new Date(figures.asOfMs),
  };
}
