import { requireApi } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { parseDashboardFilters, parseTableParams } from '@/lib/finance/filters';
import { EXCEPTION_STATES, INVOICE_EXCEPTION_SORTS, invoiceExceptionRows, type ExceptionStateFilter } from '@/lib/finance/invoice-exceptions';
import { describeError } from '@/lib/exceptions/queue';
import { jsonOrCsv } from '@/lib/api/csv';
import { centsToDecimal } from '@/lib/format';

/** Failed invoice syncs for the filters. Technical error text only for roles that may see error details; never payloads. */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const { filters } = parseDashboardFilters(raw);
  const state = (EXCEPTION_STATES as readonly string[]).includes(raw.state ?? '') ? (raw.state as ExceptionStateFilter) : 'open';
  const table = parseTableParams(raw, INVOICE_EXCEPTION_SORTS, 'first_failure');
  const rows = await invoiceExceptionRows(filters, state, table, { allPages: true });
  const details = can(viewer.role, 'records.viewDetails');
  return jsonOrCsv(
    request,
    'invoice-exceptions',
    rows.map((r) => ({
      interface: r.interface_id,
      source_record_id: r.source_record_id,
      document_number: r.document_number,
      kind: r.last_event_type === 'vendor_bill.sync' ? 'vendor bill' : 'customer invoice',
      counterparty: r.counterparty,
      project: r.project,
      currency: r.currency,
      amount: centsToDecimal(r.amountCents),
      status: r.last_status,
      attempts: r.attempts,
      first_failure_at: r.first_failure_at,
      last_event_at: r.last_event_at,
      resolved_at: r.resolved_at,
      error_category: r.last_error_category,
      error: describeError(r.last_error_category, r.last_error_message, r.entity_type),
      ...(details ? { error_code: r.last_error_code, error_message: r.last_error_message } : {}),
      trace_id: r.trace_id,
    })),
  );
}
