import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/app';
import { launchBrowser, signInAs } from '../support/browser';
import { ledgerEvent } from '../support/ingest';

/**
 * An admin creates an ingest key for one interface (shown once), rotates it, the old key
 * keeps working during the overlap, and after revocation it gets 401 while the new one works.
 * A webhook endpoint's signing secret is likewise shown once on creation and on rotation,
 * then only masked.
 */
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

let sequence = 0;
async function postLedger(key: string): Promise<number> {
  sequence += 1;
  const event = ledgerEvent(900_000 + sequence, { interface_id: 'rental-invoicing', source_system: 'rentaldesk', target_system: 'odoo', occurred_at: new Date().toISOString() });
  const response = await fetch(`${app.ingestUrl}/v1/ledger`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [event] }),
  });
  await response.body?.cancel();
  return response.status;
}

async function issuedKey(page: Page): Promise<string> {
  const key = (await page.getByTestId('issued-key').textContent({ timeout: 30_000 }))?.trim() ?? '';
  assert.match(key, /^plk_[A-Za-z0-9_-]{20,}$/);
  return key;
}

describe('admin: ingest key rotation in the browser', () => {
  test('create (shown once), rotate with overlap, revoke', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'admin');
    await page.goto(`${app.baseUrl}/admin/keys`);
    await page.getByLabel('Name').fill('rentaldesk production');
    await page.getByLabel('Interface').selectOption({ label: 'rental-invoicing — Rental invoices → Odoo' });
    await page.getByRole('button', { name: 'Create key' }).click();
    const oldKey = await issuedKey(page);
    assert.equal(await postLedger(oldKey), 200);

    await page.reload();
    assert.equal(await page.getByText(oldKey).count(), 0, 'the key is not shown again');
    const row = page.locator(`tr[data-key-prefix="${oldKey.slice(0, 12)}"]`);
    await row.getByRole('button', { name: 'Rotate' }).click();
    const newKey = await issuedKey(page);
    assert.notEqual(newKey, oldKey);
    assert.equal(await postLedger(newKey), 200, 'the new key works at once');
    assert.equal(await postLedger(oldKey), 200, 'the old key keeps working during the overlap');

    await page.reload();
    await row.getByText('expiring').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor({ timeout: 30_000 }).catch(async () => {
      await page.reload();
      await row.getByText('revoked').waitFor();
    });
    assert.equal(await postLedger(oldKey), 401, 'the revoked key is refused');
    assert.equal(await postLedger(newKey), 200);

    await page.goto(`${app.baseUrl}/audit?action=ingest_key.`);
    for (const action of ['ingest_key.created', 'ingest_key.rotated', 'ingest_key.revoked']) await page.getByText(action, { exact: true }).first().waitFor();

    // A start time that does not read: the export refuses it, naming it; the page shows the log without it and says so.
    const export400 = await page.request.get(`${app.baseUrl}/api/v1/audit/export?from=last-week&action=ingest_key.`);
    assert.equal(export400.status(), 400);
    assert.equal(((await export400.json()) as { error: { details: { parameter: string }[] } }).error.details[0]?.parameter, 'from');
    await page.goto(`${app.baseUrl}/audit?from=last-week&action=ingest_key.`);
    assert.match((await page.getByTestId('ignored-params').textContent()) ?? '', /from must be an ISO 8601 time/);
    await page.getByText('ingest_key.created', { exact: true }).first().waitFor();
    await page.close();
  });

  test('a non-admin cannot open the admin screens', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'board');
    await page.goto(`${app.baseUrl}/admin/keys`);
    await page.waitForURL((url) => url.pathname === '/forbidden');
    assert.equal(await page.getByText('Create key').count(), 0);
    await page.goto(`${app.baseUrl}/admin/webhooks`);
    await page.waitForURL((url) => url.pathname === '/forbidden');
    assert.equal(await page.getByText('Add endpoint').count(), 0);
    await page.close();
  });
});

async function issuedSecret(page: Page): Promise<string> {
  const secret = (await page.getByTestId('issued-secret').textContent({ timeout: 30_000 }))?.trim() ?? '';
  assert.match(secret, /^plws_[A-Za-z0-9_-]{43}$/);
  return secret;
}

describe('admin: webhook signing secrets in the browser', () => {
  test('the secret is shown once on creation and on rotation, then only masked', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'admin');
    await page.goto(`${app.baseUrl}/admin/webhooks`);
    const create = page.locator('form', { has: page.getByRole('button', { name: 'Add endpoint' }) });
    await create.getByLabel('Name').fill('Ops alerts');
    await create.getByLabel('URL').fill('https://hooks.example.com/plumbline');
    await create.getByLabel('Events').fill('slo.alert');
    await create.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await issuedSecret(page);
    await page.getByText('it will not be shown again').first().waitFor();

    await page.reload();
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is not shown again');
    assert.equal((await page.content()).includes(secret.slice(5)), false, 'not even in the page source');
    const row = page.locator('tr[data-endpoint-id]', { hasText: `plws_…${secret.slice(-4)}` });
    await row.waitFor();

    await row.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await issuedSecret(page);
    assert.notEqual(rotated, secret);
    await page.reload();
    assert.equal(await page.getByText(rotated).count(), 0);
    const rotatedRow = page.locator('tr[data-endpoint-id]', { hasText: `plws_…${rotated.slice(-4)}` });
    await rotatedRow.getByText('previous secret also signs until').waitFor();

    const replay = page.locator('[data-webhook="replay"]');
    await replay.getByRole('button', { name: 'Create replay secret' }).click();
    const replaySecret = await issuedSecret(page);
    await page.reload();
    await replay.getByText(`plws_…${replaySecret.slice(-4)}`).waitFor();
    assert.equal(await page.getByText(replaySecret).count(), 0);

    await page.goto(`${app.baseUrl}/audit?action=webhook.`);
    for (const action of ['webhook.created', 'webhook.secret_rotated', 'webhook.secret_created']) await page.getByText(action, { exact: true }).first().waitFor();
    for (const value of [secret, rotated, replaySecret]) assert.equal((await page.content()).includes(value.slice(5)), false, 'no secret in the audit log');
    await page.close();
  });
});
