import { requireApi } from '@/lib/auth/session';
import { exportResponse } from '@/lib/api/csv';
import { first, invalidDashboardParams, parseDashboardFilters } from '@/lib/finance/filters';
import { FAILURE_GROUP_EXPORT_COLUMNS, failureQueue, GROUP_SORTS, parseQueueOptions, QUEUE_STATES, sortGroups } from '@/lib/exceptions/queue';

/** The failure queue's signature groups for the filters (the /operations/failures table). */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const invalid = invalidDashboardParams(raw, { sort: GROUP_SORTS, state: QUEUE_STATES });
  if (invalid) return invalid;
  const { groups } = await failureQueue(parseDashboardFilters(raw).filters, parseQueueOptions(raw, viewer.id));
  return exportResponse(request, 'failures', FAILURE_GROUP_EXPORT_COLUMNS, [sortGroups(groups, first(raw.sort))]);
}
