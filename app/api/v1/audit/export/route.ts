import { requireApi } from '@/lib/auth/session';
import { parseAuditFilter } from '@/lib/audit/queries';
import { auditCsvStream } from '@/lib/audit/csv';

/** GET /api/v1/audit/export?actor=&action=&target=&from=&to= — the filtered audit log as CSV. */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('audit.read');
  if (viewer instanceof Response) return viewer;
  const filter = parseAuditFilter(new URL(request.url).searchParams);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return new Response(auditCsvStream(filter), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="plumbline-audit-${stamp}.csv"`,
      'cache-control': 'no-store',
    },
  });
}
