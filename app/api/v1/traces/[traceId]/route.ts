import { apiError } from '@/lib/api/errors';
import { can } from '@/lib/auth/permissions';
import { requireApi } from '@/lib/auth/session';
import { normaliseTraceId, traceWaterfall } from '@/lib/traces/query';
import { redactTrace } from '@/lib/traces/redact';

/** GET /api/v1/traces/{traceId}: every span of one trace in waterfall order, redacted for the viewer's role. */
export async function GET(_request: Request, { params }: { params: Promise<{ traceId: string }> }): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const traceId = normaliseTraceId((await params).traceId);
  if (!traceId) return apiError(400, 'invalid_trace_id', 'A trace id is 32 hex characters.');
  const trace = await traceWaterfall(traceId);
  if (!trace) return apiError(404, 'not_found', `No spans carry trace id ${traceId}.`);
  return Response.json(redactTrace(trace, { details: can(viewer.role, 'records.viewDetails'), payload: can(viewer.role, 'records.viewPayload') }));
}
