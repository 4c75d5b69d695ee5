import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { businessMessage, classifyOdooError, ERROR_CATEGORIES, isRetryableByDefault } from '@/lib/ledger/error-category';
import { errorSignature, normalizeErrorMessage, signatureHash } from '@/lib/ledger/error-signature';

describe('classifyOdooError (DOMAIN.md table, one case per row and signal)', () => {
  const cases: [string, Parameters<typeof classifyOdooError>[0], string][] = [
    ['AccessDenied', { odooExceptionName: 'odoo.exceptions.AccessDenied' }, 'auth'],
    ['HTTP 401', { httpStatus: 401 }, 'auth'],
    ['XML-RPC fault 3', { xmlrpcFaultCode: 3 }, 'auth'],
    ['expired API key message', { httpStatus: 400, message: 'API key expired' }, 'auth'],
    ['AccessError', { odooExceptionName: 'odoo.exceptions.AccessError', httpStatus: 403 }, 'permission'],
    ['HTTP 403', { httpStatus: 403 }, 'permission'],
    ['fault 4', { xmlrpcFaultCode: 4 }, 'permission'],
    ['ValidationError (422 with name)', { httpStatus: 422, odooExceptionName: 'odoo.exceptions.ValidationError', message: 'Missing analytic distribution on line 3' }, 'validation'],
    ['UserError lock date', { odooExceptionName: 'odoo.exceptions.UserError', message: 'You cannot add/modify entries prior to and inclusive of the lock date 2026-01-31' }, 'business_rule'],
    ['422 without name', { httpStatus: 422, message: 'No journal could be found' }, 'business_rule'],
    ['fault 2', { xmlrpcFaultCode: 2, message: 'No journal could be found in company Harbor for any of those types: sale' }, 'business_rule'],
    ['MissingError', { odooExceptionName: 'odoo.exceptions.MissingError' }, 'not_found'],
    ['HTTP 404', { httpStatus: 404 }, 'not_found'],
    ['fault 2 with a MissingError message', { xmlrpcFaultCode: 2, message: 'Record does not exist or has been deleted.\n(Record: account.move(123,), User: 2)' }, 'not_found'],
    ['partner not mapped', { message: "Customer 'Harbor Build Co' is not mapped to an Odoo partner" }, 'reference_missing'],
    ['unique constraint', { odooExceptionName: 'psycopg2.errors.UniqueViolation', message: 'duplicate key value violates unique constraint "account_move_unique_name"' }, 'duplicate'],
    ['ValidationError that is a unique constraint', { odooExceptionName: 'odoo.exceptions.ValidationError', message: 'The invoice reference must be unique per vendor' }, 'duplicate'],
    ['OCA identity_key', { message: 'Job with identity_key abc already enqueued' }, 'duplicate'],
    ['LockError 409', { httpStatus: 409, odooExceptionName: 'odoo.exceptions.LockError' }, 'conflict'],
    ['HTTP 409', { httpStatus: 409 }, 'conflict'],
    ['serialization failure', { xmlrpcFaultCode: 1, message: 'could not serialize access due to concurrent update' }, 'conflict'],
    ['timeout', { message: 'Gateway timeout from Odoo after 30000 ms' }, 'transient'],
    ['HTTP 503', { httpStatus: 503 }, 'transient'],
    ['HTTP 504', { httpStatus: 504 }, 'transient'],
    ['HTTP 429', { httpStatus: 429 }, 'transient'],
    ['ECONNRESET', { odooExceptionName: 'ECONNRESET', message: 'socket hang up' }, 'transient'],
    ['fault 1', { xmlrpcFaultCode: 1, message: "KeyError: 'x_studio_field'" }, 'server_error'],
    ['HTTP 500', { httpStatus: 500 }, 'server_error'],
    ['Python KeyError', { odooExceptionName: 'builtins.KeyError' }, 'server_error'],
    ['nothing at all', {}, 'server_error'],
  ];
  for (const [name, input, expected] of cases) {
    it(`${name} → ${expected}`, () => assert.equal(classifyOdooError(input), expected));
  }

  it('never reads "lock date" as a lock conflict', () => {
    assert.equal(classifyOdooError({ httpStatus: 422, message: 'Entries are before the lock date' }), 'business_rule');
  });
});

