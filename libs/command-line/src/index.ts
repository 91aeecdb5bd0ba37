export * from './repo.paths.js';
export * from './option.parsers.js';
export * from './command.runner.js';
