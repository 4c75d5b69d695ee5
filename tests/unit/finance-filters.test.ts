import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { invalidDashboardParams, monthEndFilters, parseDashboardFilters, yesterdayCloseFilters } from '@/lib/finance/filters';

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

  it('checks an API request\'s parameters strictly, one detail per bad parameter, where a page falls back to the default view', async () => {
    const valid = { from: '2026-10-01', to: '2026-10-31', project: 'JOB-1', currency: 'USD', dir: 'asc', page: '2', format: 'csv', sort: 'age', customer: '' };
    assert.equal(invalidDashboardParams(valid, { sort: ['age', 'unbilled'] }), null);
    assert.equal(invalidDashboardParams({ to: '', currency: '', cause: '' }, { cause: ['returned'] }), null, 'empty fields, as a GET form sends them, are absent');

    const details = async (response: Response | null) => {
      assert.ok(response);
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { code: string; message: string; details: { parameter: string; message: string }[] } };
      assert.equal(body.error.code, 'invalid_filters');
      return Object.fromEntries(body.error.details.map((d) => [d.parameter, d.message]));
    };
    assert.deepEqual(
      await details(invalidDashboardParams({ to: '2026-02-30', from: 'yesterday', currency: 'usd', dir: 'up', page: '0', format: 'xml', sort: 'price' }, { sort: ['age', 'unbilled'] })),
      {
        to: 'must be a date as YYYY-MM-DD',
        from: 'must be a date as YYYY-MM-DD',
        currency: 'must be a currency code such as USD',
        dir: 'must be asc or desc',
        page: 'must be a whole number from 1',
        format: 'must be json or csv',
        sort: 'must be one of age, unbilled',
      },
    );
    assert.deepEqual(await details(invalidDashboardParams({ from: '2026-11-02', to: '2026-11-01' })), { from: 'must be on or before to' });
    assert.deepEqual(await details(invalidDashboardParams({ project: 'J'.repeat(129) })), { project: 'must be at most 128 characters' });
    assert.equal(parseDashboardFilters({ to: '2026-02-30' }, new Date('2026-11-29T09:00:00Z')).filters.to.toISOString(), '2026-11-29T09:00:00.000Z', 'a page reads it as today');
  });
});
