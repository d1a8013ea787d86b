import { describe, expect, it } from 'vitest';
import { cli, openLog, tempDir } from './cli-test-helpers.js';

describe('streamwright topics', () => {
  it('creates, lists, describes and deletes topics in the embedded log', async () => {
    const dir = tempDir();
    const log = ['--log-dir', dir];
    expect((await cli(['topics', 'list', ...log])).stdout).toBe('');

    const created = await cli(['topics', 'create', 'orders', '--partitions', '3', '--config', 'cleanup.policy=compact', '--config', 'retention.ms=60000', ...log]);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Created topic "orders" with 3 partitions');
    expect((await cli(['topics', 'create', 'audit', ...log])).code).toBe(0);

    // Sorted, one per line.
    expect((await cli(['topics', 'list', ...log])).lines).toEqual(['audit', 'orders']);

    // What the CLI created is what the backend holds.
    const lease = await openLog(dir);
    try {
      const [d] = await lease.backend.admin().describeTopics(['orders']);
      expect(d.partitions).toBe(3);
      expect(d.config['cleanup.policy']).toBe('compact');
      expect(d.config['retention.ms']).toBe('60000');
      await lease.backend.producer({}).send([
        { topic: 'orders', partition: 1, key: Buffer.from('k'), value: Buffer.from('a'), timestamp: 1 },
        { topic: 'orders', partition: 1, key: Buffer.from('k'), value: Buffer.from('b'), timestamp: 2 },
        { topic: 'orders', partition: 2, key: Buffer.from('j'), value: Buffer.from('c'), timestamp: 3 },
      ]);
    } finally {
      await lease.release();
    }

    const described = await cli(['topics', 'describe', 'orders', ...log]);
    expect(described.code).toBe(0);
    const [header, ...parts] = described.lines;
    expect(header).toMatch(/^Topic: orders\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: .*cleanup\.policy=compact/);
    expect(header).toContain('retention.ms=60000');
    expect(parts).toEqual([
      '\tTopic: orders\tPartition: 0\tEarliestOffset: 0\tLatestOffset: 0',
      '\tTopic: orders\tPartition: 1\tEarliestOffset: 0\tLatestOffset: 2',
      '\tTopic: orders\tPartition: 2\tEarliestOffset: 0\tLatestOffset: 1',
    ]);

    const deleted = await cli(['topics', 'delete', 'orders', ...log]);
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).toContain('Deleted topic "orders"');
    expect((await cli(['topics', 'list', ...log])).lines).toEqual(['audit']);
  });

  it('reports an existing topic as TOPIC_EXISTS unless --if-not-exists, which leaves it unchanged', async () => {
    const dir = tempDir();
    await cli(['topics', 'create', 't', '--partitions', '2', '--log-dir', dir]);
    const again = await cli(['topics', 'create', 't', '--log-dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error \[TOPIC_EXISTS\]: Topic "t" already exists/);
    expect(again.stderr).not.toContain('    at ');

    const tolerant = await cli(['topics', 'create', 't', '--partitions', '5', '--if-not-exists', '--log-dir', dir]);
    expect(tolerant.code).toBe(0);
    expect(tolerant.stderr).toContain('already exists; left unchanged');
    expect((await cli(['topics', 'describe', 't', '--log-dir', dir])).lines[0]).toContain('PartitionCount: 2');
  });

  it('names the missing topic on describe and delete, and --if-exists makes delete a no-op', async () => {
    const dir = tempDir();
    const d = await cli(['topics', 'describe', 'ghost', '--log-dir', dir]);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^error \[TOPIC_NOT_FOUND\]: .*"ghost"/);
    const del = await cli(['topics', 'delete', 'ghost', '--log-dir', dir]);
    expect(del.code).toBe(1);
    expect(del.stderr).toMatch(/^error \[TOPIC_NOT_FOUND\]: Topic "ghost" does not exist.*--if-exists/);
    expect((await cli(['topics', 'delete', 'ghost', '--if-exists', '--log-dir', dir])).code).toBe(0);
  });

  it('rejects bad names and flag values with typed errors', async () => {
    const dir = tempDir();
    const bad = await cli(['topics', 'create', 'no spaces', '--log-dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error \[TOPIC_INVALID_NAME\]/);
    const zero = await cli(['topics', 'create', 't', '--partitions', '0', '--log-dir', dir]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--partitions must be an integer >= 1, got "0"');
    const cfg = await cli(['topics', 'create', 't', '--config', 'retention.ms', '--log-dir', dir]);
    expect(cfg.code).toBe(2);
    expect(cfg.stderr).toContain('--config expects key=value, got "retention.ms"');
    expect((await cli(['topics', 'list', '--log-dir', dir])).stdout).toBe('');
  });

  it('takes the log directory from STREAMWRIGHT_LOG_DIR, and --log-dir wins over it', async () => {
    const a = tempDir();
    const b = tempDir();
    await cli(['topics', 'create', 'in-a'], { env: { STREAMWRIGHT_LOG_DIR: a } });
    await cli(['topics', 'create', 'in-b', '--log-dir', b], { env: { STREAMWRIGHT_LOG_DIR: a } });
    expect((await cli(['topics', 'list', '--log-dir', a])).lines).toEqual(['in-a']);
    expect((await cli(['topics', 'list'], { env: { STREAMWRIGHT_LOG_DIR: b } })).lines).toEqual(['in-b']);
  });
});
