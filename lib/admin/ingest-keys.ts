import { z } from 'zod';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import type { Viewer } from '@/lib/auth/session';
import { createIngestApiKey, revokeIngestApiKey, rotateIngestApiKey, type CreatedIngestKey } from '@/lib/ingest/api-keys';
import { AdminFormError } from '@/lib/admin/errors';

/**
 * The admin side of ingest API keys: lib/ingest/api-keys.ts owns generating, hashing
 * and verifying them; this adds listing, status and the audit trail.
 */
export const DEFAULT_ROTATION_OVERLAP_HOURS = 24;

export type KeyStatus = 'active' | 'expiring' | 'expired' | 'revoked';

export interface AdminKeyRow {
  id: string;
  name: string;
  prefix: string;
  interfaceKey: string | null;
  interfaceName: string | null;
  status: KeyStatus;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export function keyStatus(key: { revokedAt: Date | null; expiresAt: Date | null }, now = new Date()): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  return key.expiresAt ? 'expiring' : 'active';
}

export async function listIngestKeys(): Promise<AdminKeyRow[]> {
  const db = await prisma();
  const rows = await db.ingestApiKey.findMany({
    orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }],
    include: { interface: { select: { key: true, name: true } }, createdBy: { select: { email: true } } },
  });
  const now = new Date();
  return rows.map((k) => ({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    interfaceKey: k.interface?.key ?? null,
    interfaceName: k.interface?.name ?? null,
    status: keyStatus(k, now),
    createdAt: k.createdAt,
    createdBy: k.createdBy?.email ?? null,
    lastUsedAt: k.lastUsedAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
  }));
}

const newKeySchema = z.object({
  name: z.string().trim().min(1, 'Name the key (who uses it)').max(200),
  interfaceId: z.string().trim(),
});

/** Creates a key; the plaintext is returned once and never stored. */
export async function createKeyForInterface(actor: Viewer, input: { name: string; interfaceId: string }, ip: string | null): Promise<CreatedIngestKey> {
  const parsed = newKeySchema.safeParse(input);
  if (!parsed.success) throw new AdminFormError(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])));
  const db = await prisma();
  const interfaceId = parsed.data.interfaceId || null;
  if (interfaceId && !(await db.interface.findUnique({ where: { id: interfaceId } }))) throw new AdminFormError({ interfaceId: 'Unknown interface' });
  const created = await createIngestApiKey({ name: parsed.data.name, interfaceId, createdById: actor.id });
  await writeAudit({
    actorId: actor.id,
    actorLabel: actor.email,
    action: 'ingest_key.created',
    targetType: 'ingest_key',
    targetId: created.id,
    after: { name: parsed.data.name, interfaceId, prefix: created.prefix },
    ip,
  });
  return created;
}

/** A new key with the same scope; the old one keeps working for `overlapHours`, then expires. */
export async function rotateKey(actor: Viewer, keyId: string, overlapHours: number, ip: string | null): Promise<CreatedIngestKey> {
  if (!Number.isFinite(overlapHours) || overlapHours < 0 || overlapHours > 24 * 30) throw new AdminFormError({ overlapHours: 'Overlap must be between 0 and 720 hours' });
  const db = await prisma();
  const old = await db.ingestApiKey.findUnique({ where: { id: keyId } });
  if (!old || old.revokedAt) throw new AdminFormError({ keyId: 'Only a live key can be rotated' });
  const created = await rotateIngestApiKey(keyId, overlapHours * 3_600_000, actor.id);
  const expiresAt = (await db.ingestApiKey.findUniqueOrThrow({ where: { id: keyId }, select: { expiresAt: true } })).expiresAt;
  await writeAudit({
    actorId: actor.id,
    actorLabel: actor.email,
    action: 'ingest_key.rotated',
    targetType: 'ingest_key',
    targetId: keyId,
    before: { expiresAt: old.expiresAt },
    after: { expiresAt, replacementId: created.id, replacementPrefix: created.prefix },
    ip,
  });
  return created;
}

export async function revokeKey(actor: Viewer, keyId: string, ip: string | null): Promise<void> {
  const db = await prisma();
  const old = await db.ingestApiKey.findUnique({ where: { id: keyId } });
  if (!old) throw new AdminFormError({ keyId: 'Unknown key' });
  if (old.revokedAt) return;
  await revokeIngestApiKey(keyId);
  await writeAudit({ actorId: actor.id, actorLabel: actor.email, action: 'ingest_key.revoked', targetType: 'ingest_key', targetId: keyId, before: { revokedAt: null }, after: { revokedAt: new Date() }, ip });
}
