export { toQueryRecord, type RecordSink, type SimRecord } from './sim.record.js';
export { SummarySink, FanOutSink } from './summary.sink.js';
export { Simulation } from './simulation.js';
export { UpperBoundSink } from './upper-bound.sink.js';
export { simulatePolicy, type PolicyRun } from './sim.runner.js';
export { heartbeatTiming, type HeartbeatTiming } from './heartbeat.timing.js';
export { CapacityBoundSink } from './capacity-bound.sink.js';
export { empiricalDelay, checkMessagingDelay, delaySampler, leastDelayMs, medianDelayMs, type MessagingDelay, type MessagingTime, type EmpiricalDelay } from './messaging.delay.js';
