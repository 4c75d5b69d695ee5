import fs from 'node:fs';
import path from 'node:path';
import { CAPABILITIES, type Capability } from '@/lib/auth/permissions';
import { PUBLIC_ROUTE_FILES } from '@/lib/auth/public-routes';

/**
 * Discovers every page, route handler and server-action module under app/ (and 'use server'
 * modules anywhere in the source tree) and reads the capability each entry point checks
 * first. Shared by the static and the live route × role matrix tests, so a route another
 * change adds is covered without editing the tests.
 */
export type EntryKind = 'page' | 'route' | 'action';

export interface EntryPoint {
  kind: EntryKind;
  /** Repository-relative file path. */
  file: string;
  /** URL path for pages and routes ('/audit', '/api/v1/audit/export'); null for actions. */
  urlPath: string | null;
  /** True when the path has a dynamic segment ([id]). */
  dynamic: boolean;
  /** Exported functions (HTTP methods for routes, action names for actions; 'default' for pages). */
  functions: { name: string; capability: Capability | null; problem: string | null }[];
  isPublic: boolean;
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const GUARD: Record<EntryKind, string> = { page: 'requirePage', route: 'requireApi', action: 'requireAction' };

function walk(root: string, dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'generated' || entry.name.startsWith('.')) continue;
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(root, rel, out);
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(rel.split(path.sep).join('/'));
  }
  return out;
}

/** A module-level 'use server' directive: the first statement after comments. */
export function isServerActionModule(source: string): boolean {
  const stripped = source.replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  return /^['"]use server['"]/.test(stripped);
}

function urlPathOf(file: string): string {
  const segments = path.posix.dirname(file).split('/').slice(1);
  // Route groups (name) and parallel slots @name do not appear in the URL.
  const visible = segments.filter((s) => !/^\(.*\)$/.test(s) && !s.startsWith('@'));
  return `/${visible.join('/')}`;
}

/** The body of each exported function, up to the next top-level export. */
function exportedFunctions(source: string): { name: string; body: string }[] {
  const re = /export\s+(?:default\s+)?(?:async\s+)?function\s*([A-Za-z0-9_]*)\s*\(/g;
  const starts: { name: string; index: number }[] = [];
  for (let m = re.exec(source); m; m = re.exec(source)) starts.push({ name: m[0].includes('default') ? 'default' : m[1]!, index: m.index });
  return starts.map((s, i) => ({ name: s.name, body: source.slice(s.index, starts[i + 1]?.index ?? source.length) }));
}

/** Functions re-exported under another name (`export { handler as GET }`). */
function reExports(source: string): { name: string; local: string }[] {
  const out: { name: string; local: string }[] = [];
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(',')) {
      const [local, alias] = part.split(/\s+as\s+/).map((p) => p.trim());
      if (local) out.push({ name: alias ?? local, local });
    }
  }
  return out;
}

function localFunction(source: string, name: string): string | null {
  const m = new RegExp(`(?:async\\s+)?function\\s+${name}\\s*\\(`).exec(source);
  if (!m) return null;
  const next = source.slice(m.index + m[0].length).search(/\n(?:export\s+|(?:async\s+)?function\s)/);
  return source.slice(m.index, next < 0 ? undefined : m.index + m[0].length + next);
}

/** The capability the function checks with its FIRST await, or why it does not qualify. */
function guardOf(body: string, guard: string): { capability: Capability | null; problem: string | null } {
  const firstAwait = /await\s+([A-Za-z0-9_.]+)\s*\(\s*(['"])([^'"]*)\2?/.exec(body);
  if (!firstAwait) return { capability: null, problem: `never awaits ${guard}()` };
  if (firstAwait[1] !== guard) return { capability: null, problem: `first await is ${firstAwait[1]}(), not ${guard}()` };
  const capability = firstAwait[3] as Capability;
  if (!(CAPABILITIES as readonly string[]).includes(capability)) return { capability: null, problem: `unknown capability '${firstAwait[3]}'` };
  return { capability, problem: null };
}

export function discoverEntryPoints(root: string = process.cwd()): EntryPoint[] {
  const files = ['app', 'components', 'lib'].filter((d) => fs.existsSync(path.join(root, d))).flatMap((d) => walk(root, d));
  const entries: EntryPoint[] = [];
  for (const file of files.sort()) {
    const base = path.posix.basename(file);
    const source = fs.readFileSync(path.join(root, file), 'utf8');
    const kind: EntryKind | null =
      file.startsWith('app/') && /^page\.(tsx|ts)$/.test(base) ? 'page' : file.startsWith('app/') && /^route\.(ts|tsx)$/.test(base) ? 'route' : isServerActionModule(source) ? 'action' : null;
    if (!kind) continue;
    const urlPath = kind === 'action' ? null : urlPathOf(file);
    const isPublic = file in PUBLIC_ROUTE_FILES;
    let functions: { name: string; body: string }[] = exportedFunctions(source);
    if (kind === 'route') {
      const aliased = reExports(source)
        .filter((r) => HTTP_METHODS.includes(r.name))
        .map((r) => ({ name: r.name, body: localFunction(source, r.local) ?? '' }));
      functions = [...functions.filter((f) => HTTP_METHODS.includes(f.name)), ...aliased];
    }
    if (kind === 'page') functions = functions.filter((f) => f.name === 'default');
    entries.push({
      kind,
      file,
      urlPath,
      dynamic: urlPath !== null && /\[/.test(urlPath),
      isPublic,
      functions: functions.map((f) => ({ name: f.name, ...guardOf(f.body, GUARD[kind]) })),
    });
  }
  return entries;
}
