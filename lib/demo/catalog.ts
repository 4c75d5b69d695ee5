import type { Prisma } from '@/lib/db/generated/client';
import type { SyncClass, SyncDirection } from '@/lib/db/generated/enums';

/**
 * The demo estate's systems, interfaces and business entities: a mid-size general
 * contractor running Odoo with a rental desk, telematics, a field app, a procurement
 * portal, payroll and a bank feed, glued together by middleware on OCA queue_job.
 */
export const DEMO_SYSTEMS = [
  { key: 'odoo', name: 'Odoo ERP', kind: 'erp', description: 'Accounting, projects, purchasing and rental (Odoo 18)' },
  { key: 'rentaldesk', name: 'RentalDesk', kind: 'rental_dispatch', description: 'Equipment rental, dispatch and returns' },
  { key: 'fleettrack', name: 'FleetTrack telematics', kind: 'telematics', description: 'Engine hours and location of owned and rented equipment' },
  { key: 'sitelog', name: 'SiteLog field app', kind: 'field_app', description: 'Daily logs, timesheets and field expenses' },
  { key: 'buyportal', name: 'BuyPortal', kind: 'procurement', description: 'Supplier portal: purchase orders and vendor bills' },
  { key: 'payrollhub', name: 'PayrollHub', kind: 'payroll', description: 'Certified payroll and labour burden' },
  { key: 'bank', name: 'Operating bank', kind: 'bank', description: 'Statement lines (camt.053)' },
  { key: 'middleware', name: 'Integration middleware', kind: 'middleware', description: 'Odoo queue_job workers that move records between systems' },
] as const;

export type DemoSystemKey = (typeof DEMO_SYSTEMS)[number]['key'];

export interface DemoInterface {
  key: string;
  name: string;
  source: DemoSystemKey;
  target: DemoSystemKey;
  entityTypes: string[];
  syncClass: SyncClass;
  ownerTeam: string;
  description: string;
}

export const DEMO_INTERFACES: readonly DemoInterface[] = [
  { key: 'rental-dispatch', name: 'Rental dispatch → Odoo', source: 'rentaldesk', target: 'odoo', entityTypes: ['rental.contract'], syncClass: 'near_real_time', ownerTeam: 'Equipment & Rental', description: 'Dispatch, off-rent, return and surcharges of rental contract lines' },
  { key: 'rental-invoicing', name: 'Rental invoices → Odoo', source: 'rentaldesk', target: 'odoo', entityTypes: ['account.move'], syncClass: 'near_real_time', ownerTeam: 'Finance Systems', description: 'Customer invoices and credit notes for rental billing cycles' },
  { key: 'vendor-bills', name: 'Vendor bills → Odoo', source: 'buyportal', target: 'odoo', entityTypes: ['account.move'], syncClass: 'batch', ownerTeam: 'AP Automation', description: 'Supplier and subcontractor bills against purchase orders' },
  { key: 'purchase-orders', name: 'Purchase orders → Odoo', source: 'buyportal', target: 'odoo', entityTypes: ['purchase.order'], syncClass: 'near_real_time', ownerTeam: 'AP Automation', description: 'Commitments raised in the procurement portal' },
  { key: 'timesheets', name: 'Field timesheets → Odoo', source: 'sitelog', target: 'odoo', entityTypes: ['account.analytic.line'], syncClass: 'batch', ownerTeam: 'Field Operations', description: 'Crew hours by project and cost code' },
  { key: 'field-expenses', name: 'Field expenses → Odoo', source: 'sitelog', target: 'odoo', entityTypes: ['hr.expense', 'res.partner'], syncClass: 'batch', ownerTeam: 'Field Operations', description: 'Receipts from the field; may reference vendors' },
  { key: 'equipment-telemetry', name: 'Telematics → Odoo equipment', source: 'fleettrack', target: 'odoo', entityTypes: ['maintenance.equipment'], syncClass: 'real_time', ownerTeam: 'Equipment & Rental', description: 'Engine hours and location for maintenance and rental overtime' },
  { key: 'vendor-master', name: 'Vendor master → BuyPortal', source: 'odoo', target: 'buyportal', entityTypes: ['res.partner'], syncClass: 'near_real_time', ownerTeam: 'AP Automation', description: 'Approved vendors published to the supplier portal' },
  { key: 'payroll-export', name: 'Labour hours → PayrollHub', source: 'odoo', target: 'payrollhub', entityTypes: ['account.analytic.line'], syncClass: 'batch', ownerTeam: 'Payroll', description: 'Approved timesheets for certified payroll' },
  { key: 'bank-statements', name: 'Bank statements → Odoo', source: 'bank', target: 'odoo', entityTypes: ['account.bank.statement.line'], syncClass: 'batch', ownerTeam: 'Treasury', description: 'Daily statement lines for reconciliation' },
];

