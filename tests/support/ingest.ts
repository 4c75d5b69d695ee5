import { prisma } from '@/lib/db/client';
import { invalidateInterfaceCatalog } from '@/lib/ingest/interfaces';

/** Shared fixtures for the ingest integration tests. */
export const BOOTSTRAP_KEY = 'test-bootstrap-key-0123456789abcdef';

export interface SeededRegistry {
  interfaceIds: Record<string, string>;
}

/** Two registered interfaces, each with active schema version 1.0. */
export async function seedIngestRegistry(): Promise<SeededRegistry> {
  const db = await prisma();
  const source = await db.system.create({ data: { key: 'rentaldesk', name: 'RentalDesk', kind: 'rental_dispatch' } });
  const target = await db.system.create({ data: { key: 'odoo', name: 'Odoo', kind: 'erp' } });
  const interfaceIds: Record<string, string> = {};
  for (const key of ['rental-invoicing', 'vendor-bills']) {
    const iface = await db.interface.create({
      data: {
        key,
        name: key,
        sourceSystemId: source.id,
        targetSystemId: target.id,
        entityTypes: ['account.move'],
        ownerTeam: 'Finance Systems',
        syncClass: 'near_real_time',
        activeSchemaVersion: '1.0',
      },
    });
    await db.schemaVersion.create({
      data: { interfaceId: iface.id, version: '1.0', schema: { type: 'object' }, status: 'active', activatedAt: new Date() },
    });
    interfaceIds[key] = iface.id;
  }
  invalidateInterfaceCatalog();
  return { interfaceIds };
}

export function ledgerEvent(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: `evt-${String(n).padStart(6, '0')}`,
    interface_id: 'rental-invoicing',
    source_system: 'rentaldesk',
    target_system: 'odoo',
    entity_type: 'account.move',
    event_type: 'invoice.sync',
    operation: 'create',
    source_record_id: `INV-${n}`,
    status: 'succeeded',
    occurred_at: new Date(Date.UTC(2026, 10, 1, 10, 0, 0) + n * 1000).toISOString(),
    amount: 100 + n,
    currency: 'USD',
    schema_version: '1.0',
    ...overrides,
  };
}

export async function postLedger(
  port: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/ledger`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}
