import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The root of the repository this library lies in (this file is libs/model-zoo/{src,dist}/repo.root.*): its committed `models/`, `scenarios/` and `checkpoints/`. */
export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
