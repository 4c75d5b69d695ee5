import { requireApi } from '@/lib/auth/session';
import { invalidChoice } from '@/lib/api/errors';
import { exportResponse } from '@/lib/api/csv';
import { invalidDashboardParams, parseDashboardFilters } from '@/lib/finance/filters';
import { breakdownExportColumns, UNBILLED_BREAKDOWNS, unbilledSummary, type UnbilledBreakdownName } from '@/lib/finance/unbilled';

/** GET ?dimension=project|customer|equipment_class (and the page's filters): every key of that breakdown, not only the ten the page shows. */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const invalid = invalidChoice('dimension', raw.dimension, Object.keys(UNBILLED_BREAKDOWNS)) ?? invalidDashboardParams(raw);
  if (invalid) return invalid;
  const name = raw.dimension as UnbilledBreakdownName;
  const summary = await unbilledSummary(parseDashboardFilters(raw).filters);
  return exportResponse(request, `unbilled-rentals-by-${name}`, breakdownExportColumns(name, Object.keys(summary.totals).sort()), [summary[UNBILLED_BREAKDOWNS[name]]]);
}
