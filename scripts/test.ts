import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `npm test`: typecheck, build the app (browser tests run the real production build),
 * then every test file under tests/ in one run of Node's test runner, so its closing
 * summary counts them all. Integration tests need PostgreSQL on 127.0.0.1:5432
 * (TEST_POSTGRES_URL) and browser tests Chromium at /usr/bin/chromium (CHROMIUM_PATH).
 */
const root = process.cwd();
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

function step(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed`);
    process.exit(result.status ?? 1);
  }
}

function testFiles(dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => path.join(dir, name));
}

const only = process.argv.slice(2);
const suites = only.length ? only : ['unit', 'integration', 'browser'];
const files = suites.flatMap((suite) => testFiles(path.join('tests', suite)));

step('prisma generate', 'npm', ['run', '--silent', 'prisma:generate']);
step('typecheck', bin('tsc'), ['--noEmit']);
if (suites.includes('browser') && testFiles(path.join('tests', 'browser')).length > 0) {
  step('next build', bin('next'), ['build']);
}
step(`tests (${files.length} files)`, process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-timeout=600000',
  ...files,
]);
