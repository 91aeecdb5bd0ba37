export * from './random.source.js';
export * from './clock.source.js';
