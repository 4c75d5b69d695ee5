import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/app';
import { launchBrowser, signInAs } from '../support/browser';
import { ledgerEvent } from '../support/ingest';

/**
 * An admin creates an ingest key for one interface (shown once), rotates it, the old key
 * keeps working during the overlap, and after revocation it gets 401 while the new one works.
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
    await page.close();
  });

  test('a non-admin cannot open the admin screens', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'board');
    await page.goto(`${app.baseUrl}/admin/keys`);
    await page.waitForURL((url) => url.pathname === '/forbidden');
    assert.equal(await page.getByText('Create key').count(), 0);
    await page.close();
  });
});
