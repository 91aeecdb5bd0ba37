import { queryIdOf } from '@aset/contracts';
import { deriveSeed, seededRandom, type Random } from '@aset/determinism';
import type { ModelZoo } from '@aset/model-zoo';
import { ClusterQueue, batchingRules, oneWayDelayMs, type ApplicationSpec, type Scenario } from '@aset/scenario';
import { DEFAULT_MISSED_HEARTBEATS, DeadlineAdmission, PlacementCatalog, outcomeOf, type ClusterState, type HostedVariant, type Observation, type Placement, type PolicyContext, type QueryView, type SchedulingPolicy } from '@aset/scheduling';
import { ArrivalMerger, arrivalClocks, sloMet } from '@aset/workload';
import { EventHeap } from './event.heap.js';
import { checkMessagingDelay, delaySampler, type MessagingTime } from './messaging.delay.js';
import { toQueryRecord, type RecordSink, type SimRecord } from './sim.record.js';

export interface SimulationOptions {
  scenario: Scenario;
  zoo: ModelZoo;
  /** Builds the policy under test from the simulation's own context (seeded stream, catalog). */
  policy: (ctx: PolicyContext) => SchedulingPolicy;
  seed: number;
  /** Measured queries; the run also sends `warmupQueries` before them. */
  queries: number;
  /** Stop sending at this simulated time (ms) even if fewer queries were sent; default: no limit. */
  durationMs?: number;
  warmupQueries?: number;
  /** Multiplies every arrival rate (load level). */
  rateScale?: number;
  /**
   * What policies see of the clusters: `exact` (the event loop's state) or, as live, a snapshot
   * refreshed every `heartbeatMs` (workers heartbeat every 500 ms by default). `phasesMs[c]` is
   * when cluster `c` (scenario order) first heartbeats, ms after the run start, in
   * `[0, heartbeatMs)`; by default each phase is drawn from the seed, as for workers started at
   * unrelated times. Policies acting on snapshots can depend strongly on these phases, so a
   * comparison with a live run passes the phases the live workers had.
   *
   * Liveness follows the live scheduler's rule: a cluster is seen as down once `missedHeartbeats`
   * (default {@link DEFAULT_MISSED_HEARTBEATS}) heartbeats in a row did not come (an outage stops
   * them), or at once when a dispatch to it finds no responder (the query is then decided again at
   * the same instant, as the live scheduler redispatches it); its next heartbeat brings it back. With
   * `exact`, policies see outages as they start and end.
   */
  observation?: 'exact' | { heartbeatMs: number; phasesMs?: readonly number[]; missedHeartbeats?: number };
  /** Replies later than this are `timed_out`, as the live generator gives up (default: the scenario's workload.replyTimeoutMs). */
  replyTimeoutMs?: number;
  /**
   * Messaging time of the live testbed, ms (default 0: an ideal system): `request` from a query's
   * scheduled time to its arrival at the worker (sender lateness, two NATS hops, the scheduler),
   * `reply` from the worker's answer to the sender; each a constant or a distribution sampled per
   * query ({@link MessagingTime}). A single number is all reply. `npm run validate:sim` measures them.
   */
  overheadMs?: number | MessagingTime;
  /**
   * Deadline-aware admission (default false, as the live scheduler's ADMISSION=off): before the
   * policy decides, a query that no live cluster can answer by its deadline is dropped with
   * `DEADLINE_UNREACHABLE` (`DeadlineAdmission` of `@aset/scheduling`, the live scheduler's rule),
   * judged on what the policy observes.
   */
  admission?: boolean;
  sink: RecordSink;
  /**
   * The placement catalog of `scenario` and `zoo` the run and its policy use (default: a new one). A
   * catalog only caches what follows from its scenario and zoo, so runs over the same pair may share
   * one and skip rebuilding its per-source rows.
   */
  catalog?: PlacementCatalog;
}

