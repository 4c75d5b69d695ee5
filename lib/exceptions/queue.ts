/**
 * The integration team's failure queue (/operations/failures): every failing record from
 * ClickHouse joined with its triage case from Postgres, grouped by error signature so
 * one root cause is one row. Records a person resolved by hand stay out of the queue until
 * they fail again (the case sync reopens them).
 */
import { prisma } from '@/lib/db/client';
import type { CaseState } from '@/lib/db/generated/enums';
import type { DashboardFilters } from '@/lib/finance/filters';
import { businessMessage, isErrorCategory } from '@/lib/ledger/error-category';
import { openRecords, recordKey, type FailingRecord, type QueueRecord } from '@/lib/exceptions/open-records';
import { recordSignature } from '@/lib/exceptions/signature';
import { isOverdue, overdueRules } from '@/lib/exceptions/overdue';

export interface QueueOptions {
  category: string;
  /** 'open' | 'acknowledged' | '' (both). */
  state: string;
  /** A user id, 'unassigned', or '' (anyone). */
  assignee: string;
  signature: string;
  entityType: string;
}

export interface QueueItem {
  state: CaseState;
  assigneeId: string | null;
  assigneeName: string | null;
  record: QueueRecord;
  signature: string;
  signatureHash: string;
  businessMessage: string;
  overdue: boolean;
}

export interface SignatureGroup {
  signatureHash: string;
  signature: string;
  category: string;
  businessMessage: string;
  count: number;
  overdue: number;
  unassigned: number;
  acknowledged: number;
  interfaces: string[];
  entityTypes: string[];
  firstSeen: string;
  lastSeen: string;
  sampleTraceId: string;
  amountCents: Record<string, number>;
}

export function describeError(category: string, message: string, entityType: string): string {
  return isErrorCategory(category) ? businessMessage(category, message, { entityType }) : 'The sync failed for a reason the ledger did not classify';
}

const CASE_SELECT = { id: true, interfaceKey: true, entityType: true, sourceRecordId: true, state: true, assigneeId: true, resolvedAt: true, assignee: { select: { name: true } } } as const;

/**
 * The cases people are working on, by record key: assigned or acknowledged ones, and those
 * resolved by hand since `since` (they keep a record out of the queue until it fails again, so
 * only resolutions after the range's earliest event matter). Every other failing record is
 * open and unassigned whether or not its case exists yet, so the queue reads these few rather
 * than a case per failing record (59 k at 10 M events); cases the sync resolved after a later
 * success belong to records that are no longer failing.
 */
export async function triagedCases(since: Date) {
  const db = await prisma();
  const cases = await db.exceptionCase.findMany({
    where: {
      OR: [
        { state: 'acknowledged' },
        { state: 'open', assigneeId: { not: null } },
        { state: 'resolved', resolvedById: { not: null }, resolvedAt: { gte: since } },
      ],
    },
    select: CASE_SELECT,
  });
  return new Map(cases.map((c) => [recordKey(c), c]));
}

/** Case ids of the given records (a page of them), by record key. */
export async function caseIdsOf(records: readonly FailingRecord[]): Promise<Map<string, string>> {
  if (records.length === 0) return new Map();
  const db = await prisma();
  const cases = await db.exceptionCase.findMany({
    where: { sourceRecordId: { in: [...new Set(records.map((r) => r.source_record_id))] } },
    select: { id: true, interfaceKey: true, entityType: true, sourceRecordId: true },
  });
  return new Map(cases.map((c) => [recordKey(c), c.id]));
}

export function openRecordKey(record: FailingRecord): string {
  return recordKey({ interfaceKey: record.interface_id, entityType: record.entity_type, sourceRecordId: record.source_record_id });
}

