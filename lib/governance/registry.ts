import { z } from 'zod';
import type { SyncDirection } from '@/lib/db/generated/enums';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { RequestError } from '@/lib/api/errors';
import type { Viewer } from '@/lib/auth/session';

/**
 * The data-ownership registry: per business entity its system of record, steward, allowed
 * writers and per-interface sync direction. Every edit is audited with before/after in the
 * transaction that makes it.
 */
export const SYNC_DIRECTIONS = ['source_to_target', 'target_to_source', 'bidirectional', 'forbidden'] as const satisfies readonly SyncDirection[];

export const DIRECTION_LABELS: Record<SyncDirection, string> = {
  source_to_target: 'source → target',
  target_to_source: 'target → source',
  bidirectional: 'both ways',
  forbidden: 'forbidden',
};

export interface EntityRecord {
  id: string;
  key: string;
  name: string;
  odooModel: string;
  description: string;
  systemOfRecord: { id: string; key: string; name: string } | null;
  steward: { id: string; name: string; email: string } | null;
  writers: { id: string; key: string; name: string }[];
  directions: { interfaceId: string; interfaceKey: string; interfaceName: string; sourceKey: string; targetKey: string; direction: SyncDirection }[];
  updatedAt: Date;
}

const include = {
  systemOfRecord: { select: { id: true, key: true, name: true } },
  steward: { select: { id: true, name: true, email: true } },
  writers: { include: { system: { select: { id: true, key: true, name: true } } } },
  directions: { include: { interface: { select: { key: true, name: true, sourceSystem: { select: { key: true } }, targetSystem: { select: { key: true } } } } } },
} as const;

type Row = Awaited<ReturnType<typeof findRows>>[number];
async function findRows(where: { id?: string } = {}) {
  const db = await prisma();
  return db.businessEntity.findMany({ where, include, orderBy: { name: 'asc' } });
}

function toRecord(row: Row): EntityRecord {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    odooModel: row.odooModel,
    description: row.description,
    systemOfRecord: row.systemOfRecord,
    steward: row.steward,
    writers: row.writers.map((w) => w.system).sort((a, b) => a.key.localeCompare(b.key)),
    directions: row.directions
      .map((d) => ({ interfaceId: d.interfaceId, interfaceKey: d.interface.key, interfaceName: d.interface.name, sourceKey: d.interface.sourceSystem.key, targetKey: d.interface.targetSystem.key, direction: d.direction }))
      .sort((a, b) => a.interfaceKey.localeCompare(b.interfaceKey)),
    updatedAt: row.updatedAt,
  };
}

export async function listEntities(): Promise<EntityRecord[]> {
  return (await findRows()).map(toRecord);
}

export async function getEntity(id: string): Promise<EntityRecord | null> {
  const [row] = await findRows({ id });
  return row ? toRecord(row) : null;
}

export const entityInputSchema = z
  .object({
    key: z.string().trim().min(1, 'Key is required').max(64).regex(/^[a-z0-9][a-z0-9_.-]*$/, 'Lowercase letters, digits, dots, dashes, underscores'),
    name: z.string().trim().min(1, 'Name is required').max(120),
    odooModel: z.string().trim().max(64).default(''),
    description: z.string().trim().max(2000).default(''),
    systemOfRecordId: z.string().nullable().default(null),
    stewardId: z.string().nullable().default(null),
    writerSystemIds: z.array(z.string()).max(50).default([]),
  })
  .transform((v) => ({ ...v, writerSystemIds: [...new Set(v.writerSystemIds)].filter((id) => id !== v.systemOfRecordId).sort() }));

export type EntityInput = z.input<typeof entityInputSchema>;

export class EntityFormError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(Object.values(fieldErrors).join(' '));
    this.name = 'EntityFormError';
  }
}

function parse(raw: EntityInput) {
  const parsed = entityInputSchema.safeParse(raw);
  if (!parsed.success) throw new EntityFormError(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'form'), i.message])));
  return parsed.data;
}

type Snapshot = { key: string; name: string; odooModel: string; description: string; systemOfRecord: string | null; steward: string | null; writers: string[] };

function snapshot(r: EntityRecord): Snapshot {
  return { key: r.key, name: r.name, odooModel: r.odooModel, description: r.description, systemOfRecord: r.systemOfRecord?.key ?? null, steward: r.steward?.email ?? null, writers: r.writers.map((w) => w.key) };
}

type Tx = Parameters<Parameters<Awaited<ReturnType<typeof prisma>>['$transaction']>[0]>[0];

async function checkReferences(tx: Tx, input: ReturnType<typeof parse>): Promise<void> {
  const systemIds = [...input.writerSystemIds, ...(input.systemOfRecordId ? [input.systemOfRecordId] : [])];
  const found = await tx.system.count({ where: { id: { in: systemIds } } });
  if (found !== new Set(systemIds).size) throw new EntityFormError({ systemOfRecordId: 'Unknown system.' });
  if (input.stewardId && !(await tx.user.findUnique({ where: { id: input.stewardId } }))) throw new EntityFormError({ stewardId: 'Unknown user.' });
}

