export { ManualClock } from './clock.source.js';
