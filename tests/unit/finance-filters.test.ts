import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { monthEndFilters, parseDashboardFilters, yesterdayCloseFilters } from '@/lib/finance/filters';

describe('dashboard filters', () => {
  it('reads an as-of date as the end of that day, capped at now', () => {
    const now = new Date('2026-11-29T09:00:00Z');
    assert.equal(parseDashboardFilters({ to: '2026-10-31' }, now).filters.to.toISOString(), '2026-11-01T00:00:00.000Z');
    assert.equal(parseDashboardFilters({ to: '2026-11-29' }, now).filters.to.toISOString(), now.toISOString());
  });

  it('gives the month-end view as the form reaches it from the live view: as of the last month\'s end, over the live range', () => {
    const now = new Date('2026-11-29T09:00:00Z');
    const live = parseDashboardFilters({}, now).filters;
    const monthEnd = monthEndFilters(now);
    assert.equal(monthEnd.to.toISOString(), '2026-11-01T00:00:00.000Z');
    assert.equal(monthEnd.from.toISOString(), live.from.toISOString());
    assert.equal(monthEndFilters(new Date('2027-01-15T12:00:00Z')).to.toISOString(), '2027-01-01T00:00:00.000Z', 'across a year');
    assert.equal(monthEndFilters(new Date('2027-03-01T00:00:30Z')).to.toISOString(), '2027-03-01T00:00:00.000Z', 'on the first of a month, its start');
  });

  it('gives yesterday\'s close the same way: as of the start of today, over the live range', () => {
    const now = new Date('2026-11-29T09:00:00Z');
    const close = yesterdayCloseFilters(now);
    assert.equal(close.to.toISOString(), '2026-11-29T00:00:00.000Z');
    assert.equal(close.from.toISOString(), parseDashboardFilters({}, now).filters.from.toISOString());
    assert.equal(yesterdayCloseFilters(new Date('2027-01-01T06:00:00Z')).to.toISOString(), '2027-01-01T00:00:00.000Z', 'across a year');
  });
});
