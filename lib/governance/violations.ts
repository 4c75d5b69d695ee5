import type { SyncDirection } from '@/lib/db/generated/enums';
import { prisma } from '@/lib/db/client';
import { queryRows, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { discriminatorAttributeParams, resolveBusinessEntity } from '@/lib/governance/entity-mapping';

/**
 * Ownership violations from live traffic. ClickHouse groups the ledger's write events;
 * the registry (small) is applied in TypeScript.
 *
 * A write of entity X by source system S into target system T through interface I is a violation when
 * - I's direction for X is `forbidden`, or
 * - T is not where I's direction for X lets it write (source_to_target: I's target only,
 *   target_to_source: I's source only, bidirectional: either), or
 * - S, the system authoring the write, is neither X's system of record nor one of X's allowed writers.
 *   (The author is what the registry governs: the system of record publishing X to a consumer is
 *   normal; the field app creating vendors in Odoo is not.)
 */
export const WRITE_OPERATIONS = ['create', 'update', 'upsert', 'delete'] as const;

export interface WriteGroup {
  interfaceKey: string;
  entityType: string;
  discriminator: string;
  sourceSystem: string;
  targetSystem: string;
  events: number;
  succeeded: number;
  firstSeen: string;
  lastSeen: string;
  sampleEventIds: string[];
}

export interface RegistryEntity {
  id: string;
  key: string;
  name: string;
  odooModel: string;
  systemOfRecord: string | null;
  writers: string[];
}

export interface RegistryInterface {
  key: string;
  sourceSystem: string;
  targetSystem: string;
  /** BusinessEntity.id → direction. */
  directions: Record<string, SyncDirection>;
}

export interface OwnershipRegistry {
  entities: RegistryEntity[];
  interfaces: RegistryInterface[];
}

export type ViolationReason = 'direction_forbidden' | 'direction_reversed' | 'unauthorized_writer';

export const VIOLATION_REASON_LABELS: Record<ViolationReason, string> = {
  direction_forbidden: 'Interface is forbidden to carry this entity',
  direction_reversed: 'Writes into a system the interface’s direction does not allow',
  unauthorized_writer: 'Source is neither system of record nor an allowed writer',
};

export interface Violation extends WriteGroup {
  entityId: string;
  entityKey: string;
  entityName: string;
  registered: boolean;
  reasons: ViolationReason[];
}

export interface ViolationReport {
  violations: Violation[];
  /** Write groups whose entity_type maps to no BusinessEntity (ungoverned). */
  unmapped: WriteGroup[];
  since: string;
}

/** The direction says which system the interface may write X into: its target, its source, or either. */
function directionViolation(direction: SyncDirection, iface: RegistryInterface, group: WriteGroup): ViolationReason | null {
  if (direction === 'forbidden') return 'direction_forbidden';
  if (direction === 'bidirectional') return null;
  const allowedTarget = direction === 'source_to_target' ? iface.targetSystem : iface.sourceSystem;
  return group.targetSystem === allowedTarget ? null : 'direction_reversed';
}

/** Pure: applies the registry rules to grouped write events. */
export function detectViolations(groups: readonly WriteGroup[], registry: OwnershipRegistry): { violations: Violation[]; unmapped: WriteGroup[] } {
  const interfaces = new Map(registry.interfaces.map((i) => [i.key, i]));
  const violations: Violation[] = [];
  const unmapped: WriteGroup[] = [];
  for (const group of groups) {
    const entity = resolveBusinessEntity(registry.entities, group.entityType, group.discriminator);
    if (!entity) {
      unmapped.push(group);
      continue;
    }
    const reasons: ViolationReason[] = [];
    const iface = interfaces.get(group.interfaceKey);
    const direction = iface?.directions[entity.id];
    if (iface && direction) {
      const reason = directionViolation(direction, iface, group);
      if (reason) reasons.push(reason);
    }
    if (entity.systemOfRecord !== group.sourceSystem && !entity.writers.includes(group.sourceSystem)) reasons.push('unauthorized_writer');
    if (reasons.length > 0) {
      violations.push({ ...group, entityId: entity.id, entityKey: entity.key, entityName: entity.name, registered: Boolean(iface), reasons });
    }
  }
  violations.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  return { violations, unmapped };
}

interface WriteGroupRow {
  interface_id: string;
  entity_type: string;
  discriminator: string;
  source_system: string;
  target_system: string;
  events: number;
  succeeded: number;
  first_seen: string;
  last_seen: string;
  samples: string[];
}

/** One ClickHouse pass over write events since `since`; duplicates of an event_id count once. */
export async function queryWriteGroups(since: Date): Promise<WriteGroup[]> {
  const { types, attributes } = discriminatorAttributeParams();
  const rows = await queryRows<WriteGroupRow>(
    `SELECT interface_id, entity_type,
       attributes[transform(entity_type, {types:Array(String)}, {attrs:Array(String)}, '')] AS discriminator,
       source_system, target_system,
       uniqExact(event_id) AS events,
       uniqExactIf(event_id, status = 'succeeded') AS succeeded,
       min(occurred_at) AS first_seen,
       max(occurred_at) AS last_seen,
       arraySlice(arraySort(groupUniqArray(50)(event_id)), 1, 5) AS samples
     FROM sync_ledger
     WHERE occurred_at >= {since:DateTime64(3)} AND operation IN {ops:Array(String)}
     GROUP BY interface_id, entity_type, discriminator, source_system, target_system`,
    { types, attrs: attributes, since: toClickHouseDateTime(since), ops: [...WRITE_OPERATIONS] },
  );
  return rows.map((r) => ({
    interfaceKey: r.interface_id,
    entityType: r.entity_type,
    discriminator: r.discriminator,
    sourceSystem: r.source_system,
    targetSystem: r.target_system,
    events: Number(r.events),
    succeeded: Number(r.succeeded),
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    sampleEventIds: r.samples,
  }));
}

export async function loadOwnershipRegistry(): Promise<OwnershipRegistry> {
  const db = await prisma();
  const [entities, interfaces] = await Promise.all([
    db.businessEntity.findMany({ include: { systemOfRecord: { select: { key: true } }, writers: { include: { system: { select: { key: true } } } } } }),
    db.interface.findMany({ include: { sourceSystem: { select: { key: true } }, targetSystem: { select: { key: true } }, directions: true } }),
  ]);
  return {
    entities: entities.map((e) => ({ id: e.id, key: e.key, name: e.name, odooModel: e.odooModel, systemOfRecord: e.systemOfRecord?.key ?? null, writers: e.writers.map((w) => w.system.key) })),
    interfaces: interfaces.map((i) => ({
      key: i.key,
      sourceSystem: i.sourceSystem.key,
      targetSystem: i.targetSystem.key,
      directions: Object.fromEntries(i.directions.map((d) => [d.entityId, d.direction])),
    })),
  };
}

export const DEFAULT_VIOLATION_WINDOW_DAYS = 30;

export async function findOwnershipViolations(windowDays = DEFAULT_VIOLATION_WINDOW_DAYS, now = new Date()): Promise<ViolationReport> {
  const since = new Date(now.getTime() - windowDays * 86_400_000);
  const [groups, registry] = await Promise.all([queryWriteGroups(since), loadOwnershipRegistry()]);
  return { ...detectViolations(groups, registry), since: since.toISOString() };
}