// Event kinds, and their priorities at equal times: work finishing frees slots before new work arrives.
const FINISH = 0;
const AT_CLUSTER = 1;
const REPLY = 2;
const SNAPSHOT = 3;
const TIMEOUT = 4;
/** A dispatch found no responder: the query is decided again. */
const REDECIDE = 5;
/** `exact` observation: an outage starts (ref 2c) or ends (ref 2c + 1) on cluster c. */
const LIVENESS = 6;
/** A cluster's refusal (its queue at `maxQueue`) reaches the sender's side. */
const REFUSED = 7;
/** A waiting batch on cluster `ref` has waited its `maxQueueDelayMs` (after arrivals at the same instant joined it). */
const BATCH_READY = 8;
/** The run id of the records the simulator builds for policies that observe outcomes (they never read it). */
const SIM_RUN_ID = 'sim';
/** Redecisions of one query after which it is dropped (each one marks another cluster down, so only a scenario with more dark clusters than this gets there). */
const MAX_REDECISIONS = 16;

/**
 * A discrete-event simulation of the live testbed: open-loop arrivals from the scenario, the
 * policy deciding each query as it arrives (after the admission rule, when on), the emulated
 * network (same link model as the workers), cluster slots and queues by the workers' rule
 * (`ClusterQueue`: FIFO, bounded by `maxQueue`, dynamic batching per the scenario's `batching`),
 * a batch of n taking the variant's profiled batch-n time times the hardware speed factor,
 * and one terminal record per query in the live shape. Deterministic for a seed.
 */
export class Simulation {
  readonly scenario: Scenario;
  readonly catalog: PlacementCatalog;
  readonly policy: SchedulingPolicy;
  private readonly opts: Required<Omit<SimulationOptions, 'observation' | 'overheadMs' | 'admission' | 'catalog'>> & { heartbeatMs: number; missedHeartbeats: number };
  /** The admission rule, when admission is on. */
  private readonly admission: DeadlineAdmission | undefined;
  /** Messaging time of the next query's request and reply (per query when a distribution was given). */
  private readonly requestOverheadMs: () => number;
  private readonly replyOverheadMs: () => number;
  private readonly heap = new EventHeap(4096);
  private readonly arrivals: ArrivalMerger;
  private readonly random: Random;
  /** Per arrival stream; `requestBytes` and `replyBytes` are its queries' sizes on the wire. */
  private readonly streams: { sourceIndex: number; source: string; app: ApplicationSpec; requestBytes: number; replyBytes: number }[];
  /** Per cluster: its slots and waiting queries (refs are query slots). */
  private readonly clusterQueues: ClusterQueue[];
  /** Per cluster: the time of the BATCH_READY event pending, Infinity when none. */
  private readonly readyEventAt: Float64Array;
  /** The refs of the batch being started. */
  private readonly batch: Int32Array;
  private readonly live: ClusterState[];
  private readonly observed: ClusterState[];
  private readonly observation: Observation;
  private readonly query: { queryId: string; app: string; source: string; sourceIndex: number; task: string; slo: ApplicationSpec['slo']; createdAt: number };
  private readonly record: SimRecord;
  // Per in-flight query slot.
  private qCreated = new Float64Array(1024);
  private qDecided = new Float64Array(1024);
  private qStarted = new Float64Array(1024);
  private qFinished = new Float64Array(1024);
  private qReplyDelay = new Float64Array(1024);
  private qNetwork = new Float64Array(1024);
  private qCluster = new Int32Array(1024);
  private qStream = new Int32Array(1024);
  private qIndex = new Int32Array(1024);
  private qRedecisions = new Int32Array(1024);
  /** The next query of the same batch, -1 for the last: a batch is a chain from the query its FINISH event names. */
  private qBatchNext = new Int32Array(1024);
  private qHosted: (HostedVariant | undefined)[] = new Array(1024);
  private free: number[] = [];
  private pending = false;
  private readonly observesOutcomes: boolean;
  private pendingStream = 0;
  /** The slot of the query being decided again (after no responder), or -1 for a new arrival. */
  private redecided = -1;
  /** Per cluster: when the scheduler last heard its heartbeat (heartbeat observation only). */
  private readonly lastBeat: Float64Array;
  private nextSlot = 0;
  private sent = 0;
  private done = 0;
  private readonly total: number;
  private now = 0;

