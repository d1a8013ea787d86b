export { Serdes, serdeFrom, serdeByName } from './serdes.js';
