import type { LedgerEventInput } from '@/lib/ledger/event';
import { cheapestRentalCharge } from '@/lib/finance/rental-billing';
import { isRetryableByDefault } from '@/lib/ledger/error-category';
import { DEMO_COST_CODES, DEMO_CUSTOMERS, DEMO_EQUIPMENT_CLASSES, DEMO_INTERFACES, DEMO_PROJECTS, DEMO_VENDORS, UNREGISTERED_INTERFACE } from '@/lib/demo/catalog';

/**
 * Generates ~90 days of believable traffic for the demo estate: every record an interface
 * tried to move (with retries, failures that were fixed and failures that were not) and
 * a plan of each attempt's trace across the source system, the middleware and Odoo.
 * lib/demo/send.ts sends it through the public ingest endpoints. Deterministic for a given
 * seed, scale and `now`, so a demo looks the same on every machine and re-sending it only
 * produces duplicates.
 */
export interface SpanPlan {
  service: string;
  name: string;
  kind: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
  startMs: number;
  durationMs: number;
  failed: boolean;
  message: string;
  attributes: Record<string, string>;
  children: SpanPlan[];
}

/** One attempt: its ledger event (trace ids are filled in when the trace is sent) and its trace. */
export interface AttemptPlan {
  event: Omit<LedgerEventInput, 'trace_id' | 'span_id'>;
  trace: SpanPlan;
}

export interface DemoTraffic {
  attempts: AttemptPlan[];
}

export interface DemoOptions {
  /** Multiplies record counts; 1 gives ~15 000 events. */
  scale?: number;
  seed?: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

type Failure = NonNullable<LedgerEventInput['error']>;

class Generator {
  private state: number;
  readonly attempts: AttemptPlan[] = [];

  constructor(
    readonly now: Date,
    seed: number,
    readonly scale: number,
  ) {
    this.state = seed >>> 0;
  }

  count(base: number): number {
    return Math.max(1, Math.round(base * this.scale));
  }

