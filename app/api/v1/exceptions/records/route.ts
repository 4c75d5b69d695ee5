import { requireApi } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { invalidFilters } from '@/lib/api/errors';
import { exportResponse } from '@/lib/api/csv';
import { invalidDashboardParams, parseDashboardFilters } from '@/lib/finance/filters';
import { groupRecordExportColumns, groupRecords, parseQueueOptions, QUEUE_STATES } from '@/lib/exceptions/queue';

/** GET ?signature=<hash> (and the queue's filters): every record of that failure group, most recently failed first. */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const invalid = invalidDashboardParams(raw, { state: QUEUE_STATES });
  if (invalid) return invalid;
  const options = parseQueueOptions(raw, viewer.id);
  if (!options.signature) {
    return invalidFilters([{ parameter: 'signature', message: 'is required: a failure group’s signature hash' }]);
  }
  const records = await groupRecords(parseDashboardFilters(raw).filters, options);
  return exportResponse(request, `failures-${options.signature}`, groupRecordExportColumns(can(viewer.role, 'records.viewDetails')), [records]);
}
