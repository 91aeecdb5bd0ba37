export * from './mlp.network.js';
export * from './adam.optimizer.js';
export * from './huber.loss.js';
export * from './replay.buffer.js';
export * from './epsilon.schedule.js';
export * from './dqn.config.js';
export * from './dqn.agent.js';
export * from './dqn.checkpoint.js';
