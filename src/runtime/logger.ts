export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, details?: Record<string, unknown>): void;
  info(msg: string, details?: Record<string, unknown>): void;
  warn(msg: string, details?: Record<string, unknown>): void;
  error(msg: string, details?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Logs to stderr, one line per message, below `level` dropped. */
export function consoleLogger(level: LogLevel = 'info', prefix = 'streamwright'): Logger {
  const at = (l: LogLevel) => (msg: string, details?: Record<string, unknown>) => {
    if (ORDER[l] < ORDER[level]) return;
    const extra = details && Object.keys(details).length > 0 ? ` ${JSON.stringify(details)}` : '';
    process.stderr.write(`[${new Date().toISOString()}] ${l.toUpperCase()} ${prefix}: ${msg}${extra}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
