import type { Role } from '@/lib/db/generated/enums';

/**
 * The roles × capabilities matrix from DESIGN.md, and the one place that answers
 * "may this role do that?". Pages, route handlers, server actions and the ingest
 * admin paths all ask `can()` (or `requireCapability()` in lib/auth/session.ts).
 */
export const ROLES = ['admin', 'governance_board', 'integration_engineer', 'finance', 'viewer'] as const satisfies readonly Role[];

export const CAPABILITIES = [
  'dashboards.view',
  'records.viewDetails',
  'records.viewPayload',
  'exceptions.triage',
  'exceptions.triageFinanceOnly',
  'schema.propose',
  'schema.vote',
  'registry.edit',
  'slo.manage',
  'admin.manage',
  'audit.read',
  'payroll.viewUnmasked',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

const MATRIX: Record<Role, readonly Capability[]> = {
  admin: [
    'dashboards.view',
    'records.viewDetails',
    'records.viewPayload',
    'exceptions.triage',
    'schema.propose',
    'registry.edit',
    'slo.manage',
    'admin.manage',
    'audit.read',
    'payroll.viewUnmasked',
  ],
  governance_board: [
    'dashboards.view',
    'records.viewDetails',
    'records.viewPayload',
    'schema.propose',
    'schema.vote',
    'registry.edit',
    'audit.read',
  ],
  integration_engineer: [
    'dashboards.view',
    'records.viewDetails',
    'records.viewPayload',
    'exceptions.triage',
    'schema.propose',
    'slo.manage',
  ],
  finance: ['dashboards.view', 'records.viewDetails', 'exceptions.triage', 'exceptions.triageFinanceOnly'],
  viewer: ['dashboards.view'],
};

export function can(role: Role, capability: Capability): boolean {
  return MATRIX[role].includes(capability);
}

export function capabilitiesOf(role: Role): readonly Capability[] {
  return MATRIX[role];
}

/** Error categories finance may triage (they are restricted to money-side failures). */
export const FINANCE_TRIAGE_ENTITY_TYPES = ['account.move', 'sale.order', 'purchase.order', 'rental.contract'] as const;

export function canTriageEntity(role: Role, entityType: string): boolean {
  if (!can(role, 'exceptions.triage')) return false;
  if (!can(role, 'exceptions.triageFinanceOnly')) return true;
  return (FINANCE_TRIAGE_ENTITY_TYPES as readonly string[]).includes(entityType);
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrator',
  governance_board: 'Governance board',
  integration_engineer: 'Integration engineer',
  finance: 'Finance',
  viewer: 'Viewer',
};
