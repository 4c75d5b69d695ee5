import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, startApp, type RunningApp } from '../support/app';
import { discoverEntryPoints, type EntryPoint } from '../support/routes';
import { csrfToken, signInHttp, type HttpSession } from '../support/http-session';
import { can } from '@/lib/auth/permissions';
import type { Role } from '@/lib/db/generated/enums';
import { DEMO_USERS } from '@/lib/demo/estate';
import { DEMO_INTERFACES } from '@/lib/demo/catalog';
import { SESSION_MAX_AGE_SECONDS } from '@/lib/auth/options';

/**
 * Live half of the route × role matrix: against the real production build, every page and
 * GET route handler discovered on disk is requested as every demo role and anonymously.
 * Allowed → it works; denied → 401/403 or a redirect to /forbidden or /login, with none of
 * the estate's data in the body. Plus the session's cookie flags, expiry, sign-out, CSRF
 * refusal and security headers.
 */
let app: RunningApp;
const sessions = new Map<Role, HttpSession>();
const entries = discoverEntryPoints().filter((e) => e.kind !== 'action' && !e.isPublic && !e.dynamic);
const pages = entries.filter((e) => e.kind === 'page');
const getRoutes = entries.filter((e) => e.kind === 'route' && e.functions.some((f) => f.name === 'GET'));

/** Strings that only appear when estate data is rendered: interface keys and other people's emails. */
function sentinels(self: string | null): string[] {
  return [...DEMO_INTERFACES.map((i) => i.key), ...DEMO_USERS.map((u) => u.email).filter((e) => e !== self), 'auth.sign_in'];
}

function capabilityOf(entry: EntryPoint, fn = 'default') {
  const found = entry.functions.find((f) => f.name === fn);
  assert.ok(found?.capability, `${entry.file} has no capability (see the static matrix test)`);
  return found.capability;
}

beforeAll(async () => {
  app = await startApp();
  for (const user of DEMO_USERS) sessions.set(user.role, await signInHttp(app.baseUrl, user.email, DEMO_PASSWORD));
});

afterAll(async () => {
  await app?.stop();
});

/** A refusal: an HTTP redirect, a streamed client redirect (Next's meta refresh) or 401/403. */
async function assertRefused(response: Response, label: string, self: string | null): Promise<void> {
  const body = await response.text();
  const location = response.headers.get('location') ?? '';
  const streamedRedirect = /http-equiv="refresh" content="\d+;url=\/(forbidden|login)/.test(body);
  const refused = [401, 403].includes(response.status) || ([302, 303, 307].includes(response.status) && /\/(forbidden|login)/.test(location)) || streamedRedirect;
  assert.ok(refused, `${label}: expected a refusal, got HTTP ${response.status} ${location}`);
  for (const s of sentinels(self)) assert.ok(!body.includes(s), `${label}: refusal body leaks "${s}"`);
}