export async function queueItems(filters: DashboardFilters, options: QueueOptions, now: Date = new Date()): Promise<QueueItem[]> {
  const [records, rules] = await Promise.all([openRecords(filters), overdueRules()]);
  const triaged = await triagedCases(filters.from);
  const items: QueueItem[] = [];
  for (const record of records) {
    const c = triaged.get(openRecordKey(record));
    const manuallyResolved = c?.state === 'resolved' && c.resolvedAt !== null && new Date(record.last_event_at).getTime() <= c.resolvedAt.getTime();
    if (manuallyResolved) continue;
    const state: CaseState = c && c.state !== 'resolved' ? c.state : 'open';
    const { signature, hash } = recordSignature(record.last_error_category, record.last_error_message);
    const item: QueueItem = {
      state,
      assigneeId: c?.assigneeId ?? null,
      assigneeName: c?.assignee?.name ?? null,
      record,
      signature,
      signatureHash: hash,
      businessMessage: describeError(record.last_error_category, record.last_error_message, record.entity_type),
      overdue: isOverdue(rules, record.entity_type, record.last_error_category, record.first_failure_at ? `${record.first_failure_at}` : null, now),
    };
    if (options.category && record.last_error_category !== options.category) continue;
    if (options.entityType && record.entity_type !== options.entityType) continue;
    if (options.state && state !== options.state) continue;
    if (options.assignee === 'unassigned' ? item.assigneeId !== null : options.assignee && item.assigneeId !== options.assignee) continue;
    if (options.signature && hash !== options.signature) continue;
    items.push(item);
  }
  return items;
}

export function groupBySignature(items: readonly QueueItem[]): SignatureGroup[] {
  const groups = new Map<string, SignatureGroup & { sampleAt: string }>();
  for (const item of items) {
    const r = item.record;
    const firstFailure = r.first_failure_at ?? r.last_event_at;
    let g = groups.get(item.signatureHash);
    if (!g) {
      g = {
        signatureHash: item.signatureHash,
        signature: item.signature,
        category: r.last_error_category,
        businessMessage: item.businessMessage,
        count: 0,
        overdue: 0,
        unassigned: 0,
        acknowledged: 0,
        interfaces: [],
        entityTypes: [],
        firstSeen: firstFailure,
        lastSeen: r.last_event_at,
        sampleTraceId: '',
        sampleAt: '',
        amountCents: {},
      };
      groups.set(item.signatureHash, g);
    }
    g.count += 1;
    if (item.overdue) g.overdue += 1;
    if (!item.assigneeId) g.unassigned += 1;
    if (item.state === 'acknowledged') g.acknowledged += 1;
    if (!g.interfaces.includes(r.interface_id)) g.interfaces.push(r.interface_id);
    if (!g.entityTypes.includes(r.entity_type)) g.entityTypes.push(r.entity_type);
    if (firstFailure < g.firstSeen) g.firstSeen = firstFailure;
    if (r.last_event_at > g.lastSeen) g.lastSeen = r.last_event_at;
    if (r.trace_id && r.last_event_at > g.sampleAt) {
      g.sampleTraceId = r.trace_id;
      g.sampleAt = r.last_event_at;
    }
    if (r.currency) g.amountCents[r.currency] = (g.amountCents[r.currency] ?? 0) + r.amountCents;
  }
  return [...groups.values()].map(({ sampleAt: _sampleAt, ...g }) => ({ ...g, interfaces: g.interfaces.sort(), entityTypes: g.entityTypes.sort() }));
}

export const GROUP_SORTS = ['newest', 'largest', 'oldest', 'overdue'] as const;

/** Newest first, then largest; or largest first, then newest; or oldest first. */
export function sortGroups(groups: SignatureGroup[], sort: string): SignatureGroup[] {
  const byNewest = (a: SignatureGroup, b: SignatureGroup) => b.lastSeen.localeCompare(a.lastSeen);
  const byLargest = (a: SignatureGroup, b: SignatureGroup) => b.count - a.count;
  const tie = (a: SignatureGroup, b: SignatureGroup) => a.signatureHash.localeCompare(b.signatureHash);
  const compare =
    sort === 'largest'
      ? (a: SignatureGroup, b: SignatureGroup) => byLargest(a, b) || byNewest(a, b) || tie(a, b)
      : sort === 'oldest'
        ? (a: SignatureGroup, b: SignatureGroup) => a.firstSeen.localeCompare(b.firstSeen) || byLargest(a, b) || tie(a, b)
        : sort === 'overdue'
          ? (a: SignatureGroup, b: SignatureGroup) => b.overdue - a.overdue || byLargest(a, b) || tie(a, b)
          : (a: SignatureGroup, b: SignatureGroup) => byNewest(a, b) || byLargest(a, b) || tie(a, b);
  return [...groups].sort(compare);
}
