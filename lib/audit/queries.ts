import type { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';
import type { ParamIssue } from '@/lib/api/errors';
import { timeParam } from '@/lib/api/params';

/** Filters for the audit screen and its CSV export; they live in the URL. */
export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
}

export interface AuditRow {
  id: string;
  at: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  ip: string | null;
  hash: string;
}

export const AUDIT_PAGE_SIZE = 50;

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function param(params: Params, name: string): string | undefined {
  const value = params instanceof URLSearchParams ? params.get(name) : params[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() || undefined;
}

/**
 * The audit filters in a query string, and the parameters that did not read (a page shows the
 * log without them and says so; the export answers 400). `from` and `to` are ISO 8601 times or
 * days (`YYYY-MM-DD`, UTC), a day `to` running to that day's end.
 */
export function parseAuditFilter(params: Params): { filter: AuditFilter; issues: ParamIssue[] } {
  const issues: ParamIssue[] = [];
  const time = (name: 'from' | 'to'): Date | undefined => {
    const text = param(params, name);
    if (!text) return undefined;
    const parsed = timeParam.safeParse(text);
    if (!parsed.success) {
      issues.push({ parameter: name, message: parsed.error.issues[0]?.message ?? 'is not a valid time' });
      return undefined;
    }
    return name === 'to' && !text.includes('T') ? new Date(parsed.data.getTime() + 86_400_000 - 1) : parsed.data;
  };
  const filter: AuditFilter = { actor: param(params, 'actor'), action: param(params, 'action'), target: param(params, 'target'), from: time('from'), to: time('to') };
  if (filter.from && filter.to && filter.from.getTime() > filter.to.getTime()) issues.push({ parameter: 'from', message: 'must be on or before to' });
  return { filter, issues };
}

export function auditWhere(filter: AuditFilter): Prisma.AuditLogWhereInput {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (filter.actor) and.push({ actorLabel: { contains: filter.actor, mode: 'insensitive' } });
  if (filter.action) and.push({ action: { startsWith: filter.action } });
  if (filter.target) {
    and.push({
      OR: [{ targetId: { contains: filter.target, mode: 'insensitive' } }, { targetType: { contains: filter.target, mode: 'insensitive' } }],
    });
  }
  if (filter.from) and.push({ at: { gte: filter.from } });
  if (filter.to) and.push({ at: { lte: filter.to } });
  return and.length ? { AND: and } : {};
}

type AuditRecord = Prisma.AuditLogGetPayload<object>;

export function toAuditRow(row: AuditRecord): AuditRow {
  return {
    id: row.id.toString(),
    at: row.at.toISOString(),
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    before: row.before,
    after: row.after,
    ip: row.ip,
    hash: row.hash,
  };
}

export async function listAudit(filter: AuditFilter, page: number): Promise<{ rows: AuditRow[]; total: number; page: number; pages: number }> {
  const db = await prisma();
  const where = auditWhere(filter);
  const total = await db.auditLog.count({ where });
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = await db.auditLog.findMany({ where, orderBy: { id: 'desc' }, skip: (current - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE });
  return { rows: rows.map(toAuditRow), total, page: current, pages };
}

/** Distinct action names, for the filter's suggestions. */
export async function auditActions(): Promise<string[]> {
  const db = await prisma();
  const rows = await db.auditLog.findMany({ distinct: ['action'], select: { action: true }, orderBy: { action: 'asc' } });
  return rows.map((r) => r.action);
}

/** Every matching row, newest first, in batches (for the CSV export). */
export async function* iterateAudit(filter: AuditFilter, batchSize = 1000): AsyncGenerator<AuditRow[]> {
  const db = await prisma();
  const where = auditWhere(filter);
  let cursor: bigint | null = null;
  for (;;) {
    const rows: AuditRecord[] = await db.auditLog.findMany({
      where: cursor === null ? where : { AND: [where, { id: { lt: cursor } }] },
      orderBy: { id: 'desc' },
      take: batchSize,
    });
    if (rows.length) yield rows.map(toAuditRow);
    if (rows.length < batchSize) return;
    cursor = rows[rows.length - 1]!.id;
  }
}
