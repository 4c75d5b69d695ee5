/** Human durations for spans and SLOs: µs below a millisecond, then ms, s, min, h. */
export function formatDurationUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  return formatDurationMs(us / 1000);
}

export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const min = s / 60;
  if (min < 60) return `${min.toFixed(1)} min`;
  const h = min / 60;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} days`;
}