/** An interface that reports traffic without being registered, for the board to adopt or block. */
export const UNREGISTERED_INTERFACE = { key: 'legacy-ftp-costs', source: 'middleware', target: 'odoo', entityType: 'account.analytic.line' } as const;

export interface DemoEntity {
  key: string;
  name: string;
  odooModel: string;
  systemOfRecord: DemoSystemKey;
  writers: DemoSystemKey[];
  steward: string;
  directions: { interfaceKey: string; direction: SyncDirection }[];
}

export const DEMO_ENTITIES: readonly DemoEntity[] = [
  { key: 'vendor', name: 'Vendor', odooModel: 'res.partner', systemOfRecord: 'odoo', writers: [], steward: 'board@plumbline.local', directions: [{ interfaceKey: 'vendor-master', direction: 'source_to_target' }, { interfaceKey: 'field-expenses', direction: 'forbidden' }] },
  { key: 'customer', name: 'Customer', odooModel: 'res.partner', systemOfRecord: 'odoo', writers: ['rentaldesk'], steward: 'finance@plumbline.local', directions: [] },
  { key: 'project', name: 'Project / job', odooModel: 'project.project', systemOfRecord: 'odoo', writers: [], steward: 'board@plumbline.local', directions: [] },
  { key: 'cost_code', name: 'Cost code', odooModel: 'account.analytic.account', systemOfRecord: 'odoo', writers: [], steward: 'finance@plumbline.local', directions: [] },
  { key: 'equipment', name: 'Equipment', odooModel: 'maintenance.equipment', systemOfRecord: 'odoo', writers: ['fleettrack'], steward: 'engineer@plumbline.local', directions: [{ interfaceKey: 'equipment-telemetry', direction: 'source_to_target' }] },
  { key: 'rental_contract', name: 'Rental contract', odooModel: 'rental.contract', systemOfRecord: 'rentaldesk', writers: ['odoo'], steward: 'finance@plumbline.local', directions: [{ interfaceKey: 'rental-dispatch', direction: 'source_to_target' }] },
  { key: 'customer_invoice', name: 'Customer invoice', odooModel: 'account.move', systemOfRecord: 'odoo', writers: ['rentaldesk'], steward: 'finance@plumbline.local', directions: [{ interfaceKey: 'rental-invoicing', direction: 'source_to_target' }] },
  { key: 'vendor_bill', name: 'Vendor bill', odooModel: 'account.move', systemOfRecord: 'odoo', writers: ['buyportal'], steward: 'finance@plumbline.local', directions: [{ interfaceKey: 'vendor-bills', direction: 'source_to_target' }] },
  { key: 'purchase_order', name: 'Purchase order', odooModel: 'purchase.order', systemOfRecord: 'buyportal', writers: ['odoo'], steward: 'finance@plumbline.local', directions: [{ interfaceKey: 'purchase-orders', direction: 'source_to_target' }] },
  { key: 'timesheet', name: 'Timesheet', odooModel: 'account.analytic.line', systemOfRecord: 'sitelog', writers: ['odoo', 'payrollhub'], steward: 'engineer@plumbline.local', directions: [{ interfaceKey: 'timesheets', direction: 'source_to_target' }, { interfaceKey: 'payroll-export', direction: 'source_to_target' }] },
  { key: 'chart_of_accounts', name: 'Chart of accounts', odooModel: 'account.account', systemOfRecord: 'odoo', writers: [], steward: 'finance@plumbline.local', directions: [] },
  { key: 'tax_rule', name: 'Tax rule', odooModel: 'account.tax', systemOfRecord: 'odoo', writers: [], steward: 'finance@plumbline.local', directions: [] },
  { key: 'bank_statement_line', name: 'Bank statement line', odooModel: 'account.bank.statement.line', systemOfRecord: 'bank', writers: ['odoo'], steward: 'finance@plumbline.local', directions: [{ interfaceKey: 'bank-statements', direction: 'source_to_target' }] },
];

