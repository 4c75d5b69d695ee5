/**
 * Dashboard filters shared by the finance and operations pages. They live in the URL
 * (so a link reproduces the view); this module turns search params into typed filters
 * and back into links. Dates are UTC calendar days (`YYYY-MM-DD`, what <input type=date> sends).
 */
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
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) ? null : date;
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
