import { z } from 'zod';
import { DATA_FILES, readDataFile } from '@aset/contracts';
import { loadCheckpoint, type DqnAgent } from '@aset/rl';
import type { Scenario } from '@aset/scenario';
import { AsetStateEncoder, candidateStateSize } from './aset-state.encoder.js';
import type { AsetAgents, AsetController } from './aset.agents.js';
import type { PlacementCatalog } from './placement.catalog.js';
import { RecentActivity } from './recent-activity.window.js';
import { isStaticPolicyName } from './static.policies.js';
import { DEFAULT_SAFETY_TIERS } from './safety.shield.js';

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
    /** See AsetAgents.asetDirect.headroom; absent means false. */
    headroom: z.boolean().optional(),
    /** What it was taught (AsetAgents.asetDirect.objective); absent means `query`. */
    objective: z.enum(['query', 'discounted']).optional(),
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
 * Reads safety tiers written as `off` (no shield) or comma-separated non-negative numbers (`4,2,1,0`).
 * Throws a RangeError naming the offending text.
 */
export function parseSafetyTiers(text: string): readonly number[] {
  if (text.trim() === 'off') return [];
  const tokens = text.split(',').map((t) => t.trim());
  const tiers = tokens.map(Number);
  if (tokens.some((t) => t === '') || tiers.some((k) => !Number.isFinite(k) || k < 0)) {
    throw new RangeError(`safety tiers "${text}": expected off or comma-separated non-negative numbers, e.g. ${DEFAULT_SAFETY_TIERS.join(',')}`);
  }
  return tiers;
}

/** An ASET checkpoint, parsed and validated: the trained network and ASET's metadata. */
export interface AsetCheckpoint {
  readonly agent: DqnAgent;
  readonly metadata: AsetCheckpointMetadata;
}

/**
 * Parses an ASET checkpoint (text of the JSON file; `source` names it in errors). Throws when the
 * envelope is invalid or the metadata is not ASET's.
 */
export function loadAsetCheckpoint(text: string, source: string): AsetCheckpoint {
  const { agent, metadata } = loadCheckpoint(text, source);
  const parsed = AsetCheckpointMetadataSchema.safeParse(metadata);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: metadata.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'} (expected an ASET checkpoint written by npm run train)`);
  }
  return { agent, metadata: parsed.data };
}

/**
 * Reads and parses the ASET checkpoint file at `file`: refused, with an error naming the file, when it
 * cannot be read, is over `DATA_FILES.checkpoint.maxBytes` (checked before reading) or is not UTF-8,
 * and as {@link loadAsetCheckpoint} when it is not a valid ASET checkpoint.
 */
export function readAsetCheckpoint(file: string): AsetCheckpoint {
  return loadAsetCheckpoint(readDataFile(file, DATA_FILES.checkpoint), file);
}

/**
 * Loads an ASET checkpoint (text of the JSON file; `source` names it in errors) and checks that it
 * fits this scenario. Returns the agents entry for a PolicyContext. `safetyTiers` sets the
 * aset-direct agent's decision-time shield (default {@link DEFAULT_SAFETY_TIERS}; `[]` for none).
 */
export function asetAgentFromCheckpoint(text: string, source: string, scenario: Scenario, catalog: PlacementCatalog, options: { safetyTiers?: readonly number[] } = {}): AsetAgents {
  return asetAgentsOf(loadAsetCheckpoint(text, source), source, scenario, catalog, options);
}

/**
 * The agents entry for a PolicyContext from a parsed checkpoint, whose greedy network is the
 * controller; throws (naming `source`) when the checkpoint does not fit this scenario.
 * `safetyTiers` as in {@link asetAgentFromCheckpoint}. The controller decides on the network's
 * parameters as they are now (`DqnAgent.greedySnapshot`): a checkpoint's agent is only evaluated;
 * to learn online, train a copy (as the scheduler's online learning does).
 */
export function asetAgentsOf(checkpoint: AsetCheckpoint, source: string, scenario: Scenario, catalog: PlacementCatalog, options: { safetyTiers?: readonly number[] } = {}): AsetAgents {
  const { agent, metadata: meta } = checkpoint;
  const controller = greedyController(agent.greedySnapshot());
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
  const headroom = meta.headroom === true;
  const expected = candidateStateSize(meta.candidateSlots, headroom);
  if (expected !== meta.stateSize) throw new Error(`${source}: stateSize ${meta.stateSize} does not match ${meta.candidateSlots} candidate slots${headroom ? ' with the headroom view' : ''} (${expected})`);
  return { asetDirect: { controller, candidateSlots: meta.candidateSlots, nearestClusters: meta.nearestClusters, fastestVariantOnly: meta.fastestVariantOnly === true, headroom, safetyTiers: options.safetyTiers ?? DEFAULT_SAFETY_TIERS } };
}
