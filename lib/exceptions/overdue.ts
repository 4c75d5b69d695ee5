/**
 * Overdue rules: how long an exception may stay open before it is overdue. A rule may
 * name an entity type, an error category, both or neither; the most specific matching
 * rule wins. Defaults are created on first use so a fresh install has sensible ones.
 */
import { prisma } from '@/lib/db/client';

export interface OverdueRuleLike {
  id: string;
  entityType: string | null;
  errorCategory: string | null;
  maxAgeHours: number;
  label: string;
}

export const DEFAULT_OVERDUE_RULES: readonly Omit<OverdueRuleLike, 'id'>[] = [
  { entityType: 'account.move', errorCategory: null, maxAgeHours: 72, label: 'Invoice and bill exceptions older than 3 days' },
  { entityType: null, errorCategory: null, maxAgeHours: 7 * 24, label: 'Any exception older than 7 days' },
];

export async function overdueRules(): Promise<OverdueRuleLike[]> {
  const db = await prisma();
  const existing = await db.overdueRule.findMany();
  if (existing.length > 0) return existing;
  await db.overdueRule.createMany({ data: [...DEFAULT_OVERDUE_RULES] });
  return db.overdueRule.findMany();
}

function specificity(rule: OverdueRuleLike): number {
  return (rule.entityType ? 2 : 0) + (rule.errorCategory ? 1 : 0);
}

export function ruleFor(rules: readonly OverdueRuleLike[], entityType: string, errorCategory: string): OverdueRuleLike | null {
  return (
    rules
      .filter((r) => (!r.entityType || r.entityType === entityType) && (!r.errorCategory || r.errorCategory === errorCategory))
      .sort((a, b) => specificity(b) - specificity(a) || a.maxAgeHours - b.maxAgeHours)[0] ?? null
  );
}

/** Overdue when open for longer than the matching rule allows (from the first failure). */
export function isOverdue(rules: readonly OverdueRuleLike[], entityType: string, errorCategory: string, firstFailureAt: string | Date | null, now: Date): boolean {
  if (!firstFailureAt) return false;
  const rule = ruleFor(rules, entityType, errorCategory);
  if (!rule) return false;
  return now.getTime() - new Date(firstFailureAt).getTime() > rule.maxAgeHours * 3_600_000;
}
