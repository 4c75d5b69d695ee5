import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { requirePage } from '@/lib/auth/session';
import { requestLocale } from '@/lib/locale';
import {
  dashboardParamIssues,
  hrefWith,
  parseDashboardFilters,
  parseTableParams,
  type DashboardFilters,
  type FilterValues,
  type RawParams,
  type TableParams,
} from '@/lib/finance/filters';
import { isLive } from '@/lib/finance/kept-views';
import { filterOptions, asOptions } from '@/lib/finance/filter-options';
import {
  CAUSE_LABELS,
  UNBILLED_BREAKDOWNS,
  UNBILLED_CAUSES,
  UNBILLED_SORT_KEYS,
  unbilledLines,
  unbilledSummary,
  unbilledTrend,
  type UnbilledBreakdownName,
  type UnbilledTrend,
} from '@/lib/finance/unbilled';
import { formatMoney } from '@/lib/format';
import { DataTable } from '@/components/ui/DataTable';
import { FilterBar } from '@/components/ui/FilterBar';
import { MoneyList } from '@/components/ui/MoneyList';
import { BreakdownTable } from '@/components/ui/BreakdownTable';
import { BarsChart, TimeSeriesChart } from '@/components/ui/Charts';
import { FiguresLoading } from '@/app/finance/unbilled-rentals/FiguresLoading';

export const metadata: Metadata = { title: 'Unbilled rentals' };

const BREAKDOWN_TITLES: readonly [UnbilledBreakdownName, string, string][] = [
  ['project', 'By project', 'Project'],
  ['customer', 'By customer', 'Customer'],
  ['equipment_class', 'By equipment class', 'Equipment class'],
];

/** The trend, streamed in after the rest of the page: when it is not kept, computing it takes a second or two at scale. */
async function TrendChart({ trend, currencies }: { trend: Promise<UnbilledTrend>; currencies: string[] }) {
  const { points, computedAt } = await trend;
  const data = points.map((p) => ({ at: p.at.slice(0, 10), ...Object.fromEntries(currencies.map((c) => [c, (p.unbilledCents[c] ?? 0) / 100])) }));
  return (
    <>
      <TimeSeriesChart label="Unbilled value over time per currency" data={data} xKey="at" series={currencies.map((c) => ({ key: c, label: c }))} unit="money" />
      <p className="muted">
        Unbilled value at the start of each day (UTC)
        {computedAt && `, as computed at ${computedAt.slice(11, 19)} UTC; events since then show within a minute`}.
      </p>
    </>
  );
}

export default async function UnbilledRentalsPage({ searchParams }: { searchParams: Promise<RawParams> }) {
  await requirePage('dashboards.view');
  const locale = await requestLocale();
  const raw = await searchParams;
  const { filters, values } = parseDashboardFilters(raw);
  const table = parseTableParams(raw, UNBILLED_SORT_KEYS, 'unbilled');
  const cause = (UNBILLED_CAUSES as readonly string[]).includes(String(raw.cause ?? '')) ? String(raw.cause) : '';
  const options = await filterOptions(['rental.contract']);
  const view = { ...values, cause, sort: table.sort, dir: table.dir, page: String(table.page) };
  return (
    <section>
      <h1>Unbilled rentals</h1>
      <p className="muted">
        Accrued rental value (dispatch → off-rent, or → the as-of date while on rent, at the cheapest day/week/4-week combination, plus
        surcharges) minus customer invoices synced successfully to Odoo, less credit notes. Balance as of {values.to}; the trend runs from{' '}
        {values.from}.
      </p>
      <FilterBar
        action="/finance/unbilled-rentals"
        label="Filter unbilled rentals"
        ignored={dashboardParamIssues(raw, { sort: UNBILLED_SORT_KEYS, cause: UNBILLED_CAUSES })}
        fields={[
          { name: 'from', label: 'From', type: 'date', value: values.from },
          { name: 'to', label: 'As of', type: 'date', value: values.to },
          { name: 'project', label: 'Project', type: 'select', value: values.project, options: asOptions(options.projects) },
          { name: 'customer', label: 'Customer', type: 'select', value: values.customer, options: asOptions(options.customers) },
          { name: 'interface', label: 'Interface', type: 'select', value: values.interface, options: asOptions(options.interfaces) },
          { name: 'currency', label: 'Currency', type: 'select', value: values.currency, options: asOptions(options.currencies) },
          { name: 'cause', label: 'Cause', type: 'select', value: cause, options: UNBILLED_CAUSES.map((c) => [c, CAUSE_LABELS[c]]) },
        ]}
      />
      {/* Keyed by the view, so a link to another view (a sort, a page, a cause) shows the progress note instead of the old figures. */}
      <Suspense key={hrefWith('', view)} fallback={<FiguresLoading asOfDay={isLive(filters.to) ? null : values.to} />}>
        <UnbilledFigures filters={filters} values={values} table={table} cause={cause} locale={locale} />
      </Suspense>
    </section>
  );
}

