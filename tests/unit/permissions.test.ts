import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { can, canTriageEntity, CAPABILITIES, ROLES, type Capability } from '@/lib/auth/permissions';
import { maskPayroll, MASK } from '@/lib/auth/masking';
import { mappedRole, parseRoleMap } from '@/lib/auth/oidc';
import { isSameOriginRequest } from '@/lib/auth/csrf';
import { resetEnvCache } from '@/lib/config/env';
import type { Role } from '@/lib/db/generated/enums';

/** DESIGN.md's roles × capabilities table, row by row (admin, board, engineer, finance, viewer). */
const DESIGN_TABLE: Record<Capability, [boolean, boolean, boolean, boolean, boolean]> = {
  'dashboards.view': [true, true, true, true, true],
  'records.viewDetails': [true, true, true, true, false],
  'records.viewPayload': [true, true, true, false, false],
  'exceptions.triage': [true, false, true, true, false],
  'exceptions.triageFinanceOnly': [false, false, false, true, false],
  'schema.propose': [true, true, true, false, false],
  'schema.vote': [false, true, false, false, false],
  'registry.edit': [true, true, false, false, false],
  'slo.manage': [true, false, true, false, false],
  'admin.manage': [true, false, false, false, false],
  'audit.read': [true, true, false, false, false],
  'payroll.viewUnmasked': [true, false, false, false, false],
};

describe('permissions matrix', () => {
  test('every capability matches DESIGN.md for every role', () => {
    assert.deepEqual([...CAPABILITIES].sort(), Object.keys(DESIGN_TABLE).sort());
    for (const capability of CAPABILITIES) {
      ROLES.forEach((role, i) => assert.equal(can(role, capability), DESIGN_TABLE[capability][i], `${role} × ${capability}`));
    }
  });

  test('finance triages money-side entities only; viewers and the board triage nothing', () => {
    assert.equal(canTriageEntity('finance', 'account.move'), true);
    assert.equal(canTriageEntity('finance', 'maintenance.equipment'), false);
    assert.equal(canTriageEntity('integration_engineer', 'maintenance.equipment'), true);
    assert.equal(canTriageEntity('viewer', 'account.move'), false);
    assert.equal(canTriageEntity('governance_board', 'account.move'), false);
  });
});

describe('payroll masking', () => {
  const timesheet = { project: 'JOB-1042', hours: 8, employee_name: 'Dana Ortiz', hourly_rate: 48.5, lines: [{ employee_name: 'Sam Lee', cost_code: '03-300' }] };

  test('admins see payroll fields; every other role sees them masked', () => {
    assert.deepEqual(maskPayroll('admin', timesheet, 'account.analytic.line'), timesheet);
    for (const role of ['governance_board', 'integration_engineer', 'finance', 'viewer'] as Role[]) {
      const masked = maskPayroll(role, timesheet, 'account.analytic.line');
      assert.equal(masked.employee_name, MASK);
      assert.equal(masked.hourly_rate, MASK);
      assert.equal(masked.lines[0]!.employee_name, MASK);
      assert.equal(masked.project, 'JOB-1042');
      assert.equal(masked.hours, 8);
      assert.equal(masked.lines[0]!.cost_code, '03-300');
    }
    assert.equal(timesheet.employee_name, 'Dana Ortiz', 'the input is not mutated');
  });

  test('payroll entities mask person and pay fields by name; other entities keep their rates', () => {
    const employee = maskPayroll('finance', { name_of_worker: 'X', wage_type: 'hourly', department: 'Civil' }, 'hr.employee');
    assert.deepEqual(employee, { name_of_worker: MASK, wage_type: MASK, department: 'Civil' });
    const rental = maskPayroll('finance', { day_rate: 120, amount: 840 }, 'sale.order');
    assert.deepEqual(rental, { day_rate: 120, amount: 840 });
  });
});

describe('OIDC role mapping', () => {
  const map = parseRoleMap('plumbline-admins=admin, finance-team=finance,board=governance_board');

  test('parses group=role pairs and refuses unknown roles', () => {
    assert.equal(map.get('finance-team'), 'finance');
    assert.throws(() => parseRoleMap('x=superuser'), /PLUMBLINE_OIDC_ROLE_MAP/);
    assert.throws(() => parseRoleMap('=admin'), /PLUMBLINE_OIDC_ROLE_MAP/);
    assert.equal(parseRoleMap('').size, 0);
  });

  test('the most privileged matching group wins; no match gives null', () => {
    assert.equal(mappedRole(['finance-team', 'plumbline-admins'], map), 'admin');
    assert.equal(mappedRole(['finance-team', 'board'], map), 'governance_board');
    assert.equal(mappedRole('finance-team other', map), 'finance');
    assert.equal(mappedRole(['nobody'], map), null);
    assert.equal(mappedRole(undefined, map), null);
  });
});

describe('CSRF origin check', () => {
  test('state-changing requests from another origin are refused', () => {
    process.env.NEXTAUTH_URL = 'https://plumbline.example.com';
    resetEnvCache();
    const h = (init: Record<string, string>) => new Headers({ host: 'plumbline.example.com', ...init });
    assert.equal(isSameOriginRequest('POST', h({ origin: 'https://plumbline.example.com' })), true);
    assert.equal(isSameOriginRequest('POST', h({ origin: 'https://evil.example' })), false);
    assert.equal(isSameOriginRequest('POST', h({ origin: 'null' })), false);
    assert.equal(isSameOriginRequest('DELETE', h({ 'sec-fetch-site': 'cross-site' })), false);
    assert.equal(isSameOriginRequest('POST', h({})), true, 'non-browser clients send no Origin');
    assert.equal(isSameOriginRequest('GET', h({ 'sec-fetch-site': 'cross-site' })), true, 'a link from elsewhere may open a page');
    assert.equal(isSameOriginRequest('GET', h({ origin: 'https://evil.example' })), false, 'a cross-origin fetch is refused too');
    delete process.env.NEXTAUTH_URL;
    resetEnvCache();
  });
});
