import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { requestLocale } from '@/lib/locale';
import { can } from '@/lib/auth/permissions';
import { dashboardParamIssues, first, hrefWith, parseDashboardFilters, parseTableParams, type RawParams } from '@/lib/finance/filters';
import { asOptions, filterOptions } from '@/lib/finance/filter-options';
import {
  EXCEPTION_STATES,
  exceptionBreakdowns,
  INVOICE_EXCEPTION_SORTS,
  invoiceExceptionRows,
  exceptionTotal,
  invoiceExceptionSummary,
  openedVsResolved,
  resolutionTimes,
  type BreakdownDimension,
  type ExceptionStateFilter,
} from '@/lib/finance/invoice-exceptions';
import { describeError } from '@/lib/exceptions/queue';
import { isOverdue, overdueRules } from '@/lib/exceptions/overdue';
import { formatDateTime, formatMoney } from '@/lib/format';
import { DataTable } from '@/components/ui/DataTable';
import { FilterBar } from '@/components/ui/FilterBar';
import { MoneyList } from '@/components/ui/MoneyList';
import { BarsChart } from '@/components/ui/Charts';
import { BreakdownTable } from '@/components/ui/BreakdownTable';

export const metadata: Metadata = { title: 'Failed invoice syncs' };

const BREAKDOWN_TITLES: readonly [BreakdownDimension, string, string][] = [
  ['category', 'By error category', 'Error category'],
  ['interface', 'By interface', 'Interface'],
  ['counterparty', 'By customer or vendor', 'Customer or vendor'],
  ['project', 'By project', 'Project'],
];

function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

