export * from './scenario.schema.js';
export * from './scenario.error.js';
export * from './scenario.model.js';
export * from './scenario.parser.js';
export * from './trace.parser.js';
export * from './link.delay.js';
export * from './isp-topology.generator.js';
