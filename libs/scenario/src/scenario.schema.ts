import { z } from 'zod';
import { Identifier, SloSchema } from '@aset/contracts';
import { MAX_BATCH_SIZE } from '@aset/model-zoo';

export const TIERS = ['far-edge', 'near-edge', 'cloud'] as const;
export type Tier = (typeof TIERS)[number];

export const HardwareClassSchema = z.object({
  /**
   * How many times slower than the host that profiled the zoo this class runs a model (>= 1).
   * Workers pad real execution time up to `measured * speedFactor`.
   */
  speedFactor: z.number().min(1),
  description: z.string().optional(),
});

/** How one hosted variant's queries are batched; see ClusterSchema's `batching`. */
export const BatchingSchema = z.object({
  /** Most queries in one batch; at most the largest batch size the zoo profiles (MAX_BATCH_SIZE, 8). */
  maxBatchSize: z.number().int().min(1).max(MAX_BATCH_SIZE),
  /** How long the oldest waiting query may wait for its batch to fill (Triton's `max_queue_delay_microseconds`), ms. */
  maxQueueDelayMs: z.number().nonnegative().max(10_000),
});

export const ClusterSchema = z.object({
  id: Identifier,
  tier: z.enum(TIERS),
  /** Key into `hardwareClasses`. */
  hardware: Identifier,
  /** How many queries the cluster runs at once. */
  slots: z.number().int().positive().max(1024),
  /**
   * How many queries may wait for a slot (Triton's `max_queue_size`); a query that arrives with
   * every slot busy and this many waiting is refused at once (`QUEUE_FULL`). Absent: unbounded.
   */
  maxQueue: z.number().int().nonnegative().max(1_000_000).optional(),
  /** Zoo binding: ids of the model variants this cluster hosts. */
  variants: z.array(Identifier).min(1),
  /**
   * Dynamic batching, by hosted variant id (Triton's `dynamic_batching`): a variant listed here
   * runs up to `maxBatchSize` of its waiting queries as one batch on one slot; a batch that is not
   * full starts once its oldest query has waited `maxQueueDelayMs`. Variants not listed run one
   * query at a time. `libs/scenario`'s ClusterQueue is the rule, for the workers and the simulator.
   */
  batching: z.record(Identifier, BatchingSchema).optional(),
});

export const SourceSchema = z.object({
  id: Identifier,
  description: z.string().optional(),
});

/** The network between one source and one cluster. Delays apply to the request and to the reply. */
export const LinkSchema = z.object({
  source: Identifier,
  cluster: Identifier,
  /** Round-trip time in ms; each direction takes half. */
  rttMs: z.number().nonnegative(),
  /** Bandwidth in Mbit/s; a payload of B bytes takes B*8/(bandwidthMbps*1000) ms to transfer. */
  bandwidthMbps: z.number().positive(),
  /** Standard deviation of the per-direction delay, ms (truncated normal, never below zero). */
  jitterMs: z.number().nonnegative(),
});

const MatrixOf = (value: z.ZodNumber) => z.array(z.array(value));

/** Dense form of the links: `rttMs[s][c]` is the RTT from source s to cluster c. */
export const LinkMatrixSchema = z.object({
  rttMs: MatrixOf(z.number().nonnegative()),
  bandwidthMbps: MatrixOf(z.number().positive()),
  jitterMs: MatrixOf(z.number().nonnegative()),
});

export const ApplicationSchema = z.object({
  id: Identifier,
  /** Zoo task the application's queries run. */
  task: Identifier,
  slo: SloSchema,
  /** Request payload on the wire, bytes; defaults to the size of one input tensor. */
  payloadBytes: z.number().int().positive().optional(),
  /** Reply payload on the wire, bytes. */
  replyBytes: z.number().int().positive().default(256),
});

const Rate = z.number().positive().max(1e7);
const Seconds = z.number().nonnegative().max(1e9);

