import { describe, expect, it } from 'vitest';
import type { ProducerRecord } from '../../src/backend/backend-types.js';
import { partitionForKey } from '../../src/backend/partitioner.js';
import { cli, eventually, openLog, openStdin, readTopic, tempDir } from './cli-test-helpers.js';

async function withTopic(partitions = 1): Promise<string> {
  const dir = tempDir();
  const r = await cli(['topics', 'create', 't', '--partitions', String(partitions), '--log-dir', dir]);
  expect(r.code).toBe(0);
  return dir;
}

describe('streamwright produce', () => {
  it('splits key and value at the first separator and places keys with the default partitioner', async () => {
    const dir = await withTopic(4);
    const input = 'user-1:{"a":1}\nuser-2:x:y\nuser-1:second\n:empty-key\n';
    const r = await cli(['produce', 't', '--key-separator', ':', '--log-dir', dir], { stdin: input });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Produced 4 records to topic "t"');
    const seen = await readTopic(dir, 't');
    // Reference: Kafka's LineMessageReader splits at the first separator; murmur2 places the key.
    const expected = [
      ['user-1', '{"a":1}'],
      ['user-2', 'x:y'],
      ['user-1', 'second'],
      ['', 'empty-key'],
    ].map(([key, value]) => ({ partition: partitionForKey(Buffer.from(key), 4), key, value }));
    // Per partition, records sit in input order at offsets 0, 1, ...
    const byPartition = (rs: readonly { partition: number; key: string | null; value: string | null }[]) =>
      [0, 1, 2, 3].map((p) => rs.filter((r) => r.partition === p).map((r) => `${r.key}=${r.value}`));
    expect(byPartition(seen)).toEqual(byPartition(expected));
    for (const s of seen) expect(s.offset).toBe(seen.filter((o) => o.partition === s.partition).indexOf(s));
    // Same key, same partition, in input order.
    const user1 = seen.filter((s) => s.key === 'user-1');
    expect(user1.map((s) => s.value)).toEqual(['{"a":1}', 'second']);
    expect(user1[1].offset).toBeGreaterThan(user1[0].offset);
  });

  it('sends whole lines as values with null keys, handles CRLF and a last line without newline', async () => {
    const dir = await withTopic(1);
    const r = await cli(['produce', 't', '--log-dir', dir], { stdin: 'one\r\n\ntwo with spaces\nlast' });
    expect(r.code).toBe(0);
    const seen = await readTopic(dir, 't');
    expect(seen.map((s) => [s.key, s.value, s.offset])).toEqual([
      [null, 'one', 0],
      [null, '', 1],
      [null, 'two with spaces', 2],
      [null, 'last', 3],
    ]);
  });

  it('reassembles lines and multi-byte characters split across stdin chunks', async () => {
    const dir = await withTopic(1);
    const text = 'k1=héllo wörld\nk2=日本語テキスト\nk3=emoji 🎉 done\n';
    const bytes = Buffer.from(text);
    // Chunks of 5 bytes cut through lines and through UTF-8 sequences.
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 5) chunks.push(bytes.subarray(i, i + 5));
    const { Readable } = await import('node:stream');
    const r = await cli(['produce', 't', '--key-separator', '=', '--log-dir', dir], { stdin: Readable.from(chunks) });
    expect(r.code).toBe(0);
    const expected = text.trimEnd().split('\n').map((l) => l.split('='));
    expect((await readTopic(dir, 't')).map((s) => [s.key, s.value])).toEqual(expected);
  });

  it('sends in batches of at most 10000 records, never one send per line', async () => {
    const dir = await withTopic(2);
    const lease = await openLog(dir);
    const sends: number[] = [];
    const original = lease.backend.producer.bind(lease.backend);
    (lease.backend as { producer: typeof original }).producer = (opts) => {
      const p = original(opts);
      const send = p.send.bind(p);
      p.send = (records: readonly ProducerRecord[]) => {
        sends.push(records.length);
        return send(records);
      };
      return p;
    };
    try {
      const lines = Array.from({ length: 25_000 }, (_, i) => `k${i % 7}:v${i}`).join('\n');
      const r = await cli(['produce', 't', '--key-separator', ':', '--log-dir', dir], { stdin: [`${lines}\n`, 'a:b\nc:d\n'] });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('Produced 25002 records');
    } finally {
      (lease.backend as { producer: typeof original }).producer = original;
      await lease.release();
    }
    expect(sends).toEqual([10_000, 10_000, 5_000, 2]);
    const seen = await readTopic(dir, 't');
    expect(seen).toHaveLength(25_002);
    // Per key, values arrive in input order.
    const v0 = seen.filter((s) => s.key === 'k0').map((s) => Number(s.value!.slice(1)));
    expect(v0).toEqual([...v0].sort((a, b) => a - b));
  });

  it('sends an interactively typed line at once, without waiting for more input', async () => {
    const dir = await withTopic(1);
    const stdin = openStdin();
    const done = cli(['produce', 't', '--log-dir', dir], { stdin });
    stdin.write('first\n');
    await eventually('the first line to be produced', 5_000, async () => (await readTopic(dir, 't')).length === 1);
    stdin.write('sec');
    stdin.write('ond\nthird\n');
    await eventually('two more lines', 5_000, async () => (await readTopic(dir, 't')).length === 3);
    stdin.end();
    expect((await done).code).toBe(0);
    expect((await readTopic(dir, 't')).map((x) => x.value)).toEqual(['first', 'second', 'third']);
  });

  it('a failed send says how many lines were acknowledged before it', async () => {
    const dir = await withTopic(1);
    const stdin = openStdin();
    const done = cli(['produce', 't', '--log-dir', dir], { stdin });
    stdin.write('one\ntwo\n');
    await eventually('two lines produced', 5_000, async () => (await readTopic(dir, 't')).length === 2);
    const lease = await openLog(dir);
    try {
      await lease.backend.admin().deleteTopics(['t']);
    } finally {
      await lease.release();
    }
    stdin.end('three\n');
    const r = await done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[TOPIC_NOT_FOUND\]: .*"t".* Lines 1-2 were produced \(acknowledged\) before the failure; .*resending from line 3/);
  });

  it('--json names the first bad line; earlier lines are produced, nothing from it on', async () => {
    const dir = await withTopic(1);
    const input = '{"n":1}\n{"n":2}\n[1,2]\n{"n":4,}\n{"n":5}\n';
    const r = await cli(['produce', 't', '--json', '--log-dir', dir], { stdin: input });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[SERIALIZATION\]: Line 4 of stdin is not valid JSON \(.+\): "\{\\"n\\":4,\}"\./);
    expect(r.stderr).toContain('Lines 1-3 were produced (3 records); nothing from line 4 on was sent.');
    expect(r.stderr).not.toContain('Produced');
    expect((await readTopic(dir, 't')).map((s) => s.value)).toEqual(['{"n":1}', '{"n":2}', '[1,2]']);
  });

  it('--json validates only the value part when a key separator is given', async () => {
    const dir = await withTopic(1);
    const ok = await cli(['produce', 't', '--json', '--key-separator', '|', '--log-dir', dir], { stdin: 'a|{"x":"1|2"}\nb|"str"\n' });
    expect(ok.code).toBe(0);
    expect((await readTopic(dir, 't')).map((s) => [s.key, s.value])).toEqual([['a', '{"x":"1|2"}'], ['b', '"str"']]);
    const bad = await cli(['produce', 't', '--json', '--key-separator', '|', '--log-dir', dir], { stdin: 'c|{}\nd-no-separator\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Line 2 of stdin has no key separator "|"');
    expect(bad.stderr).toContain('Line 1 was produced (1 record); nothing from line 2 on was sent.');
  });

  it('--timestamp-field takes record timestamps from the JSON value', async () => {
    const dir = await withTopic(1);
    const input = '{"ts":1700000000123,"v":1}\n{"ts":"2024-01-02T03:04:05.678Z","v":2}\n';
    const r = await cli(['produce', 't', '--json', '--timestamp-field', 'ts', '--log-dir', dir], { stdin: input });
    expect(r.code).toBe(0);
    expect((await readTopic(dir, 't')).map((s) => s.timestamp)).toEqual([1700000000123, Date.UTC(2024, 0, 2, 3, 4, 5, 678)]);
    const missing = await cli(['produce', 't', '--json', '--timestamp-field', 'ts', '--log-dir', dir], { stdin: '{"v":3}\n' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Line 1 of stdin has no usable timestamp in field "ts" (no such field)');
    expect(missing.stderr).toContain('Nothing was sent.');
    const noJson = await cli(['produce', 't', '--timestamp-field', 'ts', '--log-dir', dir], { stdin: '' });
    expect(noJson.code).toBe(2);
  });

  it('--partition pins every record and is checked against the partition count', async () => {
    const dir = await withTopic(3);
    const r = await cli(['produce', 't', '--partition', '2', '--key-separator', ':', '--log-dir', dir], { stdin: 'a:1\nb:2\nc:3\n' });
    expect(r.code).toBe(0);
    expect((await readTopic(dir, 't')).map((s) => [s.partition, s.key])).toEqual([[2, 'a'], [2, 'b'], [2, 'c']]);
    const bad = await cli(['produce', 't', '--partition', '3', '--log-dir', dir], { stdin: 'x\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error \[PARTITION_NOT_FOUND\]: Topic "t" has 3 partitions \(0\.\.2\); --partition 3 does not exist/);
  });

  it('fails with TOPIC_NOT_FOUND before reading stdin when the topic is missing', async () => {
    const dir = tempDir();
    const r = await cli(['produce', 'missing', '--log-dir', dir], { stdin: 'x\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[TOPIC_NOT_FOUND\]: .*"missing"/);
  });

  it('stops on the signal, sending the complete lines already read', async () => {
    const dir = await withTopic(1);
    const { PassThrough } = await import('node:stream');
    const stdin = new PassThrough();
    const ac = new AbortController();
    const done = cli(['produce', 't', '--log-dir', dir], { stdin, signal: ac.signal });
    stdin.write('first\nsecond\nunfinished');
    await eventually('the complete lines to be produced', 10_000, async () => (await readTopic(dir, 't')).length === 2);
    ac.abort();
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Stopped by signal; produced 2 records');
    expect(r.stderr).toContain('unfinished last line');
    expect((await readTopic(dir, 't')).map((s) => s.value)).toEqual(['first', 'second']);
  });
});
