/**
 * The integration team's failure queue (/operations/failures): every failing record from
 * ClickHouse with its triage state from Postgres, grouped by error signature so one root cause
 * is one row. Records a person resolved by hand stay out of the queue until they fail again
 * (the case sync reopens them).
 *
 * Grouping, filters and the case list's page run in ClickHouse: records join their signatures
 * (error_signatures, see ensureSignatures), and the few cases people touched and the overdue
 * rules come in as array parameters. Only groups (hundreds) and one page of records reach JS:
 * at 10 M events, 59 k failing records as JSON cost several times the query itself.
 */
import type { ExportColumns } from '@/lib/api/csv';
import { queryRows, type QueryParams } from '@/lib/clickhouse/client';
import { centsToDecimal } from '@/lib/format';
import { prisma } from '@/lib/db/client';
import { filterQueryParams, first, type DashboardFilters, type RawParams, type TableParams } from '@/lib/finance/filters';
import { businessMessage, isErrorCategory } from '@/lib/ledger/error-category';
import { SIGNATURE_NORMALIZER_VERSION } from '@/lib/ledger/error-signature';
import { QUEUE_RECORDS_SQL, recordKey, type FailingRecord, type QueueRecord } from '@/lib/exceptions/open-records';
import { ensureSignatures } from '@/lib/exceptions/signature';
import { overdueRules, ruleFor, type OverdueRuleLike } from '@/lib/exceptions/overdue';

export interface QueueOptions {
  category: string;
  /** 'open' | 'acknowledged' | '' (both). */
  state: string;
  /** A user id, 'unassigned', or '' (anyone). */
  assignee: string;
  signature: string;
  entityType: string;
}

/** The queue's options from a request's params (the page's and its exports'): an unknown state means both; 'me' is the viewer. */
export function parseQueueOptions(raw: RawParams, viewerId: string): QueueOptions {
  const state = first(raw.state);
  return {
    category: first(raw.category),
    state: (QUEUE_STATES as readonly string[]).includes(state) ? (state as QueueState) : '',
    assignee: first(raw.assignee) === 'me' ? viewerId : first(raw.assignee),
    signature: first(raw.signature),
    entityType: first(raw.entity),
  };
}

/** The states a failing record's case shows in the queue (a hand resolution that failed again shows as open). */
export const QUEUE_STATES = ['open', 'acknowledged'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** One record of a signature group's case list. */
export interface QueueItem {
  state: QueueState;
  assigneeId: string | null;
  assigneeName: string | null;
  record: QueueRecord;
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

/** The failure queue's export columns (CSV and JSON): one row per signature group, money at risk per currency. */
export const FAILURE_GROUP_EXPORT_COLUMNS: ExportColumns<SignatureGroup> = {
  signature_hash: (g) => g.signatureHash,
  signature: (g) => g.signature,
  category: (g) => g.category,
  cause: (g) => g.businessMessage,
  records: (g) => g.count,
  overdue: (g) => g.overdue,
  unassigned: (g) => g.unassigned,
  interfaces: (g) => g.interfaces.join(' '),
  entity_types: (g) => g.entityTypes.join(' '),
  first_seen: (g) => g.firstSeen,
  last_seen: (g) => g.lastSeen,
  at_risk: (g) => Object.entries(g.amountCents).map(([currency, cents]) => `${centsToDecimal(cents)} ${currency}`).join('; '),
  sample_trace_id: (g) => g.sampleTraceId,
};

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

type TriagedCases = Awaited<ReturnType<typeof triagedCases>>;

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

/**
 * Triaged cases as arrays, one element per case. A case resolved by hand hides its record while
 * the record's last event is no newer than the resolution (`hidden_until_ms`, else NULL).
 */
function triageParams(triaged: TriagedCases): QueryParams {
  const cases = [...triaged.values()];
  return {
    t_iface: cases.map((c) => c.interfaceKey),
    t_entity: cases.map((c) => c.entityType),
    t_id: cases.map((c) => c.sourceRecordId),
    t_state: cases.map((c) => c.state),
    t_assignee: cases.map((c) => c.assigneeId ?? ''),
    t_hidden_until_ms: cases.map((c) => (c.state === 'resolved' && c.resolvedAt !== null ? c.resolvedAt.getTime() : null)),
  };
}

/**
 * The overdue rules as a table of (entity type, category) → maximum age in ms (NULL: no rule),
 * worked out by ruleFor. Rules only tell apart the entity types and categories they name, so
 * every other one stands in as '' and the table has (named + 1)² rows whatever the data.
 */
function overdueParams(rules: readonly OverdueRuleLike[], now: Date): QueryParams {
  const named = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => !!v))];
  const entities = named(rules.map((r) => r.entityType));
  const categories = named(rules.map((r) => r.errorCategory));
  const pairs = ['', ...entities].flatMap((entity) => ['', ...categories].map((category) => ({ entity, category, rule: ruleFor(rules, entity, category) })));
  return {
    rule_entities: entities,
    rule_categories: categories,
    age_entity: pairs.map((p) => p.entity),
    age_category: pairs.map((p) => p.category),
    age_max_ms: pairs.map((p) => (p.rule ? p.rule.maxAgeHours * 3_600_000 : null)),
    now_ms: now.getTime(),
  };
}

