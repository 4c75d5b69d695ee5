import { stringify } from 'csv-stringify/sync';

/** A JSON body, or CSV when the request asks `?format=csv` (same rows, same filters, same permissions). */
export function jsonOrCsv(request: Request, filename: string, rows: Record<string, string | number | boolean | null>[]): Response {
  if (new URL(request.url).searchParams.get('format') !== 'csv') return Response.json({ data: rows });
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  const body = stringify(rows, { header: true, columns });
  return new Response(body, { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}.csv"` } });
}

export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
