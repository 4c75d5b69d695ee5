import crypto from 'node:crypto';
import { env } from '@/lib/config/env';
import { prisma } from '@/lib/db/client';

/**
 * Ingest API keys: long random strings, stored only as SHA-256 (a slow hash buys nothing
 * for 256-bit random secrets), scoped to one interface or to all, revocable, and
 * rotatable with an overlap (the old key gets expiresAt, the new one is live at once).
 * PLUMBLINE_INGEST_KEY is a bootstrap key valid for every interface.
 */
const KEY_PREFIX = 'plk_';
const DISPLAY_PREFIX_LENGTH = 12;
const CACHE_TTL_MS = 30_000;
const LAST_USED_RESOLUTION_MS = 60_000;

export interface IngestPrincipal {
  /** Null for the bootstrap key. */
  keyId: string | null;
  bootstrap: boolean;
  /** The interface key this principal may report for; null means every interface. */
  interfaceKey: string | null;
}

export function generateIngestKey(): string {
  return `${KEY_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
}

export function hashIngestKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

export function keyDisplayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

export function principalMayReport(principal: IngestPrincipal, interfaceKey: string): boolean {
  return principal.interfaceKey === null || principal.interfaceKey === interfaceKey;
}

export interface CreatedIngestKey {
  id: string;
  /** Shown once; only its hash is stored. */
  key: string;
  prefix: string;
}

export async function createIngestApiKey(input: {
  name: string;
  interfaceId: string | null;
  createdById?: string | null;
  expiresAt?: Date | null;
}): Promise<CreatedIngestKey> {
  const db = await prisma();
  const key = generateIngestKey();
  const row = await db.ingestApiKey.create({
    data: {
      name: input.name,
      interfaceId: input.interfaceId,
      prefix: keyDisplayPrefix(key),
      keyHash: hashIngestKey(key),
      createdById: input.createdById ?? null,
      expiresAt: input.expiresAt ?? null,
    },
  });
  return { id: row.id, key, prefix: row.prefix };
}

export async function revokeIngestApiKey(id: string): Promise<void> {
  const db = await prisma();
  await db.ingestApiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  invalidateIngestKeyCache();
}

/** Issues a new key with the same scope; the old one keeps working for `overlapMs`. */
export async function rotateIngestApiKey(id: string, overlapMs: number, createdById?: string | null): Promise<CreatedIngestKey> {
  const db = await prisma();
  const old = await db.ingestApiKey.findUniqueOrThrow({ where: { id } });
  const created = await createIngestApiKey({ name: old.name, interfaceId: old.interfaceId, createdById });
  await db.ingestApiKey.update({ where: { id }, data: { expiresAt: new Date(Date.now() + overlapMs) } });
  invalidateIngestKeyCache();
  return created;
}

interface CachedKey {
  principal: IngestPrincipal | null;
  expiresAt: Date | null;
  loadedAt: number;
}

const CACHE_KEY = Symbol.for('plumbline.ingest.keyCache');
interface CacheHolder {
  [CACHE_KEY]?: { keys: Map<string, CachedKey>; lastUsedWritten: Map<string, number> };
}

function cache(): { keys: Map<string, CachedKey>; lastUsedWritten: Map<string, number> } {
  const holder = globalThis as unknown as CacheHolder;
  holder[CACHE_KEY] ??= { keys: new Map(), lastUsedWritten: new Map() };
  return holder[CACHE_KEY];
}

export function invalidateIngestKeyCache(): void {
  cache().keys.clear();
}

/** Reads the key from `Authorization: Bearer …` or `x-plumbline-key`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match?.[1]) return match[1];
  }
  const direct = headers['x-plumbline-key'];
  if (typeof direct === 'string' && direct.trim()) return direct.trim();
  return null;
}

/** The principal for a presented key, or null when it is unknown, revoked or expired. */
export async function verifyIngestKey(presented: string): Promise<IngestPrincipal | null> {
  const presentedHash = crypto.createHash('sha256').update(presented, 'utf8').digest();
  const bootstrap = env().PLUMBLINE_INGEST_KEY;
  if (bootstrap) {
    const bootstrapHash = crypto.createHash('sha256').update(bootstrap, 'utf8').digest();
    if (crypto.timingSafeEqual(presentedHash, bootstrapHash)) return { keyId: null, bootstrap: true, interfaceKey: null };
  }
  const hash = presentedHash.toString('hex');
  const { keys } = cache();
  let entry = keys.get(hash);
  if (!entry || Date.now() - entry.loadedAt > CACHE_TTL_MS) {
    entry = await loadKey(hash);
    // Unknown keys are cached too, so a client hammering with a wrong key can't hammer Postgres.
    if (keys.size > 10_000) keys.clear();
    keys.set(hash, entry);
  }
  if (!entry.principal) return null;
  if (entry.expiresAt && entry.expiresAt.getTime() <= Date.now()) return null;
  touchLastUsed(entry.principal.keyId!);
  return entry.principal;
}

async function loadKey(hash: string): Promise<CachedKey> {
  const db = await prisma();
  const row = await db.ingestApiKey.findUnique({
    where: { keyHash: hash },
    select: { id: true, revokedAt: true, expiresAt: true, interface: { select: { key: true } } },
  });
  const loadedAt = Date.now();
  if (!row || row.revokedAt) return { principal: null, expiresAt: null, loadedAt };
  return {
    principal: { keyId: row.id, bootstrap: false, interfaceKey: row.interface?.key ?? null },
    expiresAt: row.expiresAt,
    loadedAt,
  };
}

/** lastUsedAt is advisory: written at most once a minute per key, never on the request's path. */
function touchLastUsed(keyId: string): void {
  const { lastUsedWritten } = cache();
  const now = Date.now();
  if (now - (lastUsedWritten.get(keyId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
  lastUsedWritten.set(keyId, now);
  void prisma()
    .then((db) => db.ingestApiKey.update({ where: { id: keyId }, data: { lastUsedAt: new Date(now) } }))
    .catch(() => lastUsedWritten.delete(keyId));
}
