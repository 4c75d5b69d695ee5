import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { requestLocale } from '@/lib/locale';
import { can, canTriageEntity } from '@/lib/auth/permissions';
import { ERROR_CATEGORIES } from '@/lib/ledger/error-category';
import { dashboardParamIssues, first, hrefWith, pageOf, parseDashboardFilters, parseTableParams, type RawParams } from '@/lib/finance/filters';
import { asOptions, filterOptions } from '@/lib/finance/filter-options';
import { caseIdsOf, failureQueue, GROUP_SORTS, openRecordKey, parseQueueOptions, QUEUE_STATES, sortGroups } from '@/lib/exceptions/queue';
import { openRecordsByKey } from '@/lib/exceptions/open-records';
import { triageAssignees } from '@/lib/exceptions/triage';
import { overdueRules } from '@/lib/exceptions/overdue';
import { formatDateTime, formatMoney, formatRelative } from '@/lib/format';
import { DataTable } from '@/components/ui/DataTable';
import { FilterBar } from '@/components/ui/FilterBar';
import { MoneyList } from '@/components/ui/MoneyList';
import { ActionForm } from '@/components/exceptions/ActionForm';
import { AssigneeSelect } from '@/components/exceptions/AssigneeSelect';
import { assignGroupAction } from '@/app/operations/actions';

export const metadata: Metadata = { title: 'Failures' };

