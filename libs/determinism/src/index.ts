export { seededRandom, deriveSeed, exponential, standardNormal, randomInt, type Random } from './random.source.js';
export { CLOCK, SystemClock, type Clock } from './clock.source.js';
export { MAX_TIMER_DELAY_MS, setChainedTimeout, type ChainedTimeout } from './chained.timer.js';
