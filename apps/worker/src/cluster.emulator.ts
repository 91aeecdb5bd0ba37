import { base64ByteLength, type DispatchedQuery } from '@aset/contracts';
import { deriveSeed, seededRandom, type Clock } from '@aset/determinism';
import type { ModelZoo, VariantSpec } from '@aset/model-zoo';
import { oneWayDelayMs, type Scenario } from '@aset/scenario';
import type { ClusterTimeline } from './cluster.timeline.js';

/** The emulated network of one query: delays before processing and before replying, ms. */
export interface EmulatedLink {
  requestDelayMs: number;
  replyDelayMs: number;
}

/** What the emulation of every hosted cluster shares: its switches and seed (EMULATE_NETWORK, EMULATE_HARDWARE, EMULATION_SEED). */
export interface EmulationSettings {
  readonly network: boolean;
  readonly hardware: boolean;
  readonly seed: number;
}

/**
 * Single-host emulation of what one hosted cluster would look like far away and on slower hardware.
 * - Network (EMULATE_NETWORK): the link from the query's source to this cluster delays the request
 *   and the reply by `rtt/2 + bytes/bandwidth + jitter` each (jitter seeded per query).
 * - Hardware (EMULATE_HARDWARE): processing lasts the variant's profiled batch-1 time times the
 *   cluster's speed factor (or, unprofiled, the measured time times it); runs that take longer than
 *   that on this host are not shortened and are counted as the cluster's overruns. Processing
 *   counts from the emulated start (arrival over the link, or the instant the slot was freed), and
 *   the reply leaves `replyDelayMs` after the emulated finish: the host's timer lateness is
 *   absorbed, not queued.
 * Both follow the cluster's {@link ClusterTimeline} (link degradations, slowdowns of the run under way).
 */
export class ClusterEmulator {
  readonly network: boolean;
  readonly hardware: boolean;
  private readonly seed: number;
  overruns = 0;

  constructor(
    settings: EmulationSettings,
    /** The cluster's hardware class's speed factor (scenario). */
    private readonly speedFactor: number,
    private readonly timeline: ClusterTimeline,
    private readonly scenario: Scenario,
    private readonly zoo: ModelZoo,
    private readonly clock: Clock,
  ) {
    this.network = settings.network;
    this.hardware = settings.hardware;
    this.seed = settings.seed;
  }

  /**
   * The query's emulated link, or undefined when network emulation is off. The source must be in the
   * scenario. A link degradation of the run under way applies to the queries dispatched in its window.
   */
  link(query: DispatchedQuery): EmulatedLink | undefined {
    if (!this.network) return undefined;
    const link = this.timeline.linkAt(this.scenario.sourceIndex(query.source), query.decision.decidedAt);
    const app = this.scenario.app(query.app);
    const random = seededRandom(deriveSeed(this.seed, `${query.runId}/${query.queryId}`));
    const requestBytes = app?.payloadBytes ?? base64ByteLength(query.input.data);
    return {
      requestDelayMs: oneWayDelayMs(link, requestBytes, random),
      replyDelayMs: oneWayDelayMs(link, app?.replyBytes ?? 256, random),
    };
  }

  /**
   * When processing starts on the emulated cluster (clock ms): once the query has arrived over the
   * emulated link (`arrivedAt`) and its slot is free (`freedAt`, when the slot's previous holder
   * was done; undefined for a slot never used), whichever is later. The host may get round to it a little later (`hostStart`:
   * timer and event-loop lateness); counting from the emulated instant keeps that lateness out of
   * queues. Without hardware emulation, processing is the host's own and starts at `hostStart`.
   */
  processingStart(arrivedAt: number, freedAt: number | undefined, hostStart: number): number {
    if (!this.hardware) return hostStart;
    return Math.min(hostStart, Math.max(arrivedAt, freedAt ?? arrivedAt));
  }

  /**
   * How long processing of a batch of `batchSize` must last on this cluster's hardware, given the
   * measured time on this host, for a batch that started at clock time `startedAt` (a slowdown of
   * the run under way stretches it): the profiled batch time (ModelZoo.batchMs) times the speed factor.
   */
  targetProcessingMs(variant: VariantSpec, measuredMs: number, startedAt: number, batchSize = 1): number {
    if (!this.hardware) return measuredMs;
    const profiled = this.zoo.batchMs(variant, batchSize);
    const target = (profiled ?? measuredMs) * this.speedFactor * this.timeline.processingFactorAt(startedAt);
    if (measuredMs > target) this.overruns++;
    return Math.max(target, measuredMs);
  }

  /** Waits until `untilMs` on the clock (no-op when it has passed), to the millisecond. */
  async waitUntil(untilMs: number): Promise<void> {
    const wait = untilMs - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
  }

  /**
   * Waits until `untilMs` to a few tens of microseconds: a timer for all but the last millisecond,
   * then event-loop turns. For the processing padding, which holds a slot, and a batch waiting its
   * queue delay: there, a timer's
   * half-millisecond error would change how long queues get. Costs up to 1 ms of polling per call.
   */
  async waitPreciselyUntil(untilMs: number): Promise<void> {
    const coarse = Math.floor(untilMs - this.clock.now()) - 1;
    if (coarse > 0) await this.clock.sleep(coarse);
    while (this.clock.now() < untilMs) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
