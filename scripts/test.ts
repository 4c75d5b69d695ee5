import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `npm test`: typecheck, build the app (browser tests run the real production build),
 * then every test file under tests/ in one vitest run (vitest.config.ts), so its closing
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

function hasTests(dir: string): boolean {
  const full = path.join(root, dir);
  return fs.existsSync(full) && fs.readdirSync(full).some((name) => name.endsWith('.test.ts'));
}

const only = process.argv.slice(2);
const suites = only.length ? only : ['unit', 'integration', 'browser'];

step('prisma generate', 'npm', ['run', '--silent', 'prisma:generate']);
step('typecheck', bin('tsc'), ['--noEmit']);
if (suites.includes('browser') && hasTests(path.join('tests', 'browser'))) {
  step('next build', bin('next'), ['build']);
}
step(`tests (${suites.join(', ')})`, bin('vitest'), ['run', ...suites.map((suite) => path.join('tests', suite) + '/')]);