async function readInTx(tx: Tx, id: string): Promise<EntityRecord | null> {
  const row = await tx.businessEntity.findUnique({ where: { id }, include });
  return row ? toRecord(row) : null;
}

export async function createEntity(viewer: Viewer, raw: EntityInput, ip: string | null = null): Promise<string> {
  const input = parse(raw);
  const db = await prisma();
  return db.$transaction(async (tx) => {
    await checkReferences(tx, input);
    if (await tx.businessEntity.findUnique({ where: { key: input.key } })) throw new EntityFormError({ key: `Entity ${input.key} already exists.` });
    const created = await tx.businessEntity.create({
      data: {
        key: input.key,
        name: input.name,
        odooModel: input.odooModel,
        description: input.description,
        systemOfRecordId: input.systemOfRecordId,
        stewardId: input.stewardId,
        writers: { create: input.writerSystemIds.map((systemId) => ({ systemId })) },
      },
    });
    const after = await readInTx(tx, created.id);
    await writeAudit({ actorId: viewer.id, actorLabel: viewer.email, action: 'entity.create', targetType: 'business_entity', targetId: created.id, before: null, after: after && snapshot(after), ip }, tx);
    return created.id;
  });
}

export async function updateEntity(viewer: Viewer, id: string, raw: EntityInput, ip: string | null = null): Promise<void> {
  const input = parse(raw);
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const before = await readInTx(tx, id);
    if (!before) throw new RequestError(404, 'not_found', 'No such business entity.');
    await checkReferences(tx, input);
    if (input.key !== before.key && (await tx.businessEntity.findUnique({ where: { key: input.key } }))) throw new EntityFormError({ key: `Entity ${input.key} already exists.` });
    await tx.businessEntity.update({
      where: { id },
      data: { key: input.key, name: input.name, odooModel: input.odooModel, description: input.description, systemOfRecordId: input.systemOfRecordId, stewardId: input.stewardId },
    });
    await tx.entityWriter.deleteMany({ where: { entityId: id } });
    if (input.writerSystemIds.length > 0) await tx.entityWriter.createMany({ data: input.writerSystemIds.map((systemId) => ({ entityId: id, systemId })) });
    const after = await readInTx(tx, id);
    await writeAudit({ actorId: viewer.id, actorLabel: viewer.email, action: 'entity.update', targetType: 'business_entity', targetId: id, before: snapshot(before), after: after && snapshot(after), ip }, tx);
  });
}

/** Sets (or with `null` clears) how one interface may carry one entity. */
export async function setDirection(viewer: Viewer, entityId: string, interfaceId: string, direction: SyncDirection | null, ip: string | null = null): Promise<void> {
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const entity = await tx.businessEntity.findUnique({ where: { id: entityId } });
    const iface = await tx.interface.findUnique({ where: { id: interfaceId } });
    if (!entity || !iface) throw new RequestError(404, 'not_found', 'No such entity or interface.');
    const where = { interfaceId_entityId: { interfaceId, entityId } };
    const before = await tx.interfaceEntityDirection.findUnique({ where });
    if (direction === null) {
      if (before) await tx.interfaceEntityDirection.delete({ where });
    } else {
      await tx.interfaceEntityDirection.upsert({ where, create: { interfaceId, entityId, direction }, update: { direction } });
    }
    await writeAudit(
      {
        actorId: viewer.id,
        actorLabel: viewer.email,
        action: 'entity.direction',
        targetType: 'business_entity',
        targetId: entityId,
        before: { interface: iface.key, direction: before?.direction ?? null },
        after: { interface: iface.key, direction },
        ip,
      },
      tx,
    );
  });
}

export async function listUsersForStewardship(): Promise<{ id: string; name: string; email: string }[]> {
  const db = await prisma();
  return db.user.findMany({ where: { disabled: false }, select: { id: true, name: true, email: true }, orderBy: { name: 'asc' } });
}

export async function listInterfacesBrief(): Promise<{ id: string; key: string; name: string }[]> {
  const db = await prisma();
  return db.interface.findMany({ select: { id: true, key: true, name: true }, orderBy: { key: 'asc' } });
}

export interface MatrixCell {
  owner: boolean;
  writer: boolean;
  violations: number;
}

/** Entities × systems: owner / allowed writer / violating writes (by the authoring system). */
export function ownershipMatrix(entities: readonly EntityRecord[], systems: readonly { key: string }[], violations: readonly { entityId: string; sourceSystem: string; events: number }[]): Map<string, Map<string, MatrixCell>> {
  const matrix = new Map<string, Map<string, MatrixCell>>();
  for (const entity of entities) {
    const row = new Map<string, MatrixCell>();
    for (const system of systems) {
      row.set(system.key, { owner: entity.systemOfRecord?.key === system.key, writer: entity.writers.some((w) => w.key === system.key), violations: 0 });
    }
    matrix.set(entity.id, row);
  }
  for (const v of violations) {
    const cell = matrix.get(v.entityId)?.get(v.sourceSystem);
    if (cell) cell.violations += v.events;
  }
  return matrix;
}
