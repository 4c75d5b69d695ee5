import { requireApi } from '@/lib/auth/session';
import { first, parseDashboardFilters } from '@/lib/finance/filters';
import { failureQueue, sortGroups } from '@/lib/exceptions/queue';
import { jsonOrCsv } from '@/lib/api/csv';
import { centsToDecimal } from '@/lib/format';

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
  return jsonOrCsv(
    request,
    'failures',
    sortGroups(groups, first(raw.sort)).map((g) => ({
      signature_hash: g.signatureHash,
      signature: g.signature,
      category: g.category,
      cause: g.businessMessage,
      records: g.count,
      overdue: g.overdue,
      unassigned: g.unassigned,
      interfaces: g.interfaces.join(' '),
      entity_types: g.entityTypes.join(' '),
      first_seen: g.firstSeen,
      last_seen: g.lastSeen,
      at_risk: Object.entries(g.amountCents).map(([c, cents]) => `${centsToDecimal(cents)} ${c}`).join('; '),
      sample_trace_id: g.sampleTraceId,
    })),
  );
}