/**
 * Every failing record in the queue, one row each: the record within the dashboard filters,
 * its signature ('' while error_signatures lacks its message), its case's state and assignee,
 * whether it is overdue (isOverdue's rule), and the queue options applied. A record without a
 * signature passes the signature filter: the queue then makes the missing signatures and asks again.
 */
const QUEUE_SQL = `SELECT r.interface_id AS interface_id, r.entity_type AS entity_type, r.source_record_id AS source_record_id,
  r.last_error_category AS last_error_category, r.last_error_message AS last_error_message, r.last_event_at AS last_event_at,
  r.first_failure_at AS first_failure_at, r.amountCents AS amountCents, r.currency AS currency, r.trace_id AS trace_id,
  s.signature AS signature, s.signature_hash AS signature_hash,
  if(t.state = 'acknowledged', 'acknowledged', 'open') AS case_state,
  t.assignee_id AS case_assignee,
  toBool(ifNull({now_ms:Int64} - toUnixTimestamp64Milli(r.first_failure_at) > {age_max_ms:Array(Nullable(Int64))}[indexOf(
    arrayZip({age_entity:Array(String)}, {age_category:Array(String)}),
    (if(has({rule_entities:Array(String)}, r.entity_type), toString(r.entity_type), ''),
     if(has({rule_categories:Array(String)}, r.last_error_category), r.last_error_category, '')))], false)) AS overdue
FROM (${QUEUE_RECORDS_SQL}) AS r
LEFT JOIN (SELECT message_hash, signature, signature_hash FROM error_signatures FINAL WHERE normalizer_version = {normalizer:UInt32}) AS s
  ON s.message_hash = r.message_hash
LEFT JOIN (
  SELECT c.1 AS interface_id, c.2 AS entity_type, c.3 AS source_record_id, c.4 AS state, c.5 AS assignee_id, c.6 AS hidden_until_ms
  FROM (SELECT arrayJoin(arrayZip({t_iface:Array(String)}, {t_entity:Array(String)}, {t_id:Array(String)}, {t_state:Array(String)},
    {t_assignee:Array(String)}, {t_hidden_until_ms:Array(Nullable(Int64))})) AS c)
) AS t ON t.interface_id = r.interface_id AND t.entity_type = r.entity_type AND t.source_record_id = r.source_record_id
WHERE NOT ifNull(toUnixTimestamp64Milli(r.last_event_at) <= t.hidden_until_ms, false)
  AND ({category:String} = '' OR r.last_error_category = {category:String})
  AND ({entity:String} = '' OR r.entity_type = {entity:String})
  AND ({state:String} = '' OR case_state = {state:String})
  AND multiIf({assignee:String} = '', true, {assignee:String} = 'unassigned', case_assignee = '', case_assignee = {assignee:String})
  AND ({signature:String} = '' OR s.signature_hash IN ({signature:String}, ''))`;

/** A record of a case list as the group query collects it: newest first, then by record key. */
type CaseTuple = [
  sortKey: number, interface_id: string, entity_type: string, source_record_id: string, last_error_category: string, last_error_message: string,
  last_event_at: string, first_failure_at: string | null, amountCents: number, currency: string, trace_id: string, state: QueueState, assignee: string, overdue: boolean,
];

/**
 * Groups by signature, with, for the selected signature's group, its records up to the end of
 * the case list's page (groupArraySorted keeps the first `page_end` by newest failure).
 */
const GROUPS_SQL = `SELECT signature_hash, any(signature) AS any_signature,
  argMax((last_error_category, last_error_message, toString(entity_type)), (last_event_at, interface_id, entity_type, source_record_id)) AS latest,
  count() AS records, countIf(overdue) AS overdue_records, countIf(case_assignee = '') AS unassigned_records,
  countIf(case_state = 'acknowledged') AS acknowledged_records,
  groupUniqArray(interface_id) AS interface_ids, groupUniqArray(entity_type) AS entity_types,
  min(ifNull(first_failure_at, last_event_at)) AS first_seen, max(last_event_at) AS last_seen,
  argMaxIf(trace_id, last_event_at, trace_id != '') AS sample_trace_id,
  sumMapIf(map(currency, amountCents), currency != '') AS cents,
  groupArraySortedIf({page_end:UInt32})((-toUnixTimestamp64Milli(last_event_at), interface_id, toString(entity_type), source_record_id,
    last_error_category, last_error_message, last_event_at, first_failure_at, amountCents, currency, trace_id, case_state, case_assignee, overdue),
    {signature:String} != '' AND signature_hash = {signature:String}) AS case_list
FROM (${QUEUE_SQL})
GROUP BY signature_hash`;

