import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, startApp, type RunningApp } from '../support/app';
import { launchBrowser, signInAs } from '../support/browser';
import { createTestDatabase } from '../support/stores';
import { hashPassword } from '@/lib/auth/passwords';
import { baselinePayloadSchema } from '@/lib/demo/catalog';

/**
 * An engineer proposes a schema change, cannot approve it; two board members approve it
 * (the demo estate has one board member, so the test adds a second) and it becomes active.
 */
let app: RunningApp;
let browser: Browser;
let database: { url: string; drop(): Promise<void> };
const SECOND_BOARD = 'board2@plumbline.local';

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startApp({ env: { DATABASE_URL: database.url } });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`INSERT INTO "User" (id, email, name, "passwordHash", role, "updatedAt") VALUES ($1, $2, 'Second Board', $3, 'governance_board', now())`, [
    crypto.randomUUID(),
    SECOND_BOARD,
    await hashPassword(DEMO_PASSWORD),
  ]);
  await client.end();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await database?.drop();
});

async function signInEmail(page: Page, email: string): Promise<void> {
  await page.goto(`${app.baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 30_000 });
}

async function approve(page: Page, url: string, comment: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Comment').fill(comment);
  await page.getByRole('button', { name: 'Approve' }).click();
  // The page re-renders with the vote in its list (and without a vote form for this voter).
  const refusal = page.getByRole('alert').filter({ hasText: /\S/ });
  await page.getByText(comment).or(refusal).first().waitFor({ timeout: 30_000 });
  assert.equal(await refusal.count(), 0, `the vote was refused: ${await refusal.allTextContents()}`);
}

describe('governance: schema change approval in the browser', () => {
  test('engineer proposes, cannot approve; two board members approve and the version becomes active', async () => {
    const engineer = await browser.newPage();
    await signInAs(engineer, app.baseUrl, 'engineer');
    await engineer.goto(`${app.baseUrl}/governance/schema-changes`);
    const select = engineer.getByRole('form', { name: 'Propose schema version' }).locator('select[name="interfaceKey"]');
    const interfaceKey = await select.locator('option').nth(1).getAttribute('value');
    assert.ok(interfaceKey, 'the demo estate has at least one interface');
    await select.selectOption(interfaceKey);
    await engineer.getByLabel('New version').fill('9.9-browser');
    // The active demo schema plus one optional field: an additive, non-breaking change.
    const active = baselinePayloadSchema(interfaceKey);
    const schema = { ...active, properties: { ...(active.properties as object), note: { type: 'string' } } };
    await engineer.getByLabel('JSON Schema (2020-12)').fill(JSON.stringify(schema));
    await engineer.getByLabel(/Migration plan/).fill('Producers may start sending the optional note field.');
    await engineer.getByRole('button', { name: 'Propose version' }).click();
    await engineer.waitForURL(/\/governance\/schema-changes\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    const proposalUrl = engineer.url();
    assert.equal((await engineer.getByTestId('proposal-status').textContent())?.trim(), 'proposed');
    assert.equal(await engineer.getByRole('button', { name: 'Approve' }).count(), 0, 'an engineer gets no vote form');

    const board = await browser.newPage();
    await signInAs(board, app.baseUrl, 'board');
    await approve(board, proposalUrl, 'Additive, fine.');
    assert.equal((await board.getByTestId('proposal-status').textContent())?.trim(), 'proposed');
    await board.reload();
    assert.equal(await board.getByRole('button', { name: 'Approve' }).count(), 0, 'one vote per person');

    const secondBoardContext = await browser.newContext();
    const second = await secondBoardContext.newPage();
    await signInEmail(second, SECOND_BOARD);
    await approve(second, proposalUrl, 'Agreed.');
    await second.reload();
    assert.equal((await second.getByTestId('proposal-status').textContent())?.trim(), 'active');
    const timeline = await second.locator('ol li').allTextContents();
    assert.ok(timeline.some((t) => t.includes('schema.activate')), 'activation is on the timeline');

    await second.goto(`${app.baseUrl}/governance/interfaces`);
    const row = second.locator(`tr[data-interface="${interfaceKey}"]`);
    assert.match((await row.textContent()) ?? '', /9\.9-browser/);
    await secondBoardContext.close();
  });
});
