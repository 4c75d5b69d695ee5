import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { interfaceHealth, openExposure } from '@/lib/overview/summary';
import { formatMoney, formatRelative } from '@/lib/format';

export default async function OverviewPage() {
  await requirePage('dashboards.view');
  const [health, exposure] = await Promise.all([interfaceHealth(), openExposure()]);
  const openTotal = health.reduce((sum, row) => sum + row.open_exceptions, 0);
  const events24h = health.reduce((sum, row) => sum + row.events_24h, 0);
  return (
    <section>
      <h1>Integration overview</h1>
      <div className="cards">
        <div className="card">
          <div className="label">Records synced or attempted (24 h)</div>
          <div className="value">{events24h.toLocaleString('en-US')}</div>
        </div>
        <div className="card">
          <div className="label">Open exceptions</div>
          <div className="value">
            <Link href="/operations/failures">{openTotal.toLocaleString('en-US')}</Link>
          </div>
        </div>
        {exposure.map((row) => (
          <div className="card" key={row.currency}>
            <div className="label">Money in failing syncs ({row.currency})</div>
            <div className="value">
              <Link href={`/finance/invoice-exceptions?currency=${row.currency}`}>{formatMoney(row.amount_at_risk, row.currency)}</Link>
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
