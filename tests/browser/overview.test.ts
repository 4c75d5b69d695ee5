import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/app';
import { launchBrowser, signInAs, type DemoRole } from '../support/browser';
import { ledgerEvent } from '../support/ingest';

/**
 * The overview on the real build. With the demo estate every role sees live tiles and the
 * interface table; the unbilled tile agrees with the unbilled-rentals dashboard. On an empty
 * store the overview says so, and events sent to the ingest show up in its tiles.
 */
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const ROLES: DemoRole[] = ['admin', 'board', 'engineer', 'finance', 'viewer'];

async function tile(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

const count = (text: string) => Number(text.replace(/,/g, ''));

describe('overview with the demo estate', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  for (const role of ROLES) {
    test(`${role} signs in and sees the overview computed from the demo data`, async () => {
      const page = await browser.newPage();
      await signInAs(page, app.baseUrl, role);
      await page.goto(`${app.baseUrl}/`);
      await page.getByRole('heading', { name: 'Integration overview' }).waitFor();

      const events = count(await tile(page, 'events-24h'));
      assert.ok(events > 0, `sync attempts in the last 24 h: ${events}`);
      assert.match(await tile(page, 'failure-rate-24h'), /^\d{1,3}\.\d %$/);
      assert.ok(count(await tile(page, 'open-exceptions')) > 0, 'the demo estate leaves failures open');
      assert.match(await tile(page, 'unbilled-value'), /\$[\d,]+/);

      // The tiles are the interface table's sums, not figures of their own.
      const rows = page.locator('table tbody tr');
      assert.ok((await rows.count()) >= 5, 'the demo interfaces are listed');
      const perInterface = await rows.locator('td:nth-child(2)').allInnerTexts();
      assert.equal(perInterface.map(count).reduce((a, b) => a + b, 0), events);

      const nav = page.getByRole('navigation', { name: /main/i });
      const adminLinks = await nav.getByRole('link', { name: /^Admin/ }).count();
      assert.equal(adminLinks > 0, role === 'admin', `${role} sees Admin in the navigation only when allowed`);
      await page.close();
    });
  }

  test('a German browser sees German number formatting with exact cents', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await signInAs(page, app.baseUrl, 'finance');
    await page.goto(`${app.baseUrl}/`);
    assert.match(await tile(page, 'unbilled-value'), /^[\d.]+,\d{2}\s(CA)?\$/);
    await context.close();
    const english = await browser.newPage();
    await signInAs(english, app.baseUrl, 'finance');
    await english.goto(`${app.baseUrl}/`);
    assert.match(await tile(english, 'unbilled-value'), /^(CA)?\$[\d,]+\.\d{2}/);
    await english.close();
  });

  test('the unbilled tile matches the unbilled-rentals dashboard', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'finance');
    await page.goto(`${app.baseUrl}/`);
    const onOverview = await tile(page, 'unbilled-value');
    await page.getByTestId('unbilled-value').getByRole('link').click();
    await page.waitForURL((url) => url.pathname === '/finance/unbilled-rentals');
    assert.equal(await tile(page, 'unbilled-total'), onOverview);
    await page.close();
  });
});

describe('overview on an empty store', () => {
  const adminEmail = 'ops-lead@example.com';
  const adminPassword = 'a-long-admin-password-2026';
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ env: { PLUMBLINE_DEMO: '0', PLUMBLINE_ADMIN_EMAIL: adminEmail, PLUMBLINE_ADMIN_PASSWORD: adminPassword } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  test('shows empty states, then the events the ingest accepted', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.baseUrl}/login`);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await page.goto(`${app.baseUrl}/`);
    await page.getByText('No ledger events yet').waitFor();
    assert.equal(await tile(page, 'events-24h'), '0');
    assert.equal(await tile(page, 'failure-rate-24h'), '—');
    assert.equal(await tile(page, 'unbilled-value'), 'Nothing unbilled');

    const now = Date.now();
    const event = (n: number, status: string) =>
      ledgerEvent(n, {
        status,
        occurred_at: new Date(now - n * 60_000).toISOString(),
        ...(status === 'failed' ? { error: { category: 'validation', message: 'Missing analytic account' } } : {}),
      });
    const response = await fetch(`${app.ingestUrl}/v1/ledger`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify([event(1, 'succeeded'), event(2, 'failed'), event(3, 'succeeded'), event(4, 'succeeded')]),
    });
    assert.equal(response.status, 200, await response.text());

    // The record state behind some tiles is fed a fraction of a second after the acknowledgement (lib/ledger/state-feed.ts).
    const deadline = Date.now() + 5_000;
    do await page.reload();
    while ((await tile(page, 'open-exceptions')) !== '1' && Date.now() < deadline);
    assert.equal(await tile(page, 'events-24h'), '4');
    assert.equal(await tile(page, 'failure-rate-24h'), '25.0 %');
    assert.equal(await tile(page, 'open-exceptions'), '1');
    await page.getByRole('cell', { name: 'rental-invoicing' }).waitFor();
    await page.close();
  });
});
