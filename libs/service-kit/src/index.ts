export * from './env.validation.js';
export * from './bus.module.js';
export * from './observability.module.js';
export * from './service.bootstrap.js';
export * from './scenario.module.js';
export * from './zod-query.pipe.js';
