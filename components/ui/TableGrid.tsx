'use client';

import type { ReactNode } from 'react';
import { flexRender, type Table } from '@tanstack/react-table';

/** Column meta understood by TableGrid: numeric columns are right-aligned. */
export interface GridColumnMeta {
  numeric?: boolean;
}

function cellClass(meta: unknown): string | undefined {
  return (meta as GridColumnMeta | undefined)?.numeric ? 'num' : undefined;
}

/** Renders one page of a @tanstack/react-table table whose sorting and paging the page does on the server. */
export function TableGrid<Row>({ table, caption }: { table: Table<Row>; caption: ReactNode }) {
  return (
    <table>
      <caption className="muted" style={{ textAlign: 'left', captionSide: 'top', padding: '0.25rem 0' }}>
        {caption}
      </caption>
      <thead>
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => (
              <th key={header.id} scope="col" className={cellClass(header.column.columnDef.meta)}>
                {flexRender(header.column.columnDef.header, header.getContext())}
              </th>
            ))}
          </tr>
        ))}
      </thead>
      <tbody>
        {table.getRowModel().rows.map((row) => (
          <tr key={row.id}>
            {row.getVisibleCells().map((cell) => (
              <td key={cell.id} className={cellClass(cell.column.columnDef.meta)}>
                {flexRender(cell.column.columnDef.cell, cell.getContext())}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
