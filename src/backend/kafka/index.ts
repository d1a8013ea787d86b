export { createKafkaBackend } from './kafka-backend.js';
export type { KafkaBackendConfig, KafkaLogSink } from './kafka-config.js';