describe('route × role matrix (live)', () => {
  test('pages and routes were discovered', () => {
    assert.ok(pages.length >= 5, `only ${pages.length} static pages found`);
    assert.ok(getRoutes.some((r) => r.urlPath === '/api/v1/audit/export'));
  });

  for (const user of DEMO_USERS) {
    test(`${user.role}: every static page and GET route answers as the matrix says`, async () => {
      const session = sessions.get(user.role)!;
      for (const page of pages) {
        const capability = capabilityOf(page);
        const response = await session.get(page.urlPath!);
        const label = `${user.role} GET ${page.urlPath} (${capability})`;
        if (can(user.role, capability)) {
          const body = await response.text();
          assert.equal(response.status, 200, label);
          assert.ok(!/http-equiv="refresh" content="\d+;url=\/(forbidden|login)/.test(body), `${label}: allowed but redirected`);
          assert.match(body, /<title>[^<]+ · Plumbline<\/title>/, `${label}: its title names the page`);
        } else {
          await assertRefused(response, label, user.email);
        }
      }
      for (const route of getRoutes) {
        const capability = capabilityOf(route, 'GET');
        const response = await session.get(route.urlPath!);
        const label = `${user.role} GET ${route.urlPath} (${capability})`;
        if (can(user.role, capability)) {
          assert.ok(![401, 403].includes(response.status) && response.status < 500, `${label}: HTTP ${response.status}`);
          await response.body?.cancel();
        } else {
          await assertRefused(response, label, user.email);
        }
      }
    });
  }

  test('anonymous requests are sent to sign in or get 401', async () => {
    for (const entry of entries) {
      const response = await fetch(`${app.baseUrl}${entry.urlPath}`, { redirect: 'manual', method: entry.kind === 'route' && !entry.functions.some((f) => f.name === 'GET') ? 'POST' : 'GET' });
      await assertRefused(response, `anonymous ${entry.urlPath}`, null);
    }
  });

  test('the sentinel check can see data: allowed responses contain it', async () => {
    const admin = sessions.get('admin')!;
    assert.ok((await (await admin.get('/admin')).text()).includes('viewer@plumbline.local'));
    assert.ok((await (await admin.get('/audit')).text()).includes('auth.sign_in'));
  });

  test('an unknown address answers 404 with the app\'s own page, and a missing record the same page', async () => {
    const viewer = sessions.get('viewer')!;
    const unknown = await viewer.get('/no-such-page');
    assert.equal(unknown.status, 404);
    const body = await unknown.text();
    assert.match(body, /<title>Not found · Plumbline<\/title>/);
    assert.match(body, /<h1>Not found<\/h1>/);
    // A record page streams its loading state first, so its status is already sent; the page streamed after it is the same.
    assert.ok((await (await viewer.get('/slo/no-such-slo')).text()).includes('There is no such page, or the record it names does not exist.'));
  });
});

describe('sessions, CSRF and headers', () => {
  test('the session cookie is HTTP-only, SameSite=Lax and expires with the session max age', () => {
    const line = sessions.get('viewer')!.signInCookies.find((c) => c.startsWith('next-auth.session-token='));
    assert.ok(line, 'session cookie set');
    assert.match(line, /HttpOnly/i);
    assert.match(line, /SameSite=Lax/i);
    assert.doesNotMatch(line, /;\s*Secure/i, 'plain-http deployments cannot use Secure cookies');
    const expires = Date.parse(/Expires=([^;]+)/i.exec(line)?.[1] ?? '');
    const seconds = (expires - Date.now()) / 1000;
    assert.ok(seconds > SESSION_MAX_AGE_SECONDS - 300 && seconds <= SESSION_MAX_AGE_SECONDS + 5, `cookie lives ${seconds}s`);
  });

  test('a state-changing request from another origin is refused even for an allowed role', async () => {
    const engineer = sessions.get('integration_engineer')!;
    const response = await engineer.get('/api/v1/slo/import', { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/yaml' }, body: 'x' });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'csrf_rejected');
  });

  test('pages carry the security headers', async () => {
    const response = await sessions.get('viewer')!.get('/');
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'self'/);
    assert.equal(response.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    await response.body?.cancel();
  });

  test('sign-out ends the session', async () => {
    const session = await signInHttp(app.baseUrl, 'board@plumbline.local', DEMO_PASSWORD);
    assert.equal((await session.get('/audit')).status, 200);
    const token = await csrfToken(app.baseUrl, session.jar);
    const out = await fetch(`${app.baseUrl}/api/auth/signout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.jar.header() },
      body: new URLSearchParams({ csrfToken: token, callbackUrl: `${app.baseUrl}/login`, json: 'true' }),
    });
    session.jar.store(out);
    assert.equal(session.jar.has('next-auth.session-token'), false);
    await assertRefused(await session.get('/audit'), 'after sign-out', null);
  });

  test('a wrong password gives no session', async () => {
    await assert.rejects(signInHttp(app.baseUrl, 'viewer@plumbline.local', 'not-the-password'), /sign-in as viewer@plumbline.local failed/);
  });
});
