import type { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';

/** Governance settings (Setting rows), read with their documented defaults. */
export const QUORUM_SETTING = 'governance.quorum';
export const GRACE_HOURS_SETTING = 'governance.graceHours';
export const DEFAULT_QUORUM = 2;
export const DEFAULT_GRACE_HOURS = 72;

type Reader = Pick<Prisma.TransactionClient, 'setting'>;

async function positiveInteger(db: Reader, key: string, fallback: number, min: number): Promise<number> {
  const row = await db.setting.findUnique({ where: { key } });
  const value = typeof row?.value === 'number' ? row.value : typeof row?.value === 'string' ? Number(row.value) : NaN;
  return Number.isInteger(value) && value >= min ? value : fallback;
}

export async function governanceQuorum(db?: Reader): Promise<number> {
  return positiveInteger(db ?? (await prisma()), QUORUM_SETTING, DEFAULT_QUORUM, 1);
}

export async function governanceGraceHours(db?: Reader): Promise<number> {
  return positiveInteger(db ?? (await prisma()), GRACE_HOURS_SETTING, DEFAULT_GRACE_HOURS, 0);
}
