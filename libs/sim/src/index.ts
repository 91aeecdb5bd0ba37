export * from './event.heap.js';
export * from './sim.record.js';
export * from './summary.sink.js';
export * from './simulation.js';