  constructor(options: SimulationOptions) {
    const { scenario, zoo } = options;
    this.scenario = scenario;
    this.opts = {
      warmupQueries: 0,
      rateScale: 1,
      replyTimeoutMs: scenario.spec.workload.replyTimeoutMs,
      durationMs: Infinity,
      ...options,
      heartbeatMs: options.observation === 'exact' ? 0 : (options.observation?.heartbeatMs ?? 500),
      missedHeartbeats: typeof options.observation === 'object' ? (options.observation.missedHeartbeats ?? DEFAULT_MISSED_HEARTBEATS) : DEFAULT_MISSED_HEARTBEATS,
    };
    const overhead: MessagingTime = typeof options.overheadMs === 'object' ? options.overheadMs : { request: 0, reply: options.overheadMs ?? 0 };
    checkMessagingDelay(overhead.request, 'overheadMs.request');
    checkMessagingDelay(overhead.reply, 'overheadMs.reply');
    // Its own stream, so that constant overheads (which draw nothing) leave every other draw as it was.
    const messagingRandom = seededRandom(deriveSeed(options.seed, 'sim:messaging'));
    this.requestOverheadMs = delaySampler(overhead.request, messagingRandom);
    this.replyOverheadMs = delaySampler(overhead.reply, messagingRandom);
    requireProfiles(scenario, zoo);
    if (options.catalog && (options.catalog.scenario !== scenario || options.catalog.zoo !== zoo)) throw new Error('SimulationOptions.catalog: a catalog of another scenario or zoo');
    this.catalog = options.catalog ?? new PlacementCatalog(scenario, zoo);
    this.admission = options.admission ? new DeadlineAdmission(this.catalog) : undefined;
    this.random = seededRandom(deriveSeed(options.seed, 'sim:network'));
    this.policy = options.policy({ scenario, zoo, catalog: this.catalog, random: seededRandom(deriveSeed(options.seed, 'sim:policy')) });
    this.observesOutcomes = this.policy.observeOutcome !== undefined;
    this.arrivals = new ArrivalMerger(arrivalClocks(scenario, options.seed, this.opts.rateScale));
    this.total = this.opts.warmupQueries + options.queries;
    this.streams = scenario.spec.workload.arrivals.map((a) => {
      const app = scenario.app(a.app) as ApplicationSpec;
      return { sourceIndex: scenario.sourceIndex(a.source), source: a.source, app, requestBytes: app.payloadBytes ?? this.inputBytes(app.task), replyBytes: app.replyBytes };
    });
    const n = scenario.clusters.length;
    this.clusterQueues = scenario.clusters.map((c) => new ClusterQueue(c, batchingRules(c)));
    this.readyEventAt = new Float64Array(n).fill(Infinity);
    this.batch = new Int32Array(Math.max(...this.clusterQueues.map((q) => q.largestBatch)));
    this.live = scenario.clusters.map(() => ({ busySlots: 0, queueLength: 0, alive: true }));
    this.observed = this.opts.heartbeatMs > 0 ? scenario.clusters.map(() => ({ busySlots: 0, queueLength: 0, alive: true })) : this.live;
    this.lastBeat = new Float64Array(n);
    if (!Number.isInteger(this.opts.missedHeartbeats) || this.opts.missedHeartbeats < 1) {
      throw new RangeError(`observation.missedHeartbeats: ${this.opts.missedHeartbeats} is not a positive integer`);
    }
    this.observation = { now: 0, clusters: this.observed };
    const first = this.streams[0] as (typeof this.streams)[number];
    this.query = { queryId: '', app: first.app.id, source: first.source, sourceIndex: first.sourceIndex, task: first.app.task, slo: first.app.slo, createdAt: 0 };
    this.record = {
      queryIndex: 0,
      streamIndex: 0,
      sourceIndex: 0,
      app: first.app,
      clusterIndex: -1,
      hosted: undefined,
      policy: this.policy.name,
      status: 'completed',
      reason: null,
      createdAt: 0,
      dispatchedAt: 0,
      startedAt: 0,
      finishedAt: 0,
      completedAt: 0,
      latencyMs: 0,
      emulatedNetworkMs: 0,
      sloMet: false,
      warmup: false,
    };
    if (this.opts.heartbeatMs > 0) {
      // One snapshot event per cluster, each on its own phase.
      const phases = typeof options.observation === 'object' ? options.observation.phasesMs : undefined;
      if (phases) requirePhases(phases, scenario, this.opts.heartbeatMs);
      const phase = seededRandom(deriveSeed(options.seed, 'sim:heartbeat-phase'));
      for (let c = 0; c < n; c++) {
        const first = phases ? (phases[c] as number) : phase() * this.opts.heartbeatMs;
        // As if the cluster had beaten one period before its first beat in the run.
        this.lastBeat[c] = first - this.opts.heartbeatMs;
        this.heap.push(first, SNAPSHOT, SNAPSHOT, c);
      }
    } else {
      for (let c = 0; c < n; c++) {
        for (const w of scenario.outageWindows(c)) {
          this.heap.push(w.fromMs, LIVENESS, LIVENESS, 2 * c);
          this.heap.push(w.toMs, LIVENESS, LIVENESS, 2 * c + 1);
        }
        if (scenario.isDown(c, 0)) (this.live[c] as ClusterState).alive = false;
      }
    }
  }

