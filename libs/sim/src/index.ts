export * from './event.heap.js';
export * from './sim.record.js';
export * from './summary.sink.js';
export * from './simulation.js';
export * from './upper-bound.sink.js';
export * from './sim.runner.js';
export * from './heartbeat.timing.js';
export * from './capacity-bound.sink.js';
