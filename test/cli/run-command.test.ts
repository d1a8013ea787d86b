import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mergeRunConfig } from '../../src/cli/run-command.js';
import { CaptureStream, cli, eventually, openLog, readTopic, tempDir } from './cli-test-helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const UPPERCASE_APP = fixture('uppercase-app-fixture.ts');
const STATIC_APP = fixture('static-topology-fixture.ts');

async function committed(dir: string, group: string, topic: string) {
  const lease = await openLog(dir);
  try {
    return await lease.backend.admin().fetchCommittedOffsets(group, [topic]);
  } finally {
    await lease.release();
  }
}

describe('streamwright run', () => {
  it('runs an app module until the signal, prints state changes, and commits before exiting 0', async () => {
    const dir = tempDir();
    const log = ['--log-dir', dir];
    expect((await cli(['topics', 'create', 'words', '--partitions', '2', ...log])).code).toBe(0);
    expect((await cli(['topics', 'create', 'shouted', '--partitions', '2', ...log])).code).toBe(0);
    const input = ['a:hello', 'b:', 'a:world', 'c:streams', 'b:again'];
    expect((await cli(['produce', 'words', '--key-separator', ':', ...log], { stdin: `${input.join('\n')}\n` })).code).toBe(0);

    const ac = new AbortController();
    const stderr = new CaptureStream();
    // A 10-minute commit interval: the committed offsets checked below can only come from the close.
    const running = cli(['run', UPPERCASE_APP, '--config', 'commit.interval.ms=600000', ...log], { signal: ac.signal, stderr });
    // Reference: filter out empty values, upper-case the rest, keep keys.
    const expected = input.map((l) => l.split(':')).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v.toUpperCase()}`);
    await eventually('the app to write its output', 15_000, async () => (await readTopic(dir, 'shouted')).length === expected.length);
    const out = await readTopic(dir, 'shouted');
    expect(out.map((r) => `${r.key}=${r.value}`).sort()).toEqual([...expected].sort());
    // Per key, order is kept (same key, same partition).
    expect(out.filter((r) => r.key === 'a').map((r) => r.value)).toEqual(['HELLO', 'WORLD']);

    ac.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(stderr.text).toContain('Starting cli-fixture-app');
    expect(stderr.text).toContain('State: CREATED -> REBALANCING');
    expect(stderr.text).toContain('State: REBALANCING -> RUNNING');
    expect(stderr.text).toContain('State: PENDING_SHUTDOWN -> NOT_RUNNING');
    expect(stderr.text).toContain('Closed cli-fixture-app.');
    // Graceful close committed everything it processed: the group's offsets are the input's end offsets.
    const lease = await openLog(dir);
    const ends = await lease.backend.admin().listOffsets('words');
    await lease.release();
    const offsets = await committed(dir, 'cli-fixture-app', 'words');
    expect(offsets.map((o) => [o.partition, o.offset]).sort()).toEqual(ends.filter((e) => e.latest > 0).map((e) => [e.partition, e.latest]).sort());
  });

  it('--application-id and --config override the module; an unknown key is CONFIG_UNKNOWN_KEY', async () => {
    const dir = tempDir();
    for (const t of ['in', 'out']) await cli(['topics', 'create', t, '--log-dir', dir]);
    await cli(['produce', 'in', '--log-dir', dir], { stdin: 'x\ny\n' });
    const ac = new AbortController();
    const running = cli(['run', STATIC_APP, '--application-id', 'custom-id', '--config', 'commit.interval.ms=20', '--config', 'log.level=silent', '--log-dir', dir], { signal: ac.signal });
    await eventually('output', 15_000, async () => (await readTopic(dir, 'out')).length === 2);
    expect((await readTopic(dir, 'out')).map((r) => r.value)).toEqual(['x!', 'y!']);
    ac.abort();
    expect((await running).code).toBe(0);
    expect(await committed(dir, 'custom-id', 'in')).toEqual([{ topic: 'in', partition: 0, offset: 2 }]);

    const typo = await cli(['run', STATIC_APP, '--application-id', 'x', '--config', 'comit.interval.ms=5', '--log-dir', dir]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^error \[CONFIG_UNKNOWN_KEY\]: Unknown config key "comit\.interval\.ms"\. Did you mean "commit\.interval\.ms"\?/);
    // The static module has no config, so application.id is required.
    const noId = await cli(['run', STATIC_APP, '--log-dir', dir]);
    expect(noId.code).toBe(1);
    expect(noId.stderr).toMatch(/^error \[CONFIG_INVALID\]: Missing "application.id"/);
  });

  it('exits 1 with the processing error when the app fails', async () => {
    const dir = tempDir();
    for (const t of ['words', 'shouted']) await cli(['topics', 'create', t, '--log-dir', dir]);
    await cli(['produce', 'words', '--log-dir', dir], { stdin: 'fine\nboom\n' });
    const r = await cli(['run', fixture('failing-app-fixture.ts'), '--log-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('State: PENDING_ERROR -> ERROR');
    expect(r.stderr).toMatch(/error \[[A-Z_]+\]: .*fixture failure on "boom"/);
  });

  it('refuses modules without a topology, missing files and missing source topics', async () => {
    const dir = tempDir();
    const notApp = await cli(['run', fixture('not-an-app-fixture.ts'), '--log-dir', dir]);
    expect(notApp.code).toBe(1);
    expect(notApp.stderr).toMatch(/^error \[TOPOLOGY_INVALID\]: App module .*not-an-app-fixture\.ts exports neither `topology` nor `buildTopology` \(it exports: config, helper\)/);
    const missing = await cli(['run', 'no/such/app.js', '--log-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error \[CONFIG_INVALID\]: App module .*no\/such\/app\.js does not exist/);
    const noTopic = await cli(['run', UPPERCASE_APP, '--log-dir', dir]);
    expect(noTopic.code).toBe(1);
    expect(noTopic.stderr).toMatch(/error \[TOPIC_NOT_FOUND\]: Source topic "words" does not exist/);
  });

  it('merges config with precedence module < env < --config < flags', () => {
    const values = { config: ['log.dir=/from-config', 'poll.ms=5'], 'application-id': 'flag-id' };
    const ctx = { io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: { STREAMWRIGHT_LOG_DIR: '/from-env', STREAMWRIGHT_BOOTSTRAP_SERVERS: 'env:9092' } }, values, positionals: [], global: { bootstrapServers: undefined, logDir: '', logDirExplicit: false, verbose: false } };
    const merged = mergeRunConfig(ctx, { 'application.id': 'module-id', 'log.dir': '/from-module', 'commit.interval.ms': 7 });
    expect(merged).toEqual({ 'application.id': 'flag-id', 'log.dir': '/from-config', 'bootstrap.servers': 'env:9092', 'poll.ms': '5', 'commit.interval.ms': 7 });
    const withFlags = mergeRunConfig({ ...ctx, values: { ...values, 'log-dir': '/from-flag', 'bootstrap-server': 'flag:9092' } }, {});
    expect(withFlags['log.dir']).toBe('/from-flag');
    expect(withFlags['bootstrap.servers']).toBe('flag:9092');
  });
});

describe('streamwright describe', () => {
  it("prints the topology in Kafka Streams' TopologyDescription shape, or as JSON", async () => {
    // A named processor takes no index (Kafka's NamedInternal), so the sink is number 1.
    const r = await cli(['describe', STATIC_APP]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])',
        '      --> exclaim',
        '    Processor: exclaim (stores: [])',
        '      --> KSTREAM-SINK-0000000001',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Sink: KSTREAM-SINK-0000000001 (topic: out)',
        '      <-- exclaim',
        '',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await cli(['describe', STATIC_APP, '--json'])).stdout) as { subtopologies: { nodes: { name: string }[] }[] };
    expect(json.subtopologies[0].nodes.map((n) => n.name)).toEqual(['KSTREAM-SOURCE-0000000000', 'exclaim', 'KSTREAM-SINK-0000000001']);
  });
});