  /** Runs to the end with the policy: every query sent and terminal. Returns the number of queries simulated. */
  run(): number {
    while (this.nextDecision()) this.apply(this.policy.decide(this.query as QueryView, this.observation));
    return this.sent;
  }

  /**
   * Advances the clock to the next query that needs a decision and returns true, with the query in
   * {@link pendingQuery} and the state in {@link currentObservation}; or, when every query has been
   * sent and has ended, returns false. Pair every true with one {@link apply}.
   */
  nextDecision(): boolean {
    if (this.pending) throw new Error('nextDecision called twice without apply');
    const heap = this.heap;
    const arrivals = this.arrivals;
    for (;;) {
      let ta = this.sent < this.total ? arrivals.nextTime() : Infinity;
      if (ta >= this.opts.durationMs) ta = Infinity;
      const te = heap.peekTime();
      if (ta === Infinity && (te === Infinity || this.done === this.sent)) return false;
      if (ta <= te) {
        this.now = ta;
        this.pendingStream = arrivals.nextStream();
        arrivals.advance();
        this.prepare(this.pendingStream);
        this.pending = true;
        if (this.admitted()) return true;
        continue;
      }
      this.now = te;
      const kind = heap.peekKind();
      const ref = heap.peekRef();
      heap.pop();
      if (kind === FINISH) this.finish(ref);
      else if (kind === AT_CLUSTER) this.atCluster(ref);
      else if (kind === REPLY) this.reply(ref, 'completed', null);
      else if (kind === TIMEOUT) this.terminal(ref, 'timed_out', null, this.now);
      else if (kind === SNAPSHOT) this.snapshot(ref);
      else if (kind === LIVENESS) (this.live[ref >> 1] as ClusterState).alive = (ref & 1) === 1;
      else if (kind === REFUSED) this.reply(ref, 'dropped', 'QUEUE_FULL');
      else if (kind === BATCH_READY) this.batchReady(ref);
      else {
        // REDECIDE: the query comes back for a new decision, with its identity and creation time.
        this.redecided = ref;
        this.pendingStream = this.qStream[ref] as number;
        this.prepare(this.pendingStream);
        this.query.createdAt = this.qCreated[ref] as number;
        if (this.observesOutcomes) this.query.queryId = queryIdOf(this.qIndex[ref] as number);
        this.pending = true;
        if (this.admitted()) return true;
      }
    }
  }

  /**
   * With admission on, applies the admission rule to the pending query: a query no live cluster can
   * answer by its deadline is dropped here (the policy never sees it) and false returned; else true.
   */
  private admitted(): boolean {
    const drop = this.admission?.check(this.query as QueryView, this.observation);
    if (drop === undefined) return true;
    this.apply(drop);
    return false;
  }

  /** The query awaiting a decision (valid between nextDecision and apply; reused afterwards). */
  get pendingQuery(): QueryView {
    return this.query as QueryView;
  }

  /** What a policy may observe now (valid between nextDecision and apply). */
  get currentObservation(): Observation {
    return this.observation;
  }

  /** Simulated time, ms from the run start. */
  get clock(): number {
    return this.now;
  }

  /** Queries sent and queries ended so far. */
  get progress(): { sent: number; ended: number; total: number } {
    return { sent: this.sent, ended: this.done, total: this.total };
  }

