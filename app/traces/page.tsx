import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { recentServices, searchTraces } from '@/lib/traces/query';
import { parseTraceSearch, toLocalInput, traceSearchHref, type RawParams } from '@/lib/traces/search-params';
import { listInterfaceChoices } from '@/lib/slo/definitions';
import { TraceTable } from '@/components/traces/TraceTable';
import { IgnoredParams } from '@/components/ui/IgnoredParams';

export const metadata: Metadata = { title: 'Traces' };

export default async function TracesPage({ searchParams }: { searchParams: Promise<RawParams> }) {
  await requirePage('dashboards.view');
  const now = new Date();
  const { search, values, issues } = parseTraceSearch(await searchParams, now);
  const [result, services, interfaces] = await Promise.all([
    searchTraces(search),
    recentServices(new Date(now.getTime() - 7 * 86_400_000)),
    listInterfaceChoices(),
  ]);
  const page = search.page ?? 1;
  const range = `${toLocalInput(search.from).replace('T', ' ')} and ${toLocalInput(search.to).replace('T', ' ')} UTC`;
  return (
    <section>
      <h1>Traces</h1>
      <form className="filters" method="get" action="/traces" role="search" aria-label="Find traces">
        <label>
          Business key
          <input name="q" defaultValue={values.q} placeholder="INV/2026/0042, record id, contract, project" size={30} />
        </label>
        <label>
          Trace id
          <input name="traceId" defaultValue={values.traceId} placeholder="32 hex characters" size={34} pattern="[0-9a-fA-F]{32}" />
        </label>
        <label>
          Interface
          <select name="interface" defaultValue={values.interface}>
            <option value="">Any</option>
            {interfaces.map((i) => (
              <option key={i.key} value={i.key}>
                {i.key}
              </option>
            ))}
          </select>
        </label>
        <label>
          Service
          <select name="service" defaultValue={values.service}>
            <option value="">Any</option>
            {services.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={values.status}>
            <option value="">Any</option>
            <option value="error">Error</option>
            <option value="ok">OK</option>
          </select>
        </label>
        <label>
          Min duration (ms)
          <input name="minMs" type="number" min={0} step={1} defaultValue={values.minMs} size={8} />
        </label>
        <label>
          From (UTC)
          <input name="from" type="datetime-local" defaultValue={values.from} />
        </label>
        <label>
          To (UTC)
          <input name="to" type="datetime-local" defaultValue={values.to} />
        </label>
        <label>
          Order
          <select name="sort" defaultValue={values.sort}>
            <option value="recent">Newest first</option>
            <option value="slowest">Slowest first</option>
          </select>
        </label>
        <span className="muted">Empty times search the last 24 h, or 90 days for a business key or trace id.</span>
        <button type="submit">Search</button>
        <Link href="/traces">Reset</Link>
      </form>
      <IgnoredParams issues={issues} />
      <p className="muted">
        A business key matches ledger events by document number, source record id, rental contract or project, and any span
        attribute value. A trace matches when one of its spans matches every other filter.
      </p>
      {result.rows.length === 0 ? (
        <p className="empty">No traces match these filters between {range}. Widen the time range or clear a filter.</p>
      ) : (
        <>
          <TraceTable rows={result.rows} />
          <nav className="pager" aria-label="Pages">
            {page > 1 ? <Link href={traceSearchHref(values, { page: page - 1 })}>← Previous</Link> : <span className="muted">← Previous</span>}
            <span>Page {page}</span>
            {result.hasMore ? <Link href={traceSearchHref(values, { page: page + 1 })}>Next →</Link> : <span className="muted">Next →</span>}
          </nav>
        </>
      )}
    </section>
  );
}
