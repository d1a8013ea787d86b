import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/cli-runner.js';
import { cli, tempDir } from './cli-test-helpers.js';

describe('streamwright help and usage errors', () => {
  it('has --help for every command and subcommand, printing its usage and every flag it accepts', async () => {
    expect(COMMANDS.map((c) => c.path.join(' '))).toEqual(['topics list', 'topics create', 'topics describe', 'topics delete', 'produce', 'consume', 'run', 'describe']);
    for (const spec of COMMANDS) {
      for (const argv of [[...spec.path, '--help'], ['-h', ...spec.path], ['help', ...spec.path]]) {
        const r = await cli(argv);
        expect(r.code, argv.join(' ')).toBe(0);
        expect(r.stdout.startsWith(`Usage: ${spec.usage}\n`), argv.join(' ')).toBe(true);
        for (const flag of Object.keys(spec.options)) expect(r.stdout, `${argv.join(' ')} documents --${flag}`).toContain(`--${flag}`);
        for (const global of ['--bootstrap-server', '--log-dir', '--verbose']) expect(r.stdout).toContain(global);
        expect(r.stderr).toBe('');
      }
    }
  });

  it('prints the command list for --help, help, and the topics group', async () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const r = await cli(argv);
      expect(r.code).toBe(0);
      for (const spec of COMMANDS) expect(r.stdout).toContain(spec.summary);
    }
    const group = await cli(['topics', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('Usage: streamwright topics <list|create|describe|delete>');
  });

  it('exits 2 with a CLI_USAGE error and the usage for unknown commands, subcommands, flags and arguments', async () => {
    const dir = tempDir();
    const cases: [string[], RegExp][] = [
      [[], /^error \[CLI_USAGE\]: No command given\.\nUsage: streamwright <command> \[options\]/],
      [['frobnicate'], /^error \[CLI_USAGE\]: Unknown command "frobnicate"\. Commands: topics, produce, consume, run, describe, help\.\nUsage: /],
      [['topics'], /^error \[CLI_USAGE\]: "topics" needs a subcommand: one of list, create, describe, delete\./],
      [['topics', 'rename', 'x'], /^error \[CLI_USAGE\]: Unknown topics subcommand "rename"/],
      [['topics', 'list', '--partitions', '3'], /^error \[CLI_USAGE\]: Unknown option '--partitions'\.\nUsage: streamwright topics list\n/],
      [['topics', 'create'], /^error \[CLI_USAGE\]: Missing NAME\.\nUsage: streamwright topics create NAME/],
      [['topics', 'create', 'a', 'b'], /^error \[CLI_USAGE\]: Unexpected argument "b"\./],
      [['consume', 't', '--max-messages'], /^error \[CLI_USAGE\]: Option '--max-messages <value>' argument missing\./],
      [['produce'], /^error \[CLI_USAGE\]: Missing TOPIC\./],
      [['produce', 't', '--key-separator', ''], /^error \[CLI_USAGE\]: --key-separator must not be empty\./],
      [['run'], /^error \[CLI_USAGE\]: Missing MODULE\./],
      [['describe', 'a.ts', '--nope'], /^error \[CLI_USAGE\]: Unknown option '--nope'\./],
      [['consume', 't', '--group', '--follow'], /^error \[CLI_USAGE\]: Option '--group' argument is ambiguous\. Did you forget to specify the option argument for '--group'\?\nUsage:/],
    ];
    for (const [argv, pattern] of cases) {
      const r = await cli(['--log-dir', dir, ...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe('');
    }
  });

  it('finds the command wherever global flags sit, and prints stacks only with --verbose', async () => {
    const dir = tempDir();
    expect((await cli(['--log-dir', dir, 'topics', 'create', 'x'])).code).toBe(0);
    expect((await cli(['--log-dir', dir, 'topics', 'list'])).lines).toEqual(['x']);
    const quiet = await cli(['topics', 'describe', 'ghost', '--log-dir', dir]);
    expect(quiet.stderr.trim().split('\n')).toHaveLength(1);
    const loud = await cli(['topics', 'describe', 'ghost', '--log-dir', dir, '--verbose']);
    expect(loud.code).toBe(1);
    expect(loud.stderr).toMatch(/^error \[TOPIC_NOT_FOUND\]: .*\n.*StreamwrightError.*\n\s+at /);
  });
});
