import { z } from 'zod';
import type { SyncClass, InterfaceStatus } from '@/lib/db/generated/enums';
import { prisma } from '@/lib/db/client';
import { queryRows, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { writeAudit } from '@/lib/audit/log';
import { RequestError } from '@/lib/api/errors';
import type { Viewer } from '@/lib/auth/session';

/**
 * The interface catalog: the registry (Postgres) joined with what traffic says (ClickHouse),
 * interfaces seen in traffic but not registered, schema drift, and the board's edits
 * (adopt, block, edit), each audited in the same transaction as the change.
 */
export interface InterfaceTraffic {
  interfaceKey: string;
  lastEventAt: string | null;
  volume7d: number;
  failures7d: number;
  sourceSystems: string[];
  targetSystems: string[];
  entityTypes: string[];
}

/** One ClickHouse pass over the ledger: per interface, last event and the last 7 days. */
export async function trafficByInterface(now = new Date()): Promise<Map<string, InterfaceTraffic>> {
  const rows = await queryRows<{ interface_id: string; last_event_at: string; volume: number; failures: number; sources: string[]; targets: string[]; entity_types: string[] }>(
    `SELECT interface_id,
       max(occurred_at) AS last_event_at,
       uniqExactIf(event_id, occurred_at >= {since:DateTime64(3)}) AS volume,
       uniqExactIf(event_id, occurred_at >= {since:DateTime64(3)} AND status IN ('failed', 'retrying', 'dead_lettered')) AS failures,
       groupUniqArray(10)(source_system) AS sources,
       groupUniqArray(10)(target_system) AS targets,
       groupUniqArray(20)(entity_type) AS entity_types
     FROM sync_ledger
     GROUP BY interface_id`,
    { since: toClickHouseDateTime(new Date(now.getTime() - 7 * 86_400_000)) },
  );
  return new Map(
    rows.map((r) => [
      r.interface_id,
      { interfaceKey: r.interface_id, lastEventAt: r.last_event_at, volume7d: Number(r.volume), failures7d: Number(r.failures), sourceSystems: [...r.sources].sort(), targetSystems: [...r.targets].sort(), entityTypes: [...r.entity_types].sort() },
    ]),
  );
}

export interface CatalogEntry {
  id: string;
  key: string;
  name: string;
  description: string;
  sourceSystem: { id: string; key: string; name: string };
  targetSystem: { id: string; key: string; name: string };
  entityTypes: string[];
  syncClass: SyncClass;
  ownerTeam: string;
  status: InterfaceStatus;
  activeSchemaVersion: string | null;
  slos: { id: string; name: string; objective: number; windowDays: number }[];
  /** Only filled for admins (ingest keys are admin business). */
  activeKeyCount: number | null;
  traffic: InterfaceTraffic | null;
}

export interface UnregisteredEntry {
  key: string;
  blocked: boolean;
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
  traffic: InterfaceTraffic | null;
}

export interface Catalog {
  interfaces: CatalogEntry[];
  unregistered: UnregisteredEntry[];
}

export async function loadCatalog(options: { includeKeyCounts: boolean }, now = new Date()): Promise<Catalog> {
  const db = await prisma();
  const [interfaces, unregisteredRows, traffic] = await Promise.all([
    db.interface.findMany({
      include: {
        sourceSystem: { select: { id: true, key: true, name: true } },
        targetSystem: { select: { id: true, key: true, name: true } },
        slos: { select: { id: true, name: true, objective: true, windowDays: true }, orderBy: { name: 'asc' } },
        _count: { select: { apiKeys: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } } } },
      },
      orderBy: { key: 'asc' },
    }),
    db.unregisteredInterface.findMany(),
    trafficByInterface(now),
  ]);
  const registered = new Set(interfaces.map((i) => i.key));
  const unregistered = new Map<string, UnregisteredEntry>();
  for (const row of unregisteredRows) {
    if (registered.has(row.key)) continue;
    unregistered.set(row.key, { key: row.key, blocked: row.blocked, firstSeenAt: row.firstSeenAt, lastSeenAt: row.lastSeenAt, traffic: traffic.get(row.key) ?? null });
  }
  for (const [key, t] of traffic) {
    if (!registered.has(key) && !unregistered.has(key)) unregistered.set(key, { key, blocked: false, firstSeenAt: null, lastSeenAt: null, traffic: t });
  }
  return {
    interfaces: interfaces.map((i) => ({
      id: i.id,
      key: i.key,
      name: i.name,
      description: i.description,
      sourceSystem: i.sourceSystem,
      targetSystem: i.targetSystem,
      entityTypes: i.entityTypes,
      syncClass: i.syncClass,
      ownerTeam: i.ownerTeam,
      status: i.status,
      activeSchemaVersion: i.activeSchemaVersion,
      slos: i.slos,
      activeKeyCount: options.includeKeyCounts ? i._count.apiKeys : null,
      traffic: traffic.get(i.key) ?? null,
    })),
    unregistered: [...unregistered.values()].sort((a, b) => a.key.localeCompare(b.key)),
  };
}

export interface DriftRow {
  interfaceKey: string;
  schemaVersion: string;
  events: number;
  lastSeen: string;
  sampleEventIds: string[];
}