/**
 * How one (source, app) stream's queries arrive. All are open-loop and seeded. `rateScale` (load
 * level) multiplies every rate; for traces it compresses time instead.
 */
export const ArrivalProcessSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('poisson'),
    /** Mean arrivals per second. */
    ratePerSec: Rate,
  }),
  z.object({
    kind: z.literal('diurnal'),
    /** Poisson with rate `mean * (1 + amplitude * sin(2 pi (t + phaseSec) / periodSec))`, t in seconds. */
    meanRatePerSec: Rate,
    amplitude: z.number().min(0).max(1),
    periodSec: z.number().positive(),
    phaseSec: Seconds.default(0),
  }),
  z.object({
    kind: z.literal('flash-crowd'),
    /** Poisson at `baseRatePerSec`, rising linearly over `rampSec` from `startSec` to `peakMultiplier` times the base, held for `durationSec`, then back. */
    baseRatePerSec: Rate,
    startSec: Seconds,
    rampSec: Seconds.default(0),
    durationSec: z.number().positive(),
    peakMultiplier: z.number().min(1).max(1000),
  }),
  z.object({
    kind: z.literal('mmpp'),
    /** Bursts: a two-state Markov-modulated Poisson process alternating calm and burst periods of exponential length. */
    calmRatePerSec: z.number().nonnegative(),
    burstRatePerSec: Rate,
    meanCalmSec: z.number().positive(),
    meanBurstSec: z.number().positive(),
  }),
  z.object({
    kind: z.literal('trace'),
    /** CSV replayed as is (see docs/scenarios.md): a header with an `offset_ms` column, one arrival per row. Relative to the scenario file. */
    file: z.string().min(1),
    /** Start again after the last arrival (period: last offset plus the mean gap). */
    loop: z.boolean().default(true),
  }),
]);

export const ArrivalSchema = z.object({
  source: Identifier,
  app: Identifier,
  process: ArrivalProcessSchema,
});

const Window = {
  /** Seconds after the run starts. */
  startSec: z.number().nonnegative(),
  durationSec: z.number().positive(),
};

/**
 * Events that change the topology during a run (simulator; the live emulation ignores them).
 * Clusters may be picked by id or by tier; sources default to all. What each kind does is its entry
 * in DYNAMIC_EFFECTS (`dynamic.effects.ts`).
 */
export const DynamicEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('link-degradation'),
    ...Window,
    clusters: z.array(Identifier).optional(),
    tiers: z.array(z.enum(TIERS)).optional(),
    sources: z.array(Identifier).optional(),
    /** RTT becomes `rttMs * rttMultiplier + extraRttMs`. */
    rttMultiplier: z.number().min(1).default(1),
    extraRttMs: z.number().nonnegative().default(0),
    /** Bandwidth becomes `bandwidthMbps * bandwidthMultiplier`. */
    bandwidthMultiplier: z.number().positive().max(1).default(1),
    /** Jitter becomes `jitterMs * jitterMultiplier`. */
    jitterMultiplier: z.number().min(1).default(1),
  }),
  z.object({
    kind: z.literal('outage'),
    ...Window,
    /** The clusters go dark: queries sent there, queued or running are lost (the sender times out), and heartbeats stop. */
    clusters: z.array(Identifier).optional(),
    tiers: z.array(z.enum(TIERS)).optional(),
  }),
  z.object({
    kind: z.literal('slowdown'),
    ...Window,
    /** The clusters' hardware is shared with other tenants: every query started there in the window takes `factor` times its processing time. */
    clusters: z.array(Identifier).optional(),
    tiers: z.array(z.enum(TIERS)).optional(),
    factor: z.number().min(1),
  }),
]);

/**
 * A load multiplier over time applied to every stream of the workload (on top of each stream's own
 * process), e.g. a day-night cycle or a flash crowd across the whole network.
 */
