import { requireApi } from '@/lib/auth/session';
import { invalidChoice } from '@/lib/api/errors';
import { exportResponse } from '@/lib/api/csv';
import { invalidDashboardParams, parseDashboardFilters } from '@/lib/finance/filters';
import { BREAKDOWN_DIMENSIONS, exceptionBreakdown, exceptionBreakdownExportColumns, type BreakdownDimension } from '@/lib/finance/invoice-exceptions';

/** GET ?dimension=category|interface|counterparty|project (and the page's filters): every key of that breakdown of open exceptions. */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const invalid = invalidChoice('dimension', raw.dimension, Object.keys(BREAKDOWN_DIMENSIONS)) ?? invalidDashboardParams(raw);
  if (invalid) return invalid;
  const dimension = raw.dimension as BreakdownDimension;
  const rows = await exceptionBreakdown(parseDashboardFilters(raw).filters, dimension);
  const currencies = [...new Set(rows.flatMap((r) => Object.keys(r.atRiskCents)))].sort();
  return exportResponse(request, `invoice-exceptions-by-${dimension}`, exceptionBreakdownExportColumns(dimension, currencies), [rows]);
}
