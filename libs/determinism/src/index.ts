export { seededRandom, deriveSeed, exponential, standardNormal, randomInt, type Random } from './random.source.js';
export { CLOCK, SystemClock, type Clock } from './clock.source.js';
