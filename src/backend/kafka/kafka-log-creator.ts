import { logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';
import type { KafkaLogSink } from './kafka-config.js';

const LEVELS: Record<'nothing' | 'error' | 'warn' | 'info' | 'debug', KafkaLogLevel> = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

export function kafkaJsLogLevel(level: 'nothing' | 'error' | 'warn' | 'info' | 'debug'): KafkaLogLevel {
  return LEVELS[level];
}

const consoleSink: KafkaLogSink = {
  log(level, message, fields) {
    const line = `[kafkajs ${level}] ${message}${Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}`;
    if (level === 'error') console.error(line);
    else console.warn(line);
  },
};

/** Routes kafkajs log entries to our sink (console by default), dropping kafkajs's own formatting. */
export function createLogCreator(sink: KafkaLogSink | undefined): logCreator {
  const target = sink ?? consoleSink;
  return () => (entry) => {
    const { message, timestamp: _t, logger: _l, ...fields } = entry.log as { message: string; timestamp?: string; logger?: string } & Record<string, unknown>;
    const level = entry.level === KafkaLogLevel.ERROR ? 'error' : entry.level === KafkaLogLevel.WARN ? 'warn' : entry.level === KafkaLogLevel.INFO ? 'info' : 'debug';
    target.log(level, `${entry.namespace ? `${entry.namespace}: ` : ''}${message}`, fields);
  };
}

/** A warning from the backend itself, through the same sink and level filter as kafkajs's lines. */
export function logBackendWarning(
  cfg: { readonly logLevel: 'nothing' | 'error' | 'warn' | 'info' | 'debug'; readonly logger: KafkaLogSink | undefined },
  message: string,
  fields: Readonly<Record<string, unknown>> = {},
): void {
  if (cfg.logLevel === 'nothing' || cfg.logLevel === 'error') return;
  (cfg.logger ?? consoleSink).log('warn', message, fields);
}
