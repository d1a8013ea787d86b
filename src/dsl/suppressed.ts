import type { SuppressMode } from '../graph/nodes/suppress-node.js';
import { StreamwrightError } from '../errors/streamwright-error.js';

/** What a full suppression buffer does: emit its oldest entry early, fail the task, or keep the
 * entries beyond the limits on disk (LevelDB) and emit them when due. */
export type BufferFullPolicy = 'emitEarly' | 'shutDown' | 'spillToDisk';

/** Bounds of a suppression buffer and what to do when it is full (Kafka Streams' BufferConfig). */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly onFull: BufferFullPolicy,
  ) {}

  static unbounded(): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 'shutDown');
  }

  static maxRecords(n: number): BufferConfig {
    return new BufferConfig(BufferConfig.limit('maxRecords', n), Number.POSITIVE_INFINITY, 'emitEarly');
  }

  static maxBytes(n: number): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, BufferConfig.limit('maxBytes', n), 'emitEarly');
  }

  /** Also bounds the number of buffered keys (Kafka's BufferConfig.withMaxRecords). */
  withMaxRecords(n: number): BufferConfig {
    return new BufferConfig(BufferConfig.limit('maxRecords', n), this.maxBytes, this.onFull);
  }

  /** Also bounds the buffer's estimated size in bytes (Kafka's BufferConfig.withMaxBytes). */
  withMaxBytes(n: number): BufferConfig {
    return new BufferConfig(this.maxRecords, BufferConfig.limit('maxBytes', n), this.onFull);
  }

  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emitEarly');
  }

  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shutDown');
  }

  /**
   * Keeps up to maxRecords/maxBytes of the buffer in memory and the rest only in the buffer's
   * store, which becomes persistent (LevelDB): a spilled entry keeps just its key, buffer time and
   * size in memory. Nothing is emitted early and nothing is lost, so untilWindowCloses accepts it.
   * Spilled entries due for emission are read back in one batch between processing runs (and
   * before every commit), and leave in buffer-time order. The TopologyTestDriver keeps every store
   * in memory, so there such a buffer behaves as an unbounded one.
   */
  spillToDiskWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'spillToDisk');
  }

  private static limit(what: string, n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new StreamwrightError('TOPOLOGY_INVALID', `A suppression buffer's ${what} must be a positive integer, got ${n}.`, { [what]: n });
    return n;
  }
}

/** What suppress() holds back (Kafka Streams' Suppressed). */
export class Suppressed {
  private constructor(
    readonly mode: SuppressMode,
    readonly buffer: BufferConfig,
    readonly name: string | undefined,
  ) {}

  /** One final result per window, once stream time passes the window end plus grace.
   * The buffer must not emit early (Kafka Streams' StrictBufferConfig). */
  static untilWindowCloses(buffer: BufferConfig = BufferConfig.unbounded()): Suppressed {
    if (buffer.onFull === 'emitEarly') {
      throw new StreamwrightError('TOPOLOGY_INVALID', 'untilWindowCloses() promises one final result per window, so its buffer cannot emit early when full. Use BufferConfig.unbounded(), or a bounded buffer with .shutDownWhenFull() or .spillToDiskWhenFull().');
    }
    return new Suppressed({ type: 'untilWindowCloses' }, buffer, undefined);
  }

  /** The latest update per key, once `timeLimitMs` of stream time has passed since its first update. */
  static untilTimeLimit(timeLimitMs: number, buffer: BufferConfig = BufferConfig.unbounded()): Suppressed {
    if (!Number.isInteger(timeLimitMs) || timeLimitMs < 0) throw new StreamwrightError('TOPOLOGY_INVALID', `untilTimeLimit() needs a time limit of zero or more ms, got ${timeLimitMs}.`);
    return new Suppressed({ type: 'untilTimeLimit', timeLimitMs }, buffer, undefined);
  }

  withName(name: string): Suppressed {
    return new Suppressed(this.mode, this.buffer, name);
  }
}
