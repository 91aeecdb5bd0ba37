export * from './bus.logger.js';
export * from './bus.stats.js';
export * from './message.bus.js';
export * from './request.dispatcher.js';
export * from './record.stream.js';
