/**
 * Reading days and times from query parameters, one way for every page and API route: what a
 * date input sends (`YYYY-MM-DD`) and ISO 8601 times.
 */
import { z } from 'zod';

/** Whether `day` (`YYYY-MM-DD`) names a calendar day: Date rolls one past its month's end (2026-02-30) over into the next month. */
export function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const date = new Date(`${day}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

const TIME_INPUT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO 8601 with or without an offset (none means UTC, as the forms' datetime-local inputs send), or a bare date (its start, UTC). */
export const timeParam = z
  .string()
  .regex(TIME_INPUT, 'must be an ISO 8601 time such as 2026-11-20T12:00:00Z')
  .transform((value, ctx) => {
    const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(value) && value.includes('T');
    const date = new Date(hasOffset ? value : value.includes('T') ? `${value}Z` : `${value}T00:00:00Z`);
    if (!isCalendarDay(value.slice(0, 10)) || Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid time' });
      return z.NEVER;
    }
    return date;
  });
