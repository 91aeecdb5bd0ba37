export * from './repo.paths.js';
export { REPO_ROOT, DEFAULT_MANIFEST, scenarioPath } from '@aset/command-line';
export * from './free.port.js';
export * from './managed.service.js';
export * from './nats.server.js';
export * from './postgres.server.js';
export * from './service.process.js';
export * from './cleanup.hooks.js';
export * from './testbed.launcher.js';
