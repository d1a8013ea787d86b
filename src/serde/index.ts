export { Serdes, serdeFrom, serdeByName } from './serdes.js';
export { WindowedSerdes, changeSerde } from './windowed-serdes.js';
