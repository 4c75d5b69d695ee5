import { requireApi } from '@/lib/auth/session';
import { parseAuditFilter } from '@/lib/audit/queries';
import { auditCsvStream } from '@/lib/audit/csv';
import { csvResponse } from '@/lib/api/csv';
import { invalidFilters } from '@/lib/api/errors';

/** GET /api/v1/audit/export?actor=&action=&target=&from=&to= — the filtered audit log as CSV. */
export async function GET(request: Request): Promise<Response> {
  const viewer = await requireApi('audit.read');
  if (viewer instanceof Response) return viewer;
  const { filter, issues } = parseAuditFilter(new URL(request.url).searchParams);
  if (issues.length > 0) return invalidFilters(issues);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return csvResponse(auditCsvStream(filter), `plumbline-audit-${stamp}`);
}
