import type { CompatibilityLevel } from '@/lib/db/generated/enums';

const CLASS: Record<CompatibilityLevel, string> = { FULL: 'good', NONE_CHANGED: 'good', BACKWARD: 'warn', FORWARD: 'warn', BREAKING: 'bad' };

export function CompatibilityBadge({ level }: { level: CompatibilityLevel | null }) {
  if (!level) return <span className="muted">first version</span>;
  return <span className={`badge ${CLASS[level]}`}>{level === 'NONE_CHANGED' ? 'no change' : level}</span>;
}
