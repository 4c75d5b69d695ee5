import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Browser, Page, Request } from 'playwright-core';
import { startApp, type RunningApp } from '../support/app';
import { launchBrowser, signInAs } from '../support/browser';

/**
 * SLOs and the trace explorer on the real build with the demo estate loaded
 * (PLUMBLINE_DEMO=1 in startApp). The demo estate defines 'Rental invoices reach Odoo'
 * (rental-invoicing, success, 99 %, 28 d, 20 minimum events, lib/demo/estate.ts); an SLO
 * created through the form with the same definition must report the same status and budget,
 * which ties what the page shows to the stored ledger data. Demo invoices carry document
 * numbers INV/2026/NNNNN on both the ledger event and the span attribute document.number,
 * and every attempt is traced rentaldesk → middleware → odoo (lib/demo/generate.ts).
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

const DEMO_SLO = 'Rental invoices reach Odoo';
const STATUS_TEXTS = ['ok', 'ticket', 'page', 'no data'];
const BUDGET_TEXT = /^(\d+\.\d %|overspent \(-?\d+ %\)|no data)$/;

function sloRow(page: Page, name: string) {
  return page.locator(`table tbody tr[data-slo-name="${name}"]`);
}

async function rowFigures(page: Page, name: string): Promise<{ status: string; budget: string }> {
  const row = sloRow(page, name);
  await row.waitFor();
  const status = (await row.locator('[data-slo-status]').textContent())?.trim() ?? '';
  const budget = (await row.locator('td').nth(6).innerText()).trim();
  return { status, budget };
}

/** Fills the create form by its labels, keyboard-reachable fields only. */
async function fillCreateForm(page: Page, name: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Create SLO' });
  // Anchored: the span-name hint mentions "interface" and its label says "name".
  await form.getByLabel(/^SLI/).selectOption('success');
  await form.getByLabel(/^Threshold \(ms\)/).waitFor({ state: 'detached' });
  await form.getByLabel(/^Interface/).selectOption('rental-invoicing');
  await form.getByLabel(/^Name/).fill(name);
  await form.getByLabel(/^Description/).fill('Created by the browser test');
  await form.getByLabel(/^Objective \(%\)/).fill('99');
  await form.getByLabel(/^Rolling window/).selectOption('28');
  await form.getByLabel(/^Minimum events before a window may alert/).fill('20');
}

describe('SLOs', () => {
  const createdName = `Invoices reach Odoo (browser test ${Date.now()})`;
  let createRequest: { actionId: string; contentType: string; body: string } | null = null;

  test('an engineer creates an SLO through the form and sees its status and budget computed from the ledger', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'engineer');
    await page.goto(`${app.baseUrl}/slo`);
    await page.getByRole('heading', { name: 'Service level objectives' }).waitFor();
    const demo = await rowFigures(page, DEMO_SLO);
    assert.ok(STATUS_TEXTS.includes(demo.status), `demo SLO status: ${demo.status}`);
    assert.notEqual(demo.status, 'no data', 'the demo estate has rental invoices in the last 28 days');
    assert.match(demo.budget, BUDGET_TEXT);

    await fillCreateForm(page, createdName);
    const actionRequest = page.waitForRequest((r: Request) => r.method() === 'POST' && Boolean(r.headers()['next-action']));
    await page.getByRole('form', { name: 'Create SLO' }).getByLabel(/^Minimum events before a window may alert/).press('Enter');
    const request = await actionRequest;
    createRequest = { actionId: request.headers()['next-action']!, contentType: request.headers()['content-type']!, body: request.postData() ?? '' };

    await page.waitForURL((url) => /^\/slo\/[^/]+$/.test(url.pathname), { timeout: 30_000 });
    await page.getByRole('heading', { level: 1, name: createdName }).waitFor();
    const statusCard = page.locator('.card', { has: page.locator('.label', { hasText: /^Status$/ }) });
    const detailStatus = (await statusCard.locator('[data-slo-status]').textContent())?.trim() ?? '';
    const budgetCard = page.locator('.card', { has: page.locator('.label', { hasText: 'Error budget remaining' }) });
    const detailBudget = (await budgetCard.locator('.value').innerText()).trim();
    // Same SLI, objective, window and minimum as the demo SLO: the same stored events give the same figures.
    assert.equal(detailStatus, demo.status);
    assert.equal(detailBudget, demo.budget);
    if (detailBudget !== 'no data') {
      const meter = budgetCard.getByRole('meter', { name: 'Error budget remaining' });
      const now = Number(await meter.getAttribute('aria-valuenow'));
      assert.ok(now >= 0 && now <= 100);
    }
    const sloWindow = page.getByRole('row', { name: /SLO window \(28 d\)/ });
    const events = Number((await sloWindow.locator('td').first().innerText()).replace(/,/g, ''));
    assert.ok(events >= 20, `the SLO window counts rental invoice syncs (${events})`);

    await page.getByRole('link', { name: '← SLOs' }).click();
    await page.waitForURL((url) => url.pathname === '/slo');
    const listed = await rowFigures(page, createdName);
    assert.deepEqual(listed, demo);
    await page.close();
  });

  test('a viewer sees SLOs but no create form, and a replayed create action is refused', async () => {
    assert.ok(createRequest, 'the engineer test captured the create request');
    const viewer = await browser.newPage();
    await signInAs(viewer, app.baseUrl, 'viewer');
    await viewer.goto(`${app.baseUrl}/slo`);
    await viewer.getByRole('heading', { name: 'Service level objectives' }).waitFor();
    await sloRow(viewer, createdName).waitFor();
    assert.equal(await viewer.getByRole('form', { name: 'Create SLO' }).count(), 0);
    assert.equal(await viewer.getByRole('heading', { name: 'New SLO' }).count(), 0);
    await sloRow(viewer, createdName).getByRole('link').click();
    await viewer.waitForURL((url) => /^\/slo\/[^/]+$/.test(url.pathname));
    await viewer.getByRole('heading', { level: 1, name: createdName }).waitFor();
    assert.equal(await viewer.getByRole('form', { name: 'Save SLO' }).count(), 0);

    // The same server action request, sent with the viewer's session, must not create anything.
    const replay = async (page: Page, name: string) => {
      const body = createRequest!.body.split(createdName).join(name);
      assert.notEqual(body, createRequest!.body, 'the captured request carries the SLO name');
      return page.request.post(`${app.baseUrl}/slo`, {
        headers: { 'next-action': createRequest!.actionId, 'content-type': createRequest!.contentType, origin: app.baseUrl, accept: 'text/x-component' },
        data: body,
        maxRedirects: 0,
      });
    };
    const forgedName = `Forged by viewer ${Date.now()}`;
    const refused = await replay(viewer, forgedName);
    assert.match(await refused.text(), /may not do this \(slo\.manage\)/);

    // Control: the same replay as an engineer does create, so the refusal above is the permission check.
    const engineer = await browser.newPage();
    await signInAs(engineer, app.baseUrl, 'engineer');
    const acceptedName = `Replayed by engineer ${Date.now()}`;
    const accepted = await replay(engineer, acceptedName);
    assert.doesNotMatch(await accepted.text(), /may not do this/);
    await engineer.goto(`${app.baseUrl}/slo`);
    await sloRow(engineer, acceptedName).waitFor();
    assert.equal(await sloRow(engineer, forgedName).count(), 0, 'the viewer’s replay created no SLO');
    await engineer.close();
    await viewer.close();
  });
});

