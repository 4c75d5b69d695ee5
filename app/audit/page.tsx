import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { listAudit, parseAuditFilter, auditActions } from '@/lib/audit/queries';
import { formatDateTime } from '@/lib/format';
import { VerifyButton } from '@/app/audit/VerifyButton';
import { IgnoredParams } from '@/components/ui/IgnoredParams';

export const metadata: Metadata = { title: 'Audit log' };

type Params = Record<string, string | string[] | undefined>;

const FILTER_KEYS = ['actor', 'action', 'target', 'from', 'to'] as const;

function summary(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Params> }) {
  await requirePage('audit.read');
  const params = await searchParams;
  const { filter, issues } = parseAuditFilter(params);
  const requestedPage = Number(Array.isArray(params.page) ? params.page[0] : params.page) || 1;
  const [{ rows, total, page, pages }, actions] = await Promise.all([listAudit(filter, requestedPage), auditActions()]);
  const query = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = params[key];
    if (typeof v === 'string' && v.trim()) query.set(key, v.trim());
  }
  const pageHref = (n: number) => {
    const p = new URLSearchParams(query);
    p.set('page', String(n));
    return `/audit?${p.toString()}`;
  };
  const value = (key: (typeof FILTER_KEYS)[number]) => (typeof params[key] === 'string' ? (params[key] as string) : '');
  return (
    <section>
      <h1>Audit log</h1>
      <p className="muted">Append-only and hash-chained: every change by a person or an ingest key, and every sign-in.</p>
      <form className="filters" method="get" action="/audit" role="search" aria-label="Filter the audit log">
        <label>
          Actor
          <input name="actor" defaultValue={value('actor')} placeholder="email" />
        </label>
        <label>
          Action
          <input name="action" defaultValue={value('action')} list="audit-actions" placeholder="e.g. user." />
          <datalist id="audit-actions">
            {actions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          Target
          <input name="target" defaultValue={value('target')} placeholder="type or id" />
        </label>
        <label>
          From
          <input name="from" type="date" defaultValue={value('from')} />
        </label>
        <label>
          To
          <input name="to" type="date" defaultValue={value('to')} />
        </label>
        <button type="submit">Filter</button>
        <Link href="/audit">Clear</Link>
        <a href={`/api/v1/audit/export?${query.toString()}`} download>
          Export CSV
        </a>
      </form>
      <IgnoredParams issues={issues} />
      <VerifyButton />
      {rows.length === 0 ? (
        <p className="empty">No audit entries match these filters.</p>
      ) : (
        <>
          <table>
            <caption className="muted">
              {total} entries · page {page} of {pages}
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="num">{r.id}</td>
                  <td>{formatDateTime(r.at)}</td>
                  <td>{r.actorLabel}</td>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td>
                    {r.targetType} <span className="muted">{r.targetId}</span>
                  </td>
                  <td>
                    <code>{summary(r.before)}</code>
                  </td>
                  <td>
                    <code>{summary(r.after)}</code>
                  </td>
                  <td>{r.ip ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Audit pages">
            {page > 1 ? <Link href={pageHref(page - 1)}>Previous</Link> : <span className="muted">Previous</span>}
            <span>
              Page {page} of {pages}
            </span>
            {page < pages ? <Link href={pageHref(page + 1)}>Next</Link> : <span className="muted">Next</span>}
          </nav>
        </>
      )}
    </section>
  );
}
