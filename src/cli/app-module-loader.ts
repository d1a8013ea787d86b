import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { Topology } from '../graph/topology.js';

/** What `run` and `describe` take from an app module. */
export interface AppModule {
  readonly file: string;
  readonly topology: Topology;
  /** The module's `config` export (StreamsConfig keys), or {}. */
  readonly config: Readonly<Record<string, unknown>>;
}

const EXPECTED = 'Export `topology` (a built Topology, e.g. `export const topology = builder.build()`) or `buildTopology()` returning one (or a Promise of one), and optionally `config` (an object of StreamsConfig keys).';

/** A Topology from any copy of the package (src under tsx, dist when installed), so no instanceof. */
function isTopology(x: unknown): x is Topology {
  return typeof x === 'object' && x !== null && Array.isArray((x as Topology).nodes) && Array.isArray((x as Topology).subtopologies) && typeof (x as Topology).describe === 'function';
}

function invalid(file: string, problem: string): StreamwrightError {
  return new StreamwrightError('TOPOLOGY_INVALID', `App module ${file} ${problem}. ${EXPECTED}`, { module: file });
}

/** Imports the module at `modulePath` (relative to `cwd`) and takes its topology and config. */
export async function loadAppModule(modulePath: string, cwd = process.cwd()): Promise<AppModule> {
  const file = path.resolve(cwd, modulePath);
  if (!fs.existsSync(file)) {
    throw new StreamwrightError('CONFIG_INVALID', `App module ${file} does not exist. Pass the path of a .js (or, under tsx, .ts) file that exports the app's topology.`, { module: file });
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?$/.test(file)) {
      throw new StreamwrightError(
        'CONFIG_INVALID',
        `Cannot load the TypeScript module ${file} under plain node. Run the CLI through tsx (\`npx tsx node_modules/streamwright/dist/cli/main.js run ...\`, \`node --import tsx ...\`, or \`npm run streamwright -- run ...\` in this repository), or compile the app to .js first.`,
        { module: file },
        { cause: e },
      );
    }
    throw new StreamwrightError('CONFIG_INVALID', `Loading app module ${file} failed: ${e instanceof Error ? e.message : String(e)}. Fix the module (run it with --verbose for the stack).`, { module: file }, { cause: e });
  }
  let topology: unknown = mod.topology;
  if (topology === undefined && typeof mod.buildTopology === 'function') {
    topology = await (mod.buildTopology as () => unknown)();
    if (!isTopology(topology)) throw invalid(file, `has buildTopology(), but it returned ${describeValue(topology)} instead of a Topology (did you forget builder.build()?)`);
  } else if (topology === undefined) {
    throw invalid(file, `exports neither \`topology\` nor \`buildTopology\` (it exports: ${Object.keys(mod).join(', ') || 'nothing'})`);
  } else if (!isTopology(topology)) {
    throw invalid(file, `exports \`topology\`, but it is ${describeValue(topology)} instead of a Topology (did you forget builder.build()?)`);
  }
  const config = mod.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw invalid(file, `exports \`config\` as ${describeValue(config)}; it must be a plain object such as { 'application.id': 'my-app' }`);
  }
  return { file, topology, config: config as Record<string, unknown> };
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `an object (${v.constructor?.name ?? 'Object'})`;
  return `a ${typeof v}`;
}
