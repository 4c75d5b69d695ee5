import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { requestLocale } from '@/lib/locale';
import { interfaceHealth, openExposure } from '@/lib/overview/summary';
import { parseDashboardFilters } from '@/lib/finance/filters';
import { unbilledSummary } from '@/lib/finance/unbilled';
import { formatMoney, formatRelative } from '@/lib/format';
import { MoneyList } from '@/components/ui/MoneyList';

// The layout's title template names only the segments below it.
export const metadata: Metadata = { title: { absolute: 'Integration overview · Plumbline' } };

export default async function OverviewPage() {
  await requirePage('dashboards.view');
  const locale = await requestLocale();
  // The unbilled tile uses the unbilled-rentals dashboard's default filters, so both agree.
  const [health, exposure, unbilled] = await Promise.all([interfaceHealth(), openExposure(), unbilledSummary(parseDashboardFilters({}).filters)]);
  const openTotal = health.reduce((sum, row) => sum + row.open_exceptions, 0);
  const events24h = health.reduce((sum, row) => sum + row.events_24h, 0);
  const failed24h = health.reduce((sum, row) => sum + row.failed_24h, 0);
  return (
    <section>
      <h1>Integration overview</h1>
      <div className="cards" aria-label="Headline figures">
        <div className="card">
          <div className="label">Sync attempts (24 h)</div>
          <div className="value" data-testid="events-24h">
            {events24h.toLocaleString('en-US')}
          </div>
        </div>
        <div className="card">
          <div className="label">Failure rate (24 h)</div>
          <div className="value" data-testid="failure-rate-24h">
            {events24h === 0 ? '—' : `${((failed24h / events24h) * 100).toFixed(1)} %`}
          </div>
          <div className="muted">{failed24h.toLocaleString('en-US')} failed, retrying or dead-lettered</div>
        </div>
        <div className="card">
          <div className="label">Open exceptions</div>
          <div className="value" data-testid="open-exceptions">
            <Link href="/operations/failures">{openTotal.toLocaleString('en-US')}</Link>
          </div>
        </div>
        <div className="card">
          <div className="label">Unbilled rental value</div>
          <div className="value" data-testid="unbilled-value">
            <Link href="/finance/unbilled-rentals">
              <MoneyList locale={locale} cents={unbilled.totals} empty="Nothing unbilled" />
            </Link>
          </div>
          <div className="muted">
            {unbilled.contracts.toLocaleString('en-US')} contracts, as of {unbilled.asOf.slice(11, 16)} UTC
          </div>
        </div>
        {exposure.map((row) => (
          <div className="card" key={row.currency}>
            <div className="label">Money in failing syncs ({row.currency})</div>
            <div className="value">
              <Link href={`/finance/invoice-exceptions?currency=${row.currency}`}>{formatMoney(row.amount_at_risk, row.currency, locale)}</Link>
            </div>
          </div>
        ))}
      </div>
      <h2>Interfaces</h2>
      {health.length === 0 ? (
        <p className="empty">No ledger events yet. Point an interface at the ingest endpoint (see README) to see it here.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Interface</th>
              <th scope="col" className="num">Events (24 h)</th>
              <th scope="col" className="num">Failed attempts (24 h)</th>
              <th scope="col" className="num">Open exceptions</th>
              <th scope="col">Last event</th>
            </tr>
          </thead>
          <tbody>
            {health.map((row) => (
              <tr key={row.interface_id}>
                <td>
                  <Link href={`/operations/failures?interface=${encodeURIComponent(row.interface_id)}`}>{row.interface_id}</Link>
                </td>
                <td className="num">{row.events_24h.toLocaleString('en-US')}</td>
                <td className="num">{row.failed_24h.toLocaleString('en-US')}</td>
                <td className="num">{row.open_exceptions > 0 ? <span className="badge bad">{row.open_exceptions}</span> : 0}</td>
                <td>{row.last_event_at ? formatRelative(row.last_event_at) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
