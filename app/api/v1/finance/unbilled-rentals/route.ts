import { requireApi } from '@/lib/auth/session';
import { parseDashboardFilters, parseTableParams } from '@/lib/finance/filters';
import { CAUSE_LABELS, UNBILLED_CAUSES, UNBILLED_SORT_KEYS, unbilledLines } from '@/lib/finance/unbilled';
import { jsonOrCsv } from '@/lib/api/csv';
import { centsToDecimal } from '@/lib/format';

/** Every contract line with unbilled value for the filters (no paging: it is an export). */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const { filters } = parseDashboardFilters(raw);
  const cause = (UNBILLED_CAUSES as readonly string[]).includes(raw.cause ?? '') ? raw.cause : '';
  const lines = await unbilledLines(filters, parseTableParams(raw, UNBILLED_SORT_KEYS, 'unbilled'), { cause, allPages: true });
  return jsonOrCsv(
    request,
    'unbilled-rentals',
    lines.map((l) => ({
      contract_line_id: l.contractLineId,
      contract_id: l.contractId,
      customer: l.customer,
      project: l.project,
      equipment_class: l.equipmentClass,
      equipment_id: l.equipmentId,
      currency: l.currency,
      dispatched_at: l.dispatchedAt,
      off_rent_at: l.offRentAt,
      billable_days: l.billableDays,
      accrued: centsToDecimal(l.accruedCents),
      billed: centsToDecimal(l.billedCents),
      unbilled: centsToDecimal(l.unbilledCents),
      oldest_unbilled_day: l.oldestUnbilledDay,
      age_days: l.ageDays,
      cause: CAUSE_LABELS[l.cause],
    })),
  );
}
