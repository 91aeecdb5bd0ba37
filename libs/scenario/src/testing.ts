import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '@aset/model-zoo';

/** The repository's `scenarios/` folder. */
export const REPO_SCENARIOS = join(REPO_ROOT, 'scenarios');

/**
 * A small, stable scenario for tests (four clusters over three tiers, two sources, digits only,
 * Poisson arrivals): tests pin expectations to it, so it changes only with them.
 */
export const POLICY_LAB_SCENARIO = resolve(fileURLToPath(import.meta.url), '../../test/fixtures/good/policy-lab.yaml');