export default async function FailuresPage({ searchParams }: { searchParams: Promise<RawParams> }) {
  const viewer = await requirePage('dashboards.view');
  const locale = await requestLocale();
  const raw = await searchParams;
  const { filters, values } = parseDashboardFilters(raw);
  const table = parseTableParams(raw, GROUP_SORTS, 'newest');
  const casesTable = parseTableParams({ page: raw.cpage }, [], 'first_failure');
  const options = parseQueueOptions(raw, viewer.id);
  const [queue, choices, users, rules] = await Promise.all([failureQueue(filters, options, casesTable), filterOptions(), triageAssignees(), overdueRules()]);
  const groups = sortGroups(queue.groups, table.sort);
  const shownItems = queue.cases;
  const total = (key: 'count' | 'overdue' | 'unassigned') => groups.reduce((n, g) => n + g[key], 0);
  const overdue = total('overdue');
  const triage = can(viewer.role, 'exceptions.triage');
  const allValues = { ...values, category: options.category, state: options.state, assignee: first(raw.assignee), entity: options.entityType, sort: table.sort };
  const selected = options.signature ? groups.find((g) => g.signatureHash === options.signature) : undefined;
  const [caseIds, shownRecords] = await Promise.all([caseIdsOf(shownItems.map((i) => i.record)), openRecordsByKey(shownItems.map((i) => i.record))]);
  return (
    <section>
      <h1>Failures</h1>
      <p className="muted">
        Every record whose latest sync is failing, on any interface, grouped by error signature (the error with ids, numbers and amounts
        normalised away), so one root cause is one row. A later successful sync closes its case automatically.
      </p>
      <FilterBar
        action="/operations/failures"
        label="Filter failures"
        ignored={dashboardParamIssues(raw, { sort: GROUP_SORTS, state: QUEUE_STATES })}
        keep={{ sort: table.sort }}
        fields={[
          { name: 'from', label: 'Last seen from', type: 'date', value: values.from },
          { name: 'to', label: 'To', type: 'date', value: values.to },
          { name: 'interface', label: 'Interface', type: 'select', value: values.interface, options: asOptions(choices.interfaces) },
          { name: 'project', label: 'Project', type: 'select', value: values.project, options: asOptions(choices.projects) },
          { name: 'customer', label: 'Customer / vendor', type: 'select', value: values.customer, options: asOptions(choices.customers) },
          { name: 'currency', label: 'Currency', type: 'select', value: values.currency, options: asOptions(choices.currencies) },
          { name: 'category', label: 'Error category', type: 'select', value: options.category, options: asOptions(ERROR_CATEGORIES) },
          { name: 'state', label: 'State', type: 'select', value: options.state, options: [['open', 'Open'], ['acknowledged', 'Acknowledged']] },
          { name: 'assignee', label: 'Assignee', type: 'select', value: first(raw.assignee), options: [['me', 'Me'], ['unassigned', 'Unassigned'], ...users.map((u): [string, string] => [u.id, u.name])] },
        ]}
      />
      <div className="cards">
        <div className="card">
          <div className="label">Failing records</div>
          <div className="value">{total('count')}</div>
        </div>
        <div className="card">
          <div className="label">Distinct causes</div>
          <div className="value">{groups.length}</div>
        </div>
        <div className="card">
          <div className="label">Overdue</div>
          <div className="value">{overdue > 0 ? <span className="badge bad">{overdue} overdue</span> : 0}</div>
        </div>
        <div className="card">
          <div className="label">Unassigned</div>
          <div className="value">{total('unassigned')}</div>
        </div>
      </div>
      <p className="muted">Overdue: {rules.map((r) => `${r.label} (${r.maxAgeHours} h)`).join('; ')}.</p>

      <nav aria-label="Order" className="filters">
        Order:
        {GROUP_SORTS.map((s) => (
          <Link key={s} href={hrefWith('/operations/failures', allValues, { sort: s, page: 1 })} aria-current={s === table.sort ? 'page' : undefined}>
            {s === 'newest' ? 'Newest first' : s === 'largest' ? 'Largest first' : s === 'oldest' ? 'Oldest first' : 'Most overdue'}
          </Link>
        ))}
      </nav>
      <DataTable
        caption="Failure groups by error signature"
        csvHref={hrefWith('/api/v1/exceptions', { ...allValues, format: 'csv' })}
        sort={table.sort}
        dir={table.dir}
        page={table.page}
        pageSize={table.pageSize}
        total={groups.length}
        emptyMessage="Nothing is failing for these filters."
        columns={[
          { id: 'cause', header: 'Cause' },
          { id: 'largest', header: 'Records', numeric: true },
          { id: 'interfaces', header: 'Interfaces' },
          { id: 'oldest', header: 'First seen' },
          { id: 'newest', header: 'Last seen' },
          { id: 'amount', header: 'At risk', numeric: true },
          { id: 'overdue', header: 'Triage' },
          { id: 'trace', header: 'Sample trace' },
        ]}
        rows={pageOf(groups, table).map((g) => ({
          id: g.signatureHash,
          cells: {
            cause: (
              <>
                <Link href={hrefWith('/operations/failures', allValues, { signature: g.signatureHash, sort: table.sort, page: table.page })}>{g.businessMessage}</Link>
                <div className="muted">
                  <code>{g.signature}</code>
                </div>
              </>
            ),
            largest: g.count,
            interfaces: `${g.interfaces.join(', ')} (${g.entityTypes.join(', ')})`,
            oldest: formatDateTime(g.firstSeen),
            newest: formatRelative(g.lastSeen),
            amount: <MoneyList locale={locale} cents={g.amountCents} />,
            overdue: (
              <>
                {g.overdue > 0 && <span className="badge bad">{g.overdue} overdue</span>} {g.unassigned > 0 && <span className="badge warn">{g.unassigned} unassigned</span>}{' '}
                {g.acknowledged > 0 && <span className="badge good">{g.acknowledged} acknowledged</span>}
              </>
            ),
            trace: g.sampleTraceId ? <Link href={`/traces/${g.sampleTraceId}`}>trace</Link> : '—',
          },
        }))}
      />

      {selected && (
        <section aria-labelledby="group-heading">
          <h2 id="group-heading">{selected.businessMessage}</h2>
          <p className="muted">
            <code>{selected.signature}</code> · {selected.count} records
          </p>
          {triage && selected.entityTypes.some((t) => canTriageEntity(viewer.role, t)) && (
            <ActionForm action={assignGroupAction} hidden={{ signatureHash: selected.signatureHash }} submitLabel="Assign the whole group">
              <AssigneeSelect users={users} value={null} />
            </ActionForm>
          )}
          <DataTable
            caption="Records in this group"
            csvHref={hrefWith('/api/v1/exceptions/records', { ...allValues, signature: selected.signatureHash, format: 'csv' })}
            paramPrefix="c"
            sort="first_failure"
            dir="desc"
            page={casesTable.page}
            pageSize={casesTable.pageSize}
            total={selected.count}
            emptyMessage="No records."
            columns={[
              { id: 'record', header: 'Record' },
              { id: 'interface', header: 'Interface' },
              { id: 'amount', header: 'Amount', numeric: true },
              { id: 'status', header: 'Status' },
              { id: 'first', header: 'First failure' },
              { id: 'attempts', header: 'Attempts', numeric: true },
              { id: 'assignee', header: 'Assignee' },
              { id: 'trace', header: 'Trace' },
            ]}
            rows={shownItems.map((i) => {
              const whole = shownRecords.get(openRecordKey(i.record));
              return {
                id: `${i.record.interface_id}/${i.record.entity_type}/${i.record.source_record_id}`,
                cells: {
                  record: caseIds.has(openRecordKey(i.record)) ? (
                    <Link href={`/operations/cases/${caseIds.get(openRecordKey(i.record))}`}>{whole?.document_number || i.record.source_record_id}</Link>
                  ) : (
                    <Link href={`/operations/record?${new URLSearchParams({ interface: i.record.interface_id, entity: i.record.entity_type, id: i.record.source_record_id }).toString()}`}>
                      {whole?.document_number || i.record.source_record_id}
                    </Link>
                  ),
                  interface: `${i.record.interface_id} (${i.record.entity_type})`,
                  amount: i.record.currency ? formatMoney(i.record.amountCents / 100, i.record.currency, locale) : '—',
                  status: (
                    <>
                      <span className="badge bad">{whole?.last_status ?? 'resolved since'}</span> <span className="badge">{i.state}</span> {i.overdue && <span className="badge warn">overdue</span>}
                    </>
                  ),
                  first: formatDateTime(i.record.first_failure_at),
                  attempts: whole?.attempts ?? '—',
                  assignee: i.assigneeName ?? '—',
                  trace: i.record.trace_id ? <Link href={`/traces/${i.record.trace_id}`}>trace</Link> : '—',
                },
              };
            })}
          />
        </section>
      )}
    </section>
  );
}
