import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, openLog, tempDir } from './cli-test-helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const MAIN = resolve(ROOT, 'src/cli/main.ts');

interface Child {
  readonly pid: number;
  stdout: string;
  stderr: string;
  readonly exit: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the real entry point (the same thing `npx tsx src/cli/main.ts ...` runs), killed after 30 s at most. */
function start(args: readonly string[], stdin?: string, env: Record<string, string> = {}): Child {
  const proc = spawn(TSX, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, STREAMWRIGHT_LOG_DIR: '', STREAMWRIGHT_BOOTSTRAP_SERVERS: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const child: Child = {
    pid: proc.pid!,
    stdout: '',
    stderr: '',
    exit: new Promise((res) => proc.once('exit', (code) => res(code))),
    kill: (s) => void proc.kill(s),
  };
  const guard = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  void child.exit.then(() => clearTimeout(guard));
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (child.stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (child.stderr += d));
  if (stdin !== undefined) proc.stdin.end(stdin);
  return child;
}

async function until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the streamwright binary (src/cli/main.ts under tsx)', () => {
  it('lists topics, produces from a pipe, and exits with the command status', async () => {
    const dir = tempDir();
    await cli(['topics', 'create', 'alpha', '--log-dir', dir]);
    await cli(['topics', 'create', 'beta', '--log-dir', dir]);
    const list = start(['topics', 'list', '--log-dir', dir]);
    expect(await list.exit).toBe(0);
    expect(list.stdout).toBe('alpha\nbeta\n');

    const produce = start(['produce', 'alpha', '--key-separator', ':', '--log-dir', dir], 'k:v1\nk:v2\n');
    expect(await produce.exit).toBe(0);
    expect(produce.stderr).toContain('Produced 2 records to topic "alpha"');
    expect((await cli(['consume', 'alpha', '--from-beginning', '--print-key', '--log-dir', dir])).stdout).toBe('k\tv1\nk\tv2\n');

    const usage = start(['topics', 'lst', '--log-dir', dir]);
    expect(await usage.exit).toBe(2);
    expect(usage.stderr).toMatch(/^error \[CLI_USAGE\]: Unknown topics subcommand "lst"/);
  });

  it('stops `consume --follow` cleanly on SIGINT: exit 0, output flushed, total printed', async () => {
    const dir = tempDir();
    await cli(['topics', 'create', 'live', '--log-dir', dir]);
    await cli(['produce', 'live', '--log-dir', dir], { stdin: 'one\ntwo\n' });
    const consumer = start(['consume', 'live', '--from-beginning', '--follow', '--log-dir', dir]);
    await until('the two records', 20_000, () => consumer.stdout === 'one\ntwo\n');
    consumer.kill('SIGINT');
    expect(await consumer.exit).toBe(0);
    expect(consumer.stderr).toContain('Processed a total of 2 messages');
    // The log's lock was released: the directory opens again in this process.
    expect((await cli(['topics', 'list', '--log-dir', dir])).lines).toEqual(['live']);
  });

  it('runs an app module and closes it gracefully on SIGTERM: committed, exit 0', async () => {
    const dir = tempDir();
    for (const t of ['words', 'shouted']) await cli(['topics', 'create', t, '--log-dir', dir]);
    await cli(['produce', 'words', '--log-dir', dir], { stdin: 'quiet\nwords\n' });
    // A 10-minute commit interval: the committed offsets checked below can only come from the close.
    const app = start(['run', 'test/cli/fixtures/uppercase-app-fixture.ts', '--config', 'commit.interval.ms=600000', '--log-dir', dir], undefined, { SW_FIXTURE_TRACE: '1' });
    await until('both records processed', 20_000, () => app.stderr.includes('processed WORDS'));
    app.kill('SIGTERM');
    expect(await app.exit).toBe(0);
    expect(app.stderr).toContain('State: PENDING_SHUTDOWN -> NOT_RUNNING');
    expect((await cli(['consume', 'shouted', '--from-beginning', '--log-dir', dir])).lines).toEqual(['QUIET', 'WORDS']);
    const lease = await openLog(dir);
    try {
      expect(await lease.backend.admin().fetchCommittedOffsets('cli-fixture-app', ['words'])).toEqual([{ topic: 'words', partition: 0, offset: 2 }]);
    } finally {
      await lease.release();
    }
  });
});