  /** Applies the decision for the pending query. A dispatch must name a variant the cluster hosts for the task. */
  apply(placement: Placement): void {
    if (!this.pending) throw new Error('apply without a pending decision: call nextDecision first');
    this.pending = false;
    const s = this.streams[this.pendingStream] as (typeof this.streams)[number];
    const q = this.query;
    let slot = this.redecided;
    this.redecided = -1;
    if (slot < 0) {
      slot = this.allocate();
      this.qCreated[slot] = this.now;
      this.qStream[slot] = this.pendingStream;
      this.qIndex[slot] = this.sent++;
      this.qRedecisions[slot] = 0;
    }
    this.qDecided[slot] = this.now;
    if (placement.kind === 'drop') {
      this.qCluster[slot] = -1;
      this.qHosted[slot] = undefined;
      this.terminal(slot, 'dropped', placement.reason, this.now + this.requestOverheadMs() + this.replyOverheadMs());
      return;
    }
    const c = placement.clusterIndex;
    const hosted = placement.hosted && placement.hosted.variant.task === q.task ? placement.hosted : this.hostedOn(c, q.task, placement.variantId);
    this.qCluster[slot] = c;
    this.qHosted[slot] = hosted;
    if (this.scenario.isDown(c, this.now)) {
      this.noResponder(slot, c);
      return;
    }
    const link = this.scenario.linkAtTime(s.sourceIndex, c, this.now);
    const req = oneWayDelayMs(link, s.requestBytes, this.random);
    const rep = oneWayDelayMs(link, s.replyBytes, this.random);
    this.qReplyDelay[slot] = rep;
    this.qNetwork[slot] = req + rep;
    this.heap.push(this.now + this.requestOverheadMs() + req, AT_CLUSTER, AT_CLUSTER, slot);
  }

  /**
   * A dispatch to a dark cluster: nothing subscribes to its subject, so the scheduler learns it at
   * once (NATS "no responders"), marks the cluster down and decides the query again.
   */
  private noResponder(slot: number, c: number): void {
    (this.observed[c] as ClusterState).alive = false;
    const n = (this.qRedecisions[slot] as number) + 1;
    this.qRedecisions[slot] = n;
    if (n > MAX_REDECISIONS) {
      this.qCluster[slot] = -1;
      this.qHosted[slot] = undefined;
      this.terminal(slot, 'dropped', 'NO_LIVE_CLUSTER', this.now + this.requestOverheadMs() + this.replyOverheadMs());
      return;
    }
    this.heap.push(this.now, REDECIDE, REDECIDE, slot);
  }

  private prepare(stream: number): void {
    const s = this.streams[stream] as (typeof this.streams)[number];
    const q = this.query;
    // Only adaptive policies pair decisions with outcomes; the others never read the id.
    if (this.observesOutcomes) q.queryId = queryIdOf(this.sent);
    q.app = s.app.id;
    q.source = s.source;
    q.sourceIndex = s.sourceIndex;
    q.task = s.app.task;
    q.slo = s.app.slo;
    q.createdAt = this.now;
    (this.observation as { now: number }).now = this.now;
  }

  private atCluster(slot: number): void {
    const c = this.qCluster[slot] as number;
    if (this.scenario.isDown(c, this.now)) {
      this.lost(slot);
      return;
    }
    const queue = this.clusterQueues[c] as ClusterQueue;
    const variant = (this.qHosted[slot] as HostedVariant).variantIndex;
    if (queue.startAlone(variant, this.now)) {
      this.startOne(c, slot);
      (this.live[c] as ClusterState).busySlots = queue.busy;
      return;
    }
    if (!queue.offer(slot, variant, this.now)) {
      // Refused at once, as the worker does: the refusal travels back over the link.
      this.heap.push(this.now + (this.qReplyDelay[slot] as number), REFUSED, REFUSED, slot);
      return;
    }
    this.startReady(c);
  }

  /** Starts every batch cluster `c` has ready now, and keeps a BATCH_READY event pending for the next one that waits its delay. */
  private startReady(c: number): void {
    const queue = this.clusterQueues[c] as ClusterQueue;
    for (let n = queue.take(this.now, this.batch); n > 0; n = queue.take(this.now, this.batch)) this.startBatch(c, n);
    const live = this.live[c] as ClusterState;
    live.busySlots = queue.busy;
    live.queueLength = queue.waiting;
    if (queue.batches) this.armBatchReady(c, queue);
  }

  /** Starts query `slot` alone (a batch of one) on cluster `c` now. */
  private startOne(c: number, slot: number): void {
    const now = this.now;
    const finishedAt = now + ((this.qHosted[slot] as HostedVariant).batchMs[1] as number) * this.scenario.processingFactor(c, now);
    this.qStarted[slot] = now;
    this.qFinished[slot] = finishedAt;
    this.qBatchNext[slot] = -1;
    this.heap.push(finishedAt, FINISH, FINISH, slot);
  }

