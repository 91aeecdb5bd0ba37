export * from './episode.randomizer.js';
export * from './dqn.controller.js';
export * from './aset.trainer.js';
