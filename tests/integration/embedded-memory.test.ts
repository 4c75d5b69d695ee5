import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resetEnvCache } from '@/lib/config/env';

/**
 * The embedded stores open with the memory settings that keep the ingest service under 1 GiB
 * (README, "Ingest benchmark"): chDB's adaptive write buffers, PGlite's small shared buffers.
 */
describe('embedded stores: memory settings (chDB + PGlite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumbline-test-'));
    process.env.PLUMBLINE_DATA_DIR = dir;
    delete process.env.CLICKHOUSE_URL;
    delete process.env.DATABASE_URL;
    resetEnvCache();
  });
  afterAll(async () => {
    const { closeClickHouse } = await import('@/lib/clickhouse/client');
    const { closeDatabase } = await import('@/lib/db/client');
    await closeClickHouse();
    await closeDatabase();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts chDB with adaptive write buffers, and a reopened client keeps them', async () => {
    const { closeClickHouse, queryOne } = await import('@/lib/clickhouse/client');
    const setting = async () =>
      (await queryOne<{ value: string }>(`SELECT value FROM system.merge_tree_settings WHERE name = 'min_columns_to_activate_adaptive_write_buffer'`))?.value;
    assert.equal(await setting(), '1');
    await closeClickHouse();
    assert.equal(await setting(), '1');
  });

  it('opens PGlite with 16 MB of shared buffers, and a reopened store keeps them', async () => {
    const { closeDatabase, prisma } = await import('@/lib/db/client');
    const sharedBuffers = async () => (await (await prisma()).$queryRawUnsafe<{ shared_buffers: string }[]>('SHOW shared_buffers'))[0]?.shared_buffers;
    assert.equal(await sharedBuffers(), '16MB');
    await closeDatabase();
    assert.equal(await sharedBuffers(), '16MB');
  });
});
