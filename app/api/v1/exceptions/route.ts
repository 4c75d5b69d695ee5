import { requireApi } from '@/lib/auth/session';
import { exportResponse } from '@/lib/api/csv';
import { first, parseDashboardFilters } from '@/lib/finance/filters';
import { FAILURE_GROUP_EXPORT_COLUMNS, failureQueue, sortGroups } from '@/lib/exceptions/queue';

/** The failure queue's signature groups for the filters (the /operations/failures table). */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const { filters } = parseDashboardFilters(raw);
  const { groups } = await failureQueue(filters, {
    category: first(raw.category),
    state: first(raw.state),
    assignee: first(raw.assignee) === 'me' ? viewer.id : first(raw.assignee),
    signature: first(raw.signature),
    entityType: first(raw.entity),
  });
  return exportResponse(request, 'failures', FAILURE_GROUP_EXPORT_COLUMNS, [sortGroups(groups, first(raw.sort))]);
}
