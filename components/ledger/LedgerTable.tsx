'use client';

import Link from 'next/link';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { TableGrid } from '@/components/ui/TableGrid';
import type { LedgerEventView } from '@/lib/ledger/query';
import { formatMoney } from '@/lib/format';

const STATUS_TONE: Record<string, string> = {
  succeeded: 'good',
  failed: 'bad',
  dead_lettered: 'bad',
  retrying: 'warn',
  pending: 'warn',
};

const column = createColumnHelper<LedgerEventView>();

function buildColumns(hidden: { details: boolean; payload: boolean }, locale: string) {
  return [
    column.accessor('occurredAt', { header: 'Occurred (UTC)', cell: (info) => info.getValue().replace('T', ' ').slice(0, 19) }),
    column.accessor('interfaceKey', { header: 'Interface' }),
    column.accessor('eventType', {
      header: 'Event',
      cell: (info) => (
        <>
          {info.getValue()} <span className="muted">{info.row.original.entityType}</span>
        </>
      ),
    }),
    column.accessor('sourceRecordId', {
      header: 'Record',
      cell: (info) => (
        <>
          {info.getValue()}
          {info.row.original.documentNumber && <div className="muted">{info.row.original.documentNumber}</div>}
        </>
      ),
    }),
    column.accessor('amount', {
      header: 'Amount',
      meta: { numeric: true },
      cell: (info) => (info.row.original.currency ? formatMoney(info.getValue(), info.row.original.currency, locale) : '—'),
    }),
    column.accessor('status', {
      header: 'Status',
      cell: (info) => (
        <>
          <span className={`badge ${STATUS_TONE[info.getValue()] ?? ''}`}>{info.getValue().replace('_', ' ')}</span>
          {info.row.original.attempt > 1 && <span className="muted"> attempt {info.row.original.attempt}</span>}
        </>
      ),
    }),
    column.accessor('errorCategory', {
      header: 'Error',
      cell: (info) => {
        const event = info.row.original;
        if (!info.getValue()) return '—';
        return (
          <>
            <strong>{info.getValue()}</strong>
            {hidden.details ? <div className="muted">details hidden for your role</div> : <div>{[event.errorCode, event.errorMessage].filter(Boolean).join(': ')}</div>}
          </>
        );
      },
    }),
    column.accessor('traceId', {
      header: 'Trace',
      cell: (info) => (info.getValue() ? <Link href={`/traces/${info.getValue()}`} title={info.getValue()}>{info.getValue().slice(0, 8)}…</Link> : '—'),
    }),
    column.display({
      id: 'details',
      header: 'Details',
      cell: (info) => {
        const event = info.row.original;
        return (
          <details>
            <summary>{event.eventId}</summary>
            <dl>
              <dt>Route</dt>
              <dd>
                {event.sourceSystem} → {event.targetSystem} ({event.operation}
                {event.targetRecordId ? `, target ${event.targetRecordId}` : ''})
              </dd>
              {event.project && (
                <>
                  <dt>Project</dt>
                  <dd>{event.project}</dd>
                </>
              )}
              {(event.customer || event.vendor) && (
                <>
                  <dt>{event.customer ? 'Customer' : 'Vendor'}</dt>
                  <dd>{event.customer || event.vendor}</dd>
                </>
              )}
              <dt>Schema</dt>
              <dd>
                {event.schemaVersion || '—'}
                {event.schemaDrift && <span className="badge warn"> drift</span>}
              </dd>
              {Object.keys(event.attributes).length > 0 && (
                <>
                  <dt>Attributes</dt>
                  <dd>
                    <pre>{JSON.stringify(event.attributes, null, 2)}</pre>
                  </dd>
                </>
              )}
              <dt>Payload</dt>
              <dd>{hidden.payload ? <span className="muted">hidden for your role</span> : event.payload ? <pre>{event.payload}</pre> : '—'}</dd>
            </dl>
          </details>
        );
      },
    }),
  ];
}

/** Rows are one server-side page; filters and paging are URL links rendered by the page. */
export function LedgerTable({ events, locale, detailsHidden, payloadHidden }: { events: LedgerEventView[]; locale: string; detailsHidden: boolean; payloadHidden: boolean }) {
  const table = useReactTable({
    data: events,
    columns: buildColumns({ details: detailsHidden, payload: payloadHidden }, locale),
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => row.eventId,
    manualSorting: true,
    manualPagination: true,
  });
  return <TableGrid table={table} caption="Ledger events, newest first" />;
}
