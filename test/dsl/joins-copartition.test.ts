import { describe, expect, it } from 'vitest';
import type { LogAdmin } from '../../src/backend/backend-types.js';
import { JoinWindows } from '../../src/dsl/join-windows.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import type { Topology } from '../../src/graph/topology.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { setupTopics } from '../../src/runtime/topic-setup.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { fakeAdmin } from '../runtime/fixtures/fake-admin.js';

const S = Serdes.String();
const I = Serdes.Int();

const setup = (t: Topology, admin: LogAdmin) => setupTopics(t, admin, 'app', { replicationFactor: 1, logger: silentLogger });

function streamStream(): Topology {
  const b = new StreamsBuilder();
  const l = b.stream<string, number>('left', { keySerde: S, valueSerde: I });
  const r = b.stream<string, number>('right', { keySerde: S, valueSerde: I });
  l.join(r, (a, c) => a + c, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out', { keySerde: S, valueSerde: I });
  return b.build();
}

function streamTable(rekey: boolean): Topology {
  const b = new StreamsBuilder();
  let s = b.stream<string, number>('orders', { keySerde: S, valueSerde: I });
  if (rekey) s = s.selectKey((k) => k.toUpperCase());
  s.join(b.table<string, number>('customers', { keySerde: S, valueSerde: I }), (a, c) => a + c).to('out', { keySerde: S, valueSerde: I });
  return b.build();
}

describe('join co-partitioning (checked when the app starts)', () => {
  it('throws NOT_CO_PARTITIONED naming both topics, their partition counts and the fix', async () => {
    const err = await setup(streamStream(), fakeAdmin({ left: 3, right: 2, out: 1 })).catch((e: unknown) => e);
    expect(isStreamwrightError(err, 'NOT_CO_PARTITIONED')).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toContain('"left" (3 partitions)');
    expect(msg).toContain('"right" (2 partitions)');
    expect(msg).toContain('repartition(');
    const table = await setup(streamTable(false), fakeAdmin({ orders: 4, customers: 2, out: 1 })).catch((e: unknown) => e);
    expect(isStreamwrightError(table, 'NOT_CO_PARTITIONED')).toBe(true);
  });

  it('accepts co-partitioned inputs', async () => {
    const plan = await setup(streamStream(), fakeAdmin({ left: 3, right: 3, out: 1 }));
    expect(plan.partitions.get('left')).toBe(3);
  });

  it('sizes a join repartition topic like the other side, so a re-keyed stream joins a table with fewer partitions', async () => {
    const admin = fakeAdmin({ orders: 6, customers: 2, out: 1 });
    await setup(streamTable(true), admin);
    const repartition = admin.created.find((t) => t.name.endsWith('-repartition'));
    expect(repartition?.name).toBe('app-KSTREAM-KEY-SELECT-0000000001-repartition');
    expect(repartition?.partitions).toBe(2);
  });
});

describe('join topology', () => {
  it('inserts the repartition topic after a key change only, filtering null keys first, and reuses it for a second join', () => {
    const b = new StreamsBuilder();
    const orders = b.stream<string, number>('orders', { keySerde: S, valueSerde: I }).selectKey((k) => k);
    const t1 = b.table<string, number>('t1', { keySerde: S, valueSerde: I });
    const t2 = b.table<string, number>('t2', { keySerde: S, valueSerde: I });
    orders.join(t1, (a, c) => a + c).to('o1', { keySerde: S, valueSerde: I });
    orders.leftJoin(t2, (a, c) => a + (c ?? 0)).to('o2', { keySerde: S, valueSerde: I });
    const t = b.build();
    expect(t.internalTopics.map((x) => x.name)).toEqual(['KSTREAM-KEY-SELECT-0000000001-repartition']);
    expect(t.nodes.map((n) => n.name)).toContain('KSTREAM-KEY-SELECT-0000000001-repartition-filter');
    expect(t.nodes.filter((n) => n.kind === 'streamTableJoin').map((n) => n.name)).toEqual(['KSTREAM-JOIN-0000000008', 'KSTREAM-LEFTJOIN-0000000010']);
  });

  it('a join store without a serde fails at start with SERDE_MISSING naming the store', () => {
    const b = new StreamsBuilder();
    const l = b.stream<string, number>('left', { keySerde: S });
    const r = b.stream<string, number>('right', { keySerde: S, valueSerde: I });
    l.join(r, (a, c) => a + c, JoinWindows.ofTimeDifferenceWithNoGrace(10), { storeName: 'pairs' }).to('out', { keySerde: S, valueSerde: I });
    let err: unknown;
    try {
      new TopologyTestDriver(b.build()).close();
    } catch (e) {
      err = e;
    }
    expect(isStreamwrightError(err, 'SERDE_MISSING')).toBe(true);
    expect((err as Error).message).toContain('"pairs-this-join-store"');
  });

  it('JoinWindows rejects negative sizes and a join of two streams without windows', () => {
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(-1)).toThrow(/time difference/);
    expect(() => JoinWindows.ofTimeDifferenceAndGrace(5, -1)).toThrow(/grace/);
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(5).before(-6)).toThrow(/must not be negative/);
    const b = new StreamsBuilder();
    const l = b.stream<string, number>('left');
    const r = b.stream<string, number>('right');
    expect(() => (l.join as (...a: unknown[]) => unknown)(r, () => 0)).toThrow(/JoinWindows/);
  });
});
