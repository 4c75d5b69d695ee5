import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { csvCell, csvStream, jsonOrCsv, type CsvRecord } from '@/lib/api/csv';
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

describe('jsonOrCsv', () => {
  const rows = [
    { customer: '=HYPERLINK("http://evil")', amount: centsToDecimal(-1205), note: null },
    { customer: 'Harbor Point, "North"', amount: centsToDecimal(100000), note: 'x' },
  ];

  it('answers CSV for ?format=csv, every cell made safe, commas and quotes escaped', async () => {
    const response = jsonOrCsv(new Request('http://plumbline.test/api/v1/x?format=csv'), 'lines', rows);
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="lines.csv"');
    assert.deepEqual(parse(await response.text()), [
      ['customer', 'amount', 'note'],
      [`'=HYPERLINK("http://evil")`, '-12.05', ''],
      ['Harbor Point, "North"', '1000.00', 'x'],
    ]);
  });

  it('answers JSON otherwise, values untouched', async () => {
    const response = jsonOrCsv(new Request('http://plumbline.test/api/v1/x'), 'lines', rows);
    assert.deepEqual(await response.json(), { data: rows });
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