describe('isRetryableByDefault', () => {
  it('retries only conflict and transient', () => {
    const retryable = ERROR_CATEGORIES.filter((c) => isRetryableByDefault(c));
    assert.deepEqual(retryable, ['conflict', 'transient']);
  });
});

describe('businessMessage', () => {
  const cases: [Parameters<typeof businessMessage>[0], string, string][] = [
    ['validation', 'Missing analytic distribution on line 3 of INV/2026/00042', 'Project has no analytic account in Odoo'],
    ['business_rule', 'You cannot add/modify entries prior to and inclusive of the lock date 2026-01-31', 'The accounting period is locked in Odoo'],
    ['auth', 'Access denied: API key expired for integration user rental-sync', "Odoo rejected the interface's credentials (API key expired or revoked)"],
    ['reference_missing', "Customer 'Harbor Build Co' is not mapped to an Odoo partner", 'Customer is not mapped to an Odoo partner'],
    ['reference_missing', 'Vendor Granite Aggregates is not mapped', 'Vendor is not mapped to an Odoo partner'],
    ['validation', 'Missing analytic distribution on line 2 of BILL/2026/01/0003: cost code 03 30 00 not mapped for JOB-2404', 'Cost code is not mapped to an Odoo analytic account'],
    ['reference_missing', 'Project JOB-2301 is not mapped', 'Project is not mapped to an Odoo project'],
    ['business_rule', 'No journal could be found in company Harbor for any of those types: sale', 'No suitable journal is configured in Odoo for this document'],
    ['business_rule', 'There is no income account defined for this product: "Excavator 20t"', 'The product has no income or expense account in Odoo'],
    ['business_rule', 'Bill total 1234.50 does not match purchase order PO00017 (1135.74)', 'The bill does not match its purchase order'],
    ['validation', 'Employee Dana Ortiz has no hourly cost on project JOB-2301', 'The employee has no hourly cost in Odoo, so the timesheet cannot be costed'],
  ];
  for (const [category, message, expected] of cases) {
    it(`${category}: ${message.slice(0, 50)}…`, () => assert.equal(businessMessage(category, message), expected));
  }

  it('falls back per category, using the entity type and field', () => {
    assert.equal(businessMessage('not_found', 'whatever', { entityType: 'account.move' }), 'The invoice or bill no longer exists in Odoo (deleted or archived)');
    assert.equal(businessMessage('validation', 'Invalid field', { entityType: 'purchase.order', field: 'date_planned' }), 'Odoo rejected the purchase order: field "date_planned" is missing or invalid');
    assert.equal(businessMessage('permission', 'You are not allowed to access Journal Entry', { entityType: 'account.move' }), "The interface's Odoo user is not allowed to change this invoice or bill");
    assert.equal(businessMessage('transient', 'timeout posting journal entry'), 'Odoo was unreachable or too slow to answer; it will be retried automatically');
    for (const category of ERROR_CATEGORIES) assert.ok(businessMessage(category, '').length > 10, category);
  });
});

