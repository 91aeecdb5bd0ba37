export { dqnDefaults, trainAset, type AsetMode, type TrainConfig, type TrainProgress } from './aset.trainer.js';
export { DEFAULT_EPISODE_SPACE, type EpisodeSpace } from './episode.randomizer.js';
export { collectEpisode, inProcessCollector, learnFrom, type ActorRequest, type ActorSetup, type ExperienceBatch, type ExperienceCollector } from './experience.collector.js';