const PROJECT_SITES = ['Riverside', 'Harbor', 'Northgate', 'Eastline', 'Summit', 'Westfield', 'Cedar Park', 'Lakeshore'] as const;
const PROJECT_KINDS = ['Medical Center', 'Logistics Warehouse', 'Parking Structure', 'Water Treatment Upgrade'] as const;

/** 32 jobs: every site × kind, numbered like the firm's job register. */
export const DEMO_PROJECTS: readonly { code: string; name: string }[] = PROJECT_SITES.flatMap((site, i) =>
  PROJECT_KINDS.map((kind, j) => ({ code: `JOB-${2301 + i * 10 + j}`, name: `${site} ${kind}` })),
);

/** CSI MasterFormat cost codes used on the jobs (second analytic plan in Odoo). */
export const DEMO_COST_CODES = ['03 30 00', '05 12 00', '31 23 00', '26 05 00', '22 11 00', '09 29 00', '01 54 00', '32 12 00'] as const;

export const DEMO_CUSTOMERS = [
  'Harbor Build Co',
  'Summit Civil Group',
  'Keystone Developments',
  'Ridgeback Construction',
  'Bluewater Utilities',
  'Cedar Park School District',
  'Lakeshore Health Partners',
  'Westfield Logistics REIT',
  'Northgate Municipal Authority',
  'Eastline Water Board',
] as const;

export const DEMO_VENDORS = [
  'Allied Ready-Mix',
  'Pacific Rebar Supply',
  'Cascade Electrical Subcontractors',
  'Granite Aggregates',
  'Metro Formwork Rentals',
  'Northstar Steel Erectors',
  'Delta Plumbing & Mechanical',
  'Prairie Drywall Contractors',
  'Ironclad Safety Supply',
  'Horizon Paving',
  'Apex Crane Services',
  'Bayside Lumber',
] as const;

/** Equipment classes with day / week / 4-week rates (USD). */
export const DEMO_EQUIPMENT_CLASSES = [
  { name: 'Excavator 20t', day: 450, week: 1350, fourWeek: 3600 },
  { name: 'Skid steer loader', day: 250, week: 750, fourWeek: 2000 },
  { name: 'Boom lift 60 ft', day: 300, week: 900, fourWeek: 2400 },
  { name: 'Telehandler 10k', day: 350, week: 1050, fourWeek: 2800 },
  { name: 'Generator 150 kVA', day: 150, week: 450, fourWeek: 1200 },
] as const;

/** Payload schema v1.0 for every interface: a permissive record shape the board approved. */
export function baselinePayloadSchema(interfaceKey: string): Prisma.InputJsonObject {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://plumbline.local/schemas/${interfaceKey}/1.0`,
    title: `${interfaceKey} payload`,
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      partner: { type: 'string' },
      project: { type: 'string' },
      amount_total: { type: 'number' },
      currency: { type: 'string', minLength: 3, maxLength: 3 },
      move_type: { type: 'string', enum: ['out_invoice', 'out_refund', 'in_invoice', 'in_refund', 'entry'] },
      lines: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            description: { type: 'string' },
            quantity: { type: 'number' },
            price_unit: { type: 'number' },
            analytic_distribution: { type: 'object', additionalProperties: { type: 'number' } },
          },
          required: ['quantity'],
        },
      },
    },
    required: ['id'],
    additionalProperties: true,
  };
}
