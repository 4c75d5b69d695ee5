import { stringify } from 'csv-stringify/sync';

/**
 * The one way Plumbline's APIs answer in CSV (`?format=csv` and the exports): every cell made
 * safe to open in a spreadsheet, large exports streamed batch by batch.
 */
export type CsvValue = string | number | boolean | null;
export type CsvRecord = readonly CsvValue[];

/** Spreadsheet apps run a cell starting with one of these as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal ("-12.50", a credit note's amount) is read as a number, never as a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Text that a spreadsheet would run as a formula gets a leading quote, so it stays text: error
 * messages, names and document numbers come from other systems, and an exported
 * `=HYPERLINK(…)` must not become a live link in a finance user's spreadsheet.
 */
export function csvCell(value: CsvValue): CsvValue {
  if (typeof value !== 'string' || PLAIN_NUMBER.test(value)) return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** CSV lines for the records (no header), each cell made safe. */
export function csvText(records: readonly CsvRecord[]): string {
  return stringify(records.map((record) => record.map(csvCell)));
}

/**
 * A CSV body that starts with the header at once and then writes each batch as it is read,
 * so a long export downloads as it goes and memory holds one batch; a cancelled download stops
 * the reading.
 */
export function csvStream(header: readonly string[], batches: AsyncIterator<readonly CsvRecord[]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvText([header])));
        return;
      }
      const next = await batches.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(csvText(next.value)));
    },
    async cancel() {
      await batches.return?.(undefined);
    },
  });
}

/** A CSV download named `filename` (without `.csv`). */
export function csvResponse(body: string | ReadableStream<Uint8Array>, filename: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}.csv"`,
      'cache-control': 'no-store',
      ...headers,
    },
  });
}

/** A JSON body, or CSV when the request asks `?format=csv` (same rows, same filters, same permissions). */
export function jsonOrCsv(request: Request, filename: string, rows: readonly Record<string, CsvValue>[]): Response {
  if (new URL(request.url).searchParams.get('format') !== 'csv') return Response.json({ data: rows });
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  return csvResponse(csvText([columns, ...rows.map((row) => columns.map((column) => row[column] ?? null))]), filename);
}
