import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startApp, type RunningApp } from '../support/app';
import { launchBrowser, signInAs } from '../support/browser';

/**
 * Finance on the real build with the demo estate loaded (PLUMBLINE_DEMO=1 in startApp):
 * the unbilled rentals page shows a non-empty table, a filter lands in the URL, the CSV
 * export answers, failed invoice syncs show money at risk, an engineer assigns and resolves a
 * case, and a viewer sees failures but no triage controls. Depends on the demo
 * estate emitting rental and invoice events (lib/demo/generate.ts).
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

describe('finance dashboards', () => {
  test('finance opens unbilled rentals, sees the headline and lines, filters by currency, exports CSV', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'finance');
    await page.goto(`${app.baseUrl}/finance/unbilled-rentals`);
    await page.getByRole('heading', { name: 'Unbilled rentals' }).waitFor();
    const total = await page.getByTestId('unbilled-total').textContent();
    assert.match(total ?? '', /\$|CA\$/, 'the headline shows an amount');
    const rows = page.locator('table:has(caption:has-text("Contract lines with unbilled value")) tbody tr');
    assert.ok((await rows.count()) > 0);
    assert.doesNotMatch((await rows.first().textContent()) ?? '', /No contract line/);

    await page.locator('form[role="search"] select[name="currency"]').selectOption('USD');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => url.searchParams.get('currency') === 'USD');
    assert.equal(new URL(page.url()).searchParams.get('currency'), 'USD');

    // The table's export link carries the view's filters, sort and cause, which the API checks strictly.
    const tableDownload = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV: Contract lines with unbilled value' }).click();
    const text = (await import('node:fs')).readFileSync(await (await tableDownload).path(), 'utf8');
    assert.match(text.split('\n')[0] ?? '', /^contract_line_id,/);
    assert.ok(text.trim().split('\n').length > 1);
    assert.doesNotMatch(text, /,CAD,/);

    // A mistyped filter is a 400 naming each bad parameter, not another view's rows.
    const mistyped = await page.request.get(`${app.baseUrl}/api/v1/finance/unbilled-rentals?to=2026-13-45&currency=usd&format=csv`);
    assert.equal(mistyped.status(), 400);
    const error = (await mistyped.json()) as { error: { code: string; details: { parameter: string }[] } };
    assert.equal(error.error.code, 'invalid_filters');
    assert.deepEqual(error.error.details.map((d) => d.parameter).sort(), ['currency', 'to']);

    // The breakdown by customer shows its top rows; its export link downloads every customer, still filtered.
    const byCustomer = page.locator('div:has(> h3:text-is("By customer"))');
    const download = page.waitForEvent('download');
    await byCustomer.getByRole('link', { name: 'Export CSV: By customer' }).click();
    const file = await (await download).path();
    const fs = await import('node:fs');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'customer,lines,unbilled_USD', 'one money column per currency of the filtered view');
    assert.ok(lines.length - 1 >= (await byCustomer.locator('tbody tr').count()), 'every customer, not only those shown');

    // A mistyped link: the page reads it leniently, showing the default view and saying what it did not read.
    await page.goto(`${app.baseUrl}/finance/unbilled-rentals?to=2026-13-45&currency=usd`);
    assert.match((await page.getByTestId('ignored-params').textContent()) ?? '', /to must be a date as YYYY-MM-DD; currency must be a currency code such as USD/);
    assert.match((await page.getByTestId('unbilled-total').textContent()) ?? '', /\$|CA\$/);
    await page.close();
  });

  test('a past day says which day its figures are being computed for, and a link to another view replaces them', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'finance');
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    // The streamed response holds the progress note (as HTML, or in the stream when the figures were quick), then the figures.
    const html = await (await page.request.get(`${app.baseUrl}/finance/unbilled-rentals?to=${day}`)).text();
    assert.match(html, new RegExp(`Computing the figures as of ${day}…`));
    assert.match(html, /The first look at a past day works out every contract line/);

    await page.goto(`${app.baseUrl}/finance/unbilled-rentals?to=${day}`);
    assert.match((await page.getByTestId('unbilled-total').textContent()) ?? '', /\$|CA\$|Nothing unbilled/);
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL((url) => url.searchParams.get('page') === '2' && url.searchParams.get('to') === day);
    await page.getByText(/Page 2 of \d+/).waitFor();
    assert.equal(await page.getByTestId('unbilled-loading').count(), 0, 'the progress note gives way to the figures');
    assert.ok((await page.locator('table:has(caption:has-text("Contract lines with unbilled value")) tbody tr').count()) > 0);
    await page.close();
  });

  test('finance opens failed invoice syncs and sees money at risk and business-language errors', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'finance');
    await page.goto(`${app.baseUrl}/finance/invoice-exceptions`);
    await page.getByRole('heading', { name: 'Failed invoice syncs' }).waitFor();
    assert.match((await page.getByTestId('money-at-risk').textContent()) ?? '', /\$/);
    assert.ok((await page.locator('table:has(caption:has-text("Open invoice exceptions")) tbody tr').count()) > 0);
    await page.close();
  });

  test('an engineer opens a failure group, then assigns and resolves one of its cases', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'engineer');
    await page.goto(`${app.baseUrl}/operations/failures?sort=largest`);
    await page.locator('table:has(caption:has-text("Failure groups")) tbody tr a').first().click();
    await page.waitForURL((url) => url.searchParams.has('signature'));
    const records = page.locator('table:has(caption:has-text("Records in this group"))');
    const download = page.waitForEvent('download');
    await records.getByRole('link', { name: 'Export CSV: Records in this group' }).click();
    const exported = (await import('node:fs')).readFileSync(await (await download).path(), 'utf8').trim().split('\n');
    assert.match(exported[0] ?? '', /^source_record_id,interface,/);
    assert.ok(exported.length - 1 >= (await records.locator('tbody tr').count()), 'every record of the group');
    // The case sync runs every 30 s in the background; wait for it to have created the cases.
    const caseLink = page.locator('table:has(caption:has-text("Records in this group")) a[href^="/operations/cases/"]').first();
    for (let i = 0; i < 20 && (await caseLink.count()) === 0; i++) {
      await new Promise((r) => setTimeout(r, 3000));
      await page.reload();
    }
    await caseLink.click();
    await page.waitForURL(/\/operations\/cases\//);
    await page.locator('select[name="assigneeId"]').selectOption({ label: 'Emery Engineer (integration_engineer)' });
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByText('Assigned.').waitFor();
    await page.getByLabel('Reason (required)').fill('Analytic account created in Odoo; posted by hand');
    await page.getByRole('button', { name: 'Resolve manually' }).click();
    // The page re-renders with the case resolved (the resolve form is gone, the reason shown).
    await page.getByText('— Analytic account created in Odoo; posted by hand').waitFor();
    await page.reload();
    assert.equal(await page.getByRole('button', { name: 'Resolve manually' }).count(), 0);
    await page.close();
  });

  test('every export link on the finance and failure pages answers, with the view\'s filters, sort and state', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'engineer');
    const views = [
      '/finance/unbilled-rentals?currency=USD&sort=age&dir=asc&cause=returned_not_invoiced',
      '/finance/invoice-exceptions?state=all&sort=amount&dir=asc&page=2',
      '/operations/failures?sort=oldest&state=open',
    ];
    for (const view of views) {
      await page.goto(`${app.baseUrl}${view}`);
      assert.equal(await page.getByTestId('ignored-params').count(), 0, `${view} reads every parameter`);
      const links = await page.locator('a[download]').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
      assert.ok(links.length > 0, `${view} has export links`);
      for (const link of links) assert.equal((await page.request.get(`${app.baseUrl}${link}`)).status(), 200, `${view}: ${link}`);
    }
    await page.close();
  });

  test('a viewer sees the failure queue but no triage forms', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'viewer');
    await page.goto(`${app.baseUrl}/operations/failures?sort=largest`);
    await page.getByRole('heading', { name: 'Failures' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Assign the whole group' }).count(), 0);
    await page.close();
  });
});
