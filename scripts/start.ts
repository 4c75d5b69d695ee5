import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `npm start`: builds the web app when the build is missing or older than the sources,
 * then runs `next start`. That one Next process opens the stores, migrates, loads the demo
 * estate on an empty store and serves both the web app (PORT) and ingest (INGEST_PORT)
 * from instrumentation.ts.
 */
const root = process.cwd();
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
const nextBin = path.join(root, 'node_modules', '.bin', 'next');
const SOURCE_ROOTS = ['app', 'components', 'lib', 'ingest', 'instrumentation.ts', 'next.config.js', 'package.json', 'prisma/schema.prisma'];

function newestMtime(target: string): number {
  const full = path.join(root, target);
  if (!fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(full)) {
    if (entry === 'generated' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!fs.existsSync(path.join(root, 'lib', 'db', 'generated', 'client.ts'))) {
  run('npm', ['run', '--silent', 'prisma:generate']);
}

const buildId = path.join(root, '.next', 'BUILD_ID');
const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
if (builtAt < Math.max(...SOURCE_ROOTS.map(newestMtime))) {
  console.log('Building the web app (first start or changed sources)…');
  run(nextBin, ['build']);
}

const port = process.env.PORT ?? '3000';
const host = process.env.HOSTNAME ?? '0.0.0.0';
const server = spawn(nextBin, ['start', '-p', port, '-H', host], { stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
