import type { OptionSpecs, OptionValues } from './cli-args.js';
import type { CliIo } from './cli-io.js';
import type { GlobalOptions } from './cli-backend.js';

/** What a command gets: its parsed flags, its positionals (command words removed) and the io. */
export interface CommandContext {
  readonly io: CliIo;
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly global: GlobalOptions;
}

/** One command or subcommand (`topics create`): its flags, help text and implementation. */
export interface CommandSpec {
  /** Command words, e.g. ['topics', 'create']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Synopsis, e.g. "streamwright topics create NAME [--partitions N]". */
  readonly usage: string;
  /** Option and argument descriptions, printed by --help under the usage line. */
  readonly details: string;
  readonly options: OptionSpecs;
  /** Resolves to the exit code. */
  run(ctx: CommandContext): Promise<number>;
}
