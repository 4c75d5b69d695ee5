import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { discoverEntryPoints, isServerActionModule } from '../support/routes';
import { can, ROLES } from '@/lib/auth/permissions';
import { PUBLIC_ROUTE_FILES } from '@/lib/auth/public-routes';

/**
 * Static half of the route × role matrix: every page, route handler and server action in
 * the app is discovered from the file system and must check a known capability as its
 * first await (requirePage / requireApi / requireAction). The live half, which requests
 * every page as every demo role, is tests/browser/route-matrix.test.ts.
 */
const entries = discoverEntryPoints();

describe('route × role matrix (static)', () => {
  test('discovery finds the app’s pages, route handlers and server actions', () => {
    const kinds = new Set(entries.map((e) => e.kind));
    assert.deepEqual([...kinds].sort(), ['action', 'page', 'route']);
    for (const known of ['app/audit/page.tsx', 'app/admin/page.tsx', 'app/api/v1/audit/export/route.ts', 'app/admin/actions.ts']) {
      assert.ok(
        entries.some((e) => e.file === known),
        `${known} not discovered`,
      );
    }
  });

  test('every public file exists, so the exemption list cannot rot', () => {
    for (const file of Object.keys(PUBLIC_ROUTE_FILES)) assert.ok(fs.existsSync(file), `${file} is listed as public but does not exist`);
  });

  for (const entry of entries.filter((e) => !e.isPublic)) {
    test(`${entry.kind} ${entry.urlPath ?? entry.file} checks a capability first`, () => {
      assert.ok(entry.functions.length > 0, `${entry.file} exports no ${entry.kind === 'page' ? 'default page component' : 'functions'}`);
      for (const fn of entry.functions) {
        assert.equal(fn.problem, null, `${entry.file} ${fn.name}: ${fn.problem}`);
        const allowed = ROLES.filter((r) => can(r, fn.capability!));
        assert.ok(allowed.includes('admin') || fn.capability === 'schema.vote', `${entry.file} ${fn.name}: capability ${fn.capability} excludes every role`);
      }
    });
  }

  test('the checker itself rejects an unguarded entry point', async () => {
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'route-matrix-'));
    try {
      fs.mkdirSync(path.join(dir, 'app', 'leaky'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'app', 'api', 'leak'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'app', 'leaky', 'page.tsx'), `export default async function Page() { const rows = await loadSecrets(); return null; }`);
      fs.writeFileSync(path.join(dir, 'app', 'api', 'leak', 'route.ts'), `export async function GET() { return Response.json(await rows()); }`);
      fs.writeFileSync(path.join(dir, 'app', 'leaky', 'actions.ts'), `'use server';\nexport async function act() { await requireAction('not.a.capability'); }`);
      const found = discoverEntryPoints(dir);
      assert.equal(found.length, 3);
      for (const e of found) assert.ok(e.functions.some((f) => f.problem !== null), `${e.file} should be flagged`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("'use server' detection skips comments and needs the directive first", () => {
    assert.equal(isServerActionModule(`// why\n/* more */\n'use server';\nexport async function a() {}`), true);
    assert.equal(isServerActionModule(`import x from 'y';\n'use server';`), false);
  });
});
