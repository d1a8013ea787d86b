import type { Writable } from 'node:stream';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { AppState } from '../runtime/app-state.js';
import type { Logger, LogLevel } from '../runtime/logger.js';
import { StreamsApp } from '../runtime/streams-app.js';
import { resolveConfig } from '../runtime/streams-config.js';
import { expectPositionals, keyValuePairs, listOption, stringOption } from './cli-args.js';
import type { CommandContext, CommandSpec } from './cli-command.js';
import { abortPromise, note } from './cli-io.js';
import { loadAppModule } from './app-module-loader.js';

const USAGE = 'streamwright run MODULE [--config KEY=VALUE ...] [--application-id ID]';

export const runCommand: CommandSpec = {
  path: ['run'],
  summary: 'Run a streams app module until Ctrl-C.',
  usage: USAGE,
  details: `Loads MODULE, starts a StreamsApp with its topology, prints state changes to stderr and runs until
SIGINT or SIGTERM, then closes gracefully (commits, leaves the group) and exits 0. If processing fails the
app stops and the command exits 1 with the error.
Arguments:
  MODULE                A .js module (or .ts when the CLI runs under tsx, e.g. \`npm run streamwright\`)
                        exporting \`topology\` (a Topology) or \`buildTopology()\` returning one (or a
                        Promise of one), and optionally \`config\` (an object of StreamsConfig keys).
Options:
  --config KEY=VALUE    A StreamsConfig setting such as commit.interval.ms=100; repeat for several.
  --application-id ID   Sets application.id.
Config precedence, lowest first: the module's \`config\`, STREAMWRIGHT_BOOTSTRAP_SERVERS / STREAMWRIGHT_LOG_DIR,
--config, then --application-id, --bootstrap-server and --log-dir.`,
  options: { config: { type: 'string', multiple: true }, 'application-id': { type: 'string' } },
  run: runApp,
};

/** The module's config with the command line's settings laid over it (precedence in the help above). */
export function mergeRunConfig(ctx: CommandContext, moduleConfig: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const env = ctx.io.env ?? {};
  const merged: Record<string, unknown> = { ...moduleConfig };
  const set = (key: string, v: string | undefined) => {
    if (v !== undefined && v.trim() !== '') merged[key] = v.trim();
  };
  set('bootstrap.servers', env.STREAMWRIGHT_BOOTSTRAP_SERVERS);
  set('log.dir', env.STREAMWRIGHT_LOG_DIR);
  Object.assign(merged, keyValuePairs(listOption(ctx.values, 'config'), 'config', USAGE));
  set('bootstrap.servers', stringOption(ctx.values, 'bootstrap-server'));
  set('log.dir', stringOption(ctx.values, 'log-dir'));
  set('application.id', stringOption(ctx.values, 'application-id'));
  return merged;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** The runtime's log lines, to the command's stderr. */
function streamLogger(out: Writable, level: LogLevel, prefix: string): Logger {
  const at = (l: LogLevel) => (msg: string, details?: Record<string, unknown>) => {
    if (LEVELS[l] < LEVELS[level] || out.destroyed) return;
    const extra = details && Object.keys(details).length > 0 ? ` ${JSON.stringify(details)}` : '';
    out.write(`[${new Date().toISOString()}] ${l.toUpperCase()} ${prefix}: ${msg}${extra}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function runApp(ctx: CommandContext): Promise<number> {
  const [modulePath] = expectPositionals(ctx.positionals, ['module'], USAGE);
  const app = await loadAppModule(modulePath);
  const input = mergeRunConfig(ctx, app.config);
  const resolved = resolveConfig(input);
  const where = resolved.bootstrapServers !== undefined ? `Kafka at ${resolved.bootstrapServers}` : `the embedded log at ${resolved.logDir}`;
  const streams = new StreamsApp(app.topology, input, { logger: streamLogger(ctx.io.stderr, resolved.logLevel, resolved.applicationId) });

  let failure: Error | undefined;
  let onStopped: (state: AppState) => void = () => undefined;
  const stopped = new Promise<AppState>((resolve) => (onStopped = resolve));
  streams.onStateChange((next, prev) => {
    note(ctx.io, `State: ${prev} -> ${next}`);
    if (next === 'ERROR' || next === 'NOT_RUNNING') onStopped(next);
  });
  streams.setUncaughtExceptionHandler((e) => {
    failure = e;
    return 'SHUTDOWN_CLIENT';
  });

  note(ctx.io, `Starting ${resolved.applicationId} (${app.file}) on ${where}. Press Ctrl-C to stop.`);
  const signal = abortPromise(ctx.io.signal);
  try {
    await streams.start();
    const how = await Promise.race([signal.promise.then(() => 'signal' as const), stopped]);
    if (how === 'signal') note(ctx.io, 'Stopping: committing and closing...');
    await streams.close();
    if (how !== 'signal') {
      throw failure ?? new StreamwrightError('PROCESSING', `App ${resolved.applicationId} stopped in state ${how}; see the log lines above for the cause.`, { applicationId: resolved.applicationId });
    }
    note(ctx.io, `Closed ${resolved.applicationId}.`);
    return 0;
  } finally {
    signal.dispose();
    await streams.close().catch(() => undefined);
  }
}