interface LedgerEventJson {
  documentNumber: string;
  occurredAt: string;
  traceId: string;
}

describe('trace explorer', () => {
  test('searching by an invoice number finds its trace, with spans across the systems and the ledger event', async () => {
    const page = await browser.newPage();
    await signInAs(page, app.baseUrl, 'engineer');

    // A real invoice from the stored ledger, older than a day: the business-key search must look back further.
    const to = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const from = new Date(Date.now() - 60 * 86_400_000).toISOString();
    const response = await page.request.get(`${app.baseUrl}/api/v1/ledger/events?interface=rental-invoicing&from=${from}&to=${to}&page_size=200`);
    assert.equal(response.status(), 200);
    const { events } = (await response.json()) as { events: LedgerEventJson[] };
    const invoice = events.find((e) => /^INV\/2026\/\d{5}$/.test(e.documentNumber) && e.traceId);
    assert.ok(invoice, 'the demo estate has rental invoices with traces');
    const documentNumber = invoice.documentNumber;

    await page.goto(`${app.baseUrl}/traces`);
    await page.getByRole('heading', { name: 'Traces' }).waitFor();
    const search = page.getByRole('search', { name: 'Find traces' });
    await search.getByLabel('Business key').fill(documentNumber);
    await search.getByLabel('Business key').press('Enter');
    await page.waitForURL((url) => url.pathname === '/traces' && url.searchParams.get('q') === documentNumber);

    const rows = page.locator('table:has(caption:has-text("Matching traces")) tbody tr');
    await page.locator('table:has(caption:has-text("Matching traces")), p.empty').first().waitFor();
    assert.ok((await rows.count()) > 0, `a trace is found for ${documentNumber} (${invoice.occurredAt}): ${await page.locator('p.empty').allInnerTexts()}`);
    for (const text of await rows.allInnerTexts()) assert.ok(text.includes(documentNumber), `every match is that invoice: ${text}`);

    await rows.first().getByRole('link').first().click();
    await page.waitForURL((url) => /^\/traces\/[0-9a-f]{32}$/.test(url.pathname));
    const waterfall = page.getByRole('list', { name: 'Spans of this trace' });
    await waterfall.waitFor();
    const services = new Set(await waterfall.locator('[data-span-service]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-span-service'))));
    for (const service of ['rentaldesk', 'middleware', 'odoo']) assert.ok(services.has(service), `waterfall has a ${service} span (has ${[...services].join(', ')})`);

    const ledgerPanel = page.getByRole('complementary', { name: 'Ledger events of this trace' });
    await ledgerPanel.waitFor();
    const ledgerEvents = ledgerPanel.locator('li');
    assert.ok((await ledgerEvents.count()) > 0);
    await ledgerEvents.filter({ hasText: documentNumber }).first().waitFor();
    assert.match(await ledgerPanel.innerText(), /rental-invoicing/);
    await page.close();
  });
});
