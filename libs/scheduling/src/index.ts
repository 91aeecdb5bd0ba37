export * from './policy.contract.js';
export * from './placement.catalog.js';
export * from './policy.registry.js';
export * from './closest.policy.js';