interface GroupRow {
  signature_hash: string;
  any_signature: string;
  /** Category, message and entity type of the group's most recent record: what its business message describes. */
  latest: [string, string, string];
  records: number;
  overdue_records: number;
  unassigned_records: number;
  acknowledged_records: number;
  interface_ids: string[];
  entity_types: string[];
  first_seen: string;
  last_seen: string;
  sample_trace_id: string;
  cents: Record<string, number>;
  case_list: CaseTuple[];
}

export interface FailureQueue {
  /** Signature groups, unsorted (sortGroups). Money is exact cents per currency. */
  groups: SignatureGroup[];
  /** With a signature in the options and a case-list page: that page of the group's records, most recently failed first. */
  cases: QueueItem[];
}

/**
 * The queue for the filters and options in one ClickHouse query: its signature groups and, when
 * a signature is selected, one page of that group's records (the group's `count` is their number).
 * Records whose message has no signature yet (failed since the last case sync) get one, and the
 * query runs again, so no failing record is left out.
 */
export async function failureQueue(
  filters: DashboardFilters,
  options: QueueOptions,
  casePage: Pick<TableParams, 'page' | 'pageSize'> | null = null,
  now: Date = new Date(),
): Promise<FailureQueue> {
  const [triaged, rules] = await Promise.all([triagedCases(filters.from), overdueRules()]);
  const params: QueryParams = {
    ...filterQueryParams(filters),
    ...triageParams(triaged),
    ...overdueParams(rules, now),
    normalizer: SIGNATURE_NORMALIZER_VERSION,
    category: options.category,
    entity: options.entityType,
    state: options.state,
    assignee: options.assignee,
    signature: options.signature,
    page_end: casePage ? casePage.page * casePage.pageSize : 1,
  };
  let rows = await queryRows<GroupRow>(GROUPS_SQL, params);
  if (rows.some((g) => g.signature_hash === '')) {
    await ensureSignatures();
    rows = await queryRows<GroupRow>(GROUPS_SQL, params);
  }
  // Still unsigned: a message first seen since ensureSignatures, milliseconds ago; the next load lists it.
  const signed = rows.filter((g) => g.signature_hash !== '');
  const selected = casePage ? signed.find((g) => options.signature !== '' && g.signature_hash === options.signature) : undefined;
  const start = casePage ? (casePage.page - 1) * casePage.pageSize : 0;
  return {
    groups: signed.map((g) => ({
      signatureHash: g.signature_hash,
      signature: g.any_signature,
      category: g.latest[0],
      businessMessage: describeError(...g.latest),
      count: g.records,
      overdue: g.overdue_records,
      unassigned: g.unassigned_records,
      acknowledged: g.acknowledged_records,
      interfaces: g.interface_ids.sort(),
      entityTypes: g.entity_types.sort(),
      firstSeen: g.first_seen,
      lastSeen: g.last_seen,
      sampleTraceId: g.sample_trace_id,
      amountCents: g.cents,
    })),
    cases: (selected?.case_list ?? []).slice(start).map(
      ([, interface_id, entity_type, source_record_id, last_error_category, last_error_message, last_event_at, first_failure_at, amountCents, currency, trace_id, state, assignee, overdue]) => {
        const record: QueueRecord = { interface_id, entity_type, source_record_id, last_error_category, last_error_message, last_event_at, first_failure_at, amountCents, currency, trace_id };
        return { state, assigneeId: assignee || null, assigneeName: triaged.get(openRecordKey(record))?.assignee?.name ?? null, record, overdue };
      },
    ),
  };
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

/** Every record of the signature group `options.signature` (its case list's export), most recently failed first; none when no such group. */
export async function groupRecords(filters: DashboardFilters, options: QueueOptions): Promise<QueueItem[]> {
  const group = (await failureQueue(filters, options)).groups.find((g) => g.signatureHash === options.signature);
  if (!group) return [];
  return (await failureQueue(filters, options, { page: 1, pageSize: Math.max(1, group.count) })).cases;
}

/**
 * A group's records as exported (CSV and JSON): the last error in business language for every
 * role, its technical message only with `details` (roles that may see error details).
 */
export function groupRecordExportColumns(details: boolean): ExportColumns<QueueItem> {
  return {
    source_record_id: (i) => i.record.source_record_id,
    interface: (i) => i.record.interface_id,
    entity_type: (i) => i.record.entity_type,
    currency: (i) => i.record.currency,
    amount: (i) => centsToDecimal(i.record.amountCents),
    first_failure_at: (i) => i.record.first_failure_at,
    last_event_at: (i) => i.record.last_event_at,
    case_state: (i) => i.state,
    assignee: (i) => i.assigneeName,
    overdue: (i) => i.overdue,
    error_category: (i) => i.record.last_error_category,
    error: (i) => describeError(i.record.last_error_category, i.record.last_error_message, i.record.entity_type),
    ...(details ? { error_message: (i: QueueItem) => i.record.last_error_message } : {}),
    trace_id: (i) => i.record.trace_id,
  };
}
