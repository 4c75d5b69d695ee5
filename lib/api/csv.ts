import { stringify } from 'csv-stringify/sync';
import { centsToDecimal } from '@/lib/format';

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

/** An export's columns: each name and how it is read off one item. */
export type ExportColumns<T> = Readonly<Record<string, (item: T) => CsvValue>>;

/** One money column per currency (`<prefix>_<currency>`), exact decimals a spreadsheet can sum; 0.00 where an item has none. */
export function moneyColumns<T>(prefix: string, currencies: readonly string[], centsOf: (item: T) => Readonly<Record<string, number>>): ExportColumns<T> {
  return Object.fromEntries(currencies.map((currency) => [`${prefix}_${currency}`, (item: T) => centsToDecimal(centsOf(item)[currency] ?? 0)]));
}

/**
 * A table's export, the same rows for JSON and CSV (same filters, same permissions): CSV when the
 * request asks `?format=csv`, else `{"data": [...]}`, written batch by batch as they are read, so
 * an export of every row holds one batch. The first batch is read before answering, so a query
 * that fails answers an error status, not a download cut short; an empty export still has its
 * header.
 */
export async function exportResponse<T>(
  request: Request,
  filename: string,
  columns: ExportColumns<T>,
  batches: AsyncIterable<readonly T[]> | Iterable<readonly T[]>,
): Promise<Response> {
  const names = Object.keys(columns);
  const readers = Object.values(columns);
  const source = (Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : toAsync(batches[Symbol.iterator]())) as AsyncIterator<readonly T[]>;
  const first = await source.next();
  async function* records(): AsyncGenerator<CsvRecord[]> {
    try {
      for (let next = first; !next.done; next = await source.next()) yield next.value.map((item) => readers.map((read) => read(item)));
    } finally {
      await source.return?.();
    }
  }
  if (new URL(request.url).searchParams.get('format') === 'csv') return csvResponse(csvStream(names, records()), filename);
  return new Response(jsonDataStream(names, records()), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

async function* toAsync<T>(iterator: Iterator<T>): AsyncGenerator<T> {
  for (let next = iterator.next(); !next.done; next = iterator.next()) yield next.value;
}

/** `{"data": [...]}` written batch by batch, each record as an object of `names`. */
function jsonDataStream(names: readonly string[], batches: AsyncGenerator<CsvRecord[]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let opened = false;
  let rows = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!opened) {
        opened = true;
        controller.enqueue(encoder.encode('{"data":['));
        return;
      }
      const next = await batches.next();
      if (next.done) {
        controller.enqueue(encoder.encode(']}'));
        controller.close();
        return;
      }
      const text = next.value.map((record) => JSON.stringify(Object.fromEntries(names.map((name, i) => [name, record[i] ?? null])))).join(',');
      controller.enqueue(encoder.encode(rows > 0 && text ? `,${text}` : text));
      rows += next.value.length;
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
