import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { requestLocale } from '@/lib/locale';
import { RequestError } from '@/lib/api/errors';
import { LEDGER_STATUSES } from '@/lib/ledger/event';
import {
  DEFAULT_PAGE_SIZE,
  LEDGER_FILTER_PARAMS,
  ledgerFilterParams,
  ledgerVisibility,
  parseLedgerFilters,
  searchLedgerEvents,
  type LedgerEventPage,
  type ParsedLedgerQuery,
} from '@/lib/ledger/query';
import { listInterfaceChoices } from '@/lib/slo/definitions';
import { LedgerTable } from '@/components/ledger/LedgerTable';

export const metadata: Metadata = { title: 'Sync ledger' };

type RawParams = Record<string, string | string[] | undefined>;

const PAGE_SIZES = [50, 100, 200, 500];

function toSearchParams(raw: RawParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of LEDGER_FILTER_PARAMS) {
    const value = raw[key];
    const single = Array.isArray(value) ? value[0] : value;
    if (single !== undefined) params.set(key, single);
  }
  return params;
}

/** datetime-local inputs hold UTC minutes. */
function localInput(date: Date): string {
  return date.toISOString().slice(0, 16);
}

export default async function LedgerPage({ searchParams }: { searchParams: Promise<RawParams> }) {
  const viewer = await requirePage('dashboards.view');
  const locale = await requestLocale();
  const raw = toSearchParams(await searchParams);
  const visibility = ledgerVisibility(viewer.role);
  let parsed: ParsedLedgerQuery | null = null;
  let problem: string | null = null;
  try {
    parsed = parseLedgerFilters(raw);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    problem = error.message;
  }
  const [result, interfaces]: [LedgerEventPage | null, { key: string; name: string }[]] = await Promise.all([
    parsed ? searchLedgerEvents(parsed.filters, parsed.page, visibility) : Promise.resolve(null),
    listInterfaceChoices(),
  ]);
  const value = (key: string) => raw.get(key) ?? '';
  const shown = parsed ? ledgerFilterParams(parsed.filters) : null;
  const href = (change: Record<string, string>) => {
    const params = new URLSearchParams(shown ?? undefined);
    if (parsed && parsed.page.pageSize !== DEFAULT_PAGE_SIZE) params.set('page_size', String(parsed.page.pageSize));
    for (const [key, v] of Object.entries(change)) params.set(key, v);
    return params.toString();
  };
  const pages = result ? Math.max(1, Math.ceil(result.total / result.pageSize)) : 1;
  return (
    <section>
      <h1>Sync ledger</h1>
      <form className="filters" method="get" action="/ledger" role="search" aria-label="Filter ledger events">
        <label>
          Search
          <input name="q" defaultValue={value('q')} placeholder="event id, record id or document number" size={30} />
        </label>
        <label>
          Interface
          <select name="interface" defaultValue={value('interface')}>
            <option value="">Any</option>
            {interfaces.map((i) => (
              <option key={i.key} value={i.key}>
                {i.key}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={value('status')}>
            <option value="">Any</option>
            {LEDGER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Entity type
          <input name="entity_type" defaultValue={value('entity_type')} placeholder="account.move" size={16} />
        </label>
        <label>
          Event type
          <input name="event_type" defaultValue={value('event_type')} placeholder="invoice.created" size={16} />
        </label>
        <label>
          Source record id
          <input name="source_record_id" defaultValue={value('source_record_id')} size={16} />
        </label>
        <label>
          Document number
          <input name="document_number" defaultValue={value('document_number')} size={16} />
        </label>
        <label>
          Event id
          <input name="event_id" defaultValue={value('event_id')} size={16} />
        </label>
        <label>
          Trace id
          <input name="trace_id" defaultValue={value('trace_id')} placeholder="32 hex characters" size={34} pattern="[0-9a-fA-F]{32}" />
        </label>
        <label>
          From (UTC)
          <input name="from" type="datetime-local" defaultValue={parsed ? localInput(parsed.filters.from) : value('from')} />
        </label>
        <label>
          To (UTC)
          <input name="to" type="datetime-local" defaultValue={parsed ? localInput(parsed.filters.to) : value('to')} />
        </label>
        <label>
          Per page
          <select name="page_size" defaultValue={String(parsed?.page.pageSize ?? DEFAULT_PAGE_SIZE)}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
        <Link href="/ledger">Reset</Link>
      </form>
      <p className="muted">
        Search matches an event id, source record id or document number exactly. Without a start time the last 7 days are shown (90 days when
        looking up one record or trace).
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {result && parsed && (
        <>
          <p>
            {result.total.toLocaleString('en-US')} events · <a href={`/api/v1/ledger/events?${href({ format: 'csv' })}`}>Export CSV</a>
            <span className="muted"> (up to 100 000 rows)</span>
          </p>
          {result.events.length === 0 && result.total > 0 ? (
            <p className="empty">
              Page {result.page} is past the last page ({pages}). <Link href={`/ledger?${href({ page: '1' })}`}>Go to the first page</Link>
            </p>
          ) : result.events.length === 0 ? (
            <p className="empty">
              No ledger events match these filters between {localInput(parsed.filters.from).replace('T', ' ')} and{' '}
              {localInput(parsed.filters.to).replace('T', ' ')} UTC. Widen the time range or clear a filter.
            </p>
          ) : (
            <>
              <LedgerTable locale={locale} events={result.events} detailsHidden={!visibility.details} payloadHidden={!visibility.payload} />
              <nav className="pager" aria-label="Pages">
                {result.page > 1 ? <Link href={`/ledger?${href({ page: String(result.page - 1) })}`}>← Previous</Link> : <span className="muted">← Previous</span>}
                <span>
                  Page {result.page} of {pages}
                </span>
                {result.page < pages ? <Link href={`/ledger?${href({ page: String(result.page + 1) })}`}>Next →</Link> : <span className="muted">Next →</span>}
              </nav>
            </>
          )}
        </>
      )}
    </section>
  );
}
