import { describe, expect, it } from 'vitest';
import { isStreamwrightError, type ErrorCode } from '../../src/errors/streamwright-error.js';
import { Serdes } from '../../src/serde/serdes.js';
import { CONFIG_KEYS, resolveConfig, type StreamsConfigInput } from '../../src/runtime/streams-config.js';

const APP = { 'application.id': 'orders-app' };

function failure(input: StreamsConfigInput, code: ErrorCode): Error {
  try {
    resolveConfig(input);
  } catch (e) {
    expect(isStreamwrightError(e, code), `expected ${code}, got ${String(e)}`).toBe(true);
    return e as Error;
  }
  throw new Error(`expected ${code} for ${JSON.stringify(input)}`);
}

describe('resolveConfig defaults', () => {
  it('uses Kafka Streams defaults for at_least_once', () => {
    const c = resolveConfig(APP);
    expect(c.applicationId).toBe('orders-app');
    expect(c.clientId).toBe('orders-app');
    expect(c.processingGuarantee).toBe('at_least_once');
    expect(c.commitIntervalMs).toBe(30000);
    expect(c.deserializationHandler).toBe('log-and-fail');
    expect(c.autoOffsetReset).toBe('earliest');
    expect(c.defaultKeySerde).toBeUndefined();
    expect(c.defaultValueSerde).toBeUndefined();
    expect(c.defaultTimestampExtractor).toBeUndefined();
    expect(c.maxTaskIdleMs).toBe(0);
  });

  it('commit.interval.ms defaults to 100 under exactly_once_v2, and exactly_once is an alias', () => {
    for (const g of ['exactly_once_v2', 'exactly_once', 'exactly_once_beta']) {
      const c = resolveConfig({ ...APP, 'processing.guarantee': g });
      expect(c.processingGuarantee).toBe('exactly_once_v2');
      expect(c.commitIntervalMs).toBe(100);
    }
  });

  it('an explicit commit.interval.ms wins, as a number or a numeric string', () => {
    expect(resolveConfig({ ...APP, 'processing.guarantee': 'exactly_once_v2', 'commit.interval.ms': 250 }).commitIntervalMs).toBe(250);
    expect(resolveConfig({ ...APP, 'commit.interval.ms': '5000' }).commitIntervalMs).toBe(5000);
  });

  it('resolves serdes by name or object, and keeps functions', () => {
    const extractor = (): number => 1;
    const c = resolveConfig({ ...APP, 'default.key.serde': 'String', 'default.value.serde': Serdes.Long(), 'default.timestamp.extractor': extractor });
    expect(c.defaultKeySerde).toBe(Serdes.String());
    expect(c.defaultValueSerde).toBe(Serdes.Long());
    expect(c.defaultTimestampExtractor).toBe(extractor);
  });

  it('accepts both spellings of the deserialization handler', () => {
    for (const h of ['log-and-continue', 'LogAndContinueExceptionHandler']) {
      expect(resolveConfig({ ...APP, 'default.deserialization.exception.handler': h }).deserializationHandler).toBe('log-and-continue');
    }
    expect(resolveConfig({ ...APP, 'default.deserialization.exception.handler': 'LogAndFailExceptionHandler' }).deserializationHandler).toBe('log-and-fail');
  });
});

describe('client prefixes', () => {
  it('consumer./producer./admin. keys pass through with the prefix removed', () => {
    const c = resolveConfig({ ...APP, 'consumer.fetch.max.bytes': 1024, 'producer.linger.ms': '5', 'admin.request.timeout.ms': 9 });
    expect(c.clientOverrides.consumer).toEqual({ 'fetch.max.bytes': 1024 });
    expect(c.clientOverrides.producer).toEqual({ 'linger.ms': '5' });
    expect(c.clientOverrides.admin).toEqual({ 'request.timeout.ms': 9 });
    expect(c.raw['producer.linger.ms']).toBe('5');
  });
});

describe('unknown keys', () => {
  it('CONFIG_UNKNOWN_KEY suggests the closest known key', () => {
    const e = failure({ ...APP, 'commit.interval.mz': 10 }, 'CONFIG_UNKNOWN_KEY');
    expect(e.message).toContain('"commit.interval.mz"');
    expect(e.message).toContain('Did you mean "commit.interval.ms"?');
    expect((e as { details?: Record<string, unknown> }).details?.suggestion).toBe('commit.interval.ms');
    expect(failure({ ...APP, 'aplication.id': 'x' }, 'CONFIG_UNKNOWN_KEY').message).toContain('Did you mean "application.id"?');
    expect(failure({ ...APP, 'processing.garantee': 'x' }, 'CONFIG_UNKNOWN_KEY').message).toContain('Did you mean "processing.guarantee"?');
  });

  it('no suggestion when nothing is close, but the message lists the known keys', () => {
    const e = failure({ ...APP, 'totally.unrelated.setting.value': 1 }, 'CONFIG_UNKNOWN_KEY');
    expect(e.message).not.toContain('Did you mean');
    expect(e.message).toContain('consumer.*');
    for (const k of CONFIG_KEYS) expect(e.message).toContain(k);
  });
});

describe('invalid values', () => {
  const cases: [string, StreamsConfigInput][] = [
    ['missing application.id', {}],
    ['application.id with a space', { 'application.id': 'my app' }],
    ['empty application.id', { 'application.id': '' }],
    ['unknown guarantee', { ...APP, 'processing.guarantee': 'at_most_once' }],
    ['negative commit interval', { ...APP, 'commit.interval.ms': -1 }],
    ['fractional commit interval', { ...APP, 'commit.interval.ms': 1.5 }],
    ['non-numeric commit interval', { ...APP, 'commit.interval.ms': 'soon' }],
    ['max.poll.records 0', { ...APP, 'max.poll.records': 0 }],
    ['unknown serde name', { ...APP, 'default.key.serde': 'Avro' }],
    ['serde of the wrong type', { ...APP, 'default.value.serde': 42 }],
    ['extractor that is not a function', { ...APP, 'default.timestamp.extractor': 'WallclockTimestampExtractor' }],
    ['unknown handler', { ...APP, 'default.deserialization.exception.handler': 'ignore' }],
    ['bad auto.offset.reset', { ...APP, 'auto.offset.reset': 'smallest' }],
    ['bad log.level', { ...APP, 'log.level': 'verbose' }],
  ];
  it.each(cases)('%s is CONFIG_INVALID', (_name, input) => {
    failure(input, 'CONFIG_INVALID');
  });

  it('the message names the key and what is expected', () => {
    const e = failure({ ...APP, 'commit.interval.ms': -5 }, 'CONFIG_INVALID');
    expect(e.message).toContain('commit.interval.ms');
    expect(e.message).toContain('-5');
    expect(e.message).toContain('integer >= 0');
    expect(failure({ ...APP, 'processing.guarantee': 'at_most_once' }, 'CONFIG_INVALID').message).toContain('at_least_once, exactly_once_v2');
  });

  it('application.id may be omitted only when the caller allows it', () => {
    expect(resolveConfig({}, { requireApplicationId: false }).applicationId).toBe('streamwright-test');
  });
});
