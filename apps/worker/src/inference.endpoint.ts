import { Logger } from '@nestjs/common';
import { decodeTensor, type DispatchedQuery, type InferenceReply } from '@aset/contracts';
import type { Clock } from '@aset/determinism';
import type { OnnxModelRunner } from '@aset/inference';
import { UNANSWERED, type BusSubscription, type MessageBus, type NoReply } from '@aset/messaging';
import type { ClusterSpec, Scenario } from '@aset/scenario';
import { ClusterServer, REFUSED } from './cluster.server.js';
import type { ClusterEmulator } from './cluster.emulator.js';
import type { ClusterTimeline } from './cluster.timeline.js';

/**
 * Serves `cluster.<id>.infer` for one hosted cluster (queue group `worker-<id>`, so replicas share
 * the load) with the cluster's own slots. Each query goes through the emulated request delay, waits
 * for its batch and a slot ({@link ClusterServer}: the scenario's queue and batching rule, the
 * simulator's too), runs with its batch (padded to the hardware class), goes through the emulated
 * reply delay and is answered to the generator.
 * A query that arrives with every slot busy and the cluster's `maxQueue` queries waiting is refused
 * at once with a `QUEUE_FULL` error carrying its decision, over the emulated reply delay; the
 * generator records it as dropped.
 * While the cluster is dark (an outage of the run under way, see {@link ClusterTimeline}) it does
 * not serve, and a query that arrives during one, or is still queued or running when one begins, is
 * lost: it is never answered.
 */
export class InferenceEndpoint {
  private static readonly logger = new Logger(InferenceEndpoint.name);
  readonly server: ClusterServer;
  processed = 0;
  /** Queries lost to outages since start. */
  lost = 0;
  /** Queries refused with QUEUE_FULL since start. */
  refused = 0;
  private serving?: BusSubscription;
  /** The index of each hosted variant in the cluster's `variants` (the queue's variant index). */
  private readonly variantIndex: ReadonlyMap<string, number>;
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
    this.server = new ClusterServer(cluster, runners, emulator, clock);
    this.variantIndex = new Map(cluster.variants.map((id, i) => [id, i]));
  }

  /** Subscribes now, and again after each outage of the cluster; the server knows it after the bus's next flush. */
  start(): void {
    this.serve();
    this.timeline.listen({
      onDark: () => {
        this.serving?.unsubscribe();
        this.serving = undefined;
        this.server.loseWaiting();
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
    const served = this.server.submit(this.variantIndex.get(runner.variant.id) as number, decodeTensor(query.input), arrivedAt);
    if (served === REFUSED) {
      this.refused++;
      const { queue } = this.server;
      const message = `cluster ${this.cluster.id} refused the query: its ${this.cluster.slots} slots are busy and ${queue.waiting} queries wait (maxQueue ${this.cluster.maxQueue})`;
      if (link) await this.emulator.waitUntil(arrivedAt + link.replyDelayMs);
      return { schemaVersion: 1, status: 'error', code: 'QUEUE_FULL', message, queryId: query.queryId, decision };
    }
    const outcome = await served;
    if (outcome.kind === 'lost' || this.timeline.lostSince(arrivedIn)) return this.loseOne();
    let reply: InferenceReply;
    if (outcome.kind === 'failed') {
      InferenceEndpoint.logger.error(`query ${query.queryId}: ${outcome.message}`);
      reply = { schemaVersion: 1, status: 'error', code: 'INFERENCE_FAILED', message: outcome.message, queryId: query.queryId };
    } else {
      const { startedAt, finishedAt } = outcome;
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
        prediction: outcome.prediction,
      };
    }
    const doneAt = outcome.finishedAt;
    if (link) await this.emulator.waitUntil(doneAt + link.replyDelayMs);
    return reply;
  }
}
