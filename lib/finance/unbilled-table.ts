import { sortRows, type TableParams } from '@/lib/finance/filters';
import type { UnbilledLine } from '@/lib/finance/unbilled';

/** Sort keys of the unbilled table (URL `sort`), mapped to line fields. */
const KEYS: Record<string, (l: UnbilledLine) => string | number> = {
  unbilled: (l) => l.unbilledCents,
  age: (l) => l.ageDays,
  accrued: (l) => l.accruedCents,
  billed: (l) => l.billedCents,
  contract: (l) => l.contractLineId,
  customer: (l) => l.customer,
  project: (l) => l.project,
  equipmentClass: (l) => l.equipmentClass,
  cause: (l) => l.cause,
};
export const UNBILLED_SORT_KEYS = Object.keys(KEYS);

export function sortUnbilled(lines: readonly UnbilledLine[], table: TableParams): UnbilledLine[] {
  return sortRows(lines, KEYS[table.sort] ?? KEYS.unbilled!, table.dir, (l) => l.contractLineId);
}