describe('errorSignature', () => {
  it('groups messages that differ only by line, document and project numbers', () => {
    const a = errorSignature('validation', 'Missing analytic distribution on line 3 of INV/2026/00042: project JOB-2301 has no analytic account');
    const b = errorSignature('validation', 'Missing analytic distribution on line 1 of INV/2026/04187: project JOB-2409 has no analytic account');
    assert.equal(a, b);
    assert.equal(a, 'validation: Missing analytic distribution on line <n> of <doc>: project <doc> has no analytic account');
  });

  it('groups messages that differ only by amounts and PO numbers', () => {
    const a = errorSignature('business_rule', 'Bill total 1234.50 does not match purchase order PO00017 (1135.74)');
    const b = errorSignature('business_rule', 'Bill total 98,000.00 does not match purchase order PO00231 (90160.00)');
    assert.equal(a, b);
    assert.equal(a, 'business_rule: Bill total <amount> does not match purchase order <doc> (<amount>)');
  });

  it('normalises dates, UUIDs, hex ids, record refs, quoted data and id lists', () => {
    assert.equal(normalizeErrorMessage('lock date 2026-01-31'), 'lock date <date>');
    assert.equal(normalizeErrorMessage('job 6f1c2a9e-1d2b-4c3d-9e8f-0a1b2c3d4e5f failed'), 'job <uuid> failed');
    assert.equal(normalizeErrorMessage('trace 4bf92f3577b34da6a3ce929d0e0e4736 dropped'), 'trace <hex> dropped');
    assert.equal(normalizeErrorMessage('Record does not exist or has been deleted.\n(Record: account.move(123,), User: 2)'), 'Record does not exist or has been deleted. (Record: account.move(<id>), User: <n>)');
    assert.equal(normalizeErrorMessage("Customer 'Harbor Build Co' is not mapped"), "Customer '<value>' is not mapped");
    assert.equal(normalizeErrorMessage('ids [12, 13, 14] in S00042 and WH/OUT/00012'), 'ids [<n>] in <doc> and <doc>');
    assert.equal(normalizeErrorMessage('Amount $1,234.56 over limit USD 5000 at 12/03/2026 14:22'), 'Amount <amount> over limit <amount> at <date> <time>');
  });

  it('keeps quoted technical names and apostrophes, which distinguish causes', () => {
    assert.equal(normalizeErrorMessage("The customer's field 'partner_id' is required on 'account.move'"), "The customer's field 'partner_id' is required on 'account.move'");
    assert.notEqual(errorSignature('validation', "Field 'partner_id' is required"), errorSignature('validation', "Field 'journal_id' is required"));
  });

  it('separates different causes and different categories', () => {
    const analytic = errorSignature('validation', 'Missing analytic distribution on line 3 of INV/2026/00042');
    const lock = errorSignature('business_rule', 'You cannot add/modify entries prior to and inclusive of the lock date 2026-01-31');
    assert.notEqual(analytic, lock);
    assert.notEqual(errorSignature('transient', 'timeout'), errorSignature('server_error', 'timeout'));
  });

  it('keeps the message before a traceback, or the last line of a bare traceback', () => {
    assert.equal(normalizeErrorMessage('Boom on line 4\nTraceback (most recent call last):\n  File "x.py", line 9'), 'Boom on line <n>');
    assert.equal(normalizeErrorMessage('Traceback (most recent call last):\n  File "x.py", line 9, in f\nKeyError: 42'), 'KeyError: <n>');
  });

  it('bounds the template length and handles empty input', () => {
    assert.ok(errorSignature('validation', 'word '.repeat(200)).length <= 'validation: '.length + 240);
    assert.equal(errorSignature('', ''), 'unknown: (no message)');
  });
});

describe('signatureHash', () => {
  it('is the first 16 hex chars of SHA-1', () => {
    // sha1("abc") = a9993e364706816aba3e25717850c26c9cd0d89d
    assert.equal(signatureHash('abc'), 'a9993e364706816a');
  });

  it('is equal for grouped messages and different for different causes', () => {
    const s1 = errorSignature('duplicate', 'A vendor bill with reference HA-88012 already exists');
    const s2 = errorSignature('duplicate', 'A vendor bill with reference GR-88390 already exists');
    assert.equal(signatureHash(s1), signatureHash(s2));
    assert.notEqual(signatureHash(s1), signatureHash(errorSignature('duplicate', 'Partner already exists')));
  });
});
