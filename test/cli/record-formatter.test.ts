import { describe, expect, it } from 'vitest';
import type { FetchBatch } from '../../src/backend/backend-types.js';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import { LineSplitter } from '../../src/cli/line-splitter.js';
import { RecordFormatter } from '../../src/cli/record-formatter.js';

const batch: FetchBatch = {
  topic: 'orders',
  partition: 2,
  size: 3,
  offsets: [40, 41, 42],
  timestamps: [1000, 2000, 3000],
  keys: [Buffer.from('k1'), null, Buffer.from('ключ')],
  values: [Buffer.from('v1'), Buffer.from(''), null],
  headers: [[{ key: 'a', value: Buffer.from('x') }, { key: 'b', value: null }], undefined, []],
  highWatermark: 43,
};

describe('RecordFormatter', () => {
  it('prints the value by default and "null" for a null value, one line per record', () => {
    expect(RecordFormatter.compile('%v', 'u').format(batch, 0, 3)).toBe('v1\n\nnull\n');
  });

  it('fills every placeholder as documented', () => {
    const f = RecordFormatter.compile('%T/%p@%o t=%t [%k|%v] h=%h K=%K V=%V 100%%', 'u');
    expect(f.format(batch, 0, 3)).toBe(
      'orders/2@40 t=1000 [k1|v1] h=a:x,b:null K=2 V=2 100%\n' +
        'orders/2@41 t=2000 [null|] h=NO_HEADERS K=-1 V=0 100%\n' +
        'orders/2@42 t=3000 [ключ|null] h=NO_HEADERS K=8 V=-1 100%\n',
    );
  });

  it('formats a sub-range of the batch and understands \\t, \\n and \\\\ escapes', () => {
    const f = RecordFormatter.compile('%k\\t%v\\n--\\\\', 'u');
    expect(f.format(batch, 1, 2)).toBe('null\t\n--\\\n');
    expect(f.format(batch, 0, 0)).toBe('');
  });

  it('rejects unknown placeholders and a trailing % with CLI_USAGE', () => {
    for (const bad of ['%x', 'value %']) {
      let err: unknown;
      try {
        RecordFormatter.compile(bad, 'streamwright consume TOPIC');
      } catch (e) {
        err = e;
      }
      expect(isStreamwrightError(err, 'CLI_USAGE')).toBe(true);
      expect((err as Error).message).toContain(bad === '%x' ? 'unknown placeholder "%x"' : 'a lone "%" at the end');
    }
  });
});

describe('LineSplitter', () => {
  it('yields the same lines however the input is chunked', () => {
    const text = 'alpha\r\nbeta\n\ngamma ü\ndelta';
    const reference = ['alpha', 'beta', '', 'gamma ü', 'delta'];
    const bytes = Buffer.from(text);
    for (let size = 1; size <= bytes.length; size++) {
      const s = new LineSplitter();
      const out: string[] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(...s.push(bytes.subarray(i, i + size)));
      const last = s.end();
      if (last !== undefined) out.push(last);
      expect(out, `chunk size ${size}`).toEqual(reference);
    }
  });

  it('has no last line when input ends with a newline', () => {
    const s = new LineSplitter();
    expect(s.push('a\nb\n')).toEqual(['a', 'b']);
    expect(s.hasPartial).toBe(false);
    expect(s.end()).toBeUndefined();
  });
});
