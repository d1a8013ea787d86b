export { StreamsBuilder } from './streams-builder.js';
export { KStream } from './kstream.js';
export type { ObservedRecord, StreamState } from './kstream.js';
export { BranchedKStream } from './branched-kstream.js';
export type * from './dsl-options.js';
