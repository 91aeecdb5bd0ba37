import { z } from 'zod';
import { loadCheckpoint } from '@aset/rl';
import type { Scenario } from '@aset/scenario';
import { AsetStateEncoder, CANDIDATE_FEATURES } from './aset-state.encoder.js';
import type { AsetAgents, AsetController } from './policy.contract.js';
import type { PlacementCatalog } from './placement.catalog.js';
import { RecentActivity } from './recent-activity.window.js';
import { isStaticPolicyName } from './static.policies.js';

/** What ASET saves in a checkpoint's `metadata` besides the network (see libs/rl/README.md for the envelope). */
export const AsetCheckpointMetadataSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('aset'),
    /** Static policies in action order. */
    policies: z.array(z.string()).min(2),
    stepMs: z.number().positive(),
    stateSize: z.number().int().positive(),
    /** The scenario it was trained on (per-cluster features tie it to that topology). */
    scenario: z.string(),
    seed: z.number().int(),
  }).loose(),
  z.object({
    mode: z.literal('aset-direct'),
    candidateSlots: z.number().int().positive(),
    nearestClusters: z.number().int().positive(),
    /** See AsetAgents.asetDirect.fastestVariantOnly; absent means false. */
    fastestVariantOnly: z.boolean().optional(),
    stateSize: z.number().int().positive(),
    scenario: z.string(),
    seed: z.number().int(),
  }).loose(),
]);
export type AsetCheckpointMetadata = z.infer<typeof AsetCheckpointMetadataSchema>;

/** A trained network as a greedy controller: the deployed agent (no exploration, no learning). */
export function greedyController(agent: { greedy(state: Float32Array, mask?: ArrayLike<number>): number }): AsetController {
  return { choose: (state, mask) => agent.greedy(state, mask) };
}

/**
 * Loads an ASET checkpoint (text of the JSON file; `source` names it in errors) and checks that it
 * fits this scenario. Returns the agents entry for a PolicyContext.
 */
export function asetAgentFromCheckpoint(text: string, source: string, scenario: Scenario, catalog: PlacementCatalog): AsetAgents {
  const { agent, metadata } = loadCheckpoint(text, source);
  const parsed = AsetCheckpointMetadataSchema.safeParse(metadata);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: metadata.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'} (expected an ASET checkpoint written by npm run train)`);
  }
  const meta = parsed.data;
  const controller = greedyController(agent);
  if (meta.mode === 'aset') {
    const unknown = meta.policies.filter((p) => !isStaticPolicyName(p));
    if (unknown.length) throw new Error(`${source}: metadata.policies names unknown static policies: ${unknown.join(', ')}`);
    const expected = new AsetStateEncoder(scenario, catalog, new RecentActivity(scenario, catalog), meta.policies.length).size;
    if (expected !== meta.stateSize) {
      throw new Error(
        `${source}: trained on scenario ${meta.scenario} with a state of ${meta.stateSize} features; scenario ${scenario.name} gives ${expected} (${scenario.clusters.length} clusters, ${scenario.applications.length} applications). Train a checkpoint for this scenario.`,
      );
    }
    return { aset: { controller, policies: meta.policies, stepMs: meta.stepMs } };
  }
  const expected = meta.candidateSlots * CANDIDATE_FEATURES + 2;
  if (expected !== meta.stateSize) throw new Error(`${source}: stateSize ${meta.stateSize} does not match ${meta.candidateSlots} candidate slots (${expected})`);
  return { asetDirect: { controller, candidateSlots: meta.candidateSlots, nearestClusters: meta.nearestClusters, fastestVariantOnly: meta.fastestVariantOnly === true } };
}
