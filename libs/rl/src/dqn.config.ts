import { z } from 'zod';
import { EpsilonScheduleSchema, type EpsilonSchedule } from './epsilon.schedule.js';

const positiveInt = z.int().min(1);

/**
 * What a `DqnAgent` may be configured with. Unknown keys are rejected (a misspelt option is an error,
 * not a silent default). Defaults are filled by `resolveDqnConfig`.
 */
export const DqnOptionsSchema = z
  .strictObject({
    stateSize: positiveInt,
    actionCount: positiveInt,
    hidden: z.array(positiveInt).optional(),
    lr: z.number().positive().optional(),
    gamma: z.number().min(0).max(1).optional(),
    batchSize: positiveInt.optional(),
    bufferSize: positiveInt.optional(),
    targetUpdateEvery: positiveInt.optional(),
    tau: z.number().positive().max(1).optional(),
    doubleDqn: z.boolean().optional(),
    huberDelta: z.number().positive().optional(),
    gradClip: z.number().positive().nullable().optional(),
    epsilon: EpsilonScheduleSchema.optional(),
    trainEvery: positiveInt.optional(),
    warmupSteps: z.int().min(0).optional(),
    seed: z.int().min(0).max(0xffffffff).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.tau !== undefined && o.targetUpdateEvery !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tau'], message: 'expected either tau (soft target update) or targetUpdateEvery (hard), not both' });
    }
    if (o.bufferSize !== undefined && o.bufferSize < (o.batchSize ?? DQN_DEFAULTS.batchSize)) {
      ctx.addIssue({ code: 'custom', path: ['bufferSize'], message: 'expected bufferSize >= batchSize' });
    }
  });

export type DqnOptions = z.input<typeof DqnOptionsSchema>;

/** A fully resolved configuration (every default filled in); what checkpoints store. */
export interface DqnConfig {
  /** Length of a state vector. */
  stateSize: number;
  /** Number of discrete actions (network outputs). */
  actionCount: number;
  /** Hidden layer widths, input side first. Default [64, 64]. */
  hidden: number[];
  /** Adam step size. Default 1e-3. */
  lr: number;
  /** Discount factor in [0, 1]. Default 0.99. */
  gamma: number;
  /** Transitions per gradient update. Default 32. */
  batchSize: number;
  /** Replay capacity (>= batchSize). Default 10 000. */
  bufferSize: number;
  /** Hard target update: copy the online network every this many gradient updates. Default 500; absent when `tau` is set. */
  targetUpdateEvery?: number;
  /** Soft target update after every gradient update, `theta' <- tau theta + (1 - tau) theta'`. */
  tau?: number;
  /** Double DQN targets (online net picks the argmax at s', target net evaluates it). Default true. */
  doubleDqn: boolean;
  /** Huber loss threshold. Default 1. */
  huberDelta: number;
  /** Maximum global gradient L2 norm; null = no clipping. Default 10. */
  gradClip: number | null;
  /** Exploration rate by environment step. Default linear 1 -> 0.05 over 10 000 steps. */
  epsilon: EpsilonSchedule;
  /** One gradient update every this many `observe` calls (after warm-up). Default 1. */
  trainEvery: number;
  /** No gradient update before this many `observe` calls. Default 1000. */
  warmupSteps: number;
  /** Seed of every random stream of the agent (initialisation, exploration, replay sampling). Default 0. */
  seed: number;
}

/** The defaults `resolveDqnConfig` fills in. */
export const DQN_DEFAULTS = {
  hidden: [64, 64],
  lr: 1e-3,
  gamma: 0.99,
  batchSize: 32,
  bufferSize: 10_000,
  targetUpdateEvery: 500,
  doubleDqn: true,
  huberDelta: 1,
  gradClip: 10,
  epsilon: { kind: 'linear', start: 1, end: 0.05, steps: 10_000 },
  trainEvery: 1,
  warmupSteps: 1000,
  seed: 0,
} as const satisfies Partial<DqnConfig>;

/** `source: path: message` lines of a zod error, one per issue. */
export function describeIssues(source: string, error: z.ZodError): string {
  return error.issues.map((i) => `${source}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

/**
 * Validates `options` and fills the defaults. Throws an Error whose message names `source`, each
 * offending field and what was expected.
 */
export function resolveDqnConfig(options: unknown, source = 'DqnAgent config'): DqnConfig {
  const parsed = DqnOptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(describeIssues(source, parsed.error));
  const o = parsed.data;
  const config: DqnConfig = {
    stateSize: o.stateSize,
    actionCount: o.actionCount,
    hidden: [...(o.hidden ?? DQN_DEFAULTS.hidden)],
    lr: o.lr ?? DQN_DEFAULTS.lr,
    gamma: o.gamma ?? DQN_DEFAULTS.gamma,
    batchSize: o.batchSize ?? DQN_DEFAULTS.batchSize,
    bufferSize: o.bufferSize ?? Math.max(DQN_DEFAULTS.bufferSize, o.batchSize ?? 0),
    doubleDqn: o.doubleDqn ?? DQN_DEFAULTS.doubleDqn,
    huberDelta: o.huberDelta ?? DQN_DEFAULTS.huberDelta,
    gradClip: o.gradClip === undefined ? DQN_DEFAULTS.gradClip : o.gradClip,
    epsilon: o.epsilon ?? { ...DQN_DEFAULTS.epsilon },
    trainEvery: o.trainEvery ?? DQN_DEFAULTS.trainEvery,
    warmupSteps: o.warmupSteps ?? DQN_DEFAULTS.warmupSteps,
    seed: o.seed ?? DQN_DEFAULTS.seed,
  };
  if (o.tau !== undefined) config.tau = o.tau;
  else config.targetUpdateEvery = o.targetUpdateEvery ?? DQN_DEFAULTS.targetUpdateEvery;
  return config;
}