/** Events ingest flagged as using an unapproved schema version, per interface and version. */
export async function schemaDrift(interfaceKey?: string): Promise<DriftRow[]> {
  const rows = await queryRows<{ interface_id: string; schema_version: string; events: number; last_seen: string; samples: string[] }>(
    `SELECT interface_id, schema_version, uniqExact(event_id) AS events, max(occurred_at) AS last_seen,
       arraySlice(arraySort(groupUniqArray(50)(event_id)), 1, 5) AS samples
     FROM sync_ledger
     WHERE schema_drift = 1 AND ({iface:String} = '' OR interface_id = {iface:String})
     GROUP BY interface_id, schema_version
     ORDER BY interface_id, schema_version`,
    { iface: interfaceKey ?? '' },
  );
  return rows.map((r) => ({ interfaceKey: r.interface_id, schemaVersion: r.schema_version, events: Number(r.events), lastSeen: r.last_seen, sampleEventIds: r.samples }));
}

const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export const interfaceInputSchema = z
  .object({
    key: z.string().trim().min(1, 'Key is required').max(128).regex(KEY_PATTERN, 'Lowercase letters, digits, dots, dashes and underscores'),
    name: z.string().trim().min(1, 'Name is required').max(200),
    description: z.string().trim().max(2000).default(''),
    sourceSystemId: z.string().min(1, 'Choose the source system'),
    targetSystemId: z.string().min(1, 'Choose the target system'),
    entityTypes: z.array(z.string().trim().min(1).max(64)).min(1, 'Name at least one entity type').max(30),
    syncClass: z.enum(['real_time', 'near_real_time', 'batch']),
    ownerTeam: z.string().trim().min(1, 'Owner team is required').max(120),
    status: z.enum(['active', 'blocked']).default('active'),
  })
  .refine((v) => v.sourceSystemId !== v.targetSystemId, { path: ['targetSystemId'], message: 'Source and target must differ' });

export type InterfaceInput = z.input<typeof interfaceInputSchema>;

export class InterfaceFormError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(Object.values(fieldErrors).join(' '));
    this.name = 'InterfaceFormError';
  }
}

function parseInterfaceInput(raw: InterfaceInput) {
  const parsed = interfaceInputSchema.safeParse(raw);
  if (!parsed.success) throw new InterfaceFormError(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'form'), i.message])));
  return parsed.data;
}

function snapshot(i: { key: string; name: string; description: string; sourceSystemId: string; targetSystemId: string; entityTypes: string[]; syncClass: SyncClass; ownerTeam: string; status: InterfaceStatus }) {
  return { key: i.key, name: i.name, description: i.description, sourceSystemId: i.sourceSystemId, targetSystemId: i.targetSystemId, entityTypes: i.entityTypes, syncClass: i.syncClass, ownerTeam: i.ownerTeam, status: i.status };
}

/** Registers an interface seen in traffic; its UnregisteredInterface row goes away. */
export async function adoptInterface(viewer: Viewer, raw: InterfaceInput, ip: string | null = null): Promise<string> {
  const input = parseInterfaceInput(raw);
  const db = await prisma();
  return db.$transaction(async (tx) => {
    if (await tx.interface.findUnique({ where: { key: input.key } })) throw new InterfaceFormError({ key: `Interface ${input.key} is already registered.` });
    const created = await tx.interface.create({ data: input });
    const pending = await tx.unregisteredInterface.findUnique({ where: { key: input.key } });
    if (pending) await tx.unregisteredInterface.delete({ where: { key: input.key } });
    await writeAudit(
      { actorId: viewer.id, actorLabel: viewer.email, action: 'interface.adopt', targetType: 'interface', targetId: created.id, before: pending ? { unregistered: input.key, blocked: pending.blocked } : null, after: snapshot(created), ip },
      tx,
    );
    return created.id;
  });
}

export async function updateInterface(viewer: Viewer, id: string, raw: InterfaceInput, ip: string | null = null): Promise<void> {
  const input = parseInterfaceInput(raw);
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const before = await tx.interface.findUnique({ where: { id } });
    if (!before) throw new RequestError(404, 'not_found', 'No such interface.');
    if (input.key !== before.key) throw new InterfaceFormError({ key: 'The key identifies the interface in traffic and API keys; it cannot change.' });
    const after = await tx.interface.update({ where: { id }, data: input });
    await writeAudit({ actorId: viewer.id, actorLabel: viewer.email, action: 'interface.update', targetType: 'interface', targetId: id, before: snapshot(before), after: snapshot(after), ip }, tx);
  });
}

/** Blocks (or unblocks) an unregistered interface; ingest rejects events of blocked ones. */
export async function setUnregisteredBlocked(viewer: Viewer, key: string, blocked: boolean, ip: string | null = null): Promise<void> {
  const trimmed = key.trim();
  if (!KEY_PATTERN.test(trimmed) || trimmed.length > 128) throw new RequestError(400, 'invalid_key', 'Not an interface key.');
  const db = await prisma();
  await db.$transaction(async (tx) => {
    if (await tx.interface.findUnique({ where: { key: trimmed } })) throw new RequestError(409, 'registered', `${trimmed} is registered; edit its status instead.`);
    const before = await tx.unregisteredInterface.findUnique({ where: { key: trimmed } });
    await tx.unregisteredInterface.upsert({ where: { key: trimmed }, create: { key: trimmed, blocked }, update: { blocked } });
    await writeAudit(
      { actorId: viewer.id, actorLabel: viewer.email, action: blocked ? 'interface.block' : 'interface.unblock', targetType: 'unregistered_interface', targetId: trimmed, before: before ? { blocked: before.blocked } : null, after: { blocked }, ip },
      tx,
    );
  });
}

export async function listSystems(): Promise<{ id: string; key: string; name: string; kind: string }[]> {
  const db = await prisma();
  return db.system.findMany({ select: { id: true, key: true, name: true, kind: true }, orderBy: { key: 'asc' } });
}

export async function getInterfaceForEdit(id: string) {
  const db = await prisma();
  return db.interface.findUnique({ where: { id } });
}
