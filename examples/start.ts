/**
 * `npm start`: generates click events into the embedded log, runs the clickstream app on it and
 * prints results as they flow, then shuts down cleanly. Nothing to install or start first.
 *
 *   npm start                # 3,000 events over ~6 s
 *   npm start -- 20000 10    # 20,000 events over ~10 s
 */
import * as fs from 'node:fs';
import { acquireEmbeddedBackend, StreamsApp } from '../src/index.js';
import { buildTopology, config, generateClicks, INPUT_TOPIC, OUTPUT_TOPICS } from './clickstream.js';

const total = Number(process.argv[2] ?? 3000);
const seconds = Number(process.argv[3] ?? 6);
const logDir = '.streamwright/demo-log';

fs.rmSync(logDir, { recursive: true, force: true });
const lease = await acquireEmbeddedBackend(logDir);
const admin = lease.backend.admin();
await admin.createTopics([INPUT_TOPIC, ...OUTPUT_TOPICS].map((name) => ({ name, partitions: 3 })));

const topology = buildTopology();
console.log(`Topology:\n${topology.describe()}`);
const app = new StreamsApp(topology, { ...config, 'log.dir': logDir, 'commit.interval.ms': 500, 'log.level': 'warn' });
app.onStateChange((now, before) => console.log(`[app] ${before} -> ${now}`));
await app.start();
await app.waitUntilRunning();

// Print what lands in the output topics as it arrives.
const reader = lease.backend.consumer({});
await reader.assign(OUTPUT_TOPICS.flatMap((topic) => [0, 1, 2].map((partition) => ({ topic, partition, offset: 0 }))));
const counts = new Map<string, number>(OUTPUT_TOPICS.map((t) => [t, 0]));
let printed = 0;
let reading = true;
const printing = (async () => {
  while (reading) {
    for (const fb of await reader.poll({ maxRecords: 1000, maxWaitMs: 100 })) {
      counts.set(fb.topic, (counts.get(fb.topic) ?? 0) + fb.size);
      for (let i = 0; i < fb.size && printed < 40; i++, printed++) {
        console.log(`  ${fb.topic.padEnd(15)} p${fb.partition} @${fb.offsets[i]}  ${fb.keys[i]?.toString()} => ${fb.values[i]?.toString()}`);
      }
    }
  }
})();

// Produce events in small batches spread over the run.
const producer = lease.backend.producer({});
const events = [...generateClicks(total, Date.now())];
const batches = Math.max(1, seconds * 10);
const per = Math.ceil(events.length / batches);
for (let i = 0; i < events.length; i += per) {
  const slice = events.slice(i, i + per);
  await producer.send(slice.map((e) => ({ topic: INPUT_TOPIC, key: Buffer.from(e.key), value: Buffer.from(JSON.stringify(e.value)), timestamp: e.value.ts })));
  await new Promise((r) => setTimeout(r, 100));
}
await new Promise((r) => setTimeout(r, 1500));
reading = false;
await printing;
if (printed >= 40) console.log('  ... (first 40 shown)');

const expected = { purchases: 0, 'clicks-by-page': 0, 'page-views': 0 } as Record<string, number>;
for (const e of events) {
  if (/bot|crawler|spider/i.test(e.value.userAgent)) continue;
  expected[e.value.action === 'purchase' ? 'purchases' : e.value.action === 'click' ? 'clicks-by-page' : 'page-views']++;
}
console.log(`\nProduced ${events.length} events. Output per topic (expected):`);
for (const t of OUTPUT_TOPICS) console.log(`  ${t.padEnd(15)} ${counts.get(t)} (${expected[t]})`);
await reader.close();
await producer.close();
await app.close();
await lease.release();
const ok = OUTPUT_TOPICS.every((t) => counts.get(t) === expected[t]);
console.log(ok ? '\nAll outputs match. Next: README.md has a tour of the DSL, the CLI and Kafka.' : '\nOutputs differ from the expectation.');
process.exitCode = ok ? 0 : 1;
