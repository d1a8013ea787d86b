import { isStreamwrightError, StreamwrightError } from '../errors/streamwright-error.js';
import { GLOBAL_HELP, GLOBAL_OPTIONS, parseCommandArgs, usageError } from './cli-args.js';
import { globalOptions } from './cli-backend.js';
import type { CommandSpec } from './cli-command.js';
import { writeChunk, type CliIo } from './cli-io.js';
import { consumeCommand } from './consume-command.js';
import { describeCommand } from './describe-command.js';
import { produceCommand } from './produce-command.js';
import { runCommand } from './run-command.js';
import { TOPICS_COMMANDS } from './topics-command.js';

export const COMMANDS: readonly CommandSpec[] = [...TOPICS_COMMANDS, produceCommand, consumeCommand, runCommand, describeCommand];

/** Command groups: a first word whose commands need a second word. */
const GROUPS: Readonly<Record<string, string>> = { topics: 'Create, list, describe and delete topics.' };

const MAIN_USAGE = 'streamwright <command> [options]';

function commandList(): string {
  const rows = [...COMMANDS.map((c) => [c.usage.replace(/^streamwright /, '').split(' [')[0], c.summary] as const), ['help [COMMAND]', 'Show help for a command.'] as const];
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([u, s]) => `  ${u.padEnd(width)}${s}`).join('\n');
}

function mainHelp(): string {
  return `Usage: ${MAIN_USAGE}\n\nStreamwright: topics, console producer/consumer and app runner for the embedded log or Apache Kafka.\n\nCommands:\n${commandList()}\n\n${GLOBAL_HELP}\n\nRun 'streamwright <command> --help' for a command's options.\n`;
}

function groupHelp(group: string): string {
  const subs = COMMANDS.filter((c) => c.path[0] === group);
  const rows = subs.map((c) => `  ${c.path.join(' ').padEnd(18)}${c.summary}`).join('\n');
  return `Usage: streamwright ${group} <${subs.map((c) => c.path[1]).join('|')}> [options]\n\n${GROUPS[group]}\n\nCommands:\n${rows}\n\n${GLOBAL_HELP}\n`;
}

function commandHelp(spec: CommandSpec): string {
  return `Usage: ${spec.usage}\n\n${spec.summary}\n\n${spec.details}\n\n${GLOBAL_HELP}\n`;
}

/** Flags that take a value, across every command, so command words are found wherever flags sit. */
const VALUE_FLAGS = new Set(
  [GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options)].flatMap((opts) => Object.entries(opts).filter(([, o]) => o.type === 'string').map(([name]) => `--${name}`)),
);

interface Scan {
  readonly words: string[];
  readonly help: boolean;
}

/** The positional words of argv (command words first) and whether --help / -h was given. */
function scan(argv: readonly string[]): Scan {
  const words: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--help' || a === '-h') help = true;
    else if (a.startsWith('-') && a !== '-') {
      if (!a.includes('=') && VALUE_FLAGS.has(a)) i++;
    } else words.push(a);
  }
  return { words, help };
}

type Resolved = { kind: 'command'; spec: CommandSpec } | { kind: 'help'; text: string };

function resolve(words: readonly string[], help: boolean): Resolved {
  const [first, second] = words;
  if (first === undefined) {
    if (help) return { kind: 'help', text: mainHelp() };
    throw usageError('No command given.', `${MAIN_USAGE}\nCommands:\n${commandList()}`);
  }
  if (first === 'help') {
    if (words.length === 1) return { kind: 'help', text: mainHelp() };
    const target = resolve(words.slice(1), true);
    return target.kind === 'help' ? target : { kind: 'help', text: commandHelp(target.spec) };
  }
  if (GROUPS[first] !== undefined) {
    const spec = COMMANDS.find((c) => c.path[0] === first && c.path[1] === second);
    if (spec) return help ? { kind: 'help', text: commandHelp(spec) } : { kind: 'command', spec };
    if (second === undefined && help) return { kind: 'help', text: groupHelp(first) };
    const subs = COMMANDS.filter((c) => c.path[0] === first).map((c) => c.path[1]);
    const what = second === undefined ? `"${first}" needs a subcommand` : `Unknown ${first} subcommand "${second}"`;
    throw usageError(`${what}: one of ${subs.join(', ')}.`, `streamwright ${first} <${subs.join('|')}> [options]`, { command: [first, second] });
  }
  const spec = COMMANDS.find((c) => c.path.length === 1 && c.path[0] === first);
  if (!spec) {
    const names = [...Object.keys(GROUPS), ...COMMANDS.filter((c) => c.path.length === 1).map((c) => c.path[0]), 'help'];
    throw usageError(`Unknown command "${first}". Commands: ${names.join(', ')}.`, MAIN_USAGE, { command: first });
  }
  return help ? { kind: 'help', text: commandHelp(spec) } : { kind: 'command', spec };
}

/**
 * Runs the `streamwright` command line in-process and resolves to its exit code:
 * 0 success, 1 an error (printed as `error [CODE]: message`), 2 a usage error.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const verbose = argv.includes('--verbose');
  let helpFor = 'streamwright';
  try {
    const { words, help } = scan(argv);
    if (words[0] !== undefined && (GROUPS[words[0]] !== undefined || COMMANDS.some((c) => c.path[0] === words[0]))) helpFor = `streamwright ${words[0]}`;
    const resolved = resolve(words, help);
    if (resolved.kind === 'help') {
      await writeChunk(io.stdout, resolved.text);
      return 0;
    }
    const { spec } = resolved;
    helpFor = `streamwright ${spec.path.join(' ')}`;
    const { values, positionals } = parseCommandArgs(argv, spec.options, spec.usage);
    const global = globalOptions(values, io.env ?? {});
    return await spec.run({ io, values, positionals: positionals.slice(spec.path.length), global });
  } catch (e) {
    return reportError(e, io, verbose, helpFor);
  }
}

function reportError(e: unknown, io: CliIo, verbose: boolean, helpFor: string): number {
  const write = (s: string) => void (io.stderr.destroyed ? undefined : io.stderr.write(s));
  if (isStreamwrightError(e, 'CLI_USAGE')) {
    const usage = typeof e.details.usage === 'string' ? e.details.usage : MAIN_USAGE;
    write(`error [CLI_USAGE]: ${e.message}\nUsage: ${usage}\nRun '${helpFor} --help' for details.\n`);
    return 2;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = e instanceof StreamwrightError ? e.code : typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'UNEXPECTED';
  write(`error [${code}]: ${err.message}\n`);
  if (verbose) {
    write(`${err.stack ?? ''}\n`);
    if (err.cause !== undefined) write(`caused by: ${err.cause instanceof Error ? (err.cause.stack ?? err.cause.message) : String(err.cause)}\n`);
  }
  return 1;
}
