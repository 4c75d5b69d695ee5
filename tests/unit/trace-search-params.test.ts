import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { parseTraceSearch, traceSearchHref } from '@/lib/traces/search-params';

const now = new Date('2026-11-22T12:00:00.000Z');
const DAY = 86_400_000;

describe('parseTraceSearch', () => {
  it('searches the last 24 h when no key and no times are given', () => {
    const { search, values } = parseTraceSearch({}, now);
    assert.equal(search.to.getTime(), now.getTime());
    assert.equal(now.getTime() - search.from.getTime(), DAY);
    assert.equal(values.from, '', 'the default range is not written back into the form');
    assert.equal(values.to, '');
  });

  it('widens to 90 days for a business key or a trace id', () => {
    for (const raw of [{ q: 'INV/2026/00042' }, { traceId: 'a'.repeat(32) }]) {
      const { search } = parseTraceSearch(raw, now);
      assert.equal(now.getTime() - search.from.getTime(), 90 * DAY);
    }
  });

  it('keeps typed UTC times and ignores malformed ones', () => {
    const typed = parseTraceSearch({ from: '2026-11-01T08:30', to: '2026-11-02T09:00' }, now);
    assert.equal(typed.search.from.toISOString(), '2026-11-01T08:30:00.000Z');
    assert.equal(typed.search.to.toISOString(), '2026-11-02T09:00:00.000Z');
    const malformed = parseTraceSearch({ from: 'yesterday', to: '2026-02-30T09:00' }, now);
    assert.equal(malformed.search.to.getTime(), now.getTime());
    assert.deepEqual(malformed.issues.map((i) => i.parameter), ['from', 'to'], 'named for the page to show');
    assert.deepEqual(typed.issues, []);
  });

  it('drops unknown statuses and sorts, and non-positive durations and pages', () => {
    const { search, issues } = parseTraceSearch({ status: 'maybe', sort: 'sideways', minMs: '-5', page: '0' }, now);
    assert.deepEqual(issues.map((i) => i.parameter), ['status', 'sort', 'minMs']);
    assert.equal(search.status, undefined);
    assert.equal(search.sort, undefined);
    assert.equal(search.minDurationMs, undefined);
    assert.equal(search.page, 1);
  });

  it('pager links carry the typed filters only', () => {
    const { values } = parseTraceSearch({ q: 'INV/2026/00042', status: 'error' }, now);
    const href = new URL(traceSearchHref(values, { page: 2 }), 'http://x');
    assert.equal(href.searchParams.get('q'), 'INV/2026/00042');
    assert.equal(href.searchParams.get('page'), '2');
    assert.equal(href.searchParams.has('from'), false);
  });
});
