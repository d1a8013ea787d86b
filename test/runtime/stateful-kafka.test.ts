/**
 * The stateful quality bars on the Kafka backend.
 *
 * Every run (the CI peer is librdkafka's mock cluster, see docs/kafka-backend.md; a broker when
 * KAFKA_BOOTSTRAP_SERVERS is set; STREAMWRIGHT_SKIP_KAFKA=1 skips):
 * - at_least_once, cache off: the windowed aggregation's output, its store (app.store) and a
 *   restore from the Kafka changelog after the state dir is deleted all equal the reference;
 * - exactly_once_v2, cache off, no crash: the output equals the reference updates exactly.
 * The mock neither filters aborted records for read_committed readers nor stores offsets sent in a
 * transaction, so exactly-once after a crash cannot be checked on it.
 *
 * Only with a real broker (KAFKA_BOOTSTRAP_SERVERS=host:port, auto.create.topics.enable=false is
 * closest to what the tests expect): the exactly-once SIGKILL scenarios of
 * stateful-crash-eos.test.ts (child processes on Kafka, state dir kept or deleted), whose
 * read_committed output must equal the reference exactly. A restarted child waits for the group to
 * drop the killed member (session.timeout.ms 6 s), so these take a minute or two.
 *   KAFKA_BOOTSTRAP_SERVERS=localhost:9092 npx vitest run test/runtime/stateful-kafka.test.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKafkaBackend } from '../../src/backend/kafka/index.js';
import { realBroker, skipKafka, suiteTestCluster, uniqueName, waitFor } from '../backend/kafka/kafka-test-cluster.js';
import { tempDir } from './fixtures/app-test-helpers.js';
import { decodeOutput, STORE, type Guarantee } from './fixtures/stateful-app-fixture.js';
import { describeOutcome, runCrashScenario } from './fixtures/stateful-crash-harness.js';
import { restoredByTask, startStatefulApp, storeContents, waitCommittedToEnd, type InProcessOptions } from './fixtures/stateful-app-helpers.js';
import { produceInput, readTopic, type LogEnv } from './fixtures/stateful-log-env.js';
import { checkExact, generateInput, graceFor, referenceFinals, type InputRec, type InputSpec } from './fixtures/stateful-model.js';

const SEED = Number(process.env.STREAMWRIGHT_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Two partitions: two tasks restore from the Kafka changelog (manual assignment joins no group, so this costs milliseconds). */
const SPEC: InputSpec = { records: 120, keys: 4, partitions: 2, stepMs: 120, jitterMs: 3_000 };
const CRASH_SPEC: InputSpec = SPEC;
const OUT_PARTITIONS = 2;

