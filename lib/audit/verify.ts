import type { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';
import { entryHash, GENESIS_HASH } from '@/lib/audit/log';

/**
 * Walks the audit chain in id order and reports the first entry whose hash does not match
 * its content (an edited row) or whose prevHash does not match the entry before it (a
 * removed or reordered row); then checks the chain ends where the head row says it does
 * (entries removed from the end).
 */
export interface BrokenLink {
  id: string;
  /** When the broken entry was written; unknown for an entry that is gone. */
  at: string | null;
  reason: 'content_changed' | 'previous_missing' | 'newest_missing';
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  lastHash: string;
  firstBroken: BrokenLink | null;
}

const BATCH = 2000;

export async function verifyAuditChain(): Promise<VerifyResult> {
  const db = await prisma();
  let expectedPrev = GENESIS_HASH;
  let checked = 0;
  let cursor: bigint | null = null;
  for (;;) {
    const rows: Prisma.AuditLogGetPayload<object>[] = await db.auditLog.findMany({
      where: cursor === null ? {} : { id: { gt: cursor } },
      orderBy: { id: 'asc' },
      take: BATCH,
    });
    for (const row of rows) {
      if (row.prevHash !== expectedPrev) {
        return broken(checked, expectedPrev, {
          id: row.id.toString(),
          at: row.at.toISOString(),
          reason: 'previous_missing',
          message: `Entry ${row.id} does not follow the entry before it: an earlier entry was removed, reordered or altered`,
        });
      }
      const recomputed = entryHash(row.prevHash, {
        at: row.at,
        actorId: row.actorId,
        actorLabel: row.actorLabel,
        action: row.action,
        targetType: row.targetType,
        targetId: row.targetId,
        before: row.before,
        after: row.after,
        ip: row.ip,
      });
      if (recomputed !== row.hash) {
        return broken(checked, expectedPrev, {
          id: row.id.toString(),
          at: row.at.toISOString(),
          reason: 'content_changed',
          message: `Entry ${row.id} (${row.action} by ${row.actorLabel}) was changed after it was written`,
        });
      }
      expectedPrev = row.hash;
      checked += 1;
    }
    if (rows.length < BATCH) break;
    cursor = rows[rows.length - 1]!.id;
  }
  const head = await db.auditHead.findUnique({ where: { id: 1 } });
  if (head && (head.lastHash !== expectedPrev || head.entries !== BigInt(checked))) {
    return broken(checked, expectedPrev, {
      id: head.lastId.toString(),
      at: null,
      reason: 'newest_missing',
      message: `The chain ends after ${checked} entries, but entry ${head.lastId} was written as entry number ${head.entries}: the newest entries were removed`,
    });
  }
  return { ok: true, checked, lastHash: expectedPrev, firstBroken: null };
}

function broken(checked: number, lastHash: string, firstBroken: BrokenLink): VerifyResult {
  return { ok: false, checked, lastHash, firstBroken };
}
