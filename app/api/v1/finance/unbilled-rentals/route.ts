import { requireApi } from '@/lib/auth/session';
import { parseDashboardFilters, parseTableParams } from '@/lib/finance/filters';
import { unbilledDashboard } from '@/lib/finance/unbilled-rentals';
import { sortUnbilled, UNBILLED_SORT_KEYS } from '@/lib/finance/unbilled-table';
import { CAUSE_LABELS } from '@/lib/finance/unbilled';
import { centsToDecimal, jsonOrCsv } from '@/lib/finance/csv';

/** Every contract line with unbilled value for the filters (no paging: it is an export). */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const { filters } = parseDashboardFilters(raw);
  const dashboard = await unbilledDashboard(filters, { trend: false });
  const lines = sortUnbilled(raw.cause ? dashboard.lines.filter((l) => l.cause === raw.cause) : dashboard.lines, parseTableParams(raw, UNBILLED_SORT_KEYS, 'unbilled'));
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
