export * from './episode.randomizer.js';
export * from './aset.trainer.js';
