import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StreamwrightError } from '../errors/streamwright-error.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** Flags every command accepts. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  'bootstrap-server': { type: 'string' },
  'log-dir': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const GLOBAL_HELP = `Global options:
  --bootstrap-server HOST:PORT  Use Apache Kafka at these brokers (comma-separated list).
                                Env: STREAMWRIGHT_BOOTSTRAP_SERVERS. Without it the embedded log is used.
  --log-dir DIR                 Directory of the embedded log (default .streamwright/log).
                                Env: STREAMWRIGHT_LOG_DIR. Ignored with --bootstrap-server.
  --verbose                     Print stack traces with errors and more client logging.
  -h, --help                    Show help for the command.`;

/** A usage error: exit code 2 and the command's usage line. */
export function usageError(message: string, usage: string, details: Record<string, unknown> = {}): StreamwrightError {
  return new StreamwrightError('CLI_USAGE', message, { ...details, usage });
}

export interface ParsedArgs {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
}

/** Strict parse of the whole argv with the global and command flags; node's errors become CLI_USAGE. */
export function parseCommandArgs(argv: readonly string[], options: OptionSpecs, usage: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...GLOBAL_OPTIONS, ...options }, strict: true, allowPositionals: true });
    return { values: values as OptionValues, positionals };
  } catch (e) {
    // Node's parseArgs messages, on one line, without its hints about '--' and '--flag=-value' spelling.
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s*To specify (a positional argument|an option argument).*$/s, '').replace(/\s*\n\s*/g, ' ').trim();
    throw usageError(/[.?!]$/.test(message) ? message : `${message}.`, usage);
  }
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function booleanOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

export function listOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** An integer flag with a lower bound; a bad value is a usage error naming the flag. */
export function intOption(values: OptionValues, name: string, min: number, usage: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw usageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}.`, usage, { flag: name, value: raw });
  }
  return n;
}

/** `--config k=v` pairs into an object; later pairs win, as with repeated flags elsewhere. */
export function keyValuePairs(pairs: readonly string[], flag: string, usage: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--${flag} expects key=value, got ${JSON.stringify(pair)}.`, usage, { flag, value: pair });
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}

/** Exactly the positionals a command wants after its name; too few or too many is a usage error. */
export function expectPositionals(positionals: readonly string[], names: readonly string[], usage: string, optional = 0): string[] {
  const required = names.length - optional;
  if (positionals.length < required) {
    throw usageError(`Missing ${names.slice(positionals.length, required).map((n) => n.toUpperCase()).join(' ')}.`, usage);
  }
  if (positionals.length > names.length) {
    throw usageError(`Unexpected argument ${JSON.stringify(positionals[names.length])}.`, usage, { argument: positionals[names.length] });
  }
  return [...positionals];
}
