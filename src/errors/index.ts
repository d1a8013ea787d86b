export { ErrorCodes, StreamwrightError, isStreamwrightError } from './streamwright-error.js';
export type { ErrorCode } from './streamwright-error.js';
