/**
 * Dashboard filters shared by the finance and operations pages. They live in the URL
 * (so a link reproduces the view); this module turns search params into typed filters
 * and back into links. Dates are UTC calendar days (`YYYY-MM-DD`, what <input type=date> sends).
 */
import { z } from 'zod';
import { invalidFilters, type ParamIssue } from '@/lib/api/errors';
import { isCalendarDay } from '@/lib/api/params';

export type RawParams = Record<string, string | string[] | undefined>;

export interface DashboardFilters {
  /** Start of the first day in range (inclusive). */
  from: Date;
  /** End of the last day in range (exclusive): the "as of" instant, capped at now. */
  to: Date;
  project: string;
  customer: string;
  interface: string;
  currency: string;
}

export interface TableParams {
  sort: string;
  dir: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

/** Every filter as the string the form shows, so links keep the rest of the view. */
export type FilterValues = { from: string; to: string; project: string; customer: string; interface: string; currency: string };

const DAY = 86_400_000;
export const DEFAULT_RANGE_DAYS = 90;
export const PAGE_SIZE = 25;

export function first(value: string | string[] | undefined): string {
  return ((Array.isArray(value) ? value[0] : value) ?? '').trim();
}

function parseDay(value: string): Date | null {
  return isCalendarDay(value) ? new Date(`${value}T00:00:00.000Z`) : null;
}

export function dayString(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function parseDashboardFilters(raw: RawParams, now: Date = new Date()): { filters: DashboardFilters; values: FilterValues } {
  const toDay = parseDay(first(raw.to));
  const to = toDay ? new Date(Math.min(toDay.getTime() + DAY, now.getTime())) : now;
  const fromDay = parseDay(first(raw.from));
  const from = fromDay && fromDay.getTime() < to.getTime() ? fromDay : new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate()) - DEFAULT_RANGE_DAYS * DAY);
  const filters: DashboardFilters = {
    from,
    to,
    project: first(raw.project).slice(0, 128),
    customer: first(raw.customer).slice(0, 256),
    interface: first(raw.interface).slice(0, 128),
    currency: /^[A-Z]{3}$/.test(first(raw.currency)) ? first(raw.currency) : '',
  };
  const values: FilterValues = {
    from: dayString(from),
    to: dayString(new Date(to.getTime() - 1)),
    project: filters.project,
    customer: filters.customer,
    interface: filters.interface,
    currency: filters.currency,
  };
  return { filters, values };
}

/** The view as of the end of `day`, as the page's form reaches it from the live view (only the as-of date changed): over the live view's range. */
function closeOf(day: Date, now: Date): DashboardFilters {
  const live = parseDashboardFilters({}, now).values;
  return parseDashboardFilters({ from: live.from, to: dayString(day) }, now).filters;
}

/** The view finance reviews at month-end close: as of the end of the last whole month (UTC). */
export function monthEndFilters(now: Date = new Date()): DashboardFilters {
  return closeOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)), now);
}

/** The view as of yesterday's close (the end of yesterday, UTC). */
export function yesterdayCloseFilters(now: Date = new Date()): DashboardFilters {
  return closeOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1)), now);
}

export function parseTableParams(raw: RawParams, sorts: readonly string[], defaultSort: string, defaultDir: 'asc' | 'desc' = 'desc'): TableParams {
  const sort = first(raw.sort);
  const dir = first(raw.dir);
  const page = Number(first(raw.page));
  return {
    sort: sorts.includes(sort) ? sort : defaultSort,
    dir: dir === 'asc' || dir === 'desc' ? dir : defaultDir,
    page: Number.isInteger(page) && page > 0 ? page : 1,
    pageSize: PAGE_SIZE,
  };
}

const dayParam = z.string().refine((value) => parseDay(value) !== null, 'must be a date as YYYY-MM-DD');
const textParam = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const dashboardParams = z.object({
  from: dayParam.optional(),
  to: dayParam.optional(),
  project: textParam(128).optional(),
  customer: textParam(256).optional(),
  interface: textParam(128).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a currency code such as USD').optional(),
  dir: z.enum(['asc', 'desc'], { message: 'must be asc or desc' }).optional(),
  page: z.string().regex(/^[1-9]\d{0,5}$/, 'must be a whole number from 1').optional(),
  format: z.enum(['json', 'csv'], { message: 'must be json or csv' }).optional(),
});

/**
 * What is wrong with the dashboard parameters in `raw` and with `choices` (a route's own
 * enumerated ones: sort, state, cause, …), one issue per bad parameter; empty values count as
 * absent, as a GET form sends every field. A page reads such a link leniently, showing its
 * default for them (parseDashboardFilters, parseTableParams) and saying so; an API answers 400
 * (invalidDashboardParams).
 */
export function dashboardParamIssues(raw: RawParams, choices: Record<string, readonly string[]> = {}): ParamIssue[] {
  const given = Object.fromEntries(Object.entries(raw).flatMap(([name, value]) => (first(value) === '' ? [] : [[name, first(value)]])));
  const choiceParams = Object.fromEntries(
    Object.entries(choices).map(([name, allowed]) => [name, z.string().refine((value) => allowed.includes(value), `must be one of ${allowed.join(', ')}`).optional()]),
  );
  const parsed = dashboardParams.extend(choiceParams).safeParse(given);
  const issues = parsed.success ? [] : parsed.error.issues.map((issue) => ({ parameter: issue.path.join('.'), message: issue.message }));
  const [from, to] = [parseDay(given.from ?? ''), parseDay(given.to ?? '')];
  if (from && to && from.getTime() > to.getTime()) issues.push({ parameter: 'from', message: 'must be on or before to' });
  return issues;
}

/**
 * For an /api/v1 route: a 400 `invalid_filters` with one detail per bad parameter
 * (dashboardParamIssues), or null when every parameter reads. An API client must get an error
 * saying what is wrong rather than another view's rows.
 */
export function invalidDashboardParams(raw: RawParams, choices: Record<string, readonly string[]> = {}): Response | null {
  const issues = dashboardParamIssues(raw, choices);
  return issues.length === 0 ? null : invalidFilters(issues);
}

/** Params shared by every ClickHouse query that honours the dashboard filters. */
export function filterQueryParams(filters: DashboardFilters): Record<string, string> {
  return {
    from: filters.from.toISOString().replace('T', ' ').replace('Z', ''),
    to: filters.to.toISOString().replace('T', ' ').replace('Z', ''),
    project: filters.project,
    customer: filters.customer,
    iface: filters.interface,
    currency: filters.currency,
  };
}

/** A link to `path` with the given values, one or more changed; empty values are dropped. */
export function hrefWith(path: string, values: Record<string, string>, change: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...change })) if (value !== '' && value !== undefined) params.set(key, String(value));
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

export function pageOf<T>(rows: readonly T[], table: TableParams): T[] {
  const start = (table.page - 1) * table.pageSize;
  return rows.slice(start, start + table.pageSize);
}