const perPartition = (rs: readonly InputRec[], p: number) => rs.filter((r) => r.partition === p).length;
const plain = <V>(m: Map<string, V>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

describe.skipIf(skipKafka).concurrent('stateful app on the Kafka backend', () => {
  const cluster = suiteTestCluster();

  /** Backend config for children and short-lived parents (the test cluster's tuned timeouts). */
  const kafkaConfig = () => ({ 'bootstrap.servers': cluster.bootstrapServers, 'client.id': 'stateful-test', 'session.timeout.ms': 6_000, 'heartbeat.interval.ms': 300, 'rebalance.timeout.ms': 10_000, 'fetch.max.wait.ms': 100, 'retry.backoff.ms': 100, 'retry.backoff.max.ms': 1_000, 'log.level': 'nothing' as const });

  /** Fresh topics (and, on the mock, which cannot create topics through the admin API, the changelog). */
  async function kafkaEnv(appId: string): Promise<LogEnv> {
    const input = uniqueName('st-in');
    const output = uniqueName('st-out');
    const env: LogEnv = {
      kind: 'kafka',
      dir: tempDir('sw-stateful-kafka-'),
      logDir: '(kafka)',
      input,
      output,
      kafka: kafkaConfig(),
      async withBackend(fn) {
        const b = createKafkaBackend(kafkaConfig());
        try {
          return await fn(b);
        } finally {
          await b.close();
        }
      },
      async createTopics(ip, op) {
        await cluster.createTopic(input, ip);
        await cluster.createTopic(output, op);
        if (cluster.isMock) await cluster.createTopic(`${appId}-${STORE}-changelog`, ip);
      },
    };
    return env;
  }

  it(`at_least_once: output, store and a restore from the Kafka changelog equal the reference (seed ${SEED})`, async () => {
    const appId = uniqueName('st-alos');
    const env = await kafkaEnv(appId);
    const input = generateInput(SEED, SPEC);
    const half = Math.floor(input.length / 2);
    await env.createTopics(SPEC.partitions, OUT_PARTITIONS);
    const backend = cluster.backend();
    const opts: InProcessOptions = { appId, logDir: env.logDir, stateDir: path.join(env.dir, 'state'), guarantee: 'at_least_once', cache: false, graceMs: graceFor(SPEC), input: env.input, output: env.output };
    await produceInput(backend, env.input, input.slice(0, half));
    const first = await startStatefulApp(backend, opts);
    try {
      await first.app.waitUntilRunning(40_000);
      await waitCommittedToEnd(backend, appId, env.input, 40_000);
      expect(plain(await storeContents([first.app]))).toEqual(plain(referenceFinals(input.slice(0, half))));
    } finally {
      await first.app.close();
    }

    fs.rmSync(opts.stateDir, { recursive: true, force: true });
    await produceInput(backend, env.input, input.slice(half));
    const second = await startStatefulApp(backend, opts);
    try {
      await second.app.waitUntilRunning(40_000);
      const done = restoredByTask(second.restores);
      for (let p = 0; p < SPEC.partitions; p++) expect(done.get(`0_${p}`)?.restored, `task 0_${p} restored from the Kafka changelog`).toBe(perPartition(input.slice(0, half), p));
      await waitCommittedToEnd(backend, appId, env.input, 40_000);
      expect(plain(await storeContents([second.app]))).toEqual(plain(referenceFinals(input)));
    } finally {
      await second.app.close();
    }
    // Clean stops commit before leaving: nothing is repeated.
    const out = decodeOutput(env.output, await readTopic(backend, env.output, 'read_uncommitted', true, 40_000, input.length));
    expect(checkExact(out, input), `seed ${SEED}`).toEqual([]);
  });

  it(`exactly_once_v2 without a crash: the output equals the reference updates exactly (seed ${SEED + 1})`, async () => {
    const appId = uniqueName('st-eos');
    const env = await kafkaEnv(appId);
    const input = generateInput(SEED + 1, SPEC);
    await env.createTopics(SPEC.partitions, OUT_PARTITIONS);
    const backend = cluster.backend();
    await produceInput(backend, env.input, input);
    const guarantee: Guarantee = 'exactly_once_v2';
    const h = await startStatefulApp(backend, { appId, logDir: env.logDir, stateDir: path.join(env.dir, 'state'), guarantee, cache: false, graceMs: graceFor(SPEC), input: env.input, output: env.output });
    try {
      await h.app.waitUntilRunning(40_000);
      // The mock does not store transactional offsets: wait for the store to hold every record; the
      // clean close then commits what is left.
      const finals = JSON.stringify(plain(referenceFinals(input)));
      await waitFor('the store to hold the whole input', 40_000, async () => {
        await new Promise((r) => setTimeout(r, 100));
        return JSON.stringify(plain(await storeContents([h.app]))) === finals ? true : undefined;
      });
    } finally {
      await h.app.close();
    }
    const out = decodeOutput(env.output, await readTopic(backend, env.output, 'read_committed', true, 40_000, input.length));
    expect(checkExact(out, input), `seed ${SEED + 1}`).toEqual([]);
  });

  for (let i = 0; i < 2; i++) {
    it.runIf(realBroker)(`exactly_once_v2 under SIGKILL (real broker): read_committed output equals the reference exactly (seed ${SEED + 10 + i})`, async () => {
      const appId = uniqueName('st-crash');
      const env = await kafkaEnv(appId);
      const o = await runCrashScenario(env, { seed: SEED + 10 + i, guarantee: 'exactly_once_v2', cache: false, kills: 2, wipeChance: 0.5, firstKillMinMs: 150, input: CRASH_SPEC, appId });
      expect(checkExact(o.output, o.input), describeOutcome(o)).toEqual([]);
    }, 300_000);
  }
});
