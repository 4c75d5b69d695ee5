/**
 * Keeps ExceptionCase rows (Postgres, triage state) in step with failing records
 * (ClickHouse, facts): one case per unresolved failing record, on any interface.
 *   - a failing record without a case gets one (state open);
 *   - a case resolved earlier reopens when a newer failing event arrives after its resolution;
 *   - an unresolved case whose record no longer fails is resolved by the sync itself, with
 *     the reason taken from the record's latest status;
 *   - a replay waiting for its outcome gets one once a newer event for the record exists;
 *   - every failing record's message has its signature in ClickHouse, for the failure queue
 *     (and keeps it: see ERROR_SIGNATURES).
 * Runs every 30 s as a background job and can be called directly (tests, after a demo load).
 */
import type { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';
import { failingRecords, recordKey, recordStates, type FailingRecord } from '@/lib/exceptions/open-records';
import { openRecordKey } from '@/lib/exceptions/queue';
import { ensureSignatures, recordSignature } from '@/lib/exceptions/signature';

export const RESOLVED_BY_SUCCESS = 'resolved by a later successful sync';
export const RESOLVED_BY_CANCEL = 'cancelled at the source';

export interface SyncResult {
  opened: number;
  reopened: number;
  updated: number;
  closed: number;
  replayOutcomes: number;
}

function closeReason(status: string): string {
  if (status === 'succeeded') return RESOLVED_BY_SUCCESS;
  if (status === 'cancelled') return RESOLVED_BY_CANCEL;
  return `no longer failing (latest status ${status})`;
}

function caseFields(record: FailingRecord) {
  const { signature, hash } = recordSignature(record.last_error_category, record.last_error_message);
  return { signature, signatureHash: hash, errorCategory: record.last_error_category || 'unknown' };
}

const CASE_FIELDS = { id: true, interfaceKey: true, entityType: true, sourceRecordId: true, state: true, resolvedAt: true, signatureHash: true, errorCategory: true } as const;
type CaseRow = Prisma.ExceptionCaseGetPayload<{ select: typeof CASE_FIELDS }>;
/** Records looked up per query: each is one probe of the cases' unique key. */
const CASE_LOOKUP_BATCH = 1_000;

/** The resolved cases of `records`, found by their unique key. */
async function resolvedCasesOf(records: readonly FailingRecord[]): Promise<CaseRow[]> {
  const db = await prisma();
  const found: CaseRow[] = [];
  for (let start = 0; start < records.length; start += CASE_LOOKUP_BATCH) {
    const keys = records.slice(start, start + CASE_LOOKUP_BATCH).map((r) => ({ interfaceKey: r.interface_id, entityType: r.entity_type, sourceRecordId: r.source_record_id }));
    found.push(...(await db.exceptionCase.findMany({ where: { state: 'resolved', OR: keys }, select: CASE_FIELDS })));
  }
  return found;
}

export async function syncExceptionCases(): Promise<SyncResult> {
  const db = await prisma();
  const result: SyncResult = { opened: 0, reopened: 0, updated: 0, closed: 0, replayOutcomes: 0 };
  const open = await failingRecords();
  const openByKey = new Map(open.map((r) => [openRecordKey(r), r]));

  // Only the cases the sync can change: the unresolved ones, and the resolved ones of records failing now (to
  // reopen). Resolved cases of records no longer failing, which pile up over the years, are not read.
  const unresolved = await db.exceptionCase.findMany({ where: { state: { not: 'resolved' } }, select: CASE_FIELDS });
  const caseByKey = new Map(unresolved.map((c) => [recordKey(c), c]));
  for (const c of await resolvedCasesOf(open.filter((r) => !caseByKey.has(openRecordKey(r))))) caseByKey.set(recordKey(c), c);
  const cases = [...caseByKey.values()];

  const fresh = open.filter((r) => !caseByKey.has(openRecordKey(r)));
  if (fresh.length > 0) {
    const created = await db.exceptionCase.createMany({
      data: fresh.map((r) => ({ interfaceKey: r.interface_id, entityType: r.entity_type, sourceRecordId: r.source_record_id, ...caseFields(r) })),
      skipDuplicates: true,
    });
    result.opened += created.count;
  }

  for (const c of cases) {
    const record = openByKey.get(recordKey(c));
    if (record) {
      const fields = caseFields(record);
      const failedAgainAfterResolution = c.state === 'resolved' && c.resolvedAt !== null && new Date(record.last_event_at).getTime() > c.resolvedAt.getTime();
      if (failedAgainAfterResolution) {
        await db.exceptionCase.update({ where: { id: c.id }, data: { ...fields, state: 'open', resolvedAt: null, resolvedById: null, resolutionReason: null, acknowledgedAt: null } });
        result.reopened += 1;
      } else if (c.state !== 'resolved' && (c.signatureHash !== fields.signatureHash || c.errorCategory !== fields.errorCategory)) {
        await db.exceptionCase.update({ where: { id: c.id }, data: fields });
        result.updated += 1;
      }
    }
  }

  const toCheck = cases.filter((c) => c.state !== 'resolved' && !openByKey.has(recordKey(c)));
  if (toCheck.length > 0) {
    const states = await recordStates(toCheck);
    for (const c of toCheck) {
      const state = states.get(recordKey(c));
      if (!state || state.is_open_exception) continue;
      await db.exceptionCase.update({
        where: { id: c.id },
        data: { state: 'resolved', resolvedAt: new Date(state.last_event_at), resolvedById: null, resolutionReason: closeReason(state.last_status) },
      });
      result.closed += 1;
    }
  }

  result.replayOutcomes = await recordReplayOutcomes();
  await ensureSignatures({ refresh: true });
  return result;
}

/** A replay's outcome is the first event for its record newer than the ones it asked to replay. */
export async function recordReplayOutcomes(): Promise<number> {
  const db = await prisma();
  const waiting = await db.replayRequest.findMany({
    where: { outcome: null },
    select: { id: true, eventIds: true, case: { select: { interfaceKey: true, entityType: true, sourceRecordId: true } } },
  });
  if (waiting.length === 0) return 0;
  const states = await recordStates(waiting.map((w) => w.case));
  let recorded = 0;
  for (const replay of waiting) {
    const state = states.get(recordKey(replay.case));
    if (!state || replay.eventIds.includes(state.last_event_id)) continue;
    const outcome = state.last_status === 'succeeded' ? 'succeeded' : `${state.last_status} again`;
    await db.replayRequest.update({ where: { id: replay.id }, data: { outcome, outcomeAt: new Date(state.last_event_at) } });
    recorded += 1;
  }
  return recorded;
}
