import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { useTestStores, type TestStores } from '../support/stores';
import { insertLedgerRows } from '@/lib/ledger/state-feed';

/**
 * The ledger read API over real chDB: filters, newest-first paging with totals, read-time
 * dedupe of a duplicated row, CSV export, and what each role sees of error details,
 * payloads and payroll fields.
 */
let stores: TestStores;

const NOW = new Date('2026-11-20T12:00:00.000Z');
const TRACE = 'ab'.repeat(16);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Row = Record<string, unknown>;

function at(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function ledgerRow(eventId: string, hoursAgo: number, overrides: Row = {}): Row {
  return {
    event_id: eventId,
    sync_key: `key-${eventId}`,
    interface_id: 'rental-invoicing',
    source_system: 'rentaldesk',
    target_system: 'odoo',
    entity_type: 'account.move',
    event_type: 'invoice.created',
    operation: 'create',
    source_record_id: `RD-${eventId}`,
    source_record_version: '1',
    target_record_id: '',
    status: 'succeeded',
    attempt: 1,
    error_category: '',
    error_code: '',
    error_message: '',
    occurred_at: at(NOW.getTime() - hoursAgo * HOUR),
    synced_at: null,
    ingested_at: at(NOW.getTime() - hoursAgo * HOUR + 1000),
    amount: 100,
    currency: 'USD',
    document_number: '',
    project: 'JOB-2301',
    customer: 'Harbor Build Co',
    vendor: '',
    contract_id: '',
    contract_line_id: '',
    equipment_id: '',
    equipment_class: '',
    trace_id: '',
    span_id: '',
    schema_version: '1.0',
    schema_drift: 0,
    attributes: {},
    payload: '',
    ...overrides,
  };
}

const BULK = Array.from({ length: 7 }, (_, i) => ledgerRow(`bulk-${i}`, 10 + i, { interface_id: 'equipment-telemetry', entity_type: 'maintenance.equipment', event_type: 'telemetry.hours' }));

const FAILED_INVOICE = ledgerRow('inv-failed', 2, {
  status: 'failed',
  document_number: 'INV/2026/0042',
  error_category: 'validation',
  error_code: 'odoo.exceptions.ValidationError',
  error_message: 'Analytic distribution missing on line 2',
  trace_id: TRACE,
  span_id: '1'.repeat(16),
  payload: JSON.stringify({ move_type: 'out_invoice', amount_total: 1250 }),
});

const TIMESHEET = ledgerRow('ts-1', 3, {
  interface_id: 'timesheets',
  source_system: 'sitelog',
  entity_type: 'account.analytic.line',
  event_type: 'timesheet.sync',
  source_record_id: 'SL-TS-1',
  status: 'failed',
  error_category: 'validation',
  error_code: 'odoo.exceptions.ValidationError',
  error_message: 'Employee Jordan Ortiz has no hourly cost on project JOB-2301',
  attributes: { employee_name: 'Jordan Ortiz', hourly_rate: '52', hours: '8', cost_code: '03-300' },
  payload: JSON.stringify({ employee_name: 'Jordan Ortiz', hourly_rate: 52, hours: 8, note: 'entered by Jordan Ortiz' }),
});

const OLD_EVENT = ledgerRow('old-1', 30 * 24, { document_number: 'INV/2026/0001' });
const FORMULA = ledgerRow('formula-1', 4, { document_number: '=HYPERLINK("http://evil")', amount: -12.5 });

const DUPLICATE_FIRST = ledgerRow('dup-1', 5, { status: 'retrying', error_category: 'transient', error_message: 'first copy', ingested_at: at(NOW.getTime() - 5 * HOUR + 1000) });
const DUPLICATE_SECOND = ledgerRow('dup-1', 5, { status: 'retrying', error_category: 'transient', error_message: 'second copy', ingested_at: at(NOW.getTime() - 5 * HOUR + 9000) });

const RECENT_IDS_NEWEST_FIRST = ['inv-failed', 'ts-1', 'formula-1', 'dup-1', ...BULK.map((r) => r.event_id as string)];

beforeAll(async () => {
  stores = await useTestStores();
  const { command } = await import('@/lib/clickhouse/client');
  // Merges would collapse the duplicate before the read-time dedupe is ever exercised.
  await command('SYSTEM STOP MERGES sync_ledger');
  await insertLedgerRows([...BULK, FAILED_INVOICE, TIMESHEET, OLD_EVENT, FORMULA, DUPLICATE_FIRST]);
  // A second insert, as a duplicate that slipped past ingest dedupe would arrive.
  await insertLedgerRows([DUPLICATE_SECOND]);
});

afterAll(async () => {
  await stores.cleanup();
});

async function lib() {
  return import('@/lib/ledger/query');
}

async function search(query: string, role: 'admin' | 'viewer' | 'finance' | 'integration_engineer' = 'admin') {
  const { parseLedgerFilters, searchLedgerEvents, ledgerVisibility } = await lib();
  const { filters, page } = parseLedgerFilters(new URLSearchParams(query), NOW);
  return searchLedgerEvents(filters, page, ledgerVisibility(role));
}

function parseCsv(text: string): string[][] {
  return parse(text) as string[][];
}

describe('parseLedgerFilters', () => {
  it('defaults to the last 7 days, page 1 of 50, and ignores empty form fields', async () => {
    const { parseLedgerFilters } = await lib();
    const { filters, page } = parseLedgerFilters(new URLSearchParams('interface=&status=&q='), NOW);
    assert.equal(filters.to.toISOString(), NOW.toISOString());
    assert.equal(filters.from.toISOString(), new Date(NOW.getTime() - 7 * DAY).toISOString());
    assert.deepEqual(page, { page: 1, pageSize: 50 });
    assert.equal(filters.status, undefined);
    assert.equal(filters.q, undefined);
  });

  it('looks 90 days back when looking up one record, and reads datetime-local input as UTC', async () => {
    const { parseLedgerFilters } = await lib();
    const lookup = parseLedgerFilters(new URLSearchParams('q=old-1'), NOW);
    assert.equal(lookup.filters.from.toISOString(), new Date(NOW.getTime() - 90 * DAY).toISOString());
    const local = parseLedgerFilters(new URLSearchParams('from=2026-11-01T08:30&to=2026-11-02T00:00:00%2B02:00&trace_id=' + TRACE.toUpperCase()), NOW);
    assert.equal(local.filters.from.toISOString(), '2026-11-01T08:30:00.000Z');
    assert.equal(local.filters.to.toISOString(), '2026-11-01T22:00:00.000Z');
    assert.equal(local.filters.traceId, TRACE);
  });

  it('rejects bad values with a 400 naming each parameter', async () => {
    const { parseLedgerFilters } = await lib();
    const { RequestError } = await import('@/lib/api/errors');
    const cases: [string, string][] = [
      ['status=exploded', 'status'],
      ['trace_id=xyz', 'trace_id'],
      ['page_size=501', 'page_size'],
      ['page=0', 'page'],
      ['page=two', 'page'],
      ['from=yesterday', 'from'],
      ['from=2026-11-20T00:00Z&to=2026-11-19T00:00Z', 'from'],
    ];
    for (const [query, parameter] of cases) {
      assert.throws(
        () => parseLedgerFilters(new URLSearchParams(query), NOW),
        (error: unknown) => {
          assert.ok(error instanceof RequestError, query);
          assert.equal(error.status, 400);
          assert.equal(error.code, 'invalid_filters');
          assert.ok((error.details as { parameter: string }[]).some((d) => d.parameter === parameter), `${query} names ${parameter}`);
          return true;
        },
      );
    }
  });
});

describe('searchLedgerEvents', () => {
  it('lists events in range newest first, each event once, with the total', async () => {
    const result = await search('');
    assert.deepEqual(result.events.map((e) => e.eventId), RECENT_IDS_NEWEST_FIRST);
    assert.equal(result.total, RECENT_IDS_NEWEST_FIRST.length);
  });

  it('keeps the last ingested copy of a duplicated event and counts it once', async () => {
    const { queryOne } = await import('@/lib/clickhouse/client');
    const stored = await queryOne<{ n: number }>(`SELECT count() AS n FROM sync_ledger WHERE event_id = 'dup-1'`);
    assert.equal(Number(stored?.n), 2, 'both copies are stored');
    const result = await search('event_id=dup-1');
    assert.equal(result.total, 1);
    assert.equal(result.events.length, 1);
    assert.equal(result.events[0]!.errorMessage, 'second copy');
  });

  it('filters by each field', async () => {
    const ids = async (query: string) => (await search(query)).events.map((e) => e.eventId);
    assert.deepEqual(await ids('interface=timesheets'), ['ts-1']);
    assert.deepEqual(await ids('status=failed'), ['inv-failed', 'ts-1']);
    assert.deepEqual(await ids('status=failed&interface=rental-invoicing'), ['inv-failed']);
    assert.equal((await ids('entity_type=maintenance.equipment')).length, 7);
    assert.equal((await ids('event_type=telemetry.hours')).length, 7);
    assert.deepEqual(await ids('source_record_id=SL-TS-1'), ['ts-1']);
    assert.deepEqual(await ids('event_id=bulk-3'), ['bulk-3']);
    assert.deepEqual(await ids(`trace_id=${TRACE}`), ['inv-failed']);
    assert.deepEqual(await ids('document_number=INV/2026/0042'), ['inv-failed']);
    assert.deepEqual(await ids('status=cancelled'), []);
  });

  it('matches q exactly against event id, source record id and document number', async () => {
    const ids = async (query: string) => (await search(query)).events.map((e) => e.eventId);
    assert.deepEqual(await ids('q=bulk-2'), ['bulk-2']);
    assert.deepEqual(await ids('q=RD-bulk-4'), ['bulk-4']);
    assert.deepEqual(await ids('q=' + encodeURIComponent('INV/2026/0042')), ['inv-failed']);
    assert.deepEqual(await ids('q=bulk'), [], 'no partial matches');
    // A governance page's link to an older sample event still finds it.
    assert.deepEqual(await ids('q=old-1'), ['old-1']);
  });

  it('finds a duplicated event once by q, its last ingested copy', async () => {
    const result = await search('q=dup-1');
    assert.equal(result.total, 1);
    assert.deepEqual(
      result.events.map((e) => [e.eventId, e.errorMessage]),
      [['dup-1', 'second copy']],
    );
  });

  it('finds by q an event whose record id holds quotes, a backslash and a tab', async () => {
    const tricky = ledgerRow('tricky-1', 21 * 24, { source_record_id: "RD-'quoted' \\share\tpath", document_number: 'INV/"7"' });
    await insertLedgerRows([tricky]);
    const ids = async (query: string) => (await search(query)).events.map((e) => e.eventId);
    assert.deepEqual(await ids(`q=${encodeURIComponent(tricky.source_record_id as string)}`), ['tricky-1']);
    assert.deepEqual(await ids(`q=${encodeURIComponent('INV/"7"')}`), ['tricky-1']);
  });

  it('finds, pages and counts every match of q when over a thousand events share it (then looked up as a subquery)', async () => {
    // Twenty days back: outside every other case's range, inside q's 90 days.
    const batch = Array.from({ length: 1005 }, (_, i) => ledgerRow(`batch-${String(i).padStart(4, '0')}`, 20 * 24 + i / 60, { document_number: 'BATCH/2026/7' }));
    await insertLedgerRows(batch);
    const first = await search(`q=${encodeURIComponent('BATCH/2026/7')}&page_size=10`);
    assert.equal(first.total, 1005);
    assert.deepEqual(
      first.events.map((e) => e.eventId),
      batch.slice(0, 10).map((r) => r.event_id),
    );
    const last = await search(`q=${encodeURIComponent('BATCH/2026/7')}&page_size=10&page=101`);
    assert.deepEqual(
      last.events.map((e) => e.eventId),
      batch.slice(1000).map((r) => r.event_id),
    );
    const one = await search('q=batch-0500');
    assert.deepEqual(
      one.events.map((e) => e.eventId),
      ['batch-0500'],
    );
  });

  it('bounds by the time range', async () => {
    const ids = async (query: string) => (await search(query)).events.map((e) => e.eventId);
    assert.deepEqual(await ids('document_number=INV/2026/0001&from=2026-11-01T00:00Z'), []);
    const from = new Date(NOW.getTime() - 4.5 * HOUR).toISOString();
    assert.deepEqual(await ids(`from=${from}`), ['inv-failed', 'ts-1', 'formula-1']);
    const to = new Date(NOW.getTime() - 15.5 * HOUR).toISOString();
    assert.deepEqual(await ids(`to=${to}`), ['bulk-6']);
  });

  it('pages with offsets and keeps the total', async () => {
    const pages = await Promise.all([1, 2, 3].map((p) => search(`interface=equipment-telemetry&page_size=3&page=${p}`)));
    assert.deepEqual(
      pages.map((p) => p.events.map((e) => e.eventId)),
      [
        ['bulk-0', 'bulk-1', 'bulk-2'],
        ['bulk-3', 'bulk-4', 'bulk-5'],
        ['bulk-6'],
      ],
    );
    assert.deepEqual(
      pages.map((p) => [p.page, p.pageSize, p.total]),
      [
        [1, 3, 7],
        [2, 3, 7],
        [3, 3, 7],
      ],
    );
    assert.deepEqual((await search('interface=equipment-telemetry&page_size=3&page=4')).events, []);
  });
});

describe('redaction per role', () => {
  it('shows an admin everything in clear', async () => {
    const [timesheet] = (await search('q=SL-TS-1', 'admin')).events;
    assert.equal(timesheet!.attributes.employee_name, 'Jordan Ortiz');
    assert.equal(timesheet!.attributes.hourly_rate, '52');
    assert.match(timesheet!.errorMessage, /Jordan Ortiz/);
    assert.match(timesheet!.payload, /Jordan Ortiz/);
  });

  it('hides error details, payloads and payroll fields from a viewer', async () => {
    const { events } = await search('status=failed', 'viewer');
    for (const event of events) {
      assert.equal(event.errorMessage, '');
      assert.equal(event.errorCode, '');
      assert.equal(event.payload, '');
      assert.equal(event.errorCategory, 'validation', 'the category is not a detail');
    }
    const timesheet = events.find((e) => e.eventId === 'ts-1')!;
    assert.equal(timesheet.attributes.employee_name, '••••');
    assert.equal(timesheet.attributes.hourly_rate, '••••');
    assert.equal(timesheet.attributes.cost_code, '03-300');
  });

  it('shows finance error details without payloads or payroll names', async () => {
    const { events } = await search('status=failed', 'finance');
    const invoice = events.find((e) => e.eventId === 'inv-failed')!;
    assert.equal(invoice.errorMessage, 'Analytic distribution missing on line 2');
    assert.equal(invoice.payload, '');
    const timesheet = events.find((e) => e.eventId === 'ts-1')!;
    assert.equal(timesheet.errorMessage, 'Employee •••• has no hourly cost on project JOB-2301');
    assert.equal(timesheet.attributes.employee_name, '••••');
  });

  it('shows an integration engineer payloads with payroll fields masked inside them', async () => {
    const { events } = await search('status=failed', 'integration_engineer');
    const invoice = events.find((e) => e.eventId === 'inv-failed')!;
    assert.deepEqual(JSON.parse(invoice.payload), { move_type: 'out_invoice', amount_total: 1250 });
    const timesheet = events.find((e) => e.eventId === 'ts-1')!;
    const payload = JSON.parse(timesheet.payload) as Record<string, unknown>;
    assert.equal(payload.employee_name, '••••');
    assert.equal(payload.hourly_rate, '••••');
    assert.equal(payload.hours, 8);
    assert.equal(payload.note, 'entered by ••••');
    assert.doesNotMatch(timesheet.payload + timesheet.errorMessage + JSON.stringify(timesheet.attributes), /Ortiz/);
  });
});

describe('GET /api/v1/ledger/events logic', () => {
  it('answers JSON with events, page, pageSize and total', async () => {
    const { ledgerEventsApiResponse } = await lib();
    const response = await ledgerEventsApiResponse(new URLSearchParams('interface=equipment-telemetry&page_size=2&page=2'), 'viewer', NOW);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { events: { eventId: string }[]; page: number; pageSize: number; total: number };
    assert.deepEqual(Object.keys(body).sort(), ['events', 'page', 'pageSize', 'total']);
    assert.deepEqual(body.events.map((e) => e.eventId), ['bulk-2', 'bulk-3']);
    assert.deepEqual([body.page, body.pageSize, body.total], [2, 2, 7]);
  });

  it('answers 400 in the shared error shape for bad filters and formats', async () => {
    const { ledgerEventsApiResponse } = await lib();
    const bad = await ledgerEventsApiResponse(new URLSearchParams('status=nope'), 'admin', NOW);
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { code: string; message: string; details: { parameter: string }[] } };
    assert.equal(body.error.code, 'invalid_filters');
    assert.match(body.error.message, /status/);
    assert.equal(body.error.details[0]!.parameter, 'status');
    const format = await ledgerEventsApiResponse(new URLSearchParams('format=xml'), 'admin', NOW);
    assert.equal(format.status, 400);
  });

  it('exports CSV: a header row, one row per event, a file name and the row limit', async () => {
    const { ledgerEventsApiResponse, LEDGER_CSV_HEADERS, CSV_ROW_LIMIT } = await lib();
    const response = await ledgerEventsApiResponse(new URLSearchParams('format=csv'), 'admin', NOW);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="plumbline-ledger-20261113T1200Z-20261120T1200Z\.csv"$/);
    assert.equal(response.headers.get('x-plumbline-row-limit'), String(CSV_ROW_LIMIT));
    assert.equal(response.headers.get('x-plumbline-truncated'), 'false');
    assert.equal(response.headers.get('x-plumbline-total'), String(RECENT_IDS_NEWEST_FIRST.length));
    const rows = parseCsv(await response.text());
    assert.deepEqual(rows[0], LEDGER_CSV_HEADERS);
    const column = (name: string) => LEDGER_CSV_HEADERS.indexOf(name);
    assert.deepEqual(rows.slice(1).map((r) => r[column('event_id')]), RECENT_IDS_NEWEST_FIRST);
    const formula = rows.find((r) => r[column('event_id')] === 'formula-1')!;
    assert.equal(formula[column('document_number')], `'=HYPERLINK("http://evil")`);
    assert.equal(formula[column('amount')], '-12.5');
    const timesheet = rows.find((r) => r[column('event_id')] === 'ts-1')!;
    assert.equal(JSON.parse(timesheet[column('attributes')]!).employee_name, 'Jordan Ortiz');
  });

  it('redacts the CSV for the role', async () => {
    const { ledgerEventsApiResponse, LEDGER_CSV_HEADERS } = await lib();
    const response = await ledgerEventsApiResponse(new URLSearchParams('format=csv&status=failed'), 'viewer', NOW);
    const text = await response.text();
    assert.doesNotMatch(text, /Ortiz|Analytic distribution|out_invoice/);
    const rows = parseCsv(text);
    assert.equal(rows.length, 3);
    assert.equal(rows[1]![LEDGER_CSV_HEADERS.indexOf('error_category')], 'validation');
  });

  it('cuts an export at the row limit and says so', async () => {
    const { ledgerCsvResponse, ledgerVisibility, parseLedgerFilters } = await lib();
    const { filters } = parseLedgerFilters(new URLSearchParams(''), NOW);
    const response = await ledgerCsvResponse(filters, ledgerVisibility('admin'), 3);
    assert.equal(response.headers.get('x-plumbline-truncated'), 'true');
    assert.equal(parseCsv(await response.text()).length, 4);
  });

  it('an empty export still has its header row', async () => {
    const { ledgerEventsApiResponse, LEDGER_CSV_HEADERS } = await lib();
    const response = await ledgerEventsApiResponse(new URLSearchParams('format=csv&status=cancelled'), 'admin', NOW);
    assert.deepEqual(parseCsv(await response.text()), [LEDGER_CSV_HEADERS]);
  });

  it('reads exports in keyset chunks without repeating or skipping events', async () => {
    const { ledgerEventChunks, ledgerVisibility, parseLedgerFilters } = await lib();
    const { filters } = parseLedgerFilters(new URLSearchParams(''), NOW);
    const seen: string[] = [];
    let chunks = 0;
    for await (const chunk of ledgerEventChunks(filters, ledgerVisibility('admin'), 1000, 2)) {
      chunks++;
      seen.push(...chunk.map((e) => e.eventId));
    }
    assert.deepEqual(seen, RECENT_IDS_NEWEST_FIRST);
    assert.equal(chunks, Math.ceil(RECENT_IDS_NEWEST_FIRST.length / 2));
  });
});