/** The headline, charts, causes, breakdowns and lines of one view, streamed in once computed (FiguresLoading until then). */
async function UnbilledFigures({
  filters,
  values,
  table,
  cause,
  locale,
}: {
  filters: DashboardFilters;
  values: FilterValues;
  table: TableParams;
  cause: string;
  locale: string;
}) {
  const trend = unbilledTrend(filters);
  // Awaited by TrendChart; handled here too, so a failure of the rest first leaves no rejection unhandled.
  trend.catch(() => undefined);
  const [dashboard, lines] = await Promise.all([unbilledSummary(filters), unbilledLines(filters, table, { cause })]);
  const total = cause ? (dashboard.causes.find((c) => c.cause === cause)?.lines ?? 0) : dashboard.lines;
  const allValues = { ...values, cause, sort: table.sort, dir: table.dir };
  const currencies = Object.keys(dashboard.totals).sort();
  const agingData = dashboard.aging.map((b) => ({ bucket: b.label, ...Object.fromEntries(currencies.map((c) => [c, (b.unbilledCents[c] ?? 0) / 100])) }));
  return (
    <>
      {dashboard.asOf !== filters.to.toISOString() && (
        <p className="muted" data-testid="unbilled-as-of">
          Headline, aging, causes and breakdowns as of {dashboard.asOf.slice(11, 19)} UTC; events since then show within a minute.
        </p>
      )}
      <div className="cards" aria-label="Headline">
        <div className="card">
          <div className="label">Unbilled value</div>
          <div className="value" data-testid="unbilled-total">
            <MoneyList locale={locale} cents={dashboard.totals} empty="Nothing unbilled" />
          </div>
        </div>
        <div className="card">
          <div className="label">Contracts with unbilled value</div>
          <div className="value">{dashboard.contracts}</div>
          <div className="muted">{dashboard.lines} contract lines</div>
        </div>
        <div className="card">
          <div className="label">Oldest unbilled item</div>
          <div className="value">{dashboard.oldest ? `${dashboard.oldest.ageDays} days` : '—'}</div>
          {dashboard.oldest && (
            <Link href={`/finance/unbilled-rentals/${encodeURIComponent(dashboard.oldest.contractLineId)}`}>
              {dashboard.oldest.contractLineId} since {dashboard.oldest.oldestUnbilledDay}
            </Link>
          )}
        </div>
      </div>

      <div className="grid-2">
        <div>
          <h2>Aging (days since the oldest unbilled day)</h2>
          <BarsChart label="Unbilled value per aging bucket and currency" data={agingData} xKey="bucket" series={currencies.map((c) => ({ key: c, label: c }))} unit="money" />
        </div>
        <div>
          <h2>Unbilled value over time</h2>
          <Suspense fallback={<p className="muted" aria-busy="true">Computing the trend…</p>}>
            <TrendChart trend={trend} currencies={currencies} />
          </Suspense>
        </div>
      </div>

      <h2>Causes</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Cause</th>
            <th scope="col" className="num">Lines</th>
            <th scope="col" className="num">Unbilled</th>
          </tr>
        </thead>
        <tbody>
          {dashboard.causes.map((c) => (
            <tr key={c.cause}>
              <td>
                <Link href={hrefWith('/finance/unbilled-rentals', allValues, { cause: c.cause, page: 1 })}>{c.label}</Link>
              </td>
              <td className="num">{c.lines}</td>
              <td className="num">
                <MoneyList locale={locale} cents={c.unbilledCents} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Breakdowns</h2>
      <div className="grid-2">
        {BREAKDOWN_TITLES.map(([name, title, keyHeader]) => (
          <BreakdownTable
            key={name}
            title={title}
            keyHeader={keyHeader}
            countHeader="Lines"
            moneyHeader="Unbilled"
            rows={dashboard[UNBILLED_BREAKDOWNS[name]].map((r) => ({ key: r.key, count: r.lines, cents: r.unbilledCents }))}
            total={dashboard[UNBILLED_BREAKDOWNS[name]].length}
            locale={locale}
            emptyMessage="Nothing unbilled."
            csvHref={hrefWith('/api/v1/finance/unbilled-rentals/breakdowns', values, { dimension: name, format: 'csv' })}
          />
        ))}
      </div>

      <h2>Contract lines</h2>
      <DataTable
        caption="Contract lines with unbilled value"
        csvHref={hrefWith('/api/v1/finance/unbilled-rentals', { ...allValues, format: 'csv' })}
        sort={table.sort}
        dir={table.dir}
        page={table.page}
        pageSize={table.pageSize}
        total={total}
        emptyMessage="No contract line has unbilled value for these filters."
        columns={[
          { id: 'contract', header: 'Contract line', sortable: true },
          { id: 'customer', header: 'Customer', sortable: true },
          { id: 'project', header: 'Project', sortable: true },
          { id: 'equipmentClass', header: 'Equipment', sortable: true },
          { id: 'period', header: 'Rental' },
          { id: 'accrued', header: 'Accrued', sortable: true, numeric: true },
          { id: 'billed', header: 'Billed', sortable: true, numeric: true },
          { id: 'unbilled', header: 'Unbilled', sortable: true, numeric: true },
          { id: 'age', header: 'Age (days)', sortable: true, numeric: true },
          { id: 'cause', header: 'Cause', sortable: true },
        ]}
        rows={lines.map((l) => ({
          id: l.contractLineId,
          cells: {
            contract: <Link href={`/finance/unbilled-rentals/${encodeURIComponent(l.contractLineId)}`}>{l.contractLineId}</Link>,
            customer: l.customer,
            project: l.project,
            equipmentClass: `${l.equipmentClass} (${l.equipmentId})`,
            period: `${l.dispatchedAt.slice(0, 10)} → ${l.offRentAt ? l.offRentAt.slice(0, 10) : 'on rent'} (${l.billableDays} d)`,
            accrued: formatMoney(l.accruedCents / 100, l.currency || 'USD', locale),
            billed: formatMoney(l.billedCents / 100, l.currency || 'USD', locale),
            unbilled: formatMoney(l.unbilledCents / 100, l.currency || 'USD', locale),
            age: l.ageDays,
            cause:
              l.cause === 'invoice_failing' && l.failingInvoice ? (
                <Link href={`/operations/record?${new URLSearchParams({ interface: l.failingInvoice.interfaceId, entity: 'account.move', id: l.failingInvoice.sourceRecordId }).toString()}`}>
                  <span className="badge bad">{CAUSE_LABELS[l.cause]}</span> {l.failingInvoice.documentNumber}
                </Link>
              ) : (
                <span className={`badge ${l.cause === 'in_cycle' ? 'good' : 'warn'}`}>{CAUSE_LABELS[l.cause]}</span>
              ),
          },
        }))}
      />
    </>
  );
}
