import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateSigningSecret, signatureHeader, verifySignature } from '@/lib/webhooks/signing';

/** README's receiver recipe, run as written, against the signatures Plumbline sends. */
const readme = fs.readFileSync('README.md', 'utf8');
const recipe = /```js\n(\/\/ verify-plumbline\.mjs[\s\S]*?)```/.exec(readme)?.[1];

type Verify = (header: string, raw: string | Buffer, secret: string, options?: { toleranceSeconds?: number; now?: number }) => boolean;

async function readmeVerify(): Promise<Verify> {
  assert.ok(recipe, 'README has the verify-plumbline.mjs example');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumbline-readme-'));
  const file = path.join(dir, 'verify-plumbline.mjs');
  fs.writeFileSync(file, recipe);
  try {
    return ((await import(pathToFileURL(file).href)) as { verifyPlumblineSignature: Verify }).verifyPlumblineSignature;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('README webhook signature recipe', () => {
  it('accepts what Plumbline signs and refuses tampering, other secrets and stale timestamps', async () => {
    const verify = await readmeVerify();
    const secret = generateSigningSecret();
    const body = JSON.stringify({ id: 'd-1', event: 'slo.alert', createdAt: '2026-11-23T07:00:00.000Z', attempt: 1, data: { name: 'Ünïcode ✓' } });
    const now = Date.now();
    const t = Math.floor(now / 1000);
    const header = signatureHeader([secret], t, body);
    assert.equal(verify(header, body, secret, { now }), true);
    assert.equal(verify(header, Buffer.from(body, 'utf8'), secret, { now }), true, 'raw bytes as received');
    assert.equal(verify(header, body.replace('slo.alert', 'slo.alarm'), secret, { now }), false);
    assert.equal(verify(header, body, generateSigningSecret(), { now }), false);
    assert.equal(verify(header, body, secret, { now: now + 301_000 }), false, 'stale');
    assert.equal(verify(`v1=${header.split('v1=')[1]}`, body, secret, { now }), false, 'no timestamp');
    assert.equal(verify('', body, secret, { now }), false);
  });

  it('accepts either secret while a rotation overlaps, like lib/webhooks/signing.ts', async () => {
    const verify = await readmeVerify();
    const [next, previous] = [generateSigningSecret(), generateSigningSecret()];
    const body = '{"replay_id":"r-1","interface_id":"rental-invoicing"}';
    const t = Math.floor(Date.now() / 1000);
    const header = signatureHeader([next, previous], t, body);
    for (const secret of [next, previous]) {
      assert.equal(verify(header, body, secret), true);
      assert.equal(verifySignature({ header, body, secret }).ok, true);
    }
    const other = generateSigningSecret();
    assert.equal(verify(header, body, other), false);
    assert.deepEqual(verifySignature({ header, body, secret: other }), { ok: false, reason: 'mismatch' });
    assert.deepEqual(verifySignature({ header, body, secret: next, now: new Date((t + 400) * 1000) }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifySignature({ header: 't=abc,v1=00', body, secret: next }), { ok: false, reason: 'malformed' });
  });
});
