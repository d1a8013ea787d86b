import { describe, expect, it } from 'vitest';
import { isStreamwrightError } from '../../src/errors/streamwright-error.js';
import { resolveConfig } from '../../src/runtime/streams-config.js';

const base = { 'application.id': 'app' };

describe('application.server config', () => {
  it('is optional and kept as given when it is host:port', () => {
    expect(resolveConfig(base).applicationServer).toBeUndefined();
    for (const v of ['localhost:8080', 'orders-1.svc.cluster.local:1', '10.0.0.7:65535', '[::1]:9000', '[2001:db8::1]:443']) {
      expect(resolveConfig({ ...base, 'application.server': v }).applicationServer).toBe(v);
    }
  });

  it('rejects anything else with CONFIG_INVALID naming the key, the value and the expected form', () => {
    for (const v of ['localhost', 'localhost:', ':8080', 'host:0', 'host:65536', 'host:80x', 'a b:80', 'http://host:80', '::1:80', '', 8080, null]) {
      let err: unknown;
      try {
        resolveConfig({ ...base, 'application.server': v });
      } catch (e) {
        err = e;
      }
      expect(isStreamwrightError(err, 'CONFIG_INVALID'), JSON.stringify(v)).toBe(true);
      expect((err as Error).message).toContain('"application.server"');
      expect((err as Error).message).toContain('host:port');
    }
  });
});
