/**
 * The crash tests' commit hold (fixtures/commit-hold-backend.ts) against a fake backend that
 * records which calls reached it: it parks exactly the commit the crash tests rely on, and lets
 * every other call through.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, LogConsumer, LogProducer, ProducerRecord } from '../../src/backend/backend-types.js';
import { CommitHold, type HeldUnit, type HoldTrigger } from './fixtures/commit-hold-backend.js';

const TOPICS = { stream: ['inner-out', 'left-out'], fk: 'fk-out' };

function fakeBackend(calls: string[]): Backend {
  const producer = (transactional: boolean): LogProducer => ({
    transactional,
    send: async (records) => (calls.push(`send ${records.map((r) => r.topic).join(',')}`), []),
    beginTransaction: async () => void calls.push('begin'),
    sendOffsetsToTransaction: async () => void calls.push('offsets'),
    commitTransaction: async () => void calls.push('commitTransaction'),
    abortTransaction: async () => void calls.push('abort'),
    close: async () => undefined,
  });
  const consumer = { commit: async () => void calls.push('commit'), assignment: () => [] } as unknown as LogConsumer;
  return { kind: 'embedded', description: 'fake', admin: () => ({}) as never, consumer: () => consumer, producer: (o) => producer(o.transactionalId !== undefined), close: async () => undefined };
}

const recs = (...topics: string[]): ProducerRecord[] => topics.map((topic) => ({ topic, key: null, value: null, timestamp: 0 }));

/** Resolves to 'parked' when `p` has not settled after the microtasks and a timer turn. */
const settled = (p: Promise<unknown>) => Promise.race([p.then(() => 'done'), new Promise((r) => setTimeout(() => r('parked'), 20))]);

function setup(trigger: HoldTrigger) {
  const calls: string[] = [];
  const held: HeldUnit[] = [];
  const hold = new CommitHold(trigger, TOPICS, (u) => held.push(u));
  return { calls, held, hold, backend: hold.wrap(fakeBackend(calls)) };
}

describe('CommitHold', () => {
  it('exactly-once: parks the first transaction that sent stream join results, once armed; earlier ones commit', async () => {
    const { calls, held, hold, backend } = setup({ on: 'stream' });
    const p = backend.producer({ transactionalId: 't-0_0' });
    // Not armed yet: commits pass.
    await p.beginTransaction();
    await p.send(recs('inner-out'));
    expect(await settled(p.commitTransaction())).toBe('done');
    hold.arm();
    // Armed, but the transaction sent no join result: it commits.
    await p.beginTransaction();
    await p.send(recs('other', 'fk-out'));
    expect(await settled(p.commitTransaction())).toBe('done');
    await p.beginTransaction();
    await p.send(recs('left-out', 'other'));
    await p.send(recs('inner-out', 'fk-out'));
    await p.sendOffsetsToTransaction('g', []);
    expect(await settled(p.commitTransaction())).toBe('parked');
    expect(held).toEqual([{ stream: 2, fk: 1 }]);
    expect(calls.filter((c) => c === 'commitTransaction')).toHaveLength(2);
    expect(calls.at(-1)).toBe('offsets');
    // Only once: a later transaction commits.
    await p.beginTransaction();
    await p.send(recs('inner-out'));
    expect(await settled(p.commitTransaction())).toBe('done');
  });

  it('at-least-once: parks the offset commit after stream join results went out through the shared producer', async () => {
    const { calls, held, hold, backend } = setup({ on: 'stream' });
    hold.arm();
    const p = backend.producer({});
    const c = backend.consumer({ groupId: 'g' });
    await p.send(recs('other'));
    expect(await settled(c.commit([]))).toBe('done');
    await p.send(recs('inner-out', 'inner-out'));
    expect(await settled(c.commit([]))).toBe('parked');
    expect(held).toEqual([{ stream: 2, fk: 0 }]);
    expect(calls).toEqual(['send other', 'commit', 'send inner-out,inner-out']);
    // Other methods reach the consumer itself.
    expect(c.assignment()).toEqual([]);
  });

  it('after-fk: waits until a committed transaction made FK results visible, then parks a unit with any join results', async () => {
    const { held, hold, backend } = setup({ on: 'after-fk', fkVisible: 0, fallbackMs: 60_000 });
    hold.arm();
    const p = backend.producer({ transactionalId: 't-0_1' });
    await p.beginTransaction();
    await p.send(recs('inner-out', 'fk-out'));
    // No FK result visible before this commit: it goes through, and makes one visible.
    expect(await settled(p.commitTransaction())).toBe('done');
    await p.beginTransaction();
    await p.send(recs('fk-out'));
    expect(await settled(p.commitTransaction())).toBe('parked');
    expect(held).toEqual([{ stream: 0, fk: 1 }]);
  });

  it('after-fk: FK results visible before the child started count, and the fallback drops the wait', async () => {
    const visible = setup({ on: 'after-fk', fkVisible: 3, fallbackMs: 60_000 });
    visible.hold.arm();
    const p = visible.backend.producer({ transactionalId: 't-0_0' });
    await p.beginTransaction();
    await p.send(recs('left-out'));
    expect(await settled(p.commitTransaction())).toBe('parked');

    const fallback = setup({ on: 'after-fk', fkVisible: 0, fallbackMs: 0 });
    fallback.hold.arm();
    const q = fallback.backend.producer({ transactionalId: 't-0_0' });
    await q.beginTransaction();
    await q.send(recs('inner-out'));
    expect(await settled(q.commitTransaction())).toBe('parked');
    expect(fallback.held).toEqual([{ stream: 1, fk: 0 }]);
  });
});
