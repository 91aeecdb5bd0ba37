import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  CONTRACTS,
  ERROR_CODES,
  ERROR_HEADERS,
  InferenceReplySchema,
  decodeMessage,
  encodeTensor,
  queryIdOf,
  type ClusterHeartbeat,
  type DecisionRecord,
  type DispatchedQuery,
  type ErrorCode,
  type InferenceQuery,
  type InferenceReply,
  type MessageOf,
  type QueryRecord,
  type RunClock,
  type RunRecord,
  type SubjectKey,
} from '@aset/contracts';
import { malformedMessages, sampleQueryRecord, type FuzzMessage } from '@aset/contracts/testing';
import { deriveSeed, seededRandom } from '@aset/determinism';
import { MessageBus, silentBusLogger } from '@aset/messaging';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { REPO_ROOT } from '@aset/command-line';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

/**
 * Fuzzing the receive edges of the live services (scheduler, one worker process hosting every
 * cluster, metrics store; each its own process) on the shared NATS server: at least
 * {@link PER_SUBJECT} seeded messages per subject they receive on (`malformedMessages` of
 * `@aset/contracts/testing`: truncated JSON, non-JSON bytes, wrong types, edge values, huge shapes
 * up to the server's max payload, bad base64, unsupported schemaVersions, unknown references,
 * replays, and valid controls). Afterwards: every service still runs and answers /health; every
 * request got exactly one reply, a typed ErrorReply with the code (and `Nats-Service-Error-Code`)
 * its contract says; the scheduler's and the worker's `aset_bus_invalid_messages_total{subject}`
 * equal what they were sent that breaks the contract (plus heartbeats of clusters the scenario does
 * not have, at the scheduler), the store's too plus what no column holds (each stored record once,
 * however often the stream delivered it); the store keeps one row per
 * valid record or sample, never two, and every control; and a valid query is still served.
 */
const PER_SUBJECT = 10_000;
const SEED = 14;
const CLUSTER = 'cloud-1';
const HEARTBEAT_CLUSTER = 'cloud-2';
const RUN = 'fuzz-run';
const SCENARIO = 'demo-dynamics';
/** Fewer huge shapes and valid queries than by default keeps the run short; the floor of PER_SUBJECT messages holds. */
const WEIGHTS = { huge: 1, control: 2, replayed: 2 } as const;
/** Events and records are published in chunks of this many, each once the receivers have had the one before. */
const CHUNK = 500;

