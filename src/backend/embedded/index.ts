export { openEmbeddedBackend } from './embedded-backend.js';
export type { EmbeddedBackend, EmbeddedBackendOptions } from './embedded-backend.js';
export type { FlushPolicy } from './flush-scheduler.js';
export { TOPIC_CONFIG_DEFAULTS } from './topic-config.js';
