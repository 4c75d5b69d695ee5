import { z } from 'zod';
import type { AlertStatus, SliKind } from '@/lib/db/generated/enums';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { RequestError } from '@/lib/api/errors';
import type { Viewer } from '@/lib/auth/session';

/**
 * SLO definitions (Postgres). `objective` is stored as a fraction (0.99 = 99 %), as OpenSLO
 * writes it; forms take percent. Every change is audited in the same transaction.
 */
export const SLO_WINDOW_DAYS = [7, 28, 30] as const;

export const sloInputSchema = z
  .object({
    interfaceKey: z.string().trim().min(1, 'Choose an interface').max(128),
    name: z.string().trim().min(1, 'Name is required').max(120),
    description: z.string().trim().max(1000).default(''),
    sliKind: z.enum(['latency', 'success']),
    thresholdMs: z.number().int().positive('Threshold must be a positive number of milliseconds').max(7 * 86_400_000).nullable().default(null),
    spanName: z.string().trim().max(256).nullable().default(null),
    objective: z.number().gt(0.5, 'Objective must be above 50 %').lt(1, 'Objective must be below 100 %'),
    windowDays: z.union([z.literal(7), z.literal(28), z.literal(30)]),
    minEvents: z.number().int().min(1).max(1_000_000).default(20),
  })
  .superRefine((input, ctx) => {
    if (input.sliKind === 'latency' && !input.thresholdMs) ctx.addIssue({ code: 'custom', path: ['thresholdMs'], message: 'A latency SLI needs a threshold' });
  })
  .transform((input) => ({
    ...input,
    thresholdMs: input.sliKind === 'latency' ? input.thresholdMs : null,
    spanName: input.sliKind === 'latency' && input.spanName ? input.spanName : null,
  }));

export type SloInput = z.output<typeof sloInputSchema>;

export interface SloRecord {
  id: string;
  interfaceId: string;
  interfaceKey: string;
  interfaceName: string;
  name: string;
  description: string;
  sliKind: SliKind;
  thresholdMs: number | null;
  spanName: string | null;
  objective: number;
  windowDays: number;
  minEvents: number;
  updatedAt: Date;
  /** The evaluator's last result (`details` as lib/slo/evaluator.ts wrote it). */
  alert: { status: AlertStatus; since: Date; lastEvaluatedAt: Date; details: unknown } | null;
}

const include = { interface: { select: { key: true, name: true } }, alertState: true } as const;

type Row = Awaited<ReturnType<typeof findRows>>[number];
async function findRows(where: { id?: string } = {}) {
  const db = await prisma();
  return db.sloDefinition.findMany({ where, include, orderBy: [{ interface: { key: 'asc' } }, { name: 'asc' }] });
}

function toRecord(row: Row): SloRecord {
  return {
    id: row.id,
    interfaceId: row.interfaceId,
    interfaceKey: row.interface.key,
    interfaceName: row.interface.name,
    name: row.name,
    description: row.description,
    sliKind: row.sliKind,
    thresholdMs: row.thresholdMs,
    spanName: row.spanName,
    objective: row.objective,
    windowDays: row.windowDays,
    minEvents: row.minEvents,
    updatedAt: row.updatedAt,
    alert: row.alertState
      ? { status: row.alertState.status, since: row.alertState.since, lastEvaluatedAt: row.alertState.lastEvaluatedAt, details: row.alertState.details }
      : null,
  };
}

export async function listSlos(): Promise<SloRecord[]> {
  return (await findRows()).map(toRecord);
}

export async function getSlo(id: string): Promise<SloRecord | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const row = (await findRows({ id }))[0];
  return row ? toRecord(row) : null;
}

export async function listInterfaceChoices(): Promise<{ key: string; name: string }[]> {
  const db = await prisma();
  return db.interface.findMany({ select: { key: true, name: true }, orderBy: { key: 'asc' } });
}

/** The audited shape of a definition: what a reviewer needs to see changed. */
function auditView(input: SloInput) {
  return {
    interfaceKey: input.interfaceKey,
    name: input.name,
    description: input.description,
    sliKind: input.sliKind,
    thresholdMs: input.thresholdMs,
    spanName: input.spanName,
    objective: input.objective,
    windowDays: input.windowDays,
    minEvents: input.minEvents,
  };
}

