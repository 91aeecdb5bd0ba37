export { BATCH_SIZES, MAX_BATCH_SIZE, type Manifest, type TaskSpec, type VariantSpec, type LatencyProfile } from './manifest.schema.js';
export { ZooError } from './zoo.error.js';
export { readZoo, ModelZoo } from './model.zoo.js';
export { readVerifiedModel } from './model-file.check.js';
export { loadHeldOut, type HeldOutSet } from './held-out.dataset.js';
export { REPO_ROOT } from './repo.root.js';