  /** mulberry32: small, fast, good enough for demo data. */
  random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i++) out += this.int(0, 255).toString(16).padStart(2, '0');
    return out;
  }

  uuid(): string {
    const h = this.hex(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** Seconds to minutes, with a long tail, as syncs through a job queue behave. */
  latencyMs(batch: boolean): number {
    const base = batch ? 60_000 : 2_000;
    return Math.round(base * Math.exp(this.random() * 3.2));
  }

  /** Records one attempt: the ledger event and the plan of its trace (source → middleware → Odoo). */
  attempt(event: Omit<LedgerEventInput, 'event_id' | 'trace_id' | 'span_id' | 'synced_at'>, options: { batch?: boolean } = {}): void {
    const occurredAt = new Date(event.occurred_at).getTime();
    if (occurredAt > this.now.getTime()) return;
    const latency = this.latencyMs(Boolean(options.batch));
    const syncedAt = Math.min(occurredAt + latency, this.now.getTime());
    const iface = DEMO_INTERFACES.find((i) => i.key === event.interface_id);
    const sourceService = iface?.source ?? event.source_system;
    const failed = event.status === 'failed' || event.status === 'retrying' || event.status === 'dead_lettered';
    const message = event.error?.message ?? '';
    const business: Record<string, string> = {
      'plumbline.interface': event.interface_id,
      'odoo.model': event.entity_type,
      'record.id': event.source_record_id,
    };
    if (event.document_number) business['document.number'] = event.document_number;
    if (event.contract_id) business['rental.contract'] = event.contract_id;
    if (event.project) business['project'] = event.project;
    const total = Math.max(2, syncedAt - occurredAt);
    const jobId = this.uuid();
    const queueDelay = Math.round(total * 0.6);
    const odoo: SpanPlan = {
      service: event.target_system === 'odoo' ? 'odoo' : event.target_system,
      name: `POST /json/2/${event.entity_type}/${event.operation === 'update' ? 'write' : 'create'}`,
      kind: 'client',
      startMs: occurredAt + queueDelay + 1,
      durationMs: Math.max(1, Math.round((total - queueDelay) * 0.8)),
      failed,
      message,
      attributes: { ...business, 'http.request.method': 'POST', 'http.response.status_code': failed ? odooHttpStatus(event.error) : '200' },
      children: [],
    };
    const middleware: SpanPlan = {
      service: 'middleware',
      name: 'queue_job.perform',
      kind: 'consumer',
      startMs: occurredAt + queueDelay,
      durationMs: Math.max(1, total - queueDelay),
      failed,
      message,
      attributes: {
        ...business,
        'queue_job.uuid': jobId,
        'queue_job.state': failed ? (event.status === 'dead_lettered' ? 'failed' : 'pending') : 'done',
        'queue_job.retry': String(event.attempt ?? 1),
      },
      children: [odoo],
    };
    const root: SpanPlan = {
      service: sourceService,
      name: `${sourceService} export ${event.entity_type}`,
      kind: 'producer',
      startMs: occurredAt,
      durationMs: total,
      failed,
      message,
      attributes: business,
      children: [middleware],
    };
    this.attempts.push({
      event: {
        ...event,
        event_id: this.uuid(),
        job_id: jobId,
        emitted_at: new Date(syncedAt).toISOString(),
        ...(event.error ? { retryable: isRetryableByDefault(event.error.category) } : {}),
        ...(event.status === 'succeeded' ? { synced_at: new Date(syncedAt).toISOString() } : {}),
      },
      trace: root,
    });
  }

  /**
   * A record's sync history: failures (retried with back-off) and, unless it stays
   * broken, a final success. Returns whether it ended synced.
   */
  syncWithRetries(
    base: Omit<LedgerEventInput, 'event_id' | 'trace_id' | 'span_id' | 'synced_at' | 'status' | 'error' | 'attempt'>,
    failure: Failure | null,
    options: { staysBroken?: boolean; batch?: boolean; retries?: number } = {},
  ): boolean {
    let at = new Date(base.occurred_at).getTime();
    if (!failure) {
      this.attempt({ ...base, status: 'succeeded', attempt: 1 }, options);
      return true;
    }
    const retries = options.retries ?? this.int(1, 4);
    for (let attempt = 1; attempt <= retries; attempt++) {
      const last = attempt === retries;
      const status: LedgerEventInput['status'] = last && options.staysBroken ? (this.chance(0.5) ? 'dead_lettered' : 'failed') : attempt === 1 ? 'failed' : 'retrying';
      this.attempt({ ...base, occurred_at: iso(at), status, attempt, error: failure }, options);
      at += this.int(2, 30) * HOUR * attempt;
      if (at > this.now.getTime()) return false;
    }
    if (options.staysBroken) return false;
    this.attempt({ ...base, occurred_at: iso(at), status: 'succeeded', attempt: retries + 1 }, options);
    return at <= this.now.getTime();
  }
}

function odooHttpStatus(error: Failure | undefined): string {
  switch (error?.category) {
    case 'auth':
      return '401';
    case 'permission':
      return '403';
    case 'validation':
    case 'business_rule':
      return '422';
    case 'not_found':
      return '404';
    case 'conflict':
      return '409';
    case 'transient':
      return '504';
    default:
      return '500';
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function money(value: number): number {
  return Math.round(value * 100) / 100;
}

export function generateDemoTraffic(now: Date, options: DemoOptions = {}): DemoTraffic {
  const g = new Generator(now, options.seed ?? 20261122, options.scale ?? 1);
  generateRentals(g);
  generateVendorBills(g);
  generatePurchaseOrders(g);
  generateTimesheets(g);
  generateTelemetry(g);
  generateMasterDataAndExpenses(g);
  generateBankAndPayroll(g);
  return { attempts: g.attempts };
}

function invoiceFailure(g: Generator, documentNumber: string, customer: string, project: string): Failure {
  const roll = g.random();
  if (roll < 0.35)
    return { category: 'validation', code: 'odoo.exceptions.ValidationError', message: `Missing analytic distribution on line ${g.int(1, 4)} of ${documentNumber}: project ${project} has no analytic account` };
  if (roll < 0.55) return { category: 'business_rule', code: 'odoo.exceptions.UserError', message: `You cannot add/modify entries prior to and inclusive of the lock date ${new Date(g.now.getTime() - 40 * DAY).toISOString().slice(0, 10)}` };
  if (roll < 0.75) return { category: 'reference_missing', code: 'PARTNER_NOT_MAPPED', message: `Customer '${customer}' is not mapped to an Odoo partner` };
  if (roll < 0.9) return { category: 'transient', code: 'HTTP_504', message: `Gateway timeout from Odoo after 30000 ms posting ${documentNumber}` };
  return { category: 'auth', code: 'odoo.exceptions.AccessDenied', message: 'Access denied: API key expired for integration user rental-sync' };
}

function generateRentals(g: Generator): void {
  const lines = g.count(220);
  let invoiceNumber = 4100;
  // A contract is one customer's rental order for one job, with two lines (pieces of equipment).
  let contract = { project: '', customer: '' };
  for (let i = 0; i < lines; i++) {
    const cls = g.pick(DEMO_EQUIPMENT_CLASSES);
    if (i % 2 === 0) contract = { project: g.pick(DEMO_PROJECTS).code, customer: g.pick(DEMO_CUSTOMERS) };
    const { project, customer } = contract;
    const currency = customer === 'Bluewater Utilities' ? 'CAD' : 'USD';
    const contractId = `RC-${10400 + Math.floor(i / 2)}`;
    const lineId = `${contractId}-L${(i % 2) + 1}`;
    const equipmentId = `EQ-${2000 + i}`;
    const dispatchedAt = g.now.getTime() - g.int(2, 88) * DAY - g.int(0, 10) * HOUR;
    const offRentAt = g.chance(0.65) ? dispatchedAt + g.int(2, 45) * DAY : null;
    const offRent = offRentAt !== null && offRentAt < g.now.getTime() - HOUR ? offRentAt : null;
    const returnedAt = offRent !== null ? offRent + g.int(0, 3) * DAY + g.int(1, 8) * HOUR : null;
    const base = {
      interface_id: 'rental-dispatch',
      source_system: 'rentaldesk',
      target_system: 'odoo',
      entity_type: 'rental.contract',
      operation: 'upsert' as const,
      source_record_id: lineId,
      contract_id: contractId,
      contract_line_id: lineId,
      equipment_id: equipmentId,
      equipment_class: cls.name,
      project,
      customer,
      schema_version: '1.0',
    };
    g.attempt({ ...base, event_type: 'rental.dispatched', source_record_version: '1', occurred_at: iso(dispatchedAt), status: 'succeeded', rate_terms: { day: cls.day, week: cls.week, four_week: cls.fourWeek }, quantity: 1, unit: 'unit', attributes: { rate_day: String(cls.day), rate_week: String(cls.week), rate_4week: String(cls.fourWeek) }, payload: { id: lineId, name: contractId, partner: customer, project } });
    const transport = 175;
    g.attempt({ ...base, event_type: 'rental.surcharge', source_record_version: '2', occurred_at: iso(dispatchedAt + 5 * MINUTE), status: 'succeeded', amount: transport, currency, attributes: { surcharge_kind: 'transport' } });
    if (offRent !== null) g.attempt({ ...base, event_type: 'rental.off_rent', source_record_version: '3', occurred_at: iso(offRent), status: 'succeeded' });
    let surcharges = transport;
    if (returnedAt !== null && returnedAt < g.now.getTime()) {
      g.attempt({ ...base, event_type: 'rental.returned', source_record_version: '4', occurred_at: iso(returnedAt), status: 'succeeded' });
      if (g.chance(0.4)) {
        const fuel = money(g.int(60, 250));
        surcharges += fuel;
        g.attempt({ ...base, event_type: 'rental.surcharge', source_record_version: '5', occurred_at: iso(returnedAt + 30 * MINUTE), status: 'succeeded', amount: fuel, currency, attributes: { surcharge_kind: 'fuel' } });
      }
    }

    // Billing: one invoice per completed 28-day cycle and a final one at off-rent.
    const end = offRent ?? g.now.getTime();
    const returnedNotInvoiced = offRent !== null && g.chance(0.12);
    const skippedCycle = offRent === null && g.chance(0.15);
    for (let periodStart = dispatchedAt; periodStart < end; periodStart += 28 * DAY) {
      const periodEnd = Math.min(periodStart + 28 * DAY, end);
      const finalPeriod = periodEnd === offRent;
      const complete = periodEnd - periodStart >= 28 * DAY - HOUR || finalPeriod;
      if (!complete) break;
      if (finalPeriod && returnedNotInvoiced) break;
      if (skippedCycle && !finalPeriod) {
        continue;
      }
      const invoicedAt = periodEnd + g.int(1, 3) * DAY;
      if (invoicedAt > g.now.getTime()) break;
      const days = Math.max(1, Math.ceil((periodEnd - periodStart) / DAY));
      const charge = cheapestRentalCharge(days, { day: cls.day, week: cls.week, fourWeek: cls.fourWeek }).amount;
      const amount = money(charge + (finalPeriod ? surcharges - transport : 0) + (periodStart === dispatchedAt ? transport : 0));
      invoiceNumber += 1;
      const documentNumber = `INV/2026/${String(invoiceNumber).padStart(5, '0')}`;
      const failure = g.chance(0.18) ? invoiceFailure(g, documentNumber, customer, project) : null;
      const staysBroken = failure !== null && g.chance(0.35);
      g.syncWithRetries(
        {
          interface_id: 'rental-invoicing',
          source_system: 'rentaldesk',
          target_system: 'odoo',
          entity_type: 'account.move',
          event_type: 'invoice.sync',
          operation: 'create',
          source_record_id: `RD-INV-${invoiceNumber}`,
          source_record_version: '1',
          occurred_at: iso(invoicedAt),
          amount,
          currency,
          document_number: documentNumber,
          project,
          customer,
          contract_id: contractId,
          contract_line_id: lineId,
          equipment_id: equipmentId,
          equipment_class: cls.name,
          schema_version: invoicedAt > g.now.getTime() - 10 * DAY && g.chance(0.3) ? '1.1' : '1.0',
          period_start: iso(periodStart).slice(0, 10),
          period_end: iso(periodEnd).slice(0, 10),
          quantity: days,
          unit: 'day',
          attributes: { move_type: 'out_invoice', period_start: iso(periodStart).slice(0, 10), period_end: iso(periodEnd).slice(0, 10) },
          payload: { id: `RD-INV-${invoiceNumber}`, name: documentNumber, partner: customer, project, amount_total: amount, currency, move_type: 'out_invoice', lines: [{ description: `${cls.name} rental ${days} days`, quantity: days, price_unit: money(charge / days), analytic_distribution: { [project]: 100 } }] },
        },
        failure,
        { staysBroken },
      );
      if (g.chance(0.06)) {
        invoiceNumber += 1;
        const credit = money(amount * 0.1);
        g.attempt({
          interface_id: 'rental-invoicing',
          source_system: 'rentaldesk',
          target_system: 'odoo',
          entity_type: 'account.move',
          event_type: 'invoice.sync',
          operation: 'create',
          source_record_id: `RD-INV-${invoiceNumber}`,
          source_record_version: '1',
          occurred_at: iso(invoicedAt + 2 * DAY),
          status: 'succeeded',
          amount: credit,
          currency,
          document_number: `RINV/2026/${String(invoiceNumber).padStart(5, '0')}`,
          project,
          customer,
          contract_id: contractId,
          contract_line_id: lineId,
          schema_version: '1.0',
          attributes: { move_type: 'out_refund', period_start: iso(periodStart).slice(0, 10), period_end: iso(periodEnd).slice(0, 10), reason: 'Disputed idle days' },
        });
      }
    }
  }
}

function generateVendorBills(g: Generator): void {
  for (let i = 0; i < g.count(340); i++) {
    const vendor = g.pick(DEMO_VENDORS);
    const project = g.pick(DEMO_PROJECTS).code;
    const occurred = g.now.getTime() - g.int(0, 89) * DAY - g.int(0, 23) * HOUR;
    const amount = money(g.int(800, 48000) + g.random());
    const billNumber = `BILL/2026/${String(2200 + i).padStart(5, '0')}`;
    const po = `P${String(300 + Math.floor(i / 2)).padStart(5, '0')}`;
    const recentIncident = occurred > g.now.getTime() - 2 * HOUR;
    let failure: Failure | null = null;
    if (recentIncident && g.chance(0.5)) failure = { category: 'transient', code: 'HTTP_503', message: 'Odoo returned 503 Service Unavailable (worker pool exhausted)' };
    else if (g.chance(0.1)) {
      const roll = g.random();
      failure =
        roll < 0.4
          ? { category: 'business_rule', code: 'odoo.exceptions.UserError', message: `Bill total ${amount.toFixed(2)} does not match purchase order ${po} (${(amount * 0.92).toFixed(2)})` }
          : roll < 0.7
            ? { category: 'duplicate', code: 'IDENTITY_KEY', message: `A vendor bill with reference ${vendor.slice(0, 2).toUpperCase()}-${88000 + i} already exists` }
            : { category: 'validation', code: 'odoo.exceptions.ValidationError', message: `Missing analytic distribution on line 2 of ${billNumber}: cost code 03 30 00 not mapped for ${project}` };
    }
    g.syncWithRetries(
      {
        interface_id: 'vendor-bills',
        source_system: 'buyportal',
        target_system: 'odoo',
        entity_type: 'account.move',
        event_type: 'vendor_bill.sync',
        operation: 'create',
        source_record_id: `BP-BILL-${5000 + i}`,
        source_record_version: '1',
        occurred_at: iso(occurred),
        amount,
        currency: 'USD',
        document_number: billNumber,
        project,
        vendor,
        schema_version: '1.0',
        po_number: po,
        cost_code: g.pick(DEMO_COST_CODES),
        attributes: { move_type: 'in_invoice', purchase_order: po, retention_pct: g.chance(0.5) ? '10' : '5' },
        payload: { id: `BP-BILL-${5000 + i}`, name: billNumber, partner: vendor, project, amount_total: amount, currency: 'USD', move_type: 'in_invoice' },
      },
      failure,
      { staysBroken: failure !== null && !recentIncident && g.chance(0.3), batch: true, retries: recentIncident ? 1 : undefined },
    );
  }
}

function generatePurchaseOrders(g: Generator): void {
  for (let i = 0; i < g.count(240); i++) {
    const occurred = g.now.getTime() - g.int(0, 89) * DAY - g.int(0, 23) * HOUR;
    const failure: Failure | null = g.chance(0.05) ? { category: 'conflict', code: 'SERIALIZATION_FAILURE', message: 'could not serialize access due to concurrent update on purchase_order' } : null;
    g.syncWithRetries(
      {
        interface_id: 'purchase-orders',
        source_system: 'buyportal',
        target_system: 'odoo',
        entity_type: 'purchase.order',
        event_type: 'po.sync',
        operation: 'create',
        source_record_id: `BP-PO-${300 + i}`,
        source_record_version: '1',
        occurred_at: iso(occurred),
        amount: money(g.int(2000, 120000)),
        currency: 'USD',
        document_number: `P${String(300 + i).padStart(5, '0')}`,
        project: g.pick(DEMO_PROJECTS).code,
        vendor: g.pick(DEMO_VENDORS),
        schema_version: '1.0',
      },
      failure,
      { retries: 1 },
    );
  }
}

const CREW = ['M. Alvarez', 'J. Chen', 'R. Okafor', 'S. Patel', 'D. Kowalski', 'T. Nguyen', 'L. Brooks', 'A. Haddad'];

function generateTimesheets(g: Generator): void {
  for (let day = 60; day >= 0; day--) {
    const date = g.now.getTime() - day * DAY;
    const weekday = new Date(date).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let n = 0; n < g.count(12); n++) {
      const employee = g.pick(CREW);
      const failure: Failure | null = g.chance(0.03) ? { category: 'validation', code: 'odoo.exceptions.ValidationError', message: `Employee ${employee} has no hourly cost on project ${g.pick(DEMO_PROJECTS).code}` } : null;
      g.syncWithRetries(
        {
          interface_id: 'timesheets',
          source_system: 'sitelog',
          target_system: 'odoo',
          entity_type: 'account.analytic.line',
          event_type: 'timesheet.sync',
          operation: 'create',
          source_record_id: `SL-TS-${day}-${n}`,
          source_record_version: '1',
          occurred_at: iso(new Date(date).setUTCHours(22, n, 0, 0)),
          project: g.pick(DEMO_PROJECTS).code,
          schema_version: '1.0',
          cost_code: g.pick(DEMO_COST_CODES),
          quantity: g.int(6, 10),
          unit: 'hour',
          attributes: { employee_name: employee, hourly_rate: String(g.int(38, 72)) },
        },
        failure,
        { batch: true, retries: 1 },
      );
    }
  }
}

function generateTelemetry(g: Generator): void {
  for (let day = 45; day >= 0; day--) {
    for (let unit = 0; unit < g.count(40); unit++) {
      const at = g.now.getTime() - day * DAY - g.int(0, 20) * HOUR;
      const failure: Failure | null = g.chance(0.015) ? { category: 'transient', code: 'ECONNRESET', message: 'socket hang up talking to Odoo' } : null;
      g.syncWithRetries(
        {
          interface_id: 'equipment-telemetry',
          source_system: 'fleettrack',
          target_system: 'odoo',
          entity_type: 'maintenance.equipment',
          event_type: 'equipment.hours',
          operation: 'update',
          source_record_id: `EQ-${2000 + unit}`,
          source_record_version: String(46 - day),
          occurred_at: iso(at),
          equipment_id: `EQ-${2000 + unit}`,
          schema_version: '1.0',
          attributes: { engine_hours: String(1200 + (46 - day) * g.int(4, 9)) },
        },
        failure,
        { retries: 1 },
      );
    }
  }
}

function generateMasterDataAndExpenses(g: Generator): void {
  for (let i = 0; i < 40; i++) {
    g.attempt({
      interface_id: 'vendor-master',
      source_system: 'odoo',
      target_system: 'buyportal',
      entity_type: 'res.partner',
      event_type: 'vendor.sync',
      operation: 'upsert',
      source_record_id: `res.partner,${700 + i}`,
      source_record_version: '1',
      occurred_at: iso(g.now.getTime() - g.int(0, 80) * DAY),
      status: 'succeeded',
      vendor: g.pick(DEMO_VENDORS),
      schema_version: '1.0',
      attributes: { partner_kind: 'vendor' },
    });
  }
  for (let i = 0; i < 90; i++) {
    g.attempt({
      interface_id: 'field-expenses',
      source_system: 'sitelog',
      target_system: 'odoo',
      entity_type: 'hr.expense',
      event_type: 'expense.sync',
      operation: 'create',
      source_record_id: `SL-EXP-${i}`,
      source_record_version: '1',
      occurred_at: iso(g.now.getTime() - g.int(0, 85) * DAY),
      status: 'succeeded',
      amount: money(g.int(20, 600)),
      currency: 'USD',
      project: g.pick(DEMO_PROJECTS).code,
      schema_version: '1.0',
    });
  }
  // The field app creating vendors in Odoo: the ownership registry forbids it.
  for (let i = 0; i < 14; i++) {
    g.attempt({
      interface_id: 'field-expenses',
      source_system: 'sitelog',
      target_system: 'odoo',
      entity_type: 'res.partner',
      event_type: 'partner.create',
      operation: 'create',
      source_record_id: `SL-VENDOR-${i}`,
      source_record_version: '1',
      occurred_at: iso(g.now.getTime() - g.int(0, 60) * DAY),
      status: 'succeeded',
      vendor: g.pick(['Joe’s Hardware', 'Quick Fuel Delivery', 'Roadside Tire Service']),
      schema_version: '1.0',
      attributes: { partner_kind: 'vendor' },
    });
  }
  for (let i = 0; i < 60; i++) {
    g.attempt({
      interface_id: UNREGISTERED_INTERFACE.key,
      source_system: UNREGISTERED_INTERFACE.source,
      target_system: UNREGISTERED_INTERFACE.target,
      entity_type: UNREGISTERED_INTERFACE.entityType,
      event_type: 'cost.import',
      operation: 'create',
      source_record_id: `FTP-COST-${i}`,
      occurred_at: iso(g.now.getTime() - g.int(0, 30) * DAY),
      status: 'succeeded',
      project: g.pick(DEMO_PROJECTS).code,
    });
  }
}

function generateBankAndPayroll(g: Generator): void {
  for (let day = 60; day >= 0; day--) {
    for (let n = 0; n < g.count(6); n++) {
      g.attempt(
        {
          interface_id: 'bank-statements',
          source_system: 'bank',
          target_system: 'odoo',
          entity_type: 'account.bank.statement.line',
          event_type: 'statement.line',
          operation: 'create',
          source_record_id: `STMT-${day}-${n}`,
          occurred_at: iso(new Date(g.now.getTime() - day * DAY).setUTCHours(6, n, 0, 0)),
          status: 'succeeded',
          amount: money(g.int(-90000, 120000) + g.random()),
          currency: 'USD',
          schema_version: '1.0',
        },
        { batch: true },
      );
    }
  }
  for (let week = 12; week >= 0; week--) {
    for (let n = 0; n < CREW.length; n++) {
      const failure: Failure | null = g.chance(0.04) ? { category: 'permission', code: 'HTTP_403', message: 'PayrollHub refused the export: the API client lacks the certified-payroll scope' } : null;
      g.syncWithRetries(
        {
          interface_id: 'payroll-export',
          source_system: 'odoo',
          target_system: 'payrollhub',
          entity_type: 'account.analytic.line',
          event_type: 'payroll.export',
          operation: 'create',
          source_record_id: `PAY-W${week}-${n}`,
          occurred_at: iso(g.now.getTime() - week * 7 * DAY),
          schema_version: '1.0',
          attributes: { employee_name: CREW[n]!, hourly_rate: String(40 + n * 3), hours: String(g.int(32, 50)) },
        },
        failure,
        { batch: true, retries: 2 },
      );
    }
  }
}
