import { join } from 'node:path';
import { seededRandom } from '@aset/determinism';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { readScenarioFile } from '@aset/scenario';
import { POLICY_LAB_SCENARIO, REPO_SCENARIOS } from '@aset/scenario/testing';
import { PlacementCatalog } from './placement.catalog.js';
import type { Observation, PolicyContext, QueryView } from './policy.contract.js';

/** A policy context over the policy-lab test scenario (or a named repository scenario) and the committed zoo. */
export function repoPolicyContext(scenarioName = 'policy-lab', seed = 1): PolicyContext {
  const zoo = readZoo(REPO_MANIFEST);
  const file = scenarioName === 'policy-lab' ? POLICY_LAB_SCENARIO : join(REPO_SCENARIOS, `${scenarioName}.yaml`);
  const scenario = readScenarioFile(file, { zoo });
  return { scenario, zoo, catalog: new PlacementCatalog(scenario, zoo), random: seededRandom(seed) };
}

/** An observation with every cluster idle and alive, except those listed in `down` (by cluster id). */
export function idleObservation(ctx: PolicyContext, now = 0, down: readonly string[] = []): Observation {
  return { now, clusters: ctx.scenario.clusters.map((c) => ({ busySlots: 0, queueLength: 0, alive: !down.includes(c.id) })) };
}

export function queryView(overrides: Partial<QueryView> = {}): QueryView {
  return { queryId: 'q-1', app: 'digit-reader', source: 'ap-1', task: 'digits', slo: { maxLatencyMs: 60, minAccuracy: 0.95 }, createdAt: 0, ...overrides };
}
