import type { Role } from '@/lib/db/generated/enums';
import { prisma } from '@/lib/db/client';
import { env } from '@/lib/config/env';
import { createIngestApiKey, revokeIngestApiKey } from '@/lib/ingest/api-keys';
import { DEMO_ENTITIES, DEMO_INTERFACES, DEMO_SYSTEMS, baselinePayloadSchema } from '@/lib/demo/catalog';
import { generateDemoTraffic, type DemoOptions } from '@/lib/demo/generate';
import { sendDemoTraffic, type SendResult } from '@/lib/demo/send';

/** One demo user per role (README lists them). */
export const DEMO_USERS: readonly { email: string; name: string; role: Role }[] = [
  { email: 'admin@plumbline.local', name: 'Avery Admin', role: 'admin' },
  { email: 'board@plumbline.local', name: 'Blair Board', role: 'governance_board' },
  { email: 'engineer@plumbline.local', name: 'Emery Engineer', role: 'integration_engineer' },
  { email: 'finance@plumbline.local', name: 'Frankie Finance', role: 'finance' },
  { email: 'viewer@plumbline.local', name: 'Vic Viewer', role: 'viewer' },
];

const TRAFFIC_LOADED_SETTING = 'demo.trafficLoadedAt';

/** Seeds the registry (systems, interfaces, owners, schemas, SLOs) when it is empty. */
export async function seedDemoRegistry(): Promise<boolean> {
  const db = await prisma();
  if ((await db.system.count()) > 0) return false;
  await seedRegistry();
  return true;
}

export async function demoTrafficLoaded(): Promise<boolean> {
  const db = await prisma();
  return (await db.setting.findUnique({ where: { key: TRAFFIC_LOADED_SETTING } })) !== null;
}

/**
 * Sends the demo traffic through the public ingest endpoint at `ingestUrl`, with the
 * bootstrap key or, without one, a key made for this load and revoked after it.
 */
export async function loadDemoTraffic(ingestUrl: string, log: (line: string) => void, options: DemoOptions = {}): Promise<SendResult> {
  const started = Date.now();
  const bootstrap = env().PLUMBLINE_INGEST_KEY;
  const temporary = bootstrap ? null : await createIngestApiKey({ name: 'demo estate loader', interfaceId: null });
  try {
    const result = await sendDemoTraffic(generateDemoTraffic(new Date(), options), { ingestUrl, key: bootstrap ?? temporary!.key });
    const db = await prisma();
    await db.setting.upsert({
      where: { key: TRAFFIC_LOADED_SETTING },
      create: { key: TRAFFIC_LOADED_SETTING, value: new Date().toISOString() },
      update: { value: new Date().toISOString() },
    });
    log(
      `Demo estate sent through ingest: ${result.accepted} ledger events accepted (${result.duplicates} duplicates, ${result.rejected} rejected), ${result.spans} spans, in ${Date.now() - started} ms`,
    );
    return result;
  } finally {
    if (temporary) await revokeIngestApiKey(temporary.id);
  }
}

async function seedRegistry(): Promise<void> {
  const db = await prisma();
  const usersByEmail = new Map((await db.user.findMany({ select: { id: true, email: true } })).map((u) => [u.email, u.id]));
  await db.$transaction(async (tx) => {
    const systemIds = new Map<string, string>();
    for (const system of DEMO_SYSTEMS) {
      const row = await tx.system.create({ data: { ...system } });
      systemIds.set(system.key, row.id);
    }
    const interfaceIds = new Map<string, string>();
    for (const iface of DEMO_INTERFACES) {
      const row = await tx.interface.create({
        data: {
          key: iface.key,
          name: iface.name,
          description: iface.description,
          sourceSystemId: systemIds.get(iface.source)!,
          targetSystemId: systemIds.get(iface.target)!,
          entityTypes: iface.entityTypes,
          ownerTeam: iface.ownerTeam,
          syncClass: iface.syncClass,
          activeSchemaVersion: '1.0',
        },
      });
      interfaceIds.set(iface.key, row.id);
      await tx.schemaVersion.create({
        data: {
          interfaceId: row.id,
          version: '1.0',
          schema: baselinePayloadSchema(iface.key),
          status: 'active',
          compatibility: 'FULL',
          changes: [],
          proposedById: usersByEmail.get('engineer@plumbline.local') ?? null,
          decidedAt: new Date(),
          activatedAt: new Date(),
        },
      });
    }
    for (const entity of DEMO_ENTITIES) {
      await tx.businessEntity.create({
        data: {
          key: entity.key,
          name: entity.name,
          odooModel: entity.odooModel,
          systemOfRecordId: systemIds.get(entity.systemOfRecord)!,
          stewardId: usersByEmail.get(entity.steward) ?? null,
          writers: { create: entity.writers.map((w) => ({ systemId: systemIds.get(w)! })) },
          directions: { create: entity.directions.map((d) => ({ interfaceId: interfaceIds.get(d.interfaceKey)!, direction: d.direction })) },
        },
      });
    }
    const engineer = usersByEmail.get('engineer@plumbline.local') ?? null;
    const slos = [
      { interfaceKey: 'rental-invoicing', name: 'Rental invoices reach Odoo', sliKind: 'success' as const, objective: 0.99, windowDays: 28, thresholdMs: null },
      { interfaceKey: 'rental-invoicing', name: 'Rental invoices within 5 minutes', sliKind: 'latency' as const, objective: 0.95, windowDays: 28, thresholdMs: 5 * 60_000 },
      { interfaceKey: 'vendor-bills', name: 'Vendor bills reach Odoo', sliKind: 'success' as const, objective: 0.98, windowDays: 7, thresholdMs: null },
      { interfaceKey: 'equipment-telemetry', name: 'Engine hours within 1 minute', sliKind: 'latency' as const, objective: 0.9, windowDays: 7, thresholdMs: 60_000 },
    ];
    for (const slo of slos) {
      await tx.sloDefinition.create({
        data: {
          interfaceId: interfaceIds.get(slo.interfaceKey)!,
          name: slo.name,
          sliKind: slo.sliKind,
          objective: slo.objective,
          windowDays: slo.windowDays,
          thresholdMs: slo.thresholdMs,
          createdById: engineer,
        },
      });
    }
    await tx.overdueRule.createMany({
      data: [
        { entityType: 'account.move', maxAgeHours: 72, label: 'Invoice and bill exceptions older than 3 days' },
        { errorCategory: 'auth', maxAgeHours: 4, label: 'Credential failures older than 4 hours' },
        { maxAgeHours: 7 * 24, label: 'Any exception older than 7 days' },
      ],
    });
  });
}