function recordAsInput(record: SloRecord): SloInput {
  return {
    interfaceKey: record.interfaceKey,
    name: record.name,
    description: record.description,
    sliKind: record.sliKind,
    thresholdMs: record.thresholdMs,
    spanName: record.spanName,
    objective: record.objective,
    windowDays: record.windowDays as SloInput['windowDays'],
    minEvents: record.minEvents,
  };
}

async function interfaceIdFor(key: string): Promise<string> {
  const db = await prisma();
  const found = await db.interface.findUnique({ where: { key }, select: { id: true } });
  if (!found) throw new RequestError(422, 'unknown_interface', `No registered interface has the key "${key}"`);
  return found.id;
}

function dataOf(input: SloInput, interfaceId: string) {
  return {
    interfaceId,
    name: input.name,
    description: input.description,
    sliKind: input.sliKind,
    thresholdMs: input.thresholdMs,
    spanName: input.spanName,
    objective: input.objective,
    windowDays: input.windowDays,
    minEvents: input.minEvents,
  };
}

export async function createSlo(actor: Viewer, input: SloInput, ip?: string | null): Promise<string> {
  const interfaceId = await interfaceIdFor(input.interfaceKey);
  const db = await prisma();
  return db.$transaction(async (tx) => {
    const created = await tx.sloDefinition.create({ data: { ...dataOf(input, interfaceId), createdById: actor.id }, select: { id: true } });
    await writeAudit(
      { actorId: actor.id, actorLabel: actor.email, action: 'slo.create', targetType: 'slo', targetId: created.id, after: auditView(input), ip },
      tx,
    );
    return created.id;
  });
}

export async function updateSlo(actor: Viewer, id: string, input: SloInput, ip?: string | null): Promise<void> {
  const before = await getSlo(id);
  if (!before) throw new RequestError(404, 'not_found', 'That SLO no longer exists');
  const interfaceId = await interfaceIdFor(input.interfaceKey);
  const db = await prisma();
  await db.$transaction(async (tx) => {
    await tx.sloDefinition.update({ where: { id }, data: dataOf(input, interfaceId) });
    await writeAudit(
      {
        actorId: actor.id,
        actorLabel: actor.email,
        action: 'slo.update',
        targetType: 'slo',
        targetId: id,
        before: auditView(recordAsInput(before)),
        after: auditView(input),
        ip,
      },
      tx,
    );
  });
}

export async function deleteSlo(actor: Viewer, id: string, ip?: string | null): Promise<void> {
  const before = await getSlo(id);
  if (!before) throw new RequestError(404, 'not_found', 'That SLO no longer exists');
  const db = await prisma();
  await db.$transaction(async (tx) => {
    await tx.sloDefinition.delete({ where: { id } });
    await writeAudit(
      { actorId: actor.id, actorLabel: actor.email, action: 'slo.delete', targetType: 'slo', targetId: id, before: auditView(recordAsInput(before)), ip },
      tx,
    );
  });
}

/** Creates or updates (matched by interface and name) a batch of definitions, all or nothing, each audited. */
export async function upsertSlos(actor: Viewer, inputs: readonly SloInput[], ip?: string | null): Promise<{ created: number; updated: number }> {
  const interfaceIds = new Map<string, string>();
  for (const input of inputs) if (!interfaceIds.has(input.interfaceKey)) interfaceIds.set(input.interfaceKey, await interfaceIdFor(input.interfaceKey));
  const existing = await listSlos();
  const db = await prisma();
  return db.$transaction(async (tx) => {
    let created = 0;
    let updated = 0;
    for (const input of inputs) {
      const interfaceId = interfaceIds.get(input.interfaceKey)!;
      const match = existing.find((s) => s.interfaceKey === input.interfaceKey && s.name === input.name);
      if (match) {
        await tx.sloDefinition.update({ where: { id: match.id }, data: dataOf(input, interfaceId) });
        await writeAudit(
          { actorId: actor.id, actorLabel: actor.email, action: 'slo.import.update', targetType: 'slo', targetId: match.id, before: auditView(recordAsInput(match)), after: auditView(input), ip },
          tx,
        );
        updated++;
      } else {
        const row = await tx.sloDefinition.create({ data: { ...dataOf(input, interfaceId), createdById: actor.id }, select: { id: true } });
        await writeAudit(
          { actorId: actor.id, actorLabel: actor.email, action: 'slo.import.create', targetType: 'slo', targetId: row.id, after: auditView(input), ip },
          tx,
        );
        created++;
      }
    }
    return { created, updated };
  });
}
