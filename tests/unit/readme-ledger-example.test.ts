import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ledgerEventSchema, LEDGER_STATUSES } from '@/lib/ledger/event';
import { ERROR_CATEGORIES } from '@/lib/ledger/error-category';

/** README documents the ledger contract; these checks keep the document and the schema in step. */
const readme = fs.readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf('### Sync-ledger events'));

describe('README ledger contract', () => {
  it('its example event is valid', () => {
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(example, 'the section has a JSON example');
    const parsed = ledgerEventSchema.safeParse(JSON.parse(example));
    assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  });

  it('its table names every field of the schema, and no other', () => {
    const table = section.slice(0, section.indexOf('The reply counts'));
    const documented = new Set([...table.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z_]+)`/g)].map((f) => f[1]!)));
    documented.delete('field');
    assert.deepEqual([...documented].sort(), Object.keys(ledgerEventSchema.shape).sort());
  });

  it('lists every status and error category', () => {
    for (const value of [...LEDGER_STATUSES, ...ERROR_CATEGORIES]) assert.ok(section.includes(`\`${value}\``), value);
  });
});
