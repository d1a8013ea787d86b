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

/** One transaction that sends a batch per topic list; resolves to how its commit ended. */
async function transaction(p: LogProducer, ...batches: string[][]): Promise<unknown> {
  await p.beginTransaction();
  for (const topics of batches) await p.send(recs(...topics));
  return settled(p.commitTransaction());
}

/** An armed hold's transactional producer. */
function armedProducer(trigger: HoldTrigger) {
  const s = setup(trigger);
  s.hold.arm();
  return { ...s, p: s.backend.producer({ transactionalId: 't-0_0' }) };
}

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
    expect(await transaction(p, ['inner-out'])).toBe('done');
    hold.arm();
    // Armed, but the transaction sent no join result: it commits.
    expect(await transaction(p, ['other', 'fk-out'])).toBe('done');
    await p.beginTransaction();
    await p.send(recs('left-out', 'other'));
    await p.send(recs('inner-out', 'fk-out'));
    await p.sendOffsetsToTransaction('g', []);
    expect(await settled(p.commitTransaction())).toBe('parked');
    expect(held).toEqual([{ stream: 2, fk: 1 }]);
    expect(calls.filter((c) => c === 'commitTransaction')).toHaveLength(2);
    expect(calls.at(-1)).toBe('offsets');
    // Only once: a later transaction commits.
    expect(await transaction(p, ['inner-out'])).toBe('done');
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
    const { held, p } = armedProducer({ on: 'after-fk', fkVisible: 0, fallbackMs: 60_000 });
    // No FK result visible before this commit: it goes through, and makes one visible.
    expect(await transaction(p, ['inner-out', 'fk-out'])).toBe('done');
    expect(await transaction(p, ['fk-out'])).toBe('parked');
    expect(held).toEqual([{ stream: 0, fk: 1 }]);
  });

  it('after-fk: FK results visible before the child started count, and the fallback drops the wait', async () => {
    const visible = armedProducer({ on: 'after-fk', fkVisible: 3, fallbackMs: 60_000 });
    expect(await transaction(visible.p, ['left-out'])).toBe('parked');

    const fallback = armedProducer({ on: 'after-fk', fkVisible: 0, fallbackMs: 0 });
    expect(await transaction(fallback.p, ['inner-out'])).toBe('parked');
    expect(fallback.held).toEqual([{ stream: 1, fk: 0 }]);
  });
});
