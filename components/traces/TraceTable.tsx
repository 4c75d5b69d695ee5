'use client';

import Link from 'next/link';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { TableGrid } from '@/components/ui/TableGrid';
import type { TraceSummary } from '@/lib/traces/query';
import { formatDurationMs } from '@/lib/traces/format';

const column = createColumnHelper<TraceSummary>();

const columns = [
  column.accessor('start', {
    header: 'Started (UTC)',
    cell: (info) => (
      <Link href={`/traces/${info.row.original.traceId}`} title={info.row.original.traceId}>
        {info.getValue().replace('T', ' ').slice(0, 19)}
      </Link>
    ),
  }),
  column.accessor('rootName', {
    header: 'Root span',
    cell: (info) => (
      <>
        <span className="muted">{info.row.original.rootService}</span> {info.getValue()}
      </>
    ),
  }),
  column.accessor('interfaceKey', { header: 'Interface', cell: (info) => info.getValue() || '—' }),
  column.accessor('documentNumber', {
    header: 'Record',
    cell: (info) => info.getValue() || info.row.original.recordId || '—',
  }),
  column.accessor('services', { header: 'Services', cell: (info) => info.getValue().join(' → ') }),
  column.accessor('spanCount', { header: 'Spans', meta: { numeric: true } }),
  column.accessor('errorCount', {
    header: 'Status',
    cell: (info) => (info.getValue() > 0 ? <span className="badge bad">{info.getValue()} error spans</span> : <span className="badge good">ok</span>),
  }),
  column.accessor('durationMs', { header: 'Duration', meta: { numeric: true }, cell: (info) => formatDurationMs(info.getValue()) }),
];

/** Rows are one server-side page; sorting and paging are URL links rendered by the page. */
export function TraceTable({ rows }: { rows: TraceSummary[] }) {
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, manualPagination: true });
  return <TableGrid table={table} caption="Matching traces" />;
}
