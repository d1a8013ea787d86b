import type { ProducerRecord } from '../backend/backend-types.js';
import { StreamwrightError } from '../errors/streamwright-error.js';

export interface LineEncoding {
  readonly topic: string;
  /** Fixed partition, or undefined for the default partitioner. */
  readonly partition: number | undefined;
  /** Splits key from value at its first occurrence; undefined: the whole line is the value, key null. */
  readonly keySeparator: string | undefined;
  /** Each value must be valid JSON. */
  readonly json: boolean;
  /** Top-level field of the JSON value holding the record timestamp (epoch ms or an ISO-8601 string). */
  readonly timestampField: string | undefined;
}

const PREVIEW = 80;

function preview(line: string): string {
  return JSON.stringify(line.length > PREVIEW ? `${line.slice(0, PREVIEW)}...` : line);
}

/** Turns stdin lines into producer records; a line that cannot become one is a typed error naming its line number. */
export class LineRecordEncoder {
  constructor(private readonly enc: LineEncoding) {}

  encode(line: string, lineNo: number, now: number): ProducerRecord {
    const { topic, keySeparator } = this.enc;
    let key: Buffer | null = null;
    let valueText = line;
    if (keySeparator !== undefined) {
      const at = line.indexOf(keySeparator);
      if (at < 0) {
        throw this.lineError(lineNo, line, `has no key separator ${JSON.stringify(keySeparator)}`, 'Write lines as KEY<separator>VALUE, or drop --key-separator to send null keys.');
      }
      key = Buffer.from(line.slice(0, at), 'utf8');
      valueText = line.slice(at + keySeparator.length);
    }
    let timestamp = now;
    if (this.enc.json) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(valueText);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw this.lineError(lineNo, line, `is not valid JSON (${why})`, 'Fix the line (one JSON document per line), or drop --json to send text as is.');
      }
      if (this.enc.timestampField !== undefined) timestamp = this.timestampOf(parsed, lineNo, line);
    }
    const value = Buffer.from(valueText, 'utf8');
    return this.enc.partition === undefined ? { topic, key, value, timestamp } : { topic, partition: this.enc.partition, key, value, timestamp };
  }

  private timestampOf(parsed: unknown, lineNo: number, line: string): number {
    const field = this.enc.timestampField!;
    const raw = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)[field] : undefined;
    if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
    if (typeof raw === 'string') {
      const ms = Date.parse(raw);
      if (Number.isFinite(ms) && ms >= 0) return ms;
    }
    const got = raw === undefined ? 'no such field' : `got ${JSON.stringify(raw)}`;
    throw this.lineError(lineNo, line, `has no usable timestamp in field "${field}" (${got})`, `Give "${field}" as epoch milliseconds or an ISO-8601 string, or drop --timestamp-field to stamp records with the current time.`);
  }

  private lineError(lineNo: number, line: string, problem: string, fix: string): StreamwrightError {
    return new StreamwrightError('SERIALIZATION', `Line ${lineNo} of stdin ${problem}: ${preview(line)}. ${fix}`, { topic: this.enc.topic, line: lineNo });
  }
}
