import { Logger } from '@nestjs/common';
import { decodeTensor, type DispatchedQuery, type InferenceReply } from '@aset/contracts';
import type { Clock } from '@aset/determinism';
import type { OnnxModelRunner } from '@aset/inference';
import { UNANSWERED, type BusSubscription, type MessageBus, type NoReply } from '@aset/messaging';
import type { ClusterSpec, Scenario } from '@aset/scenario';
import { SlotPool } from './slot.pool.js';
import type { ClusterEmulator } from './cluster.emulator.js';
import type { ClusterTimeline } from './cluster.timeline.js';

/**
 * Serves `cluster.<id>.infer` for one hosted cluster (queue group `worker-<id>`, so replicas share
 * the load) with the cluster's own slots. Each query goes through the emulated request delay, waits
 * for a slot, runs its variant (padded to the hardware class), goes through the emulated reply
 * delay and is answered to the generator.
 * While the cluster is dark (an outage of the run under way, see {@link ClusterTimeline}) it does
 * not serve, and a query that arrives during one, or is still queued or running when one begins, is
 * lost: it is never answered.
 */
export class InferenceEndpoint {
  private static readonly logger = new Logger(InferenceEndpoint.name);
  readonly pool: SlotPool;
  processed = 0;
  /** Queries lost to outages since start. */
  lost = 0;
  private serving?: BusSubscription;
  /** Called once per completed query with its stage times (ms); set by WorkerMetrics. */
  onStages?: (variantId: string, stages: { queueingMs: number; processingMs: number; networkMs: number | null }) => void;

  constructor(
    readonly cluster: ClusterSpec,
    /** The sessions of the variants the cluster hosts, by variant id. */
    private readonly runners: ReadonlyMap<string, OnnxModelRunner>,
    private readonly emulator: ClusterEmulator,
    private readonly timeline: ClusterTimeline,
    private readonly bus: MessageBus,
    private readonly scenario: Scenario,
    private readonly clock: Clock,
  ) {
    this.pool = new SlotPool(cluster.slots);
  }

  /** Subscribes now, and again after each outage of the cluster; the server knows it after the bus's next flush. */
  start(): void {
    this.serve();
    this.timeline.listen({
      onDark: () => {
        this.serving?.unsubscribe();
        this.serving = undefined;
      },
      onBack: () => this.serve(),
    });
  }

  private serve(): void {
    const clusterId = this.cluster.id;
    this.serving = this.bus.serve('clusterInfer', { clusterId }, (q) => this.infer(q), { queue: `worker-${clusterId}` });
  }

  /** Counts a query lost to an outage; nobody answers it. */
  private loseOne(): NoReply {
    this.lost++;
    return UNANSWERED;
  }

  async infer(query: DispatchedQuery): Promise<InferenceReply | NoReply> {
    const receivedAt = this.clock.now();
    const { decision } = query;
    const refuse = (code: 'UNKNOWN_REFERENCE' | 'INVALID_MESSAGE', message: string): InferenceReply => ({
      schemaVersion: 1,
      status: 'error',
      code,
      message,
      queryId: query.queryId,
    });
    if (decision.clusterId !== this.cluster.id) {
      return refuse('UNKNOWN_REFERENCE', `query was dispatched to cluster ${decision.clusterId}, this is ${this.cluster.id}`);
    }
    const runner = this.runners.get(decision.variantId);
    if (!runner) {
      return refuse('UNKNOWN_REFERENCE', `cluster ${this.cluster.id} does not host variant ${decision.variantId}; it hosts ${this.cluster.variants.join(', ')}`);
    }
    if (runner.variant.task !== query.task) {
      return refuse('INVALID_MESSAGE', `variant ${decision.variantId} serves task ${runner.variant.task}, the query is for ${query.task}`);
    }
    const expected = [1, ...runner.task.inputShape];
    if (query.input.shape.join(',') !== expected.join(',')) {
      return refuse('INVALID_MESSAGE', `input shape [${query.input.shape.join(',')}] does not match [${expected.join(',')}] of task ${query.task}`);
    }
    if (this.emulator.network && !this.scenario.hasSource(query.source)) {
      return refuse('UNKNOWN_REFERENCE', `source "${query.source}" is not in scenario ${this.scenario.name}, so its link cannot be emulated`);
    }
    const link = this.emulator.link(query);
    const arrivedAt = receivedAt + (link?.requestDelayMs ?? 0);
    if (link) await this.emulator.waitUntil(arrivedAt);
    // As in the simulator: lost if the cluster is dark when the query arrives, or goes dark before its processing ends.
    if (this.timeline.dark) return this.loseOne();
    const arrivedIn = this.timeline.outages;
    const freedAt = await this.pool.acquire();
    if (this.timeline.lostSince(arrivedIn)) {
      this.pool.release(freedAt);
      return this.loseOne();
    }
    const hostStart = this.clock.now();
    const emulatedStart = this.emulator.processingStart(arrivedAt, freedAt, hostStart);
    let doneAt = hostStart;
    let reply: InferenceReply;
    try {
      const result = await runner.run(decodeTensor(query.input), 1);
      const ranUntil = this.clock.now();
      const processingMs = this.emulator.targetProcessingMs(runner.variant, ranUntil - hostStart, emulatedStart);
      // Emulated finish; when the host's lateness leaves too little of the padding, the start is
      // reported later instead, so processing always lasts processingMs.
      const finishedAt = Math.max(emulatedStart + processingMs, ranUntil);
      const startedAt = finishedAt - processingMs;
      await this.emulator.waitPreciselyUntil(finishedAt);
      doneAt = finishedAt;
      if (this.timeline.lostSince(arrivedIn)) return this.loseOne();
      this.processed++;
      this.onStages?.(runner.variant.id, {
        queueingMs: startedAt - arrivedAt,
        processingMs: finishedAt - startedAt,
        networkMs: link ? link.requestDelayMs + link.replyDelayMs : null,
      });
      reply = {
        schemaVersion: 1,
        status: 'completed',
        queryId: query.queryId,
        decision,
        timing: { receivedAt, startedAt, finishedAt, emulatedNetworkMs: link ? link.requestDelayMs + link.replyDelayMs : null },
        prediction: result.predictions[0] as number,
      };
    } catch (e) {
      doneAt = this.clock.now();
      InferenceEndpoint.logger.error(`variant ${decision.variantId} failed on query ${query.queryId}: ${e instanceof Error ? e.message : String(e)}`);
      reply = {
        schemaVersion: 1,
        status: 'error',
        code: 'INFERENCE_FAILED',
        message: `variant ${decision.variantId} failed: ${e instanceof Error ? e.message : String(e)}`,
        queryId: query.queryId,
      };
    } finally {
      this.pool.release(doneAt);
    }
    if (link) await this.emulator.waitUntil(doneAt + link.replyDelayMs);
    return reply;
  }
}
