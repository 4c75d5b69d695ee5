import { requireApi } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { exportResponse } from '@/lib/api/csv';
import { invalidDashboardParams, parseDashboardFilters, parseTableParams } from '@/lib/finance/filters';
import { allInvoiceExceptionRows, EXCEPTION_STATES, INVOICE_EXCEPTION_SORTS, invoiceExceptionExportColumns, type ExceptionStateFilter } from '@/lib/finance/invoice-exceptions';

/** Failed invoice syncs for the filters, in the table's order. Technical error text only for roles that may see error details; never payloads. */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const invalid = invalidDashboardParams(raw, { sort: INVOICE_EXCEPTION_SORTS, state: EXCEPTION_STATES });
  if (invalid) return invalid;
  const { filters } = parseDashboardFilters(raw);
  const state = (raw.state || 'open') as ExceptionStateFilter;
  const rows = allInvoiceExceptionRows(filters, state, parseTableParams(raw, INVOICE_EXCEPTION_SORTS, 'first_failure'));
  return exportResponse(request, 'invoice-exceptions', invoiceExceptionExportColumns(can(viewer.role, 'records.viewDetails')), rows);
}
