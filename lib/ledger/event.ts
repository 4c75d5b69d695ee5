import { z } from 'zod';
import { ERROR_CATEGORIES } from '@/lib/ledger/error-category';

/**
 * A sync-ledger event: one interface's report about one attempt to move one record
 * between systems. This schema is the ingest boundary; inside, events are trusted.
 */
export const LEDGER_STATUSES = ['pending', 'succeeded', 'failed', 'retrying', 'dead_lettered', 'cancelled', 'skipped'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

export const FAILING_STATUSES: readonly LedgerStatus[] = ['failed', 'retrying', 'dead_lettered'];

export const OPERATIONS = ['create', 'update', 'upsert', 'delete', 'post', 'cancel'] as const;

const id = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().max(max).optional();
const hex = (len: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${len}}$`), `must be ${len} hex characters`)
    .transform((v) => v.toLowerCase());
const timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp with a time zone' });
const isoDate = z.iso.date({ message: 'must be an ISO 8601 date (YYYY-MM-DD)' });

/**
 * How far ahead of the ingest's clock occurred_at may be: clock skew and time-zone slips
 * pass, a date that has not happened yet does not (it would count as billed, failed or
 * late long before it happened, and skew every "as of now" figure).
 */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/**
 * Money is exact: a decimal string ("1840.25") or a JSON number with at most two decimals,
 * kept as a decimal string all the way into ClickHouse's Decimal(18, 2).
 */
const DECIMAL = /^-?\d{1,16}(\.\d{1,2})?$/;
const money = z
  .union([z.string(), z.number().finite()])
  .transform((value, ctx) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    if (!DECIMAL.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be a decimal with at most 16 digits before and 2 after the point, e.g. "1840.25"' });
      return z.NEVER;
    }
    return text;
  });

const quantity = z.union([z.string().regex(/^-?\d{1,12}(\.\d{1,6})?$/, 'must be a decimal'), z.number().finite()]).transform(String);

export const ledgerEventSchema = z
  .object({
    event_id: id(128),
    sync_key: id(512).optional(),
    job_id: optionalText(128),
    interface_id: id(128),
    source_system: id(64),
    target_system: id(64),
    entity_type: id(64),
    event_type: id(64),
    operation: z.enum(OPERATIONS),
    source_record_id: id(256),
    source_record_version: optionalText(128),
    target_record_id: optionalText(256),
    status: z.enum(LEDGER_STATUSES),
    attempt: z.number().int().min(0).max(65535).optional(),
    retryable: z.boolean().optional(),
    error: z
      .object({
        category: z.enum(ERROR_CATEGORIES),
        code: optionalText(128),
        message: z.string().max(8192),
      })
      .optional(),
    occurred_at: timestamp,
    emitted_at: timestamp.optional(),
    synced_at: timestamp.optional(),
    amount: money.optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD').optional(),
    document_number: optionalText(128),
    project: optionalText(128),
    cost_code: optionalText(64),
    po_number: optionalText(64),
    customer: optionalText(256),
    vendor: optionalText(256),
    contract_id: optionalText(128),
    contract_line_id: optionalText(128),
    equipment_id: optionalText(128),
    equipment_class: optionalText(128),
    period_start: isoDate.optional(),
    period_end: isoDate.optional(),
    quantity: quantity.optional(),
    unit: optionalText(32),
    rate_terms: z
      .object({ day: money.optional(), week: money.optional(), four_week: money.optional() })
      .strict()
      .optional(),
    trace_id: hex(32).optional(),
    span_id: hex(16).optional(),
    schema_version: optionalText(64),
    attributes: z.record(z.string().max(128), z.union([z.string().max(4096), z.number(), z.boolean()])).optional(),
    payload: z.unknown().optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    const failing = (FAILING_STATUSES as readonly string[]).includes(event.status);
    if (failing && !event.error) ctx.addIssue({ code: 'custom', path: ['error'], message: `is required when status is ${event.status}` });
    if (event.span_id && !event.trace_id) ctx.addIssue({ code: 'custom', path: ['trace_id'], message: 'is required when span_id is given' });
    if (event.amount !== undefined && !event.currency) ctx.addIssue({ code: 'custom', path: ['currency'], message: 'is required when amount is given' });
    if (event.period_start && event.period_end && event.period_end < event.period_start)
      ctx.addIssue({ code: 'custom', path: ['period_end'], message: 'must not be before period_start' });
    if (Date.parse(event.occurred_at) > Date.now() + MAX_FUTURE_MS)
      ctx.addIssue({ code: 'custom', path: ['occurred_at'], message: "is more than 24 hours ahead of Plumbline's clock: check the reporter's clock and time zone" });
  });

/** A validated event (amounts normalised to decimal strings). */
export type LedgerEvent = z.output<typeof ledgerEventSchema>;
/** What a client may send (amounts as numbers or strings). */
export type LedgerEventInput = z.input<typeof ledgerEventSchema>;

/** DOMAIN.md: one logical sync keeps its key across retries. */
export function defaultSyncKey(event: LedgerEvent): string {
  return [event.source_system, event.entity_type, event.source_record_id, event.operation, event.source_record_version ?? ''].join('|');
}
