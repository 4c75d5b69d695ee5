import { prisma } from '@/lib/db/client';

/**
 * What ingest needs to know about interfaces, cached for a short time so the hot path
 * does not ask Postgres on every request. Governance changes (approval, blocking) take
 * effect within CACHE_TTL_MS, or at once in this process via invalidateInterfaceCatalog().
 */
const CACHE_TTL_MS = 30_000;
const UNREGISTERED_TOUCH_MS = 60_000;

export interface InterfaceRule {
  id: string;
  key: string;
  blocked: boolean;
  /** Versions an event may declare without drift; empty means the interface has no governed schema yet. */
  approvedVersions: ReadonlySet<string>;
}

export interface InterfaceCatalog {
  registered: ReadonlyMap<string, InterfaceRule>;
  blockedUnregistered: ReadonlySet<string>;
}

interface VersionRow {
  version: string;
  status: string;
  activatedAt: Date | null;
  graceUntil: Date | null;
}

/**
 * The active version, every approved one, and (while the active version's grace period
 * runs) the version it replaced.
 */
export function approvedSchemaVersions(activeSchemaVersion: string | null, versions: readonly VersionRow[], now: Date): Set<string> {
  const approved = new Set<string>();
  if (activeSchemaVersion) approved.add(activeSchemaVersion);
  for (const v of versions) if (v.status === 'active' || v.status === 'approved') approved.add(v.version);
  const active = versions.find((v) => v.version === activeSchemaVersion) ?? versions.find((v) => v.status === 'active');
  if (active?.graceUntil && active.graceUntil > now) {
    const activeSince = active.activatedAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const previous = versions
      .filter((v) => v.status === 'superseded' && v.activatedAt && v.activatedAt.getTime() < activeSince)
      .sort((a, b) => b.activatedAt!.getTime() - a.activatedAt!.getTime())[0];
    if (previous) approved.add(previous.version);
  }
  return approved;
}

export function isSchemaDrift(rule: InterfaceRule, schemaVersion: string | undefined): boolean {
  if (rule.approvedVersions.size === 0) return false;
  return schemaVersion === undefined || !rule.approvedVersions.has(schemaVersion);
}

const CATALOG_KEY = Symbol.for('plumbline.ingest.interfaceCatalog');
interface CatalogHolder {
  [CATALOG_KEY]?: { loadedAt: number; catalog: Promise<InterfaceCatalog>; touched: Map<string, number> };
}
const holder = globalThis as unknown as CatalogHolder;

export function interfaceCatalog(): Promise<InterfaceCatalog> {
  const cached = holder[CATALOG_KEY];
  if (cached && Date.now() - cached.loadedAt < CACHE_TTL_MS) return cached.catalog;
  const catalog = loadCatalog();
  const entry = { loadedAt: Date.now(), catalog, touched: cached?.touched ?? new Map<string, number>() };
  holder[CATALOG_KEY] = entry;
  catalog.catch(() => {
    if (holder[CATALOG_KEY] === entry) holder[CATALOG_KEY] = { ...entry, loadedAt: 0 };
  });
  return catalog;
}

export function invalidateInterfaceCatalog(): void {
  const cached = holder[CATALOG_KEY];
  if (cached) cached.loadedAt = 0;
}

async function loadCatalog(): Promise<InterfaceCatalog> {
  const db = await prisma();
  const now = new Date();
  const [interfaces, blocked] = await Promise.all([
    db.interface.findMany({
      select: {
        id: true,
        key: true,
        status: true,
        activeSchemaVersion: true,
        schemaVersions: { select: { version: true, status: true, activatedAt: true, graceUntil: true } },
      },
    }),
    db.unregisteredInterface.findMany({ where: { blocked: true }, select: { key: true } }),
  ]);
  const registered = new Map<string, InterfaceRule>();
  for (const row of interfaces) {
    registered.set(row.key, {
      id: row.id,
      key: row.key,
      blocked: row.status === 'blocked',
      approvedVersions: approvedSchemaVersions(row.activeSchemaVersion, row.schemaVersions, now),
    });
  }
  return { registered, blockedUnregistered: new Set(blocked.map((b) => b.key)) };
}

/** Records that traffic arrived for an unregistered interface; writes at most once a minute per key. */
export async function noteUnregisteredInterfaces(keys: Iterable<string>): Promise<void> {
  const touched = holder[CATALOG_KEY]?.touched ?? new Map<string, number>();
  const now = Date.now();
  const due = [...new Set(keys)].filter((key) => now - (touched.get(key) ?? 0) >= UNREGISTERED_TOUCH_MS);
  if (due.length === 0) return;
  const db = await prisma();
  for (const key of due) {
    touched.set(key, now);
    await db.unregisteredInterface.upsert({ where: { key }, create: { key }, update: { lastSeenAt: new Date(now) } });
  }
}
