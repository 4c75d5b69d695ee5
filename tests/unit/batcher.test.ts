import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { KeyLock, MicroBatcher, type BatcherOptions } from '@/lib/ingest/batcher';

/** A flush that records when each batch starts and ends and finishes only when released. */
function controlledFlush() {
  const log: string[] = [];
  const releases: (() => void)[] = [];
  const flush = async (items: string[]) => {
    log.push(`start ${items.join(',')}`);
    await new Promise<void>((resolve) => releases.push(resolve));
    log.push(`end ${items.join(',')}`);
    return items.map(() => 'ok' as const);
  };
  return { log, releases, flush };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

const OPTIONS: BatcherOptions = { name: 'test', maxBatchItems: 1, maxDelayMs: 0, maxQueueItems: 100, maxConcurrentFlushes: 2 };

describe('KeyLock', () => {
  it('runs calls with different keys side by side and calls sharing a key one after another, in call order', async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    const releases = new Map<string, () => void>();
    const call = (name: string, keys: string[]) =>
      lock.run(keys, async () => {
        log.push(`start ${name}`);
        await new Promise<void>((resolve) => releases.set(name, resolve));
        log.push(`end ${name}`);
      });
    const a = call('a', ['x', 'y']);
    const b = call('b', ['z']);
    const c = call('c', ['y']);
    await tick();
    assert.deepEqual(log, ['start a', 'start b'], 'c shares y with a, so it waits');
    releases.get('b')!();
    await tick();
    assert.deepEqual(log, ['start a', 'start b', 'end b']);
    releases.get('a')!();
    await tick();
    assert.deepEqual(log.slice(3), ['end a', 'start c']);
    releases.get('c')!();
    await Promise.all([a, b, c]);
  });

  it('lets a call after a failed one run', async () => {
    const lock = new KeyLock();
    await assert.rejects(lock.run(['k'], () => Promise.reject(new Error('insert failed'))), /insert failed/);
    assert.equal(await lock.run(['k'], () => Promise.resolve('ran')), 'ran');
  });
});

describe('MicroBatcher', () => {
  it('writes a batch that arrives during a flush at once, up to maxConcurrentFlushes, and the rest as flushes end', async () => {
    const { log, releases, flush } = controlledFlush();
    const batcher = new MicroBatcher(flush, OPTIONS, (item: string) => [item]);
    const acks = ['a', 'b', 'c'].map((item) => batcher.submit([item]));
    await tick();
    assert.deepEqual(log, ['start a', 'start b'], 'two flushes at once, the third waits for a slot');
    assert.equal(batcher.depth, 1);
    releases[0]!();
    await tick();
    assert.deepEqual(log.slice(2), ['end a', 'start c']);
    releases[1]!();
    releases[2]!();
    assert.deepEqual(await Promise.all(acks), [['ok'], ['ok'], ['ok']]);
  });

  it('holds a flush back while another flush holds one of its keys', async () => {
    const { log, releases, flush } = controlledFlush();
    const batcher = new MicroBatcher(flush, OPTIONS, (item: string) => [item.split(':')[0]!]);
    const first = batcher.submit(['r1:success']);
    const second = batcher.submit(['r1:failure']);
    await tick();
    assert.deepEqual(log, ['start r1:success'], 'same record: the second flush waits');
    releases[0]!();
    await tick();
    assert.deepEqual(log.slice(1), ['end r1:success', 'start r1:failure']);
    releases[1]!();
    await Promise.all([first, second]);
  });

  it('with one flush at a time, gathers what arrives during a flush into the next', async () => {
    const { log, releases, flush } = controlledFlush();
    const batcher = new MicroBatcher(flush, { ...OPTIONS, maxBatchItems: 10, maxConcurrentFlushes: 1 }, (item: string) => [item]);
    const acks = ['a', 'b', 'c'].map((item) => batcher.submit([item]));
    await tick();
    assert.deepEqual(log, ['start a']);
    releases[0]!();
    await tick();
    assert.deepEqual(log.slice(1), ['end a', 'start b,c']);
    releases[1]!();
    await Promise.all(acks);
  });

  it('close() writes everything queued, then refuses work', async () => {
    const written: string[] = [];
    const batcher = new MicroBatcher(
      async (items: string[]) => {
        written.push(...items);
        return items.map(() => 'ok' as const);
      },
      { ...OPTIONS, maxDelayMs: 60_000 },
      (item: string) => [item],
    );
    const acks = ['a', 'b', 'c', 'd', 'e'].map((item) => batcher.submit([item]));
    await batcher.close();
    assert.deepEqual(written.sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.equal((await Promise.all(acks)).length, 5);
    await assert.rejects(batcher.submit(['f']), /shutting down/);
  });
});
