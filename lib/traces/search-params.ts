import type { ParamIssue } from '@/lib/api/errors';
import { isCalendarDay } from '@/lib/api/params';
import { TRACE_SORTS, TRACE_STATUSES, type TraceSearch } from '@/lib/traces/query';

/**
 * The trace explorer's filters live in the URL; this turns search params into a search.
 * Times are UTC `YYYY-MM-DDTHH:mm` (datetime-local). Without a time range the last 24 h
 * are searched, or the last 90 days when looking for a trace id or a business key.
 */
export type RawParams = Record<string, string | string[] | undefined>;

export interface TraceFilterValues {
  q: string;
  traceId: string;
  service: string;
  interface: string;
  status: string;
  minMs: string;
  from: string;
  to: string;
  sort: string;
}

const DAY = 86_400_000;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

export function toLocalInput(date: Date): string {
  return date.toISOString().slice(0, 16);
}

function parseUtc(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/.test(value) || !isCalendarDay(value.slice(0, 10))) return null;
  return new Date(`${value}:00.000Z`);
}

/**
 * The search in `raw`, the values typed, and the parameters that did not read (`issues`, which
 * the page names: it searches without them).
 */
export function parseTraceSearch(raw: RawParams, now: Date = new Date()): { search: TraceSearch; values: TraceFilterValues; issues: ParamIssue[] } {
  const values: TraceFilterValues = {
    q: first(raw.q).slice(0, 256),
    traceId: first(raw.traceId).slice(0, 64),
    service: first(raw.service).slice(0, 128),
    interface: first(raw.interface).slice(0, 128),
    status: first(raw.status),
    minMs: first(raw.minMs),
    from: first(raw.from),
    to: first(raw.to),
    sort: first(raw.sort),
  };
  const lookingForOne = Boolean(values.q || values.traceId);
  const to = parseUtc(values.to) ?? now;
  const from = parseUtc(values.from) ?? new Date(to.getTime() - (lookingForOne ? 90 : 1) * DAY);
  const minMs = Number(values.minMs);
  const page = Number(first(raw.page));
  const search: TraceSearch = {
    from,
    to,
    page: Number.isInteger(page) && page > 0 ? page : 1,
    pageSize: 25,
    ...(values.q ? { businessKey: values.q } : {}),
    ...(values.traceId ? { traceId: values.traceId } : {}),
    ...(values.service ? { service: values.service } : {}),
    ...(values.interface ? { interfaceKey: values.interface } : {}),
    ...((TRACE_STATUSES as readonly string[]).includes(values.status) ? { status: values.status as TraceSearch['status'] } : {}),
    ...(Number.isFinite(minMs) && minMs > 0 ? { minDurationMs: minMs } : {}),
    ...((TRACE_SORTS as readonly string[]).includes(values.sort) ? { sort: values.sort as TraceSearch['sort'] } : {}),
  };
  const issues: ParamIssue[] = [];
  for (const name of ['from', 'to'] as const) if (values[name] && !parseUtc(values[name])) issues.push({ parameter: name, message: 'must be a UTC time as YYYY-MM-DDTHH:mm' });
  if (values.status && !search.status) issues.push({ parameter: 'status', message: `must be one of ${TRACE_STATUSES.join(', ')}` });
  if (values.sort && !search.sort) issues.push({ parameter: 'sort', message: `must be one of ${TRACE_SORTS.join(', ')}` });
  if (values.minMs && !search.minDurationMs) issues.push({ parameter: 'minMs', message: 'must be a number of milliseconds above 0' });
  // values keep only what the user typed: pre-filling the default range into the form
  // would pin the next business-key search to 24 h instead of its 90-day default.
  return { search, values, issues };
}

/** The same filters as a query string, with one value changed (pager and sort links). */
export function traceSearchHref(values: TraceFilterValues, change: Record<string, string | number>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...change })) if (value !== '' && value !== undefined) params.set(key, String(value));
  return `/traces?${params.toString()}`;
}
