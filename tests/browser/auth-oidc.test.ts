import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import pg from 'pg';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { freePort, startApp, type RunningApp } from '../support/app';
import { launchBrowser } from '../support/browser';
import { createTestDatabase } from '../support/stores';

/**
 * OIDC single sign-on against a real OpenID provider (oidc-provider) on loopback: the
 * authorization code flow with PKCE and state runs through next-auth's own routes in the
 * production build, the user is created with the role mapped from the `groups` claim, and
 * a disabled SSO user is refused.
 */
const CLIENT_ID = 'plumbline-test';
const CLIENT_SECRET = 'plumbline-test-secret-0123456789';

const IDP_USERS: Record<string, { email: string; name: string; groups: string[] }> = {
  pat: { email: 'pat@contractor.example', name: 'Pat Finance', groups: ['finance-team', 'everyone'] },
  sam: { email: 'sam@contractor.example', name: 'Sam Nobody', groups: ['everyone'] },
};

let app: RunningApp;
let idp: http.Server;
let browser: Browser;
let database: { url: string; drop(): Promise<void> };

beforeAll(async () => {
  const idpPort = await freePort();
  const issuer = `http://127.0.0.1:${idpPort}`;
  database = await createTestDatabase();
  app = await startApp({
    env: {
      DATABASE_URL: database.url,
      PLUMBLINE_OIDC_ISSUER: issuer,
      PLUMBLINE_OIDC_CLIENT_ID: CLIENT_ID,
      PLUMBLINE_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      PLUMBLINE_OIDC_NAME: 'Contractor IdP',
      PLUMBLINE_OIDC_ROLE_MAP: 'plumbline-admins=admin,finance-team=finance',
    },
  });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${app.baseUrl}/api/auth/callback/oidc`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub', 'groups'], email: ['email', 'email_verified'], profile: ['name'] },
    // next-auth reads the profile from the ID token, so the scope's claims go there.
    conformIdTokenClaims: false,
    cookies: { keys: ['oidc-test-cookie-key'] },
    findAccount: (_ctx, id) => {
      const user = IDP_USERS[id];
      if (!user) return undefined;
      return { accountId: id, claims: () => ({ sub: id, email: user.email, email_verified: true, name: user.name, groups: user.groups }) };
    },
  });
  idp = http.createServer(provider.callback());
  await new Promise<void>((resolve) => idp.listen(idpPort, '127.0.0.1', resolve));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (idp ? idp.close(resolve) : resolve(undefined)));
  await app?.stop();
  await database?.drop();
});

async function ssoSignIn(page: Page, login: string): Promise<void> {
  await page.goto(`${app.baseUrl}/login`);
  await page.getByRole('button', { name: 'Sign in with Contractor IdP' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/interaction/'), { waitUntil: 'domcontentloaded' });
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.origin === app.baseUrl && !url.pathname.startsWith('/api/auth'), { waitUntil: 'domcontentloaded' });
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('OIDC single sign-on', () => {
  test('a new SSO user signs in with the role mapped from their groups', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await ssoSignIn(page, 'pat');
    assert.equal(new URL(page.url()).pathname, '/');
    await page.getByText('Pat Finance').first().waitFor();
    const [user] = await query<{ role: string; ssoIssuer: string; ssoSubject: string; passwordHash: string | null }>(
      `SELECT role, "ssoIssuer", "ssoSubject", "passwordHash" FROM "User" WHERE email = $1`,
      ['pat@contractor.example'],
    );
    assert.deepEqual({ role: user?.role, subject: user?.ssoSubject, password: user?.passwordHash }, { role: 'finance', subject: 'pat', password: null });
    const audit = await query<{ action: string }>(`SELECT action FROM "AuditLog" WHERE "actorLabel" = $1 ORDER BY id`, ['pat@contractor.example']);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['user.created_by_sso', 'auth.sign_in'],
    );
    await page.goto(`${app.baseUrl}/audit`);
    await page.waitForURL((url) => url.pathname === '/forbidden');
    await context.close();
  });

  test('without a mapped group the default role applies; an admin-set role is kept on the next sign-in', async () => {
    let context = await browser.newContext();
    let page = await context.newPage();
    await ssoSignIn(page, 'sam');
    assert.deepEqual(await query(`SELECT role FROM "User" WHERE email = $1`, ['sam@contractor.example']), [{ role: 'viewer' }]);
    await context.close();
    await query(`UPDATE "User" SET role = 'governance_board' WHERE email = $1`, ['sam@contractor.example']);
    context = await browser.newContext();
    page = await context.newPage();
    await ssoSignIn(page, 'sam');
    assert.deepEqual(await query(`SELECT role FROM "User" WHERE email = $1`, ['sam@contractor.example']), [{ role: 'governance_board' }]);
    await page.goto(`${app.baseUrl}/audit`);
    assert.equal(new URL(page.url()).pathname, '/audit');
    await context.close();
  });

  test('a disabled SSO user is refused', async () => {
    await query(`UPDATE "User" SET disabled = true WHERE email = $1`, ['pat@contractor.example']);
    const context = await browser.newContext();
    const page = await context.newPage();
    await ssoSignIn(page, 'pat');
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.getByText('Your account is disabled').waitFor();
    await context.close();
  });
});
