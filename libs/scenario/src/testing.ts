import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository's `scenarios/` folder. */
export const REPO_SCENARIOS = resolve(fileURLToPath(import.meta.url), '../../../../scenarios');
