import { afterEach, describe, expect, it } from 'vitest';
import { isStreamwrightError } from '../../../src/errors/index.js';
import { openEmbeddedBackend, type EmbeddedBackend } from '../../../src/backend/embedded/index.js';
import { buf, readAll, tempDir } from './embedded-test-helpers.js';

let open: EmbeddedBackend[] = [];
afterEach(async () => {
  for (const b of open) await b.close();
  open = [];
});
async function openAt(dir: string): Promise<EmbeddedBackend> {
  const b = await openEmbeddedBackend({ dataDir: dir, flush: 'never' });
  open.push(b);
  return b;
}
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isStreamwrightError(e)) return e.code;
    throw e;
  }
  return 'no error';
}
const rec = (topic: string, partition: number, v: string) => ({ topic, partition, key: buf(`k-${v}`), value: buf(v), timestamp: 1 });
const values = (rs: { value: string | null }[]) => rs.map((r) => r.value);

describe('embedded log: transactions', () => {
  it('makes records across partitions and offsets visible together at commit, never on abort', async () => {
    const dir = tempDir();
    const b = await openAt(dir);
    await b.admin().createTopics([{ name: 'in', partitions: 1 }, { name: 'out', partitions: 2 }]);
    const plain = b.producer({});
    const tx = b.producer({ transactionalId: 'app-0_0' });
    expect(tx.transactional).toBe(true);

    await tx.beginTransaction();
    const appends = await tx.send([rec('out', 0, 'a1'), rec('out', 1, 'a2')]);
    expect(appends.map((a) => [a.partition, a.baseOffset])).toEqual([[0, 0], [1, 0]]);
    await plain.send([rec('out', 0, 'plain-during-open-txn')]);
    await tx.sendOffsetsToTransaction('app', [{ topic: 'in', partition: 0, offset: 7 }]);
    // Open transaction: read_committed sees nothing past the LSO (not even the later plain record).
    expect(values(await readAll(b, 'out', { isolationLevel: 'read_committed' }))).toEqual([]);
    expect(values(await readAll(b, 'out', { isolationLevel: 'read_uncommitted' })).sort()).toEqual(['a1', 'a2', 'plain-during-open-txn']);
    expect(await b.admin().fetchCommittedOffsets('app')).toEqual([]);
    await tx.commitTransaction();
    expect(values(await readAll(b, 'out', { isolationLevel: 'read_committed' })).sort()).toEqual(['a1', 'a2', 'plain-during-open-txn']);
    expect(await b.admin().fetchCommittedOffsets('app')).toEqual([{ topic: 'in', partition: 0, offset: 7 }]);

    await tx.beginTransaction();
    await tx.send([rec('out', 0, 'b1'), rec('out', 1, 'b2')]);
    await tx.sendOffsetsToTransaction('app', [{ topic: 'in', partition: 0, offset: 9 }]);
    await tx.abortTransaction();
    await tx.beginTransaction();
    await tx.send([rec('out', 1, 'c1')]);
    await tx.commitTransaction();
    const expectCommitted = ['a1', 'a2', 'c1', 'plain-during-open-txn'];
    for (const iso of ['read_committed', 'read_uncommitted'] as const) {
      expect(values(await readAll(b, 'out', { isolationLevel: iso })).sort()).toEqual(expectCommitted);
    }
    expect(await b.admin().fetchCommittedOffsets('app')).toEqual([{ topic: 'in', partition: 0, offset: 7 }]);
    // Markers take offsets, as in Kafka: p0 = a1, plain, commit, b1, abort; p1 = a2, commit, b2, abort, c1, commit.
    expect(await b.admin().listOffsets('out')).toEqual([
      { partition: 0, earliest: 0, latest: 5 },
      { partition: 1, earliest: 0, latest: 6 },
    ]);
    const p1 = (await readAll(b, 'out')).filter((r) => r.partition === 1);
    expect(p1.map((r) => [r.offset, r.value])).toEqual([[0, 'a2'], [4, 'c1']]);

    await b.close();
    open = [];
    const b2 = await openAt(dir);
    expect(values(await readAll(b2, 'out', { isolationLevel: 'read_committed' })).sort()).toEqual(expectCommitted);
    expect(await b2.admin().fetchCommittedOffsets('app')).toEqual([{ topic: 'in', partition: 0, offset: 7 }]);
  });

  it('aborts a transaction left open at close or crash when the log is reopened', async () => {
    const dir = tempDir();
    const b = await openAt(dir);
    await b.admin().createTopics([{ name: 'o', partitions: 1 }]);
    const tx = b.producer({ transactionalId: 't' });
    await tx.beginTransaction();
    await tx.send([rec('o', 0, 'never')]);
    await b.producer({}).send([rec('o', 0, 'after')]);
    await b.close();
    open = [];
    const b2 = await openAt(dir);
    expect(values(await readAll(b2, 'o', { isolationLevel: 'read_committed' }))).toEqual(['after']);
    expect(values(await readAll(b2, 'o', { isolationLevel: 'read_uncommitted' }))).toEqual(['after']);
  });

  it('fences the older producer with the same transactionalId and aborts its open transaction', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 'f', partitions: 1 }]);
    const old = b.producer({ transactionalId: 'same' });
    await old.beginTransaction();
    await old.send([rec('f', 0, 'zombie')]);
    const fresh = b.producer({ transactionalId: 'same' });
    expect(await codeOf(old.send([rec('f', 0, 'zombie2')]))).toBe('TRANSACTION_FENCED');
    expect(await codeOf(old.commitTransaction())).toBe('TRANSACTION_FENCED');
    expect(await codeOf(old.beginTransaction())).toBe('TRANSACTION_FENCED');
    await fresh.beginTransaction();
    await fresh.send([rec('f', 0, 'good')]);
    await fresh.commitTransaction();
    expect(values(await readAll(b, 'f', { isolationLevel: 'read_committed' }))).toEqual(['good']);
    expect(values(await readAll(b, 'f', { isolationLevel: 'read_uncommitted' }))).toEqual(['good']);
  });

  it('rejects misuse with TRANSACTION_STATE', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 's', partitions: 1 }]);
    const tx = b.producer({ transactionalId: 'x' });
    expect(await codeOf(tx.send([rec('s', 0, 'v')]))).toBe('TRANSACTION_STATE');
    expect(await codeOf(tx.commitTransaction())).toBe('TRANSACTION_STATE');
    expect(await codeOf(tx.abortTransaction())).toBe('TRANSACTION_STATE');
    expect(await codeOf(tx.sendOffsetsToTransaction('g', []))).toBe('TRANSACTION_STATE');
    await tx.beginTransaction();
    expect(await codeOf(tx.beginTransaction())).toBe('TRANSACTION_STATE');
    await tx.abortTransaction();
    const plain = b.producer({});
    expect(plain.transactional).toBe(false);
    expect(await codeOf(plain.beginTransaction())).toBe('TRANSACTION_STATE');
    expect(await b.admin().listOffsets('s')).toEqual([{ partition: 0, earliest: 0, latest: 0 }]);
  });

  it('a read_committed consumer waits at the LSO and continues once the transaction commits', async () => {
    const b = await openAt(tempDir());
    await b.admin().createTopics([{ name: 'l', partitions: 1 }]);
    const tx = b.producer({ transactionalId: 'l' });
    await tx.beginTransaction();
    await tx.send([rec('l', 0, 'x')]);
    const c = b.consumer({ isolationLevel: 'read_committed' });
    await c.assign([{ topic: 'l', partition: 0, offset: 0 }]);
    const pending = c.poll({ maxRecords: 10, maxWaitMs: 20_000 });
    setTimeout(() => void tx.commitTransaction(), 20);
    const got = await pending;
    expect(got.map((g) => [g.size, g.values[0]?.toString(), g.highWatermark])).toEqual([[1, 'x', 2]]);
    await c.close();
  });
});
