import { budgetRemaining } from '@/lib/slo/math';
import type { SliBucket } from '@/lib/slo/query';

/** Per bucket SLI, plus the SLI and budget remaining accumulated from the window's start. */
export interface BudgetPoint {
  at: string;
  sli: number | null;
  cumulativeSli: number | null;
  budgetRemaining: number | null;
}

export function budgetOverTime(buckets: readonly SliBucket[], objective: number): BudgetPoint[] {
  let total = 0;
  let bad = 0;
  return buckets.map((b) => {
    total += b.total;
    bad += b.bad;
    return {
      at: b.at,
      sli: b.total > 0 ? (b.total - b.bad) / b.total : null,
      cumulativeSli: total > 0 ? (total - bad) / total : null,
      budgetRemaining: total > 0 ? budgetRemaining(bad, total, objective) : null,
    };
  });
}
