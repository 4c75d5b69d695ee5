'use client';

import type { ReactNode } from 'react';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';

/**
 * A generic server-driven table: the page sorts, filters and paginates on the server and
 * passes one page of rows with their cells already rendered (server components may pass
 * React nodes to a client component, but not functions). Sorting and paging are links that
 * change `sort`, `dir` and `page` in the URL and keep every other search param.
 */
export interface DataColumn {
  id: string;
  header: string;
  sortable?: boolean;
  numeric?: boolean;
}

export interface DataRow {
  id: string;
  cells: Record<string, ReactNode>;
}

export interface DataTableProps {
  caption: string;
  columns: DataColumn[];
  rows: DataRow[];
  sort: string;
  dir: 'asc' | 'desc';
  page: number;
  pageSize: number;
  total: number;
  emptyMessage: string;
  /** Link to the same rows as CSV (the JSON route with ?format=csv). */
  csvHref?: string;
  /** Prefix for the URL params, when a page shows more than one table. */
  paramPrefix?: string;
}

export function DataTable(props: DataTableProps) {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const p = props.paramPrefix ?? '';
  const href = (change: Record<string, string | number>) => {
    const params = new URLSearchParams(searchParams.toString());
    for (const [key, value] of Object.entries(change)) params.set(`${p}${key}`, String(value));
    return `${pathname}?${params.toString()}`;
  };
  const columns: ColumnDef<DataRow>[] = props.columns.map((c) => ({
    id: c.id,
    header: c.header,
    accessorFn: (row) => row.cells[c.id],
    cell: (info) => info.getValue() as ReactNode,
    enableSorting: Boolean(c.sortable),
    meta: c,
  }));
  const pageCount = Math.max(1, Math.ceil(props.total / props.pageSize));
  const table = useReactTable({
    data: props.rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    manualFiltering: true,
    pageCount,
    state: { sorting: [{ id: props.sort, desc: props.dir === 'desc' }], pagination: { pageIndex: props.page - 1, pageSize: props.pageSize } },
  });
  return (
    <div>
      <table>
        <caption className="muted" style={{ textAlign: 'left', captionSide: 'top', padding: '0.25rem 0' }}>
          {props.caption} · {props.total.toLocaleString('en-US')} rows
          {props.csvHref && (
            <>
              {' · '}
              <a href={props.csvHref} download aria-label={`Export CSV: ${props.caption}`}>
                Export CSV
              </a>
            </>
          )}
        </caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta as DataColumn;
                const sorted = header.column.getIsSorted();
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th key={header.id} scope="col" className={meta.numeric ? 'num' : undefined} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                    {header.column.getCanSort() ? (
                      <Link href={href({ sort: meta.id, dir: sorted === 'desc' ? 'asc' : 'desc', page: 1 })} title={`Sort by ${meta.header}`}>
                        {label}
                        {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                      </Link>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length} className="empty">
                {props.emptyMessage}
              </td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.original.id}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={(cell.column.columnDef.meta as DataColumn).numeric ? 'num' : undefined}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {pageCount > 1 && (
        <nav className="pager" aria-label={`${props.caption} pages`}>
          {props.page > 1 ? <Link href={href({ page: props.page - 1 })}>← Previous</Link> : <span className="muted">← Previous</span>}
          <span>
            Page {props.page} of {pageCount}
          </span>
          {props.page < pageCount ? <Link href={href({ page: props.page + 1 })}>Next →</Link> : <span className="muted">Next →</span>}
        </nav>
      )}
    </div>
  );
}