  /** Starts the batch of `n` queries in `this.batch` on cluster `c` now: one FINISH event for the chain. */
  private startBatch(c: number, n: number): void {
    const batch = this.batch;
    const now = this.now;
    const first = batch[0] as number;
    const processing = ((this.qHosted[first] as HostedVariant).batchMs[n] as number) * this.scenario.processingFactor(c, now);
    for (let i = 0; i < n; i++) {
      const q = batch[i] as number;
      this.qStarted[q] = now;
      this.qFinished[q] = now + processing;
      this.qBatchNext[q] = i + 1 < n ? (batch[i + 1] as number) : -1;
    }
    this.heap.push(now + processing, FINISH, FINISH, first);
  }

  private armBatchReady(c: number, queue: ClusterQueue): void {
    const readyAt = queue.nextReadyAt();
    if (readyAt < (this.readyEventAt[c] as number)) {
      this.readyEventAt[c] = readyAt;
      this.heap.push(readyAt, BATCH_READY, BATCH_READY, c);
    }
  }

  private batchReady(c: number): void {
    if (this.readyEventAt[c] === this.now) this.readyEventAt[c] = Infinity;
    if (this.scenario.isDown(c, this.now)) {
      this.loseWaiting(c);
      return;
    }
    this.startReady(c);
  }

  /** A batch (the chain from `slot`) is done: its slot is free; its queries' answers leave, unless the cluster went dark. */
  private finish(slot: number): void {
    const c = this.qCluster[slot] as number;
    const queue = this.clusterQueues[c] as ClusterQueue;
    queue.release(this.now);
    if (this.scenario.isDown(c, this.now)) {
      // The cluster went dark: this batch and everything waiting there are lost.
      for (let q = slot; q >= 0; q = this.qBatchNext[q] as number) this.lost(q);
      this.loseWaiting(c);
      return;
    }
    // Without batching and with nothing waiting, the freed slot stays free.
    if (queue.batches || queue.waiting > 0) this.startReady(c);
    else (this.live[c] as ClusterState).busySlots = queue.busy;
    for (let q = slot; q >= 0; q = this.qBatchNext[q] as number) this.heap.push(this.now + (this.qReplyDelay[q] as number), REPLY, REPLY, q);
  }

  private readonly loseOne = (slot: number): void => this.lost(slot);

  /** Every query waiting at cluster `c` is lost (it went dark). */
  private loseWaiting(c: number): void {
    const queue = this.clusterQueues[c] as ClusterQueue;
    queue.clear(this.loseOne);
    const live = this.live[c] as ClusterState;
    live.busySlots = queue.busy;
    live.queueLength = 0;
  }

  /** A cluster's answer reaches the sender's side: its result, or its refusal (`QUEUE_FULL`); unless the sender gave up waiting. */
  private reply(slot: number, status: 'completed' | 'dropped', reason: 'QUEUE_FULL' | null): void {
    const completedAt = this.now + this.replyOverheadMs();
    const created = this.qCreated[slot] as number;
    if (completedAt - created > this.opts.replyTimeoutMs) {
      this.terminal(slot, 'timed_out', null, created + this.opts.replyTimeoutMs);
      return;
    }
    this.terminal(slot, status, reason, completedAt);
  }

  /** A query that never gets an answer: the sender records it as timed out when its timeout expires. */
  private lost(slot: number): void {
    this.heap.push((this.qCreated[slot] as number) + this.opts.replyTimeoutMs, TIMEOUT, TIMEOUT, slot);
  }

  /**
   * Cluster `c`'s heartbeat is due: the scheduler's view of it is refreshed. A dark cluster sends
   * none; once `missedHeartbeats` in a row have not come, the scheduler holds it to be down.
   */
  private snapshot(c: number): void {
    const o = this.observed[c] as ClusterState;
    const heartbeatMs = this.opts.heartbeatMs;
    if (this.scenario.isDown(c, this.now)) {
      // Beats are due every heartbeatMs since the last one; half a period of slack absorbs rounding.
      if (this.now - (this.lastBeat[c] as number) > (this.opts.missedHeartbeats - 0.5) * heartbeatMs) o.alive = false;
    } else {
      const queue = this.clusterQueues[c] as ClusterQueue;
      o.busySlots = queue.busy;
      o.queueLength = queue.waiting;
      o.reportedAt = this.now;
      o.alive = true;
      this.lastBeat[c] = this.now;
    }
    if (this.done < this.total) this.heap.push(this.now + heartbeatMs, SNAPSHOT, SNAPSHOT, c);
  }

