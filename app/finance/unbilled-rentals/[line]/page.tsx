import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { requestLocale } from '@/lib/locale';
import { can } from '@/lib/auth/permissions';
import { parseDashboardFilters } from '@/lib/finance/filters';
import { CAUSE_LABELS, unbilledLine } from '@/lib/finance/unbilled';
import { contractLineEvents } from '@/lib/exceptions/open-records';
import { formatMoney } from '@/lib/format';
import { EventList } from '@/components/exceptions/EventList';

/** From the URL alone, so the title shows nothing the page's permission check would withhold. */
export async function generateMetadata({ params }: { params: Promise<{ line: string }> }): Promise<Metadata> {
  const { line } = await params;
  return { title: `Contract line ${decodeURIComponent(line)}` };
}

export default async function ContractLinePage({ params }: { params: Promise<{ line: string }> }) {
  const viewer = await requirePage('dashboards.view');
  const locale = await requestLocale();
  const lineId = decodeURIComponent((await params).line);
  const { filters } = parseDashboardFilters({});
  const [line, events] = await Promise.all([unbilledLine(lineId, filters.to), contractLineEvents(lineId, can(viewer.role, 'records.viewPayload'))]);
  const money = (cents: number) => formatMoney(cents / 100, line?.currency || 'USD', locale);
  return (
    <section>
      <p>
        <Link href="/finance/unbilled-rentals">← Unbilled rentals</Link>
      </p>
      <h1>Contract line {lineId}</h1>
      {!line ? (
        <p className="empty">No rental dispatch is recorded for this contract line.</p>
      ) : (
        <>
          <p className="muted">
            {line.contractId} · {line.customer} · project {line.project} · {line.equipmentClass} {line.equipmentId} · rates{' '}
            {money(Number(line.rates.day) * 100)}/day, {money(Number(line.rates.week) * 100)}/week, {money(Number(line.rates.fourWeek) * 100)}/4 weeks
          </p>
          <div className="cards">
            <div className="card">
              <div className="label">Rental ({line.billableDays} days, cheapest combination)</div>
              <div className="value">{money(line.rentalCents)}</div>
            </div>
            <div className="card">
              <div className="label">Surcharges</div>
              <div className="value">{money(line.surchargeCents)}</div>
            </div>
            <div className="card">
              <div className="label">Billed (invoices − credit notes)</div>
              <div className="value">{money(line.billedCents)}</div>
              <div className="muted">
                {money(line.invoicedCents)} invoiced, {money(line.creditedCents)} credited
              </div>
            </div>
            <div className="card">
              <div className="label">Unbilled</div>
              <div className="value">{money(line.unbilledCents)}</div>
              <div className="muted">
                {line.unbilledCents > 0 ? `${CAUSE_LABELS[line.cause]}; oldest unbilled day ${line.oldestUnbilledDay} (${line.ageDays} days)` : 'Fully billed'}
              </div>
            </div>
          </div>
        </>
      )}
      <h2>Events for this contract line</h2>
      <EventList locale={locale} events={events} canViewDetails={can(viewer.role, 'records.viewDetails')} canViewPayload={can(viewer.role, 'records.viewPayload')} />
    </section>
  );
}
