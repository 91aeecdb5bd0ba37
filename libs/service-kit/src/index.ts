export * from './env.validation.js';
export * from './bus.module.js';
export * from './observability.module.js';
export * from './service.bootstrap.js';
export * from './service.config.js';
export * from './scenario.module.js';
export * from './zod-query.pipe.js';
/** The Clock's injection token, defined beside the Clock in `@aset/determinism`. */
export { CLOCK } from '@aset/determinism';