  private terminal(slot: number, status: SimRecord['status'], reason: SimRecord['reason'], completedAt: number): void {
    const r = this.record;
    const s = this.streams[this.qStream[slot] as number] as (typeof this.streams)[number];
    const index = this.qIndex[slot] as number;
    const hosted = this.qHosted[slot];
    r.queryIndex = index;
    r.streamIndex = this.qStream[slot] as number;
    r.sourceIndex = s.sourceIndex;
    r.app = s.app;
    r.clusterIndex = this.qCluster[slot] as number;
    r.hosted = hosted;
    r.status = status;
    r.reason = reason;
    r.createdAt = this.qCreated[slot] as number;
    r.dispatchedAt = this.qDecided[slot] as number;
    r.startedAt = this.qStarted[slot] as number;
    r.finishedAt = this.qFinished[slot] as number;
    r.completedAt = completedAt;
    r.latencyMs = completedAt - r.createdAt;
    r.emulatedNetworkMs = this.qNetwork[slot] as number;
    r.sloMet = sloMet(s.app.slo, status, r.latencyMs, hosted?.accuracy ?? 0);
    r.warmup = index < this.opts.warmupQueries;
    this.done++;
    this.free.push(slot);
    this.opts.sink.onRecord(r);
    if (this.policy.observeOutcome) this.policy.observeOutcome(outcomeOf(toQueryRecord(r, SIM_RUN_ID, this.scenario), this.scenario));
  }

  private hostedOn(c: number, task: string, variantId: string): HostedVariant {
    for (const o of this.catalog.options(c, task)) if (o.variant.id === variantId) return o;
    const cluster = (this.scenario.clusters[c] as { id: string }).id;
    throw new Error(`policy ${this.policy.name} placed a ${task} query on ${cluster} with variant ${variantId}, which that cluster does not host`);
  }

  private readonly inputBytesByTask = new Map<string, number>();

  private inputBytes(task: string): number {
    let b = this.inputBytesByTask.get(task);
    if (b === undefined) {
      b = (this.catalog.zoo.task(task)?.inputShape.reduce((x, y) => x * y, 1) ?? 0) * 4;
      this.inputBytesByTask.set(task, b);
    }
    return b;
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.nextSlot === this.qCreated.length) this.growSlots();
    return this.nextSlot++;
  }

  private growSlots(): void {
    const n = this.qCreated.length * 2;
    const f = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const i = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.qCreated = f(this.qCreated);
    this.qDecided = f(this.qDecided);
    this.qStarted = f(this.qStarted);
    this.qFinished = f(this.qFinished);
    this.qReplyDelay = f(this.qReplyDelay);
    this.qNetwork = f(this.qNetwork);
    this.qCluster = i(this.qCluster);
    this.qStream = i(this.qStream);
    this.qIndex = i(this.qIndex);
    this.qRedecisions = i(this.qRedecisions);
    this.qBatchNext = i(this.qBatchNext);
    this.qHosted.length = n;
  }
}

/** The simulator needs every hosted variant's latency profile (`npm run zoo:profile`). */
function requireProfiles(scenario: Scenario, zoo: ModelZoo): void {
  const missing = new Set<string>();
  for (const c of scenario.clusters) for (const v of c.variants) if (zoo.processingMs(zoo.requireVariant(v), '1') === undefined) missing.add(v);
  if (missing.size > 0) {
    throw new Error(`${scenario.origin}: variants without a latency profile in ${zoo.manifestFile}: ${[...missing].join(', ')}. Run npm run zoo:profile.`);
  }
}

function requirePhases(phases: readonly number[], scenario: Scenario, heartbeatMs: number): void {
  if (phases.length !== scenario.clusters.length) {
    throw new RangeError(`observation.phasesMs: ${phases.length} phases for the ${scenario.clusters.length} clusters of ${scenario.name}`);
  }
  phases.forEach((p, c) => {
    if (!Number.isFinite(p) || p < 0 || p >= heartbeatMs) {
      throw new RangeError(`observation.phasesMs[${c}] (cluster ${(scenario.clusters[c] as { id: string }).id}): ${p} is not in [0, ${heartbeatMs})`);
    }
  });
}
