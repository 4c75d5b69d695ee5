import { requireApi } from '@/lib/auth/session';
import { apiError, RequestError } from '@/lib/api/errors';
import { upsertSlos } from '@/lib/slo/definitions';
import { importOpenSlo, OpenSloError } from '@/lib/slo/openslo';

const MAX_BYTES = 1024 * 1024;

/**
 * POST /api/v1/slo/import with an OpenSLO v1 YAML body: creates or updates (by interface
 * and name) every SLO in it, all or nothing, each change audited.
 */
export async function POST(request: Request): Promise<Response> {
  const viewer = await requireApi('slo.manage');
  if (viewer instanceof Response) return viewer;
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BYTES) return apiError(413, 'payload_too_large', 'OpenSLO files are limited to 1 MiB');
  try {
    const inputs = importOpenSlo(text);
    const result = await upsertSlos(viewer, inputs, request.headers.get('x-forwarded-for'));
    return Response.json(result);
  } catch (error) {
    if (error instanceof OpenSloError) return apiError(422, 'invalid_openslo', 'The file is not a valid OpenSLO v1 SLO set for Plumbline', error.problems);
    if (error instanceof RequestError) return apiError(error.status, error.code, error.message, error.details);
    throw error;
  }
}