export default async function InvoiceExceptionsPage({ searchParams }: { searchParams: Promise<RawParams> }) {
  const viewer = await requirePage('dashboards.view');
  const locale = await requestLocale();
  const details = can(viewer.role, 'records.viewDetails');
  const raw = await searchParams;
  const { filters, values } = parseDashboardFilters(raw);
  const table = parseTableParams(raw, INVOICE_EXCEPTION_SORTS, 'first_failure');
  const stateParam = first(raw.state);
  const state: ExceptionStateFilter = (EXCEPTION_STATES as readonly string[]).includes(stateParam) ? (stateParam as ExceptionStateFilter) : 'open';
  const [{ moneyAtRisk: risk, counts, aging }, flow, mttr, breakdowns, rows, options, rules] = await Promise.all([
    invoiceExceptionSummary(filters),
    openedVsResolved(filters),
    resolutionTimes(filters),
    exceptionBreakdowns(filters),
    invoiceExceptionRows(filters, state, table),
    filterOptions(['account.move']),
    overdueRules(),
  ]);
  const now = new Date();
  const riskCents = Object.fromEntries(risk.map((r) => [r.currency, r.amountCents]));
  const agingData = ['0–1 days', '2–7 days', '8–30 days', '31+ days'].map((label) => ({ bucket: label, records: aging.filter((a) => a.label === label).reduce((s, a) => s + a.records, 0) }));
  const allValues = { ...values, state, sort: table.sort, dir: table.dir };
  return (
    <section>
      <h1>Failed invoice syncs</h1>
      <p className="muted">
        Customer invoices, credit notes and vendor bills whose latest sync to Odoo failed, is retrying or was dead-lettered, among those that
        first failed between {values.from} and {values.to}. A later successful sync resolves them.
      </p>
      <FilterBar
        action="/finance/invoice-exceptions"
        label="Filter failed invoice syncs"
        ignored={dashboardParamIssues(raw, { sort: INVOICE_EXCEPTION_SORTS, state: EXCEPTION_STATES })}
        keep={{ state }}
        fields={[
          { name: 'from', label: 'From', type: 'date', value: values.from },
          { name: 'to', label: 'To', type: 'date', value: values.to },
          { name: 'project', label: 'Project', type: 'select', value: values.project, options: asOptions(options.projects) },
          { name: 'customer', label: 'Customer / vendor', type: 'select', value: values.customer, options: asOptions(options.customers) },
          { name: 'interface', label: 'Interface', type: 'select', value: values.interface, options: asOptions(options.interfaces) },
          { name: 'currency', label: 'Currency', type: 'select', value: values.currency, options: asOptions(options.currencies) },
        ]}
      />
      <div className="cards">
        <div className="card">
          <div className="label">Money at risk</div>
          <div className="value" data-testid="money-at-risk">
            <MoneyList locale={locale} cents={riskCents} empty="None" />
          </div>
        </div>
        <div className="card">
          <div className="label">Open exceptions</div>
          <div className="value">{counts.open}</div>
          <div className="muted">
            {counts.failed} failed · {counts.retrying} retrying · {counts.deadLettered} dead-lettered
          </div>
        </div>
        <div className="card">
          <div className="label">Resolved by a later sync</div>
          <div className="value">{counts.resolved}</div>
        </div>
        <div className="card">
          <div className="label">Time to resolve (mean / p90)</div>
          <div className="value">
            {duration(mttr.meanSeconds)} / {duration(mttr.p90Seconds)}
          </div>
          <div className="muted">{mttr.resolved} resolved in range</div>
        </div>
      </div>

      <div className="grid-2">
        <div>
          <h2>Aging (days since first failure)</h2>
          <BarsChart label="Open exceptions per aging bucket" data={agingData} xKey="bucket" series={[{ key: 'records', label: 'Open exceptions' }]} />
        </div>
        <div>
          <h2>Opened vs resolved per day</h2>
          <BarsChart label="Exceptions opened and resolved per day" data={flow.map((d) => ({ ...d }))} xKey="day" series={[{ key: 'opened', label: 'Opened' }, { key: 'resolved', label: 'Resolved' }]} />
        </div>
      </div>

      <h2>Breakdowns of open exceptions</h2>
      <div className="grid-2">
        {BREAKDOWN_TITLES.map(([dimension, title, keyHeader]) => (
          <BreakdownTable
            key={dimension}
            title={title}
            keyHeader={keyHeader}
            countHeader="Open"
            moneyHeader="At risk"
            rows={breakdowns[dimension].top.map((r) => ({ key: r.key, count: r.records, cents: r.atRiskCents }))}
            total={breakdowns[dimension].keys}
            locale={locale}
            emptyMessage="No open exceptions."
            csvHref={hrefWith('/api/v1/finance/invoice-exceptions/breakdowns', values, { dimension, format: 'csv' })}
          />
        ))}
      </div>

      <h2>Records</h2>
      <nav aria-label="Exception state" className="filters">
        {EXCEPTION_STATES.map((s) => (
          <Link key={s} href={hrefWith('/finance/invoice-exceptions', allValues, { state: s, page: 1 })} aria-current={s === state ? 'page' : undefined}>
            {s === 'open' ? 'Open' : s === 'resolved' ? 'Resolved' : 'All'}
          </Link>
        ))}
      </nav>
      <DataTable
        caption={`${state === 'open' ? 'Open' : state === 'resolved' ? 'Resolved' : 'All'} invoice exceptions`}
        csvHref={hrefWith('/api/v1/finance/invoice-exceptions', { ...allValues, format: 'csv' })}
        sort={table.sort}
        dir={table.dir}
        page={table.page}
        pageSize={table.pageSize}
        total={exceptionTotal(counts, state)}
        emptyMessage="No invoice or bill failed to sync for these filters."
        columns={[
          { id: 'document', header: 'Document', sortable: true },
          { id: 'counterparty', header: 'Customer / vendor', sortable: true },
          { id: 'interface', header: 'Interface', sortable: true },
          { id: 'amount', header: 'Amount', sortable: true, numeric: true },
          { id: 'status', header: 'Status' },
          { id: 'first_failure', header: 'First failure', sortable: true },
          { id: 'attempts', header: 'Attempts', sortable: true, numeric: true },
          { id: 'category', header: 'Last error', sortable: true },
          { id: 'trace', header: 'Trace' },
        ]}
        rows={rows.map((r) => {
          const open = Boolean(r.is_open_exception);
          const overdue = open && isOverdue(rules, r.entity_type, r.last_error_category, r.first_failure_at, now);
          const recordHref = `/operations/record?${new URLSearchParams({ interface: r.interface_id, entity: r.entity_type, id: r.source_record_id }).toString()}`;
          return {
            id: `${r.interface_id}/${r.source_record_id}`,
            cells: {
              document: (
                <>
                  <Link href={recordHref}>{r.document_number || r.source_record_id}</Link>
                  <div className="muted">{r.last_event_type === 'vendor_bill.sync' ? 'vendor bill' : 'customer invoice'} · {r.project}</div>
                </>
              ),
              counterparty: r.counterparty,
              interface: r.interface_id,
              amount: r.currency ? formatMoney(r.amountCents / 100, r.currency, locale) : '—',
              status: (
                <>
                  <span className={`badge ${open ? 'bad' : 'good'}`}>{open ? r.last_status : `resolved ${formatDateTime(r.resolved_at)}`}</span>
                  {overdue && <span className="badge warn">overdue</span>}
                </>
              ),
              first_failure: formatDateTime(r.first_failure_at),
              attempts: r.attempts,
              category: (
                <>
                  {describeError(r.last_error_category, r.last_error_message, r.entity_type)}
                  {details && r.last_error_message && (
                    <details>
                      <summary>Technical detail</summary>
                      <code>
                        {r.last_error_category}
                        {r.last_error_code ? ` · ${r.last_error_code}` : ''}
                      </code>
                      <pre style={{ whiteSpace: 'pre-wrap', maxWidth: '32rem' }}>{r.last_error_message}</pre>
                    </details>
                  )}
                </>
              ),
              trace: r.trace_id ? <Link href={`/traces/${r.trace_id}`}>trace</Link> : '—',
            },
          };
        })}
      />
    </section>
  );
}
