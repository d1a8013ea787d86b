import { booleanOption, expectPositionals } from './cli-args.js';
import type { CommandSpec } from './cli-command.js';
import { writeChunk } from './cli-io.js';
import { loadAppModule } from './app-module-loader.js';

const USAGE = 'streamwright describe MODULE [--json]';

export const describeCommand: CommandSpec = {
  path: ['describe'],
  summary: "Print an app module's topology description.",
  usage: USAGE,
  details: `Loads MODULE like \`run\` does (no backend is opened) and prints its topology in the text shape of
Kafka Streams' TopologyDescription: sub-topologies, sources, processors and sinks.
Arguments:
  MODULE    Path of a .js (or, under tsx, .ts) module exporting \`topology\` or \`buildTopology()\`.
Options:
  --json    Print the description as JSON instead.`,
  options: { json: { type: 'boolean' } },
  async run(ctx) {
    const [modulePath] = expectPositionals(ctx.positionals, ['module'], USAGE);
    const app = await loadAppModule(modulePath);
    const d = app.topology.describe();
    await writeChunk(ctx.io.stdout, booleanOption(ctx.values, 'json') ? `${JSON.stringify(d.toJSON(), null, 2)}\n` : d.toString());
    return 0;
  },
};
