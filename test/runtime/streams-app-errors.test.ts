import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/index.js';
import type { StreamwrightError } from '../../src/errors/streamwright-error.js';
import type { BackendLease } from '../../src/runtime/backend-resolver.js';
import { StreamsApp } from '../../src/runtime/streams-app.js';
import { Serdes } from '../../src/serde/index.js';
import { appTestScope, createTopics, openLog, readAll, recordingLogger, silentLogger, tempDir, waitFor } from './fixtures/app-test-helpers.js';
import { evenBangTopology } from './fixtures/app-topologies.js';

function intTopology(): ReturnType<StreamsBuilder['build']> {
  const b = new StreamsBuilder();
  b.stream<string, number>('nums', { keySerde: Serdes.String(), valueSerde: Serdes.Int() })
    .mapValues((n) => n * 10)
    .to('tens', { keySerde: Serdes.String(), valueSerde: Serdes.Int() });
  return b.build();
}

const int = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe('StreamsApp: bad input gets a typed error that says what, where and what to do', () => {
  let lease: BackendLease | undefined;
  const { apps, track } = appTestScope();

  it('rejects an unknown config key with the closest known key', () => {
    expect(() => new StreamsApp(evenBangTopology(), { 'application.id': 'a', 'commit.interval.msec': 10 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_UNKNOWN_KEY', message: expect.stringContaining('Did you mean "commit.interval.ms"?'), details: expect.objectContaining({ key: 'commit.interval.msec', suggestion: 'commit.interval.ms' }) }),
    );
    // Client settings under consumer.* / producer.* are passed through, not rejected.
    expect(() => new StreamsApp(evenBangTopology(), { 'application.id': 'a', 'consumer.session.timeout.ms': 6000 })).not.toThrow();
  });

  it('rejects a missing or malformed application.id', () => {
    expect(() => new StreamsApp(evenBangTopology(), { 'log.dir': '/tmp/x' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('Missing "application.id"') }));
    expect(() => new StreamsApp(evenBangTopology(), { 'application.id': 'has space' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('"application.id" must use only') }));
  });

  it('rejects invalid topic names when the topology is defined', () => {
    const b = new StreamsBuilder();
    const S = { keySerde: Serdes.String(), valueSerde: Serdes.String() };
    for (const bad of ['has space', '', '..', 'x'.repeat(250), 'slash/y']) {
      expect(() => b.stream(bad, S), bad).toThrow(expect.objectContaining({ code: 'TOPIC_INVALID_NAME', message: expect.stringContaining(JSON.stringify(bad)) }));
    }
    const ok = b.stream('fine', S);
    expect(() => ok.to('bad*name', S)).toThrow(expect.objectContaining({ code: 'TOPIC_INVALID_NAME' }));
    expect(() => b.stream('x'.repeat(249), S)).not.toThrow();
  });

  it('fails start() with TOPIC_NOT_FOUND saying how to create a missing source or sink topic', async () => {
    const dir = tempDir();
    lease = track(await openLog(dir));
    const app = new StreamsApp(evenBangTopology('absent-in', 'out'), { 'application.id': 'err-src', 'log.dir': dir }, { logger: silentLogger });
    apps.push(app);
    const err = (await app.start().catch((e: unknown) => e)) as StreamwrightError;
    expect(err.code).toBe('TOPIC_NOT_FOUND');
    expect(err.message).toContain('Source topic "absent-in" does not exist');
    expect(err.message).toContain('streamwright topics create absent-in');
    expect(app.state).toBe('ERROR');

    await createTopics(lease.backend, [{ name: 'present-in', partitions: 1 }]);
    const app2 = new StreamsApp(evenBangTopology('present-in', 'absent-out'), { 'application.id': 'err-sink', 'log.dir': dir }, { logger: silentLogger });
    apps.push(app2);
    await expect(app2.start()).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND', message: expect.stringContaining('Sink topic "absent-out"'), details: { topic: 'absent-out' } });
  });

  it('fails start() with SERDE_MISSING, naming the node and the fix, when a sink has no serde and no default', async () => {
    const b = new StreamsBuilder();
    // mapValues() changes the value type, so (as in Kafka Streams) the source's value serde does not carry over.
    b.stream<string, string>('in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .mapValues((v) => v.length)
      .to('out');
    const app = new StreamsApp(b.build(), { 'application.id': 'err-serde', 'log.dir': tempDir() }, { logger: silentLogger });
    apps.push(app);
    await expect(app.start()).rejects.toMatchObject({
      code: 'SERDE_MISSING',
      message: expect.stringMatching(/Sink "KSTREAM-SINK-0000000002" \(topic: out\) has no value serde\. Pass \{ keySerde, valueSerde \} to to\(\), or set default\.value\.serde/),
      details: { node: 'KSTREAM-SINK-0000000002', missing: 'value' },
    });
    expect(app.state).not.toBe('RUNNING');
    // With a default value serde the same topology passes the check.
    const withDefault = new StreamsApp(b.build(), { 'application.id': 'err-serde2', 'log.dir': tempDir(), 'default.value.serde': 'Int' }, { logger: silentLogger });
    apps.push(withDefault);
    await expect(withDefault.start()).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
  });

  async function undeserializableSetup(): Promise<string> {
    const dir = tempDir();
    lease = track(await openLog(dir));
    await createTopics(lease.backend, [{ name: 'nums', partitions: 2 }, { name: 'tens', partitions: 2 }]);
    const p = lease.backend.producer({});
    // Partition 1: offsets 0..3; offset 2 carries 3 bytes, which the Int serde cannot read.
    await p.send([
      { topic: 'nums', partition: 1, key: Buffer.from('a'), value: int(1), timestamp: 1 },
      { topic: 'nums', partition: 1, key: Buffer.from('b'), value: int(2), timestamp: 2 },
      { topic: 'nums', partition: 1, key: Buffer.from('c'), value: Buffer.from('abc'), timestamp: 3 },
      { topic: 'nums', partition: 1, key: Buffer.from('d'), value: int(4), timestamp: 4 },
      { topic: 'nums', partition: 0, key: Buffer.from('e'), value: int(5), timestamp: 5 },
    ]);
    await p.close();
    return dir;
  }

  it('log-and-continue skips an undeserializable record, counts it in dropped-records-total and keeps going', async () => {
    const dir = await undeserializableSetup();
    const logger = recordingLogger();
    const app = new StreamsApp(intTopology(), { 'application.id': 'err-cont', 'log.dir': dir, 'default.deserialization.exception.handler': 'log-and-continue' }, { logger });
    apps.push(app);
    await app.start();
    const out = await waitFor('4 outputs', 10_000, async () => {
      const got = await readAll(lease!.backend, 'tens');
      return got.length >= 4 ? got : undefined;
    });
    expect(out.map((r) => `${r.key}=${r.valueBytes!.readInt32BE(0)}`).sort()).toEqual(['a=10', 'b=20', 'd=40', 'e=50']);
    expect(app.metrics().total('dropped-records-total')).toBe(1);
    expect(app.metrics().total('dropped-records-total', { reason: 'deserialization-error' })).toBe(1);
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg.includes('topic "nums", partition 1, offset 2'))).toBe(true);
    expect(app.state).toBe('RUNNING');
  });

  it('log-and-fail stops the app in ERROR with a DESERIALIZATION error naming topic, partition and offset', async () => {
    const dir = await undeserializableSetup();
    const app = new StreamsApp(intTopology(), { 'application.id': 'err-fail', 'log.dir': dir, 'default.deserialization.exception.handler': 'log-and-fail' }, { logger: silentLogger });
    apps.push(app);
    const errors: StreamwrightError[] = [];
    app.setUncaughtExceptionHandler((e) => (errors.push(e as StreamwrightError), 'SHUTDOWN_CLIENT'));
    await app.start();
    await waitFor('ERROR state', 10_000, () => (app.state === 'ERROR' ? true : undefined));
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('DESERIALIZATION');
    expect(errors[0].message).toContain('topic "nums", partition 1, offset 2');
    expect(errors[0].message).toContain('default.deserialization.exception.handler=log-and-continue');
    expect(errors[0].details).toMatchObject({ topic: 'nums', partition: 1, offset: 2 });
    expect(app.metrics().total('dropped-records-total')).toBe(0);
  });
});
