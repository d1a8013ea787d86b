import { describe, expect, it } from 'vitest';
import { engineKeyId } from '../../src/state/kv-key-id-codec.js';
import { encodeStoredValue } from '../../src/state/kv-value-codec.js';
import { MemoryKeyValueEngine } from '../../src/state/memory-kv-engine.js';
import { pick, rng } from './state-test-helpers.js';

interface Held {
  readonly bytes: Buffer;
  readonly ts: number;
}

/** Keys of several shapes: 8-byte (Long-like, some with small-integer ids), 4-byte and other lengths. */
function keys(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    const b = Buffer.alloc(8);
    if (i % 4 === 3) b.writeInt32BE(-1, 0);
    b.writeUInt32BE(i * 7919, 4);
    out.push(b);
  }
  for (let i = 0; i < 20; i++) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(i % 3 === 0 ? -i : i * 1_000_003, 0);
    out.push(b);
  }
  for (let i = 0; i < 20; i++) out.push(Buffer.from(`key-${i}`));
  return out;
}

/** Random value bytes, from empty to several KB (a few values fill the first 64 KB arena). */
function value(r: () => number): Buffer {
  const len = r() < 0.2 ? Math.floor(r() * 9000) : Math.floor(r() * 80);
  const b = Buffer.alloc(len);
  const seed = Math.floor(r() * 256);
  for (let i = 0; i < len; i++) b[i] = (seed + i * 31) & 255;
  return b;
}

async function expectModel(engine: MemoryKeyValueEngine, model: ReadonlyMap<string, Held>, all: readonly Buffer[]): Promise<void> {
  for (const k of all) {
    const want = model.get(k.toString('latin1'));
    const id = engineKeyId(k);
    expect(engine.peekValue(id)).toEqual(want === undefined ? null : want.bytes);
    expect(engine.peekTimestamp(id)).toBe(want === undefined ? 0 : want.ts);
    expect(await engine.read(k)).toEqual(want === undefined ? undefined : encodeStoredValue(want.bytes, want.ts));
  }
  expect(await engine.count()).toBe(model.size);
  const sorted = [...model.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
  const entries = await engine.entries(undefined, undefined);
  expect(entries.map(([k]) => k.toString('latin1'))).toEqual(sorted);
  for (const [k, stored] of entries) {
    const want = model.get(k.toString('latin1'))!;
    expect(stored).toEqual(encodeStoredValue(want.bytes, want.ts));
  }
}

describe('MemoryKeyValueEngine against a Map model', () => {
  it('puts, overwrites and deletes of values up to several KB (arena growth and compaction), read back by peek, read, entries and count', async () => {
    const r = rng(11);
    const all = keys();
    const engine = new MemoryKeyValueEngine();
    await engine.open();
    const model = new Map<string, Held>();
    // A view peeked early must keep its bytes while later writes grow and compact the arena.
    const early: { view: Buffer; copy: Buffer }[] = [];
    for (let step = 0; step < 3000; step++) {
      const k = pick(r, all);
      const op = r();
      if (op < 0.65) {
        const v = value(r);
        const ts = Math.floor(r() * 2e12) - 1e6;
        engine.put(engineKeyId(k), k, v, ts);
        model.set(k.toString('latin1'), { bytes: Buffer.from(v), ts });
        v.fill(0xee); // the engine keeps a copy, not the caller's buffer
      } else if (op < 0.85) {
        engine.put(engineKeyId(k), k, null, 0);
        model.delete(k.toString('latin1'));
      } else if (early.length < 50) {
        const view = engine.peekValue(engineKeyId(k));
        if (view) early.push({ view, copy: Buffer.from(view) });
      }
      if (step % 500 === 499) await expectModel(engine, model, all);
    }
    await expectModel(engine, model, all);
    for (const e of early) expect(e.view).toEqual(e.copy);
    await engine.close();
    expect(await engine.count()).toBe(0);
  });

  it('restore() copies the record bytes (they may be a view of a fetched batch) and a null deletes', async () => {
    const engine = new MemoryKeyValueEngine();
    await engine.open();
    const fetched = Buffer.from('....hello....');
    const key = Buffer.from([0, 0, 0, 0, 0, 0, 0, 42]);
    engine.restore(key, fetched.subarray(4, 9), 77);
    fetched.fill(0);
    expect(engine.peekValue(engineKeyId(key))).toEqual(Buffer.from('hello'));
    expect(engine.peekTimestamp(engineKeyId(key))).toBe(77);
    engine.restore(key, null, 78);
    expect(engine.peekValue(engineKeyId(key))).toBeNull();
    expect(await engine.count()).toBe(0);
  });

  it('Long keys with small ids, sparse then dense (ids moving from the Map to the direct table as it grows), and deleted again', async () => {
    const r = rng(23);
    const longKey = (n: number): Buffer => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(n, 4);
      return b;
    };
    // Far ones first, while few keys are held; then a dense run from 0 that lets the table cover them.
    const ids = [200_000, 150_000, 2 ** 30 - 1, 70_000];
    for (let n = 0; n < 40_000; n++) ids.push(n);
    ids.push(140_000, 250_000);
    const all = ids.map(longKey);
    const engine = new MemoryKeyValueEngine();
    await engine.open();
    const model = new Map<string, Held>();
    const check = async (): Promise<void> => {
      // Every far key and a sample of the dense ones (a full model check of 40K keys is slow).
      const sample = [...all.slice(0, 4), ...all.slice(-2), ...Array.from({ length: 200 }, () => pick(r, all))];
      for (const k of sample) {
        const want = model.get(k.toString('latin1'));
        expect(engine.peekValue(engineKeyId(k))).toEqual(want === undefined ? null : want.bytes);
        expect(engine.peekTimestamp(engineKeyId(k))).toBe(want === undefined ? 0 : want.ts);
      }
      expect(await engine.count()).toBe(model.size);
    };
    for (let i = 0; i < all.length; i++) {
      const v = Buffer.from(`v${i}`);
      engine.put(engineKeyId(all[i]), all[i], v, i);
      model.set(all[i].toString('latin1'), { bytes: v, ts: i });
      if (i === 3 || i === 10_000 || i === all.length - 1) await check();
    }
    // The far ids below 2^18 moved into the direct table once 40K keys made it dense enough.
    expect((engine as unknown as { slots: Map<number, number> }).slots.size).toBe(1);
    const entries = await engine.entries(undefined, undefined);
    expect(entries.length).toBe(model.size);
    expect(entries.map(([k]) => k.toString('latin1'))).toEqual([...model.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'))));
    for (let i = 0; i < all.length; i += 2) {
      engine.put(engineKeyId(all[i]), all[i], null, 0);
      model.delete(all[i].toString('latin1'));
    }
    await check();
    await engine.close();
  });
});
