import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { csvCell, csvStream, exportResponse, type CsvRecord } from '@/lib/api/csv';
import { centsToDecimal } from '@/lib/format';

describe('csvCell', () => {
  it('keeps text a spreadsheet would run as a formula as text', () => {
    for (const hostile of ['=HYPERLINK("http://evil")', '+1+2', '-2+3', '@SUM(A1)', '\tx', '\rx', '-cmd|calc']) {
      assert.equal(csvCell(hostile), `'${hostile}`, hostile);
    }
  });

  it('leaves numbers, plain decimals and ordinary text alone', () => {
    assert.equal(csvCell(-12.5), -12.5);
    assert.equal(csvCell('-12.05'), '-12.05', 'a credit note stays a number');
    assert.equal(csvCell('1250.00'), '1250.00');
    assert.equal(csvCell('Acme Build = best'), 'Acme Build = best');
    assert.equal(csvCell(null), null);
    assert.equal(csvCell(true), true);
  });
});

describe('exportResponse', () => {
  interface Line {
    customer: string;
    cents: number;
    note: string | null;
  }
  const columns = { customer: (l: Line) => l.customer, amount: (l: Line) => centsToDecimal(l.cents), note: (l: Line) => l.note };
  const lines: Line[] = [
    { customer: '=HYPERLINK("http://evil")', cents: -1205, note: null },
    { customer: 'Harbor Point, "North"', cents: 100000, note: 'x' },
  ];
  const csv = new Request('http://plumbline.test/api/v1/x?format=csv');
  const json = new Request('http://plumbline.test/api/v1/x');
  async function* batches(...chunks: Line[][]): AsyncGenerator<Line[]> {
    for (const chunk of chunks) yield chunk;
  }

  it('answers CSV for ?format=csv, every cell made safe, commas and quotes escaped, across batches', async () => {
    const response = await exportResponse(csv, 'lines', columns, batches([lines[0]!], [], [lines[1]!]));
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="lines.csv"');
    assert.deepEqual(parse(await response.text()), [
      ['customer', 'amount', 'note'],
      [`'=HYPERLINK("http://evil")`, '-12.05', ''],
      ['Harbor Point, "North"', '1000.00', 'x'],
    ]);
  });

  it('answers JSON otherwise, the same rows with values untouched, across batches', async () => {
    const response = await exportResponse(json, 'lines', columns, batches([lines[0]!], [], [lines[1]!]));
    assert.deepEqual(await response.json(), {
      data: [
        { customer: '=HYPERLINK("http://evil")', amount: '-12.05', note: null },
        { customer: 'Harbor Point, "North"', amount: '1000.00', note: 'x' },
      ],
    });
  });

  it('takes a list as one batch', async () => {
    assert.deepEqual(await (await exportResponse(json, 'lines', columns, [lines])).json(), { data: [{ customer: lines[0]!.customer, amount: '-12.05', note: null }, { customer: lines[1]!.customer, amount: '1000.00', note: 'x' }] });
  });

  it('writes the header of an empty export, and an empty JSON list', async () => {
    assert.equal(await (await exportResponse(csv, 'lines', columns, batches())).text(), 'customer,amount,note\n');
    assert.deepEqual(await (await exportResponse(json, 'lines', columns, batches())).json(), { data: [] });
  });

  it('fails before answering when the first batch cannot be read, so the route answers an error', async () => {
    async function* failing(): AsyncGenerator<Line[]> {
      throw new Error('ClickHouse is down');
    }
    await assert.rejects(exportResponse(csv, 'lines', columns, failing()), /ClickHouse is down/);
  });
});

describe('csvStream', () => {
  async function* batches(...chunks: CsvRecord[][]): AsyncGenerator<CsvRecord[]> {
    for (const chunk of chunks) yield chunk;
  }

  it('writes the header, then each batch in order', async () => {
    const text = await new Response(csvStream(['id', 'who'], batches([[1, '@me']], [[2, 'you']]))).text();
    assert.deepEqual(parse(text), [['id', 'who'], ['1', `'@me`], ['2', 'you']]);
  });

  it('writes the header alone when there is nothing to export', async () => {
    assert.equal(await new Response(csvStream(['id'], batches())).text(), 'id\n');
  });

  it('stops reading when the download is cancelled', async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<CsvRecord[]> {
      for (;;) {
        read += 1;
        yield [[read]];
      }
    }
    const reader = csvStream(['n'], endless()).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    assert.equal(read, 1);
  });
});
