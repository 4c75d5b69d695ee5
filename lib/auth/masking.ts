import type { Role } from '@/lib/db/generated/enums';
import { can } from '@/lib/auth/permissions';

/**
 * Payroll-linked fields (employee names, pay rates) are shown to admins only
 * ('payroll.viewUnmasked'); everyone else sees a mask. Applies to timesheet lines
 * (account.analytic.line), employees (hr.employee) and any record carrying these attributes.
 */
export const PAYROLL_FIELDS = ['employee_name', 'hourly_rate', 'wage', 'salary', 'pay_rate'] as const;

export const PAYROLL_ENTITY_TYPES = ['account.analytic.line', 'hr.employee', 'hr.payslip', 'hr.contract'] as const;

export const MASK = '••••';

export function isPayrollEntity(entityType: string | null | undefined): boolean {
  return !!entityType && (PAYROLL_ENTITY_TYPES as readonly string[]).includes(entityType);
}

const PAYROLL_FIELD_SET = new Set<string>(PAYROLL_FIELDS);

/**
 * A copy of `record` with payroll fields masked (recursively, in nested objects and
 * arrays) unless the role may see them. Names are masked wherever they occur; for
 * payroll entities every field named like a person or a rate is masked too.
 */
export function maskPayroll<T>(role: Role, record: T, entityType?: string | null): T {
  if (can(role, 'payroll.viewUnmasked')) return record;
  return maskValue(record, isPayrollEntity(entityType)) as T;
}

function maskValue(value: unknown, payrollEntity: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => maskValue(v, payrollEntity));
  if (!value || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isPayrollField(key, payrollEntity) && v !== null && v !== undefined ? MASK : maskValue(v, payrollEntity);
  }
  return out;
}

function isPayrollField(key: string, payrollEntity: boolean): boolean {
  const normalised = key.toLowerCase();
  if (PAYROLL_FIELD_SET.has(normalised)) return true;
  return payrollEntity && /(employee|worker|wage|salary|rate|pay)/.test(normalised);
}
