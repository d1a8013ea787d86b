import type { Topology } from '../graph/topology.js';
import { StreamwrightError } from '../errors/streamwright-error.js';
import type { StreamsConfig } from './streams-config.js';

/** Fails before anything runs if a source or sink has no serde and no default applies. */
export function checkSerdes(topology: Topology, config: StreamsConfig): void {
  for (const node of topology.nodes) {
    if (node.kind !== 'source' && node.kind !== 'sink') continue;
    const missing = !(node.keySerde ?? config.defaultKeySerde) ? 'key' : !(node.valueSerde ?? config.defaultValueSerde) ? 'value' : undefined;
    if (!missing) continue;
    const where = node.kind === 'source' ? `Source "${node.name}" (topics: ${node.topics.join(', ') || node.pattern})` : `Sink "${node.name}" (topic: ${node.topic ?? 'chosen per record'})`;
    const fix = node.kind === 'source' ? 'stream()' : node.internal ? 'repartition() (or the grouping/join that needs it)' : 'to()';
    throw new StreamwrightError('SERDE_MISSING', `${where} has no ${missing} serde. Pass { keySerde, valueSerde } to ${fix}, or set default.${missing}.serde.`, { node: node.name, missing });
  }
}
