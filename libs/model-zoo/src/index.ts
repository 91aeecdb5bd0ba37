export * from './manifest.schema.js';
export * from './zoo.error.js';
export * from './model.zoo.js';
export * from './model-file.check.js';
export * from './held-out.dataset.js';
export * from './repo.root.js';