type Counts = Map<string, number>;
const add = (m: Counts, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

/** The samples of counter `name` by its `subject` label, for subjects under `prefix`. */
function countersBySubject(exposition: string, name: string, prefix: string): Counts {
  const out: Counts = new Map();
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const subject = /subject="([^"]*)"/.exec(line)?.[1];
    if (subject?.startsWith(`${prefix}.`)) add(out, subject, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

const sorted = (m: Counts) => Object.fromEntries([...m].filter(([, v]) => v > 0).sort(([a], [b]) => a.localeCompare(b)));

describe('fuzzing the live services', () => {
  let live: LiveTestbed;
  let nc: NatsConnection;
  let maxPayload: number;
  const t0 = Date.now();
  const zoo = readZoo(REPO_MANIFEST);
  const input = encodeTensor(new Float32Array(64), [1, 1, 8, 8]);

  const query = (n: number): InferenceQuery => ({
    schemaVersion: 1,
    runId: RUN,
    queryId: queryIdOf(n),
    app: 'digit-reader',
    source: `ap-${(n % 3) + 1}`,
    task: 'digits',
    input,
    slo: { maxLatencyMs: 1000, minAccuracy: 0.5 },
    createdAt: t0 + n,
  });
  const valid: { [K in SubjectKey]: (n: number) => MessageOf<K> } = {
    scheduleQuery: query,
    clusterInfer: (n): DispatchedQuery => ({ ...query(n), decision: { clusterId: CLUSTER, variantId: 'digits-mlp-s', policy: 'fuzz', decidedAt: t0 + n } }),
    clusterHeartbeat: (n): ClusterHeartbeat => ({ schemaVersion: 1, clusterId: HEARTBEAT_CLUSTER, instanceId: 'fuzz-instance', sentAt: t0 + n, slots: 4, busySlots: 0, queueLength: 0, processed: n }),
    // A finished clock of a run that is not under way: a worker ignores it, so the fuzz plays no dynamics.
    runClock: (n): RunClock => ({ schemaVersion: 1, runId: RUN, scenario: SCENARIO, originAt: t0, phase: 'finished', sentAt: t0 + n }),
    runRecord: (n): RunRecord => {
      const runId = `fuzz-r${n}`;
      if (n % 3 === 0) return { schemaVersion: 1, kind: 'started', runId, scenario: SCENARIO, seed: n, codeVersion: 'fuzz', parameters: { rate: 10, note: 'fuzz' }, startedAt: t0 + n };
      if (n % 3 === 1) return { schemaVersion: 1, kind: 'finished', runId, queryCount: n, finishedAt: t0 + n };
      return {
        schemaVersion: 1,
        kind: 'host',
        runId,
        host: { cores: 2, windows: 1, meanBusy: 0.5, maxBusy: 0.5, saturatedWindows: 0, saturation: 0.9, serviceCpuMs: { scheduler: 1 }, representative: true },
        measuredAt: t0 + n,
      };
    },
    queryRecord: (n): QueryRecord => sampleQueryRecord({ runId: RUN, queryId: queryIdOf(n), createdAt: t0 + n, completedAt: t0 + n + 5 }),
    decisionRecord: (n): DecisionRecord => ({ schemaVersion: 1, runId: RUN, schedulerId: 'fuzz-scheduler', policy: 'aset', chosen: 'closest', step: n, stepMs: 1000, at: t0 + n, observedSuccessRatio: 0.5 }),
  };
  /** Which fields name something: a query's source, the cluster and variant a dispatch names, a heartbeat's cluster, a record's run (a run record starts its run: none). */
  const references: { [K in SubjectKey]: readonly string[] } = {
    scheduleQuery: ['source', 'app', 'task'],
    clusterInfer: ['decision.clusterId', 'decision.variantId', 'source', 'task'],
    clusterHeartbeat: ['clusterId'],
    runClock: ['runId', 'scenario'],
    runRecord: [],
    queryRecord: ['runId'],
    decisionRecord: ['runId'],
  };
  const fuzz = <K extends SubjectKey>(key: K): FuzzMessage<K>[] =>
    malformedMessages(key, { random: seededRandom(deriveSeed(SEED, key)), count: PER_SUBJECT, valid: valid[key], maxPayload, references: references[key], weights: WEIGHTS });

  beforeAll(async () => {
    live = await startLiveTestbed('fuzz', {
      scenario: SCENARIO,
      policy: 'aset',
      env: { ASET_CHECKPOINT: join(REPO_ROOT, 'checkpoints', 'demo.aset.json') },
      clustersPerWorker: 7,
    });
    nc = live.nc;
    // Room for the subject, the reply subject and headers under the server's limit.
    maxPayload = (nc.info?.max_payload ?? 1024 * 1024) - 4096;
  });

  afterAll(async () => {
    await live?.close();
  });

  const metricsOf = async (service: string): Promise<string> => {
    const proc = live.testbed.processes.get(service);
    if (!proc) throw new Error(`no ${service}`);
    const res = await fetch(`http://127.0.0.1:${proc.options.env['HTTP_PORT']}/metrics`);
    return res.text();
  };
  const healthOf = async (service: string): Promise<number> => {
    const proc = live.testbed.processes.get(service);
    const res = await fetch(`http://127.0.0.1:${proc?.options.env['HTTP_PORT']}/health`);
    return res.status;
  };

  /**
   * Sends every message as a request on `subject` (at most `concurrency` unanswered), each with a
   * reply subject of its own, and collects every reply: the caller checks there is exactly one each.
   */
  async function requestAll(subject: (m: FuzzMessage<SubjectKey>) => string, messages: readonly FuzzMessage<SubjectKey>[], concurrency: number): Promise<Map<number, Msg[]>> {
    const inbox = `_INBOX.fuzz_${randomBytes(6).toString('hex')}`;
    const replies = new Map<number, Msg[]>();
    const waiting = new Map<number, () => void>();
    const sub = nc.subscribe(`${inbox}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const i = Number(msg.subject.slice(inbox.length + 1));
        replies.set(i, [...(replies.get(i) ?? []), msg]);
        waiting.get(i)?.();
      },
    });
    await nc.flush();
    let next = 0;
    const lane = async () => {
      while (next < messages.length) {
        const m = messages[next++] as FuzzMessage<SubjectKey>;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 30_000);
          waiting.set(m.index, () => {
            clearTimeout(timer);
            waiting.delete(m.index);
            resolve();
          });
          nc.publish(subject(m), m.bytes, { reply: `${inbox}.${m.index}` });
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    // A second answer to any request would have arrived by now.
    await nc.flush();
    await new Promise((r) => setTimeout(r, 1_000));
    sub.unsubscribe();
    return replies;
  }

  /** Messages the services in `services` received on the subjects of `key` so far: handled or refused, each service's least. */
  const received = async (key: SubjectKey, services: readonly string[]): Promise<number> => {
    let least = Infinity;
    for (const service of services) {
      const exposition = await metricsOf(service);
      let n = 0;
      for (const name of ['aset_bus_handled_total', 'aset_bus_invalid_messages_total']) {
        for (const [subject, v] of countersBySubject(exposition, name, live.prefix)) if (live.space.matches(key, subject)) n += v;
      }
      least = Math.min(least, n);
    }
    return least;
  };

  /**
   * Publishes events in chunks, each once the receivers (`services`) have taken the chunk before:
   * core NATS has no flow control, and the server cuts off a subscriber that falls 10 s behind (a
   * slow consumer), losing what it had not delivered; the counts checked afterwards must be exact.
   */
  async function publishAll(key: 'clusterHeartbeat' | 'runClock', subject: (m: FuzzMessage<SubjectKey>) => string, messages: readonly FuzzMessage<SubjectKey>[], services: readonly string[]): Promise<void> {
    const before = await received(key, services);
    for (let i = 0; i < messages.length; i += CHUNK) {
      for (const m of messages.slice(i, i + CHUNK)) nc.publish(subject(m), m.bytes);
      await nc.flush();
      const sent = Math.min(i + CHUNK, messages.length);
      await expect.poll(() => received(key, services), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(before + sent);
    }
  }

  /**
   * Publishes records to JetStream in chunks (each with a message id of its own, so replays are
   * delivered), each chunk once the store's durable consumer has had the chunk before; at most
   * `concurrency` unacknowledged publishes. A publish not acknowledged in time is sent again with
   * its id (JetStream stores it once).
   */
  async function publishDurableAll(subject: (m: FuzzMessage<SubjectKey>) => string, messages: readonly FuzzMessage<SubjectKey>[], concurrency: number, bus: MessageBus): Promise<void> {
    const js = jetstream(nc);
    for (let i = 0; i < messages.length; i += CHUNK) {
      const chunk = messages.slice(i, i + CHUNK);
      let next = 0;
      const lane = async () => {
        while (next < chunk.length) {
          const m = chunk[next++] as FuzzMessage<SubjectKey>;
          for (let attempt = 1; ; attempt++) {
            try {
              const ack = await js.publish(subject(m), m.bytes, { msgID: `fuzz-${subject(m)}-${m.index}`, timeout: 30_000 });
              if (attempt === 1) expect(ack.duplicate, `${subject(m)} #${m.index} is stored once`).toBe(false);
              break;
            } catch (e) {
              if (attempt >= 5) throw e;
            }
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
      await expect.poll(async () => (await bus.consumerState('metricsStore')).pending, { timeout: 60_000, interval: 100 }).toBe(0);
    }
  }

  /** The one reply to a request: decoded against the reply contract, with its error header. */
  function replyOf(msgs: Msg[] | undefined, what: string): { reply: InferenceReply; header: string | undefined } {
    expect(msgs?.length, `${what}: replies`).toBe(1);
    const msg = (msgs as Msg[])[0] as Msg;
    const decoded = decodeMessage(InferenceReplySchema, msg.data, what);
    if (!decoded.ok) throw new Error(`${what}: the reply breaks its contract: ${decoded.message}`);
    return { reply: decoded.value, header: msg.headers?.get(ERROR_HEADERS.code) };
  }

  function expectError(r: { reply: InferenceReply; header: string | undefined }, code: ErrorCode, what: string): void {
    expect(r.reply.status === 'error' ? r.reply.code : r.reply.status, what).toBe(code);
    expect(r.header, `${what}: ${ERROR_HEADERS.code}`).toBe(String(ERROR_CODES[code]));
  }

  it(`answers every request once, with the typed error its contract says, counts every invalid message, and keeps running (${PER_SUBJECT} messages per subject)`, { timeout: 600_000 }, async () => {
    const started = performance.now();
    const { scenario } = live.testbed;
    const s = live.space;
    const messages = {
      scheduleQuery: fuzz('scheduleQuery'),
      clusterInfer: fuzz('clusterInfer'),
      clusterHeartbeat: fuzz('clusterHeartbeat'),
      runClock: fuzz('runClock'),
      runRecord: fuzz('runRecord'),
      queryRecord: fuzz('queryRecord'),
      decisionRecord: fuzz('decisionRecord'),
    };
    // The labels given by construction agree with the contracts' own decoder (edge values and huge shapes are labelled by it).
    for (const [key, list] of Object.entries(messages) as [SubjectKey, FuzzMessage<SubjectKey>[]][]) {
      expect(list.length).toBeGreaterThanOrEqual(PER_SUBJECT);
      for (const m of list) {
        if (m.category === 'extreme' || m.category === 'huge') continue;
        const d = decodeMessage(CONTRACTS[key].message, m.bytes, key);
        expect(d.ok ? null : d.code, `${key} #${m.index} (${m.category})`).toBe(m.refusal);
      }
    }
    const generatedMs = performance.now() - started;

    const heartbeatSubject = (m: FuzzMessage<SubjectKey>) => s.subject('clusterHeartbeat', { clusterId: (m.value as ClusterHeartbeat | undefined)?.clusterId ?? HEARTBEAT_CLUSTER });
    const recordSubject = (key: 'runRecord' | 'queryRecord' | 'decisionRecord') => (m: FuzzMessage<SubjectKey>) => s.subject(key, { runId: (m.value as { runId: string } | undefined)?.runId ?? RUN });
    const bus = await MessageBus.connect({ servers: live.testbed.natsUrl, name: 'fuzz-check', prefix: live.prefix, logger: silentBusLogger });
    const [scheduled, inferred] = await Promise.all([
      requestAll(() => s.subject('scheduleQuery'), messages.scheduleQuery, 48),
      requestAll(() => s.subject('clusterInfer', { clusterId: CLUSTER }), messages.clusterInfer, 48),
      publishAll('clusterHeartbeat', heartbeatSubject, messages.clusterHeartbeat, ['scheduler', 'metrics-store']),
      publishAll('runClock', () => s.subject('runClock', { runId: RUN }), messages.runClock, ['workers-1']),
      (async () => {
        for (const key of ['runRecord', 'queryRecord', 'decisionRecord'] as const) await publishDurableAll(recordSubject(key), messages[key], 32, bus);
      })(),
    ]);
    const sentMs = performance.now() - started - generatedMs;

    // query.schedule: refused by the contract, or an unknown source or a task no variant of the scenario serves (UNKNOWN_REFERENCE); anything else is decided (served or dropped, never INTERNAL).
    const servedTasks = new Set(scenario.clusters.flatMap((c) => c.variants.map((id) => zoo.requireVariant(id).task)));
    const outcomes: Counts = new Map();
    for (const m of messages.scheduleQuery) {
      const what = `query.schedule #${m.index} (${m.category})`;
      const r = replyOf(scheduled.get(m.index), what);
      add(outcomes, `query.schedule ${m.category} -> ${r.reply.status === 'error' ? r.reply.code : r.reply.status}`);
      if (m.refusal) expectError(r, m.refusal, what);
      else if (!scenario.hasSource((m.value as InferenceQuery).source) || !servedTasks.has((m.value as InferenceQuery).task)) expectError(r, 'UNKNOWN_REFERENCE', what);
      else expect(r.reply.status === 'error' ? r.reply.code : r.reply.status, what).not.toBe('INTERNAL');
    }
    // cluster.<id>.infer: the worker's checks, in its order; a query that passes them is served.
    const cluster = scenario.clusters.find((c) => c.id === CLUSTER);
    for (const m of messages.clusterInfer) {
      const what = `cluster.${CLUSTER}.infer #${m.index} (${m.category})`;
      const r = replyOf(inferred.get(m.index), what);
      add(outcomes, `cluster.infer ${m.category} -> ${r.reply.status === 'error' ? r.reply.code : r.reply.status}`);
      if (m.refusal) {
        expectError(r, m.refusal, what);
        continue;
      }
      const q = m.value as DispatchedQuery;
      const variant = zoo.variant(q.decision.variantId);
      if (q.decision.clusterId !== CLUSTER || !variant || !cluster?.variants.includes(variant.id)) expectError(r, 'UNKNOWN_REFERENCE', what);
      else if (variant.task !== q.task || q.input.shape.join(',') !== [1, ...(zoo.task(q.task)?.inputShape ?? [])].join(',')) expectError(r, 'INVALID_MESSAGE', what);
      else if (!scenario.hasSource(q.source)) expectError(r, 'UNKNOWN_REFERENCE', what);
      else expect(r.reply.status, what).toBe('completed');
    }

    // Invalid-message counters, per subject, as each service must count them.
    const refused = (list: readonly FuzzMessage<SubjectKey>[], subject: (m: FuzzMessage<SubjectKey>) => string, into: Counts = new Map()) => {
      for (const m of list) if (m.refusal) add(into, subject(m));
      return into;
    };
    const scheduler = refused(messages.scheduleQuery, () => s.subject('scheduleQuery'));
    refused(messages.clusterHeartbeat, heartbeatSubject, scheduler);
    // Heartbeats valid by the contract but of a cluster the scenario does not have: the scheduler refuses them too.
    for (const m of messages.clusterHeartbeat) if (!m.refusal && !scenario.hasCluster((m.value as ClusterHeartbeat).clusterId)) add(scheduler, heartbeatSubject(m));
    // The scheduler's policy (aset) learns from query records: its ordered consumer refuses the invalid ones.
    refused(messages.queryRecord, recordSubject('queryRecord'), scheduler);
    const worker = refused(messages.clusterInfer, () => s.subject('clusterInfer', { clusterId: CLUSTER }));
    refused(messages.runClock, () => s.subject('runClock', { runId: RUN }), worker);

    // The store: wait until the durable consumer has settled everything and the sampler has written.
    let redelivered: number;
    try {
      // Settled: acknowledged or terminated up to the stream's last message (a message handed back
      // after a failed write counts neither as pending nor as unacknowledged while it waits).
      const { messages: streamed, last_seq: last } = (await (await jetstreamManager(nc)).streams.info(s.streamName('records'))).state;
      await expect.poll(async () => (await bus.consumerState('metricsStore')).ackFloor, { timeout: 180_000, interval: 250 }).toBeGreaterThanOrEqual(last);
      redelivered = (await bus.consumerState('metricsStore')).delivered - streamed;
    } finally {
      await bus.close();
    }
    const db = live.db;
    // A key the column cannot even be compared with (a timestamp or integer out of range: data exception, class 22) is not there.
    const present = async (sql: string, params: unknown[]) =>
      db.query(sql, params).then(
        (r) => (r.rowCount ?? 0) > 0,
        (e: unknown) => {
          if (e instanceof Error && 'code' in e && String(e.code).startsWith('22')) return false;
          throw e;
        },
      );
    // What the store holds of what was valid: one row per key, never two; a valid message whose key is absent was refused (no column can hold it).
    const storeSchema: Counts = new Map();
    const storeRefused: Counts = new Map();
    const refusedByKind: Counts = new Map();
    const refusedValid = new Set<FuzzMessage<SubjectKey>>();
    const keysOf = async <K extends SubjectKey>(list: readonly FuzzMessage<SubjectKey>[], subject: (m: FuzzMessage<SubjectKey>) => string, isStored: (v: MessageOf<K>) => Promise<boolean>) => {
      refused(list, subject, storeSchema);
      for (const m of list) {
        if (m.refusal) continue;
        if (!(await isStored(m.value as MessageOf<K>))) {
          refusedValid.add(m);
          add(storeRefused, subject(m));
          add(refusedByKind, `${subject(m).slice(live.prefix.length + 1).split('.').slice(0, 2).join('.')} ${m.category}`);
        }
      }
    };
    await new Promise((r) => setTimeout(r, 2_500)); // the sampler writes every second
    await keysOf<'clusterHeartbeat'>(messages.clusterHeartbeat, heartbeatSubject, (v) =>
      present(`SELECT 1 FROM cluster_samples WHERE cluster_id = $1 AND instance_id = $2 AND at = to_timestamp($3 / 1000.0)`, [v.clusterId, v.instanceId, v.sentAt]),
    );
    await keysOf<'runRecord'>(messages.runRecord, recordSubject('runRecord'), (v) => present(`SELECT 1 FROM runs WHERE run_id = $1`, [v.runId]));
    await keysOf<'queryRecord'>(messages.queryRecord, recordSubject('queryRecord'), (v) => present(`SELECT 1 FROM queries WHERE run_id = $1 AND query_id = $2`, [v.runId, v.queryId]));
    await keysOf<'decisionRecord'>(messages.decisionRecord, recordSubject('decisionRecord'), (v) =>
      present(`SELECT 1 FROM scheduling_decisions WHERE run_id = $1 AND scheduler_id = $2 AND step = $3`, [v.runId, v.schedulerId, v.step]),
    );
    // The store refuses only edge values and huge shapes no column holds, and replays of those: every control is stored.
    const refusable = (list: readonly FuzzMessage<SubjectKey>[], m: FuzzMessage<SubjectKey>): boolean =>
      m.category === 'extreme' || m.category === 'huge' || (m.replayOf !== undefined && refusable(list, list[m.replayOf] as FuzzMessage<SubjectKey>));
    for (const list of [messages.clusterHeartbeat, messages.runRecord, messages.queryRecord, messages.decisionRecord]) {
      for (const m of list) if (!m.refusal && !refusable(list, m)) expect(refusedValid.has(m), `${m.category} #${m.index} is stored`).toBe(false);
    }
    const [dups] = (
      await db.query(`SELECT
        (SELECT count(*) - count(DISTINCT (run_id, query_id)) FROM queries)::int AS queries,
        (SELECT count(*) - count(DISTINCT (run_id, scheduler_id, step)) FROM scheduling_decisions)::int AS decisions,
        (SELECT count(*) - count(DISTINCT (cluster_id, instance_id, at)) FROM cluster_samples)::int AS samples`)
    ).rows;
    expect(dups).toEqual({ queries: 0, decisions: 0, samples: 0 });

    // The scheduler and the worker count exactly what they refused.
    const expected = { scheduler: sorted(scheduler), worker: sorted(worker) };
    const invalidAt = async (service: string) => countersBySubject(await metricsOf(service), 'aset_bus_invalid_messages_total', live.prefix);
    await expect.poll(async () => ({ scheduler: sorted(await invalidAt('scheduler')), worker: sorted(await invalidAt('workers-1')) }), { timeout: 30_000, interval: 500 }).toEqual(expected);
    // The store: exactly what breaks the contract plus what no column holds, per subject, each
    // stored message once however often it was delivered (one that waited out its ack wait behind
    // the isolating writes comes again, and is refused again without being counted).
    const storeCounted = await invalidAt('metrics-store');
    const storeExpected: Counts = new Map();
    for (const subject of new Set([...storeSchema.keys(), ...storeRefused.keys()])) storeExpected.set(subject, (storeSchema.get(subject) ?? 0) + (storeRefused.get(subject) ?? 0));
    expect(sorted(storeCounted)).toEqual(sorted(storeExpected));

    // Zero crashes: every service still runs and is healthy, and a valid query is still served.
    for (const [name, proc] of live.testbed.processes) {
      expect(proc.running, `${name} is running`).toBe(true);
      expect(await healthOf(name), `${name} /health`).toBe(200);
    }
    const client = await MessageBus.connect({ servers: live.testbed.natsUrl, name: 'fuzz-after', prefix: live.prefix, logger: silentBusLogger });
    try {
      // On a loaded host a heartbeat may come late and the query be dropped: a few queries, one must be served.
      let n = PER_SUBJECT;
      await expect
        .poll(async () => {
          const after = await client.request('scheduleQuery', { ...query(n++), runId: 'fuzz-after', createdAt: Date.now() }, 10_000);
          return after.ok && after.reply.status;
        }, { timeout: 60_000, interval: 500 })
        .toBe('completed');
    } finally {
      await client.close();
    }

    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    console.log(
      JSON.stringify(
        {
          perSubject: Object.fromEntries(Object.entries(messages).map(([k, l]) => [k, { sent: l.length, bytes: l.reduce((a, m) => a + m.bytes.length, 0), refusedByContract: l.filter((m) => m.refusal).length }])),
          invalidCounted: { scheduler: total(expected.scheduler), worker: total(expected.worker), store: [...storeCounted.values()].reduce((a, b) => a + b, 0) },
          storeRefusedByContract: [...storeSchema.values()].reduce((a, b) => a + b, 0),
          storeRefusedByColumns: Object.fromEntries([...refusedByKind].sort()),
          storeRedelivered: redelivered,
          outcomes: Object.fromEntries([...outcomes].sort()),
          generatedMs: Math.round(generatedMs),
          sentMs: Math.round(sentMs),
          totalMs: Math.round(performance.now() - started),
        },
        null,
        1,
      ),
    );
  });
});
