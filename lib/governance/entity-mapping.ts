/**
 * How a ledger event's `entity_type` (an Odoo model name, as interfaces report it) maps to a
 * BusinessEntity of the ownership registry. This is the one place that knows it.
 *
 * 1. Candidates are the entities whose `odooModel` equals the event's entity_type, or whose
 *    `key` does (an interface may report the registry key itself, e.g. 'rental_contract').
 * 2. One candidate: that entity.
 * 3. Several (one Odoo model holds several business entities: res.partner is vendor and
 *    customer, account.move is invoice and bill): a discriminating event attribute decides,
 *    per DISCRIMINATORS below; the resulting entity key must be one of the candidates.
 * 4. Otherwise the event is unmapped: it is not governed by any registry rule.
 */
export interface DiscriminatorRule {
  /** The ledger event attribute (sync_ledger.attributes key) that tells the entities apart. */
  attribute: string;
  /** Attribute value → BusinessEntity.key. */
  entityKeyByValue: Readonly<Record<string, string>>;
}

export const DISCRIMINATORS: Readonly<Record<string, DiscriminatorRule>> = {
  'res.partner': { attribute: 'partner_kind', entityKeyByValue: { vendor: 'vendor', supplier: 'vendor', customer: 'customer' } },
  'account.move': {
    attribute: 'move_type',
    entityKeyByValue: { out_invoice: 'customer_invoice', out_refund: 'customer_invoice', out_receipt: 'customer_invoice', in_invoice: 'vendor_bill', in_refund: 'vendor_bill', in_receipt: 'vendor_bill' },
  },
};

/** Parallel arrays for ClickHouse's transform(): entity_type → the attribute to read. */
export function discriminatorAttributeParams(): { types: string[]; attributes: string[] } {
  const entries = Object.entries(DISCRIMINATORS);
  return { types: entries.map(([type]) => type), attributes: entries.map(([, rule]) => rule.attribute) };
}

export interface MappableEntity {
  id: string;
  key: string;
  odooModel: string;
}

export function resolveBusinessEntity<E extends MappableEntity>(entities: readonly E[], entityType: string, discriminatorValue: string): E | null {
  const candidates = entities.filter((e) => e.key === entityType || (e.odooModel !== '' && e.odooModel === entityType));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) return null;
  const wanted = DISCRIMINATORS[entityType]?.entityKeyByValue[discriminatorValue];
  return wanted ? (candidates.find((e) => e.key === wanted) ?? null) : null;
}
