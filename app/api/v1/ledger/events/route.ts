import { requireApi } from '@/lib/auth/session';
import { ledgerEventsApiResponse } from '@/lib/ledger/query';

/** GET /api/v1/ledger/events: filtered, paginated ledger events as JSON, or `?format=csv`. */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  return ledgerEventsApiResponse(new URL(request.url).searchParams, viewer.role);
}
