import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
async function closeAll(): Promise<void> {
  for (const b of open) await b.close();
  open = [];
}
function lastSegment(dir: string, topic: string, partition: number): string {
  const d = path.join(dir, 'topics', topic, String(partition));
  const files = fs.readdirSync(d).filter((f) => f.endsWith('.log')).sort();
  return path.join(d, files[files.length - 1]);
}
/** Control batch: 44-byte header + 22-byte record overhead + 1 value byte. */
const MARKER_BYTES = 67;

async function writeTen(dir: string): Promise<string[]> {
  const b = await openAt(dir);
  await b.admin().createTopics([{ name: 't', partitions: 1 }]);
  const p = b.producer({});
  const values: string[] = [];
  for (let i = 0; i < 5; i++) {
    const batch = [0, 1].map((j) => `v${i}-${j}`);
    values.push(...batch);
    await p.send(batch.map((v) => ({ topic: 't', partition: 0, key: buf('k'), value: buf(v), timestamp: i })));
  }
  await closeAll();
  return values;
}

describe('embedded log: torn-tail recovery', () => {
  it('cuts off garbage appended after the last batch', async () => {
    const dir = tempDir();
    const values = await writeTen(dir);
    fs.appendFileSync(lastSegment(dir, 't', 0), Buffer.from('this is not a batch, just a torn write of junk bytes'));
    const b = await openAt(dir);
    expect((await readAll(b, 't')).map((r) => r.value)).toEqual(values);
    const [a] = await b.producer({}).send([{ topic: 't', partition: 0, key: null, value: buf('next'), timestamp: 9 }]);
    expect(a.baseOffset).toBe(10);
    await closeAll();
    expect((await readAll(await openAt(dir), 't')).map((r) => r.value)).toEqual([...values, 'next']);
  });

  it('drops a batch truncated mid-write and keeps everything before it', async () => {
    const dir = tempDir();
    const values = await writeTen(dir);
    const seg = lastSegment(dir, 't', 0);
    fs.truncateSync(seg, fs.statSync(seg).size - 7);
    const b = await openAt(dir);
    expect((await readAll(b, 't')).map((r) => r.value)).toEqual(values.slice(0, 8));
    expect(await b.admin().listOffsets('t')).toEqual([{ partition: 0, earliest: 0, latest: 8 }]);
  });

  it('detects a flipped byte in the last batch by its checksum', async () => {
    const dir = tempDir();
    const values = await writeTen(dir);
    const seg = lastSegment(dir, 't', 0);
    const bytes = fs.readFileSync(seg);
    bytes[bytes.length - 3] ^= 0xff;
    fs.writeFileSync(seg, bytes);
    const b = await openAt(dir);
    expect((await readAll(b, 't')).map((r) => r.value)).toEqual(values.slice(0, 8));
  });
});

describe('embedded log: transaction recovery', () => {
  async function commitOne(dir: string): Promise<void> {
    const b = await openAt(dir);
    await b.admin().createTopics([{ name: 'x', partitions: 3 }]);
    const tx = b.producer({ transactionalId: 'r' });
    await tx.beginTransaction();
    await tx.send([0, 1, 2].map((q) => ({ topic: 'x', partition: q, key: null, value: buf('T'), timestamp: 1 })));
    await tx.sendOffsetsToTransaction('g', [{ topic: 'x', partition: 0, offset: 42 }]);
    await tx.commitTransaction();
    await closeAll();
  }
  const completeFrameBytes = 8 + Buffer.byteLength(JSON.stringify({ t: 'complete', pid: 0 }));

  it('finishes a commit that crashed after its prepare entry and the first marker', async () => {
    const dir = tempDir();
    await commitOne(dir);
    // Simulate a crash after the marker of partition 0: the markers of 1 and 2, the offsets and `complete` never written.
    for (const q of [1, 2]) {
      const seg = lastSegment(dir, 'x', q);
      fs.truncateSync(seg, fs.statSync(seg).size - MARKER_BYTES);
    }
    const txlog = path.join(dir, 'transactions.log');
    fs.truncateSync(txlog, fs.statSync(txlog).size - completeFrameBytes);
    fs.writeFileSync(path.join(dir, 'consumer-offsets.log'), '');
    const b = await openAt(dir);
    expect((await readAll(b, 'x', { isolationLevel: 'read_committed' })).map((r) => `${r.partition}:${r.value}`)).toEqual(['0:T', '1:T', '2:T']);
    expect(await b.admin().fetchCommittedOffsets('g')).toEqual([{ topic: 'x', partition: 0, offset: 42 }]);
  });

  it('aborts a transaction whose commit crashed before its prepare entry was written', async () => {
    const dir = tempDir();
    await commitOne(dir);
    for (const q of [0, 1, 2]) {
      const seg = lastSegment(dir, 'x', q);
      fs.truncateSync(seg, fs.statSync(seg).size - MARKER_BYTES);
    }
    fs.writeFileSync(path.join(dir, 'transactions.log'), '');
    fs.writeFileSync(path.join(dir, 'consumer-offsets.log'), '');
    const b = await openAt(dir);
    for (const iso of ['read_committed', 'read_uncommitted'] as const) expect(await readAll(b, 'x', { isolationLevel: iso })).toEqual([]);
    expect(await b.admin().fetchCommittedOffsets('g')).toEqual([]);
    // The abort markers were written: the partitions are stable again.
    await b.producer({}).send([{ topic: 'x', partition: 0, key: null, value: buf('plain'), timestamp: 2 }]);
    expect((await readAll(b, 'x', { isolationLevel: 'read_committed' })).map((r) => r.value)).toEqual(['plain']);
  });
});
