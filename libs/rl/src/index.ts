export type { ActionMask, Transition } from './replay.buffer.js';
export type { DqnOptions, DqnConfig } from './dqn.config.js';
export { DqnAgent } from './dqn.agent.js';
export { saveCheckpoint, loadCheckpoint } from './dqn.checkpoint.js';
