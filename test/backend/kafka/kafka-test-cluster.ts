import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkaBackend, type KafkaBackendConfig } from '../../../src/backend/kafka/index.js';
import type { Backend } from '../../../src/backend/backend-types.js';
import { afterAll, beforeAll } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MOCK = resolve(ROOT, 'native/build/mock-kafka');
const BUILD = resolve(ROOT, 'scripts/kafka-mock/build.sh');
const MOCK_SRC = resolve(ROOT, 'native/mock-kafka.c');

/** Tests skip only when asked to; otherwise a missing peer is a failure with a fix in the message. */
export const skipKafka = process.env.STREAMWRIGHT_SKIP_KAFKA === '1';
export const realBroker = process.env.KAFKA_BOOTSTRAP_SERVERS !== undefined && process.env.KAFKA_BOOTSTRAP_SERVERS !== '';

export interface TestCluster {
  readonly bootstrapServers: string;
  readonly isMock: boolean;
  /** Creates a topic: through the mock program on the mock, through the backend's admin on a broker. */
  createTopic(name: string, partitions: number): Promise<void>;
  /** Mock only: the next requests with `apiKey` (from any client) fail with `errorCodes`, one each. */
  injectErrors(apiKey: number, errorCodes: readonly number[]): Promise<void>;
  /** A backend with timeouts tuned down so group joins stay fast. */
  backend(extra?: Partial<KafkaBackendConfig>): Backend;
  stop(): Promise<void>;
}

let seq = 0;
/** A topic/group name unique to this run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}

function testConfig(servers: string, extra?: Partial<KafkaBackendConfig>): KafkaBackendConfig {
  return {
    'bootstrap.servers': servers,
    'client.id': 'streamwright-test',
    'session.timeout.ms': 6_000,
    'heartbeat.interval.ms': 300,
    'rebalance.timeout.ms': 10_000,
    'fetch.max.wait.ms': 100,
    'retry.backoff.ms': 100,
    'retry.backoff.max.ms': 1_000,
    ...debugLog(),
    ...extra,
  };
}

/** STREAMWRIGHT_KAFKA_TEST_LOG=<file> appends kafkajs debug logs there (for chasing flaky runs). */
function debugLog(): Partial<KafkaBackendConfig> {
  const file = process.env.STREAMWRIGHT_KAFKA_TEST_LOG;
  if (file === undefined || file === '') return { 'log.level': 'nothing' };
  return {
    'log.level': 'debug',
    logger: {
      log(level, message, fields) {
        appendFileSync(file, `${new Date().toISOString()} ${level} ${message} ${JSON.stringify(fields)}\n`);
      },
    },
  };
}

/**
 * The cluster of the enclosing describe: started before its tests, stopped after them. The
 * returned object forwards to it, so a suite declares it once at the top.
 */
export function suiteTestCluster(): TestCluster {
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  const started = (): TestCluster => {
    if (cluster === undefined) throw new Error('the test cluster is used outside the tests of its describe');
    return cluster;
  };
  return {
    get bootstrapServers() {
      return started().bootstrapServers;
    },
    get isMock() {
      return started().isMock;
    },
    createTopic: (name, partitions) => started().createTopic(name, partitions),
    injectErrors: (apiKey, errorCodes) => started().injectErrors(apiKey, errorCodes),
    backend: (extra) => started().backend(extra),
    stop: () => started().stop(),
  };
}

export async function startTestCluster(): Promise<TestCluster> {
  const env = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (env !== undefined && env !== '') return brokerCluster(env);
  // Rebuild a binary older than its source, so a new mock command is never missing.
  if (!existsSync(MOCK) || statSync(MOCK).mtimeMs < statSync(MOCK_SRC).mtimeMs) {
    const r = spawnSync('sh', [BUILD], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0 || !existsSync(MOCK)) {
      throw new Error(
        `No Kafka for test/backend/kafka: KAFKA_BOOTSTRAP_SERVERS is not set and building the mock peer failed:\n${r.stderr ?? ''}\n` +
          `Fix: install gcc and librdkafka-dev (apt-get install -y gcc librdkafka-dev) and run scripts/kafka-mock/build.sh, ` +
          `or point KAFKA_BOOTSTRAP_SERVERS=host:port at a broker, or set STREAMWRIGHT_SKIP_KAFKA=1 to skip these tests.`,
      );
    }
  }
  return mockCluster();
}

function brokerCluster(servers: string): TestCluster {
  const backends: Backend[] = [];
  const self: TestCluster = {
    bootstrapServers: servers,
    isMock: false,
    async createTopic(name, partitions) {
      const b = self.backend();
      const admin = b.admin();
      try {
        await admin.createTopics([{ name, partitions, replicationFactor: 1 }]);
      } finally {
        await admin.close();
      }
    },
    injectErrors() {
      return Promise.reject(new Error('injectErrors needs the librdkafka mock; a real broker cannot inject errors'));
    },
    backend(extra) {
      const b = createKafkaBackend(testConfig(servers, extra));
      backends.push(b);
      return b;
    },
    async stop() {
      await Promise.allSettled(backends.map((b) => b.close()));
    },
  };
  return self;
}

async function mockCluster(): Promise<TestCluster> {
  const proc: ChildProcessWithoutNullStreams = spawn(MOCK, ['1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let partial = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  let exited = false;
  proc.on('exit', () => {
    exited = true;
    for (const w of waiters.splice(0)) w('error mock-kafka exited');
  });
  const nextLine = (what: string) =>
    new Promise<string>((res, rej) => {
      const l = lines.shift();
      if (l !== undefined) return res(l);
      if (exited) return rej(new Error(`mock-kafka exited while ${what}`));
      const timer = setTimeout(() => rej(new Error(`mock-kafka gave no answer within 10s while ${what}`)), 10_000);
      waiters.push((line) => {
        clearTimeout(timer);
        res(line);
      });
    });
  const servers = await nextLine('starting');
  if (!/^[^\s]+:\d+/.test(servers)) throw new Error(`mock-kafka printed ${JSON.stringify(servers)} instead of its bootstrap servers`);
  const backends: Backend[] = [];
  return {
    bootstrapServers: servers,
    isMock: true,
    async createTopic(name, partitions) {
      proc.stdin.write(`create ${name} ${partitions} 1\n`);
      const answer = await nextLine(`creating ${name}`);
      if (answer !== 'ok') throw new Error(`mock-kafka could not create ${name}: ${answer}`);
    },
    async injectErrors(apiKey, errorCodes) {
      proc.stdin.write(`errors ${apiKey} ${errorCodes.join(' ')}\n`);
      const answer = await nextLine(`injecting errors for API key ${apiKey}`);
      if (answer !== 'ok') throw new Error(`mock-kafka could not inject errors: ${answer} (rebuild it: sh scripts/kafka-mock/build.sh)`);
    },
    backend(extra) {
      const b = createKafkaBackend(testConfig(servers, extra));
      backends.push(b);
      return b;
    },
    async stop() {
      await Promise.allSettled(backends.map((b) => b.close()));
      proc.stdin.end();
      if (!exited) await new Promise<void>((r) => {
        const t = setTimeout(() => { proc.kill('SIGTERM'); r(); }, 3_000);
        proc.once('exit', () => { clearTimeout(t); r(); });
      });
    },
  };
}

/** Polls until `until` holds or `timeoutMs` passes; every loop in these tests is bounded. */
export async function waitFor<T>(what: string, timeoutMs: number, step: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await step();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}