export const ModulationSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('diurnal'),
    /** Multiplier `1 + amplitude * sin(2 pi (t + phaseSec) / periodSec)`. */
    amplitude: z.number().min(0).max(1),
    periodSec: z.number().positive(),
    phaseSec: z.number().nonnegative().default(0),
  }),
  z.object({
    kind: z.literal('flash-crowd'),
    /** Multiplier 1, ramping to `peakMultiplier` from `startSec` over `rampSec`, held `durationSec`, ramping back. */
    startSec: z.number().nonnegative(),
    rampSec: z.number().nonnegative().default(0),
    durationSec: z.number().positive(),
    peakMultiplier: z.number().min(1).max(1000),
    /** Limit the crowd to these sources (default: all). */
    sources: z.array(Identifier).optional(),
    /** Limit the crowd to these applications (default: all). */
    apps: z.array(Identifier).optional(),
  }),
  z.object({
    kind: z.literal('bursts'),
    /**
     * Correlated random bursts (a two-state Markov-modulated process shared by every affected
     * stream): calm periods with multiplier 1 and bursts with `peakMultiplier`, their durations
     * exponential with these means. The on/off timeline derives from the workload seed.
     */
    meanCalmSec: z.number().positive(),
    meanBurstSec: z.number().positive(),
    peakMultiplier: z.number().min(1).max(1000),
    /** Limit the bursts to these sources (default: all). */
    sources: z.array(Identifier).optional(),
    /** Limit the bursts to these applications (default: all). */
    apps: z.array(Identifier).optional(),
  }),
]);

export const WorkloadSchema = z.object({
  /** Seed for arrival times and input sampling. */
  seed: z.number().int().default(1),
  /** Queries sent before measurement starts; recorded with `warmup: true` and excluded from reports. */
  warmupQueries: z.number().int().nonnegative().default(0),
  /** Measured queries in a run (after warm-up). */
  queries: z.number().int().positive(),
  arrivals: z.array(ArrivalSchema).min(1),
  /** How long a sender waits for a reply before recording the query as timed out, ms. */
  replyTimeoutMs: z.number().positive().default(10_000),
  modulation: ModulationSchema.optional(),
  /** Multiplies every stream's rate (handy in a scenario that `extends` another). */
  loadScale: z.number().positive().default(1),
  /** Multiplies the rates of every stream of an application, by application id, on top of `loadScale`. */
  appLoadScale: z.record(Identifier, z.number().positive()).optional(),
});

export const ScenarioSchema = z.object({
  schemaVersion: z.literal(1),
  /**
   * Path (relative to this file) of a scenario this one is based on. Objects are merged key by key,
   * deeply; lists and values given here replace the base's.
   */
  extends: z.string().min(1).optional(),
  name: Identifier,
  description: z.string().optional(),
  hardwareClasses: z.record(Identifier, HardwareClassSchema),
  clusters: z.array(ClusterSchema).min(1),
  sources: z.array(SourceSchema).min(1),
  /** One entry for every (source, cluster) pair; or give `linkMatrix` instead. */
  links: z.array(LinkSchema).default([]),
  /** The same as `links` for large topologies: rows in `sources` order, columns in `clusters` order. */
  linkMatrix: LinkMatrixSchema.optional(),
  applications: z.array(ApplicationSchema).min(1),
  workload: WorkloadSchema,
  dynamics: z.array(DynamicEventSchema).default([]),
});

export type ScenarioSpec = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ClusterSpec = z.infer<typeof ClusterSchema>;
export type BatchingRule = z.infer<typeof BatchingSchema>;
export type SourceSpec = z.infer<typeof SourceSchema>;
export type LinkSpec = z.infer<typeof LinkSchema>;
export type ApplicationSpec = z.infer<typeof ApplicationSchema>;
export type ArrivalProcess = z.infer<typeof ArrivalProcessSchema>;
export type HardwareClass = z.infer<typeof HardwareClassSchema>;
export type DynamicEvent = z.infer<typeof DynamicEventSchema>;
export type Modulation = z.infer<typeof ModulationSchema>;
