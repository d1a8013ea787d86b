import { concat, from, interval, map, Subject, take, throwError, toArray, firstValueFrom, filter } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Backend, ProducerRecord } from '../../src/backend/backend-types.js';
import { StreamsBuilder } from '../../src/dsl/index.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { produceFrom } from '../../src/runtime/observable-edge.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/index.js';
import { appTestScope, createTopics, openLog, readAll, silentLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';

interface Reading {
  readonly sensor: string;
  readonly celsius: number;
  readonly at: number;
}

/** The same backend, recording the size of every producer.send(). */
function countingSends(backend: Backend): { backend: Backend; sends: number[] } {
  const sends: number[] = [];
  const wrapped: Backend = {
    kind: backend.kind,
    description: backend.description,
    admin: () => backend.admin(),
    consumer: (o) => backend.consumer(o),
    close: () => backend.close(),
    producer: (o) => {
      const p = backend.producer(o);
      return {
        transactional: p.transactional,
        send: (records: readonly ProducerRecord[]) => (sends.push(records.length), p.send(records)),
        beginTransaction: () => p.beginTransaction(),
        sendOffsetsToTransaction: (g, off) => p.sendOffsetsToTransaction(g, off),
        commitTransaction: () => p.commitTransaction(),
        abortTransaction: () => p.abortTransaction(),
        close: () => p.close(),
      };
    },
  };
  return { backend: wrapped, sends };
}

const S = Serdes.String();

describe('observable edge: produceFrom() and KStream.toObservable()', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  async function setup(topics: { name: string; partitions: number }[]): Promise<{ dir: string; log: Backend }> {
    const dir = tempDir('sw-obs-');
    lease = track(await openLog(dir));
    await createTopics(lease.backend, topics);
    return { dir, log: lease.backend };
  }

  it('writes a synchronous Observable in full batches (never one send per item) and resolves done on completion', async () => {
    const { log } = await setup([{ name: 'readings', partitions: 3 }]);
    const counting = countingSends(log);
    const items: Reading[] = Array.from({ length: 1000 }, (_, i) => ({ sensor: `s${i % 7}`, celsius: i / 10, at: 10_000 + i }));
    const handle = produceFrom(from(items), {
      backend: counting.backend,
      topic: 'readings',
      keySerde: S,
      valueSerde: Serdes.Json<Reading>(),
      key: (r) => r.sensor,
      timestamp: (r) => r.at,
    });
    await handle.done;
    expect(handle.closed).toBe(true);
    expect(handle.acknowledged).toBe(1000);
    // 1000 items emitted in one tick with the default maxBatchSize 500: exactly two sends.
    expect(counting.sends).toEqual([500, 500]);
    const out = await readAll(log, 'readings');
    expect(out).toHaveLength(1000);
    // Per key, order and timestamps are kept; the key decides the partition.
    for (let k = 0; k < 7; k++) {
      const mine = out.filter((r) => r.key === `s${k}`);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => JSON.parse(r.value!) as Reading)).toEqual(items.filter((r) => r.sensor === `s${k}`));
      expect(mine.map((r) => r.timestamp)).toEqual(items.filter((r) => r.sensor === `s${k}`).map((r) => r.at));
    }
  });

  it('batches items that arrive over several ticks, flush() waits for acknowledgement, unsubscribe() stops the feed', async () => {
    const { log } = await setup([{ name: 'events', partitions: 1 }]);
    const counting = countingSends(log);
    const subject = new Subject<string>();
    const handle = produceFrom(subject, { backend: counting.backend, topic: 'events', keySerde: S, valueSerde: S, timestamp: () => 5 });
    for (let tick = 0; tick < 4; tick++) {
      for (let i = 0; i < 25; i++) subject.next(`t${tick}-${i}`);
      await new Promise((r) => setImmediate(r));
    }
    await handle.flush();
    expect(handle.acknowledged).toBe(100);
    expect((await readAll(log, 'events')).map((r) => r.value)).toEqual(Array.from({ length: 100 }, (_, i) => `t${Math.floor(i / 25)}-${i % 25}`));
    expect(counting.sends.length).toBeGreaterThanOrEqual(1);
    expect(counting.sends.length).toBeLessThanOrEqual(4);
    expect(counting.sends.reduce((a, b) => a + b, 0)).toBe(100);

    subject.next('last');
    handle.unsubscribe();
    expect(subject.observed).toBe(false);
    subject.next('ignored');
    await handle.done;
    const all = await readAll(log, 'events');
    expect(all).toHaveLength(101);
    expect(all[100].value).toBe('last');
    // Without a key function keys are null; the timestamp function set every timestamp.
    expect(all.every((r) => r.key === null && r.timestamp === 5)).toBe(true);
  });

  it('a source error rejects done after writing what arrived before it', async () => {
    const { log } = await setup([{ name: 'e', partitions: 1 }]);
    const boom = new Error('sensor feed broke');
    const handle = produceFrom(concat(from(['a', 'b', 'c']), throwError(() => boom)), { backend: log, topic: 'e', keySerde: S, valueSerde: S });
    await expect(handle.done).rejects.toBe(boom);
    await expect(handle.flush()).rejects.toBe(boom);
    expect((await readAll(log, 'e')).map((r) => r.value)).toEqual(['a', 'b', 'c']);
  });

  it('a serialization error rejects done with SERIALIZATION naming the item, after writing the items before it', async () => {
    const { log } = await setup([{ name: 'ints', partitions: 1 }]);
    const subject = new Subject<number>();
    const handle = produceFrom(subject, { backend: log, topic: 'ints', keySerde: S, valueSerde: Serdes.Int() });
    subject.next(1);
    subject.next(2);
    subject.next(2.5);
    expect(subject.observed).toBe(false);
    await expect(handle.done).rejects.toMatchObject({ code: 'SERIALIZATION', message: expect.stringContaining('item #2 into a record for topic "ints"'), details: { topic: 'ints', item: 2 } });
    expect((await readAll(log, 'ints')).map((r) => r.valueBytes!.readInt32BE(0))).toEqual([1, 2]);
  });

  it('a send failure (missing topic) rejects done with the backend error code and unsubscribes', async () => {
    const { log } = await setup([]);
    const subject = new Subject<string>();
    const handle = produceFrom(subject, { backend: log, topic: 'nowhere', keySerde: S, valueSerde: S });
    subject.next('x');
    const err = await handle.done.then(() => undefined, (e: unknown) => e as { code: string; message: string });
    expect(err?.code).toBe('TOPIC_NOT_FOUND');
    expect(err?.message).toContain('topic "nowhere"');
    expect(err?.message).toContain('1 were not written');
    expect(subject.observed).toBe(false);
    expect(() => produceFrom(subject, { backend: log, topic: 'bad name', keySerde: S, valueSerde: S })).toThrow(expect.objectContaining({ code: 'TOPIC_INVALID_NAME' }));
  });

  it('round trip: produceFrom feeds a running StreamsApp and toObservable() emits what the app computes', async () => {
    const { dir, log } = await setup([{ name: 'temps', partitions: 2 }, { name: 'hot', partitions: 2 }]);
    const b = new StreamsBuilder();
    const hot = b
      .stream<string, Reading>('temps', { keySerde: S, valueSerde: Serdes.Json<Reading>() })
      .filter((_k, r) => r.celsius >= 30)
      .mapValues((r) => `${r.sensor}:${r.celsius}`);
    hot.to('hot', { keySerde: S, valueSerde: S });
    const observed = hot.toObservable();
    const app = new StreamsApp(b.build(), { 'application.id': 'obs-roundtrip', 'log.dir': dir, 'commit.interval.ms': 20 }, { logger: silentLogger });
    apps.push(app);
    const count = 60;
    // Reference: every reading is `sensor s<i%3>` at i degrees; those >= 30 come out as "s<n>:<deg>".
    const expected = Array.from({ length: count }, (_, i) => i).filter((i) => i >= 30).map((i) => ({ key: `s${i % 3}`, value: `s${i % 3}:${i}` }));
    const collected = firstValueFrom(observed.pipe(take(expected.length), toArray()));
    await app.start();
    await app.waitUntilRunning(5_000);
    const feed = produceFrom(
      interval(1).pipe(
        take(count),
        map((i): Reading => ({ sensor: `s${i % 3}`, celsius: i, at: 1_000 + i })),
      ),
      { backend: log, topic: 'temps', keySerde: S, valueSerde: Serdes.Json<Reading>(), key: (r) => r.sensor, timestamp: (r) => r.at },
    );
    await feed.done;
    const seen = await Promise.race([collected, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('toObservable() did not emit every record within 10 s')), 10_000))]);
    const sortPairs = (xs: { key: string | null; value: string | null }[]) => xs.map((x) => `${x.key}=${x.value}`).sort();
    expect(sortPairs(seen)).toEqual(sortPairs(expected));
    // Per key (one partition, one task) the observable keeps processing order.
    for (let s = 0; s < 3; s++) expect(seen.filter((r) => r.key === `s${s}`).map((r) => r.value)).toEqual(expected.filter((r) => r.key === `s${s}`).map((r) => r.value));
    const out = await waitFor('the sink output', 5_000, async () => {
      const got = await readAll(log, 'hot');
      return got.length >= expected.length ? got : undefined;
    });
    expect(sortPairs(out)).toEqual(sortPairs(expected));
    // A late subscriber sees only what is processed after it subscribed.
    const late: string[] = [];
    const sub = observed.pipe(filter((r) => r.key === 's0')).subscribe((r) => late.push(r.value));
    await produceFrom(from([{ sensor: 's0', celsius: 99, at: 5_000 }]), { backend: log, topic: 'temps', keySerde: S, valueSerde: Serdes.Json<Reading>(), key: (r) => r.sensor }).done;
    await waitFor('the late record', 5_000, () => (late.length > 0 ? true : undefined));
    sub.unsubscribe();
    expect(late).toEqual(['s0:99']);
  });
});
