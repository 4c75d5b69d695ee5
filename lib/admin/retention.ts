import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import type { Viewer } from '@/lib/auth/session';
import { AdminFormError } from '@/lib/admin/errors';

/**
 * Retention settings (Setting rows). Stored here for the storage jobs to read; this module
 * only validates and records them.
 */
export const RETENTION_SETTINGS = [
  { key: 'retention.ledgerDays', label: 'Sync ledger events', defaultDays: 730 },
  { key: 'retention.tracesDays', label: 'Traces (spans)', defaultDays: 30 },
  { key: 'retention.webhookDeliveriesDays', label: 'Webhook delivery log', defaultDays: 90 },
] as const;

export type RetentionKey = (typeof RETENTION_SETTINGS)[number]['key'];

export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;

export async function retentionSettings(): Promise<{ key: RetentionKey; label: string; days: number; isDefault: boolean }[]> {
  const db = await prisma();
  const rows = await db.setting.findMany({ where: { key: { in: RETENTION_SETTINGS.map((s) => s.key) } } });
  const stored = new Map(rows.map((r) => [r.key, r.value]));
  return RETENTION_SETTINGS.map((s) => {
    const value = stored.get(s.key);
    const days = typeof value === 'number' && Number.isInteger(value) ? value : null;
    return { key: s.key, label: s.label, days: days ?? s.defaultDays, isDefault: days === null };
  });
}

export async function saveRetention(actor: Viewer, values: Record<string, string>, ip: string | null): Promise<void> {
  const errors: Record<string, string> = {};
  const parsed = new Map<RetentionKey, number>();
  for (const s of RETENTION_SETTINGS) {
    const days = Number(values[s.key]);
    if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) errors[s.key] = `Whole days between ${MIN_RETENTION_DAYS} and ${MAX_RETENTION_DAYS}`;
    else parsed.set(s.key, days);
  }
  if (Object.keys(errors).length) throw new AdminFormError(errors);
  const db = await prisma();
  await db.$transaction(async (tx) => {
    for (const [key, days] of parsed) {
      const before = await tx.setting.findUnique({ where: { key } });
      if (before?.value === days) continue;
      await tx.setting.upsert({ where: { key }, create: { key, value: days }, update: { value: days } });
      await writeAudit({ actorId: actor.id, actorLabel: actor.email, action: 'setting.changed', targetType: 'setting', targetId: key, before: before ? { days: before.value } : null, after: { days }, ip }, tx);
    }
  });
}
