import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository's `scenarios/` folder. */
export const REPO_SCENARIOS = resolve(fileURLToPath(import.meta.url), '../../../../scenarios');

/**
 * A small, stable scenario for tests (four clusters over three tiers, two sources, digits only,
 * Poisson arrivals): tests pin expectations to it, so it changes only with them.
 */
export const POLICY_LAB_SCENARIO = resolve(fileURLToPath(import.meta.url), '../../test/fixtures/good/policy-lab.yaml');
