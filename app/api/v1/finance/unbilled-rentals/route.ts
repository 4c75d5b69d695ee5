import { requireApi } from '@/lib/auth/session';
import { exportResponse } from '@/lib/api/csv';
import { invalidDashboardParams, parseDashboardFilters, parseTableParams } from '@/lib/finance/filters';
import { allUnbilledLines, UNBILLED_CAUSES, UNBILLED_EXPORT_COLUMNS, UNBILLED_SORT_KEYS } from '@/lib/finance/unbilled';

/** Every contract line with unbilled value for the filters, in the table's order (no paging: it is an export). */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const invalid = invalidDashboardParams(raw, { sort: UNBILLED_SORT_KEYS, cause: UNBILLED_CAUSES });
  if (invalid) return invalid;
  const { filters } = parseDashboardFilters(raw);
  const cause = raw.cause ?? '';
  const lines = allUnbilledLines(filters, parseTableParams(raw, UNBILLED_SORT_KEYS, 'unbilled'), { cause });
  return exportResponse(request, 'unbilled-rentals', UNBILLED_EXPORT_COLUMNS, lines);
}
