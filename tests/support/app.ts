import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from './stores';

/**
 * Starts the real production build (`next start`, with instrumentation opening chDB,
 * migrating, loading the demo estate and starting ingest) on free ports with fresh stores.
 * The build itself is made once by scripts/test.ts before browser tests run.
 */
export interface RunningApp {
  baseUrl: string;
  ingestUrl: string;
  ingestKey: string;
  dataDir: string;
  logs(): string;
  stop(): Promise<void>;
}

export const TEST_INGEST_KEY = 'plumbline-test-bootstrap-key-0123456789';
export const DEMO_PASSWORD = 'plumbline-demo';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startApp(options: { embeddedPostgres?: boolean; env?: Record<string, string> } = {}): Promise<RunningApp> {
  const port = await freePort();
  const ingestPort = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumbline-app-'));
  const db = options.embeddedPostgres ? null : await createTestDatabase();
  let output = '';
  const child: ChildProcess = spawn(path.join('node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    env: {
      ...process.env,
      PORT: String(port),
      INGEST_PORT: String(ingestPort),
      HOSTNAME: '127.0.0.1',
      PLUMBLINE_DATA_DIR: dataDir,
      PLUMBLINE_DEMO: '1',
      PLUMBLINE_DEMO_PASSWORD: DEMO_PASSWORD,
      PLUMBLINE_INGEST_KEY: TEST_INGEST_KEY,
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      ...(db ? { DATABASE_URL: db.url } : { DATABASE_URL: '' }),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`app exited early:\n${output}`);
    return output.includes('Plumbline is up');
  }, 180_000, () => output);
  return {
    baseUrl,
    ingestUrl: `http://127.0.0.1:${ingestPort}`,
    ingestKey: TEST_INGEST_KEY,
    dataDir,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await db?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for the app:\n${describe()}`);
}
