import crypto from 'node:crypto';
import type { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';

/**
 * Append-only, hash-chained audit log. Each row's hash covers its content and the
 * previous row's hash, so editing or deleting a row breaks the chain, and the head row
 * (AuditHead) records the newest entry, so removing entries from the end shows too
 * (lib/audit/verify.ts). The database itself refuses UPDATE, DELETE and TRUNCATE.
 */
export interface AuditEntry {
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  at: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  ip: string | null;
}

export function entryHash(prevHash: string, fields: HashedFields): string {
  const canonical = JSON.stringify([
    prevHash,
    fields.at.toISOString(),
    fields.actorId,
    fields.actorLabel,
    fields.action,
    fields.targetType,
    fields.targetId,
    canonicalJson(fields.before ?? null),
    canonicalJson(fields.after ?? null),
    fields.ip,
  ]);
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

/** Key order must not change a hash after a JSON round trip through Postgres. */
function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonicalJson((value as Record<string, unknown>)[k])]),
    );
  }
  return value instanceof Date ? value.toISOString() : value;
}

type Tx = Prisma.TransactionClient;

/** Writes one entry; pass `tx` to make it part of the change it records. */
export async function writeAudit(entry: AuditEntry, tx?: Tx): Promise<void> {
  if (tx) return appendInTx(tx, entry);
  const client = await prisma();
  await client.$transaction((t) => appendInTx(t, entry));
}

async function appendInTx(tx: Tx, entry: AuditEntry): Promise<void> {
  // Serialise appenders so two writers never chain to the same predecessor.
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(884421)`);
  const last = await tx.auditLog.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const fields: HashedFields = {
    at: new Date(),
    actorId: entry.actorId,
    actorLabel: entry.actorLabel,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: toJson(entry.before),
    after: toJson(entry.after),
    ip: entry.ip ?? null,
  };
  const hash = entryHash(prevHash, fields);
  const created = await tx.auditLog.create({
    data: {
      ...fields,
      before: (fields.before ?? undefined) as Prisma.InputJsonValue | undefined,
      after: (fields.after ?? undefined) as Prisma.InputJsonValue | undefined,
      prevHash,
      hash,
    },
    select: { id: true },
  });
  await tx.auditHead.upsert({
    where: { id: 1 },
    create: { id: 1, lastId: created.id, lastHash: hash, entries: 1n },
    update: { lastId: created.id, lastHash: hash, entries: { increment: 1n } },
  });
}

/** Round-trips through JSON so the hashed value equals what Postgres will return. */
function toJson(value: unknown): unknown {
  return value === undefined || value === null ? null : JSON.parse(JSON.stringify(value));
}
