import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createInbox, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { CONSUMERS, ERROR_HEADERS, InferenceReplySchema, REPLY_TO_HEADER, type DispatchedQuery, type InferenceReply } from '@aset/contracts';
import { sampleQuery, sampleQueryRecord, uniqueTestPrefix } from '@aset/contracts/testing';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { MessageBus } from './message.bus.js';
import { FORWARDED, UNANSWERED } from './request.handler.js';
import type { UnansweredDispatch } from './request.dispatcher.js';
import type { Delivery } from './stream.delivery.js';
import { silentBusLogger } from './bus.logger.js';

const natsUrl = () => process.env['ASET_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

describe('MessageBus against a real NATS server', () => {
  let bus: MessageBus;
  let raw: NatsConnection;
  const prefix = uniqueTestPrefix('bus');

  const others: MessageBus[] = [];
  /** A bus on a prefix of its own: a test that serves `scheduleQuery` (one subject per prefix) uses one. */
  const isolated = async (): Promise<MessageBus> => {
    const b = await MessageBus.connect({ servers: natsUrl(), name: 'bus-test-isolated', prefix: uniqueTestPrefix('bus'), logger: silentBusLogger });
    others.push(b);
    return b;
  };

  beforeAll(async () => {
    bus = await MessageBus.connect({ servers: natsUrl(), name: 'bus-test', prefix, logger: silentBusLogger });
    raw = await connect({ servers: natsUrl() });
  });
  afterAll(async () => {
    await Promise.all(others.map((b) => b.close()));
    await bus.close();
    await raw.close();
  });

  const completed = (queryId: string): InferenceReply => ({
    schemaVersion: 1,
    status: 'completed',
    queryId,
    decision: { clusterId: 'c1', variantId: 'v1', policy: 'closest', decidedAt: 1 },
    timing: { receivedAt: 1, startedAt: 2, finishedAt: 3, emulatedNetworkMs: null },
    prediction: 4,
  });

  it('serves valid requests on the subject its key picks, and validates the reply', async () => {
    const b = await isolated();
    b.serve('scheduleQuery', (q) => completed(q.queryId));
    const outcome = await b.request('scheduleQuery', sampleQuery({ queryId: 'q-ok' }), 2000);
    expect(outcome).toMatchObject({ ok: true, reply: { status: 'completed', queryId: 'q-ok' } });
    b.serve('clusterInfer', { clusterId: 'edge-7' }, (q) => completed(`${q.queryId}@${q.decision.clusterId}`), { queue: 'worker-edge-7' });
    await b.flush();
    const reply = await raw.request(`${b.subjects.prefix}.cluster.edge-7.infer`, JSON.stringify({ ...sampleQuery({ queryId: 'q-c' }), decision: { clusterId: 'edge-7', variantId: 'v1', policy: 'closest', decidedAt: 1 } }), { timeout: 2000 });
    expect(reply.json()).toMatchObject({ status: 'completed', queryId: 'q-c@edge-7' });
  });

  it('answers malformed payloads with a typed error, headers included, and keeps serving', async () => {
    const b = await isolated();
    const subject = b.subject('scheduleQuery');
    let calls = 0;
    b.serve('scheduleQuery', (q) => {
      calls++;
      return completed(q.queryId);
    });
    await b.flush();
    const garbage = await raw.request(subject, new TextEncoder().encode('{"queryId": "q-9", "oops'), { timeout: 2000 });
    expect(garbage.headers?.get(ERROR_HEADERS.code)).toBe('400');
    expect(InferenceReplySchema.parse(garbage.json())).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE' });

    const wrongShape = await raw.request(subject, JSON.stringify({ ...sampleQuery({ queryId: 'q-7' }), slo: { maxLatencyMs: 'fast', minAccuracy: 0.5 } }), { timeout: 2000 });
    expect(wrongShape.json()).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE', queryId: 'q-7', issues: [{ path: 'slo.maxLatencyMs' }] });

    const future = await raw.request(subject, JSON.stringify({ ...sampleQuery(), schemaVersion: 9 }), { timeout: 2000 });
    expect(future.json()).toMatchObject({ status: 'error', code: 'UNSUPPORTED_SCHEMA_VERSION' });

    const ok = await b.request('scheduleQuery', sampleQuery({ queryId: 'q-after' }), 2000);
    expect(ok).toMatchObject({ ok: true, reply: { queryId: 'q-after' } });
    expect(calls).toBe(1);
    expect(b.stats.invalid.get(subject)).toBe(3);
  });

  it('turns a throwing handler into an INTERNAL error reply', async () => {
    const b = await isolated();
    b.serve('scheduleQuery', () => {
      throw new Error('boom');
    });
    const outcome = await b.request('scheduleQuery', sampleQuery(), 2000);
    expect(outcome).toMatchObject({ ok: true, reply: { status: 'error', code: 'INTERNAL' } });
  });

  it('reports no responders and timeouts as values', async () => {
    const b = await isolated();
    const none = await b.request('scheduleQuery', sampleQuery(), 1000);
    expect(none).toMatchObject({ ok: false, failure: 'no-responders' });
    b.serve('scheduleQuery', () => new Promise<never>(() => {}));
    const slow = await b.request('scheduleQuery', sampleQuery(), 200);
    expect(slow).toMatchObject({ ok: false, failure: 'timeout' });
  });

  it('rejects a reply that breaks the contract', async () => {
    const b = await isolated();
    raw.subscribe(b.subject('scheduleQuery'), {
      callback: (_e, m) => {
        m.respond(JSON.stringify({ status: 'completed' }));
      },
    });
    await raw.flush();
    const outcome = await b.request('scheduleQuery', sampleQuery(), 2000);
    expect(outcome).toMatchObject({ ok: false, failure: 'invalid-reply' });
  });

  it('forwards a request so that the downstream service answers the requester', async () => {
    const b = await isolated();
    b.serve('clusterInfer', { clusterId: 'back' }, (q) => completed(`${q.queryId}-from-back`));
    b.serve('scheduleQuery', (q, req) => {
      b.forward('clusterInfer', { clusterId: 'back' }, { ...q, decision: { clusterId: 'back', variantId: 'v1', policy: 'closest', decidedAt: 1 } }, req.replyTo);
      return FORWARDED;
    });
    const outcome = await b.request('scheduleQuery', sampleQuery({ queryId: 'q-f' }), 2000);
    expect(outcome).toMatchObject({ ok: true, reply: { queryId: 'q-f-from-back' } });
  });

  it('publishes the answers ready in one event-loop turn together, each to its requester', async () => {
    const b = await isolated();
    // Each handler finishes in a turn of the loop of its own (as each inference on the worker's loop does).
    b.serve('scheduleQuery', (q) => new Promise((resolve) => setImmediate(() => resolve(completed(q.queryId)))));
    await b.flush();
    const before = { answers: b.stats.answers, batches: b.stats.answerBatches };
    const ids = Array.from({ length: 40 }, (_, i) => `q-turn-${i}`);
    // Sent in one synchronous loop (one socket write): the server hands them to the responder in one or a few socket reads.
    const replies = await Promise.all(ids.map((id) => raw.request(b.subject('scheduleQuery'), JSON.stringify(sampleQuery({ queryId: id })), { timeout: 2000 })));
    for (const [i, reply] of replies.entries()) expect(reply.json()).toMatchObject({ status: 'completed', queryId: ids[i] });
    expect(b.stats.answers - before.answers).toBe(40);
    expect(b.stats.answerBatches - before.batches).toBeLessThan(40);
  });

  it('sends nothing for a request its handler reports lost, so that the requester times out', async () => {
    const b = await isolated();
    let handled = 0;
    b.serve('scheduleQuery', async (): Promise<typeof UNANSWERED> => {
      handled++;
      return UNANSWERED;
    });
    const outcome = await b.request('scheduleQuery', sampleQuery({ queryId: 'q-lost' }), 300);
    expect(outcome).toMatchObject({ ok: false, failure: 'timeout' });
    expect(handled).toBe(1);
  });

  describe('dispatcher', () => {
    const decision = { clusterId: 'c1', variantId: 'v1', policy: 'closest', decidedAt: 1 };
    const dispatched = (queryId: string): DispatchedQuery => ({ ...sampleQuery({ queryId }), decision });
    /** A requester's own reply subject, collecting every message that reaches it. */
    const requester = async () => {
      const inbox = createInbox();
      const got: Msg[] = [];
      const sub = raw.subscribe(inbox, {
        callback: (_e, m) => {
          got.push(m);
        },
      });
      await raw.flush();
      return { inbox, got, sub };
    };
    const settle = () => new Promise((r) => setTimeout(r, 200));

    it('lets a served responder answer the requester directly, not through the dispatcher', async () => {
      const dispatcher = bus.dispatcher('clusterInfer', () => FORWARDED);
      const servedBy: (string | undefined)[] = [];
      bus.serve('clusterInfer', { clusterId: 'served' }, (q, req) => {
        servedBy.push(req.replyTo);
        return completed(q.queryId);
      });
      await bus.flush();
      const r = await requester();
      dispatcher.send({ clusterId: 'served' }, dispatched('q-d1'), r.inbox);
      // Closing unsubscribes the dispatcher's inbox right behind the dispatch: only a direct answer can arrive.
      dispatcher.close();
      await expect.poll(() => r.got.length).toBe(1);
      expect(InferenceReplySchema.parse((r.got[0] as Msg).json())).toMatchObject({ status: 'completed', queryId: 'q-d1' });
      expect(servedBy).toEqual([r.inbox]);
      r.sub.unsubscribe();
    });

    it('reports a dispatch nobody listens to, with its message, at once, and forgets dispatches once the server confirmed them', async () => {
      const unanswered: UnansweredDispatch<'clusterInfer'>[] = [];
      const dispatcher = bus.dispatcher('clusterInfer', (d) => {
        unanswered.push(d);
        return FORWARDED;
      });
      bus.serve('clusterInfer', { clusterId: 'silentBusLogger' }, (q) => completed(q.queryId));
      await bus.flush();
      const r = await requester();
      const lost = dispatched('q-d2');
      dispatcher.send({ clusterId: 'nobody' }, lost, r.inbox, 3);
      dispatcher.send({ clusterId: 'silentBusLogger' }, dispatched('q-d3'), r.inbox);
      expect(dispatcher.pending).toBe(2);
      await expect.poll(() => unanswered.length).toBe(1);
      expect(unanswered[0]).toEqual({ subject: `${prefix}.cluster.nobody.infer`, message: lost, replyTo: r.inbox, attempt: 3 });
      expect(unanswered[0]?.message).toBe(lost);
      await expect.poll(() => dispatcher.pending).toBe(0);
      await settle();
      expect(r.got.map((m) => (m.json() as { queryId: string }).queryId)).toEqual(['q-d3']);
      expect(unanswered).toHaveLength(1);
      r.sub.unsubscribe();
      dispatcher.close();
    });

    it('sends the requester the answer its no-responders handler returns', async () => {
      const dispatcher = bus.dispatcher('clusterInfer', (d) => ({ schemaVersion: 1, status: 'dropped', queryId: d.message.queryId, policy: 'closest', reason: 'NO_LIVE_CLUSTER', detail: 'nobody listens', decidedAt: 1 }));
      const r = await requester();
      dispatcher.send({ clusterId: 'gone' }, dispatched('q-d5'), r.inbox);
      await expect.poll(() => r.got.length).toBe(1);
      expect(InferenceReplySchema.parse((r.got[0] as Msg).json())).toMatchObject({ status: 'dropped', queryId: 'q-d5', reason: 'NO_LIVE_CLUSTER' });
      r.sub.unsubscribe();
      dispatcher.close();
    });

    it('relays unchanged, headers included and however late, the answer of a responder that replies to the reply subject', async () => {
      const dispatcher = bus.dispatcher('clusterInfer', () => FORWARDED);
      raw.subscribe(bus.subject('clusterInfer', { clusterId: 'plain' }), {
        callback: (_e, m) => {
          const h = headers();
          h.set('X-Test', 'kept');
          // Long after the dispatcher forgot the dispatch.
          setTimeout(() => m.respond('not even json', { headers: h }), 300);
        },
      });
      await raw.flush();
      const r = await requester();
      dispatcher.send({ clusterId: 'plain' }, dispatched('q-d4'), r.inbox);
      await expect.poll(() => dispatcher.pending).toBe(0);
      await expect.poll(() => r.got.length).toBe(1);
      await settle();
      expect(r.got).toHaveLength(1);
      expect((r.got[0] as Msg).string()).toBe('not even json');
      expect((r.got[0] as Msg).headers?.get('X-Test')).toBe('kept');
      r.sub.unsubscribe();
      dispatcher.close();
    });

    it('counts and drops an answer to a dispatch that had no requester', async () => {
      const dispatcher = bus.dispatcher('clusterInfer', () => FORWARDED);
      raw.subscribe(bus.subject('clusterInfer', { clusterId: 'orphan' }), {
        callback: (_e, m) => {
          m.respond(JSON.stringify(completed('q-orphan')));
        },
      });
      await raw.flush();
      const invalidBefore = bus.stats.total(bus.stats.invalid);
      dispatcher.send({ clusterId: 'orphan' }, dispatched('q-orphan'), undefined);
      await expect.poll(() => bus.stats.total(bus.stats.invalid)).toBe(invalidBefore + 1);
      dispatcher.close();
    });

    it('answers a request whose reply-to header is not a subject at its reply subject, without crashing', async () => {
      const b = await isolated();
      const subject = b.subject('scheduleQuery');
      b.serve('scheduleQuery', (q) => completed(q.queryId));
      await b.flush();
      const h = headers();
      h.set(REPLY_TO_HEADER, 'not a subject');
      const reply = await raw.request(subject, JSON.stringify(sampleQuery({ queryId: 'q-h' })), { timeout: 2000, headers: h });
      expect(reply.json()).toMatchObject({ status: 'completed', queryId: 'q-h' });
      const ok = await b.request('scheduleQuery', sampleQuery({ queryId: 'q-h2' }), 2000);
      expect(ok).toMatchObject({ ok: true, reply: { queryId: 'q-h2' } });
    });
  });

  it('counts and drops invalid events, delivering the valid ones', async () => {
    const subject = bus.subject('clusterHeartbeat', { clusterId: 'c1' });
    const seen: string[] = [];
    bus.subscribe('clusterHeartbeat', (hb) => seen.push(hb.instanceId));
    await bus.flush();
    raw.publish(subject, 'not json');
    raw.publish(subject, JSON.stringify({ schemaVersion: 1, clusterId: 'c1' }));
    bus.publish('clusterHeartbeat', { clusterId: 'c1' }, { schemaVersion: 1, clusterId: 'c1', instanceId: 'w1', sentAt: 1, slots: 1, busySlots: 0, queueLength: 0, processed: 0 });
    await raw.flush();
    await expect.poll(() => seen).toEqual(['w1']);
    expect(bus.stats.invalid.get(subject)).toBe(2);
  });

  it('creates the record stream idempotently, even concurrently, and publishes durably', async () => {
    await Promise.all([bus.ensureStream('records'), bus.ensureStream('records')]);
    await bus.ensureStream('records');
    const msg = { schemaVersion: 1 as const, kind: 'finished' as const, runId: 'r1', queryCount: 0, finishedAt: 1 };
    await bus.publishDurable('runRecord', { runId: 'r1' }, msg, 'r1.finished');
    await bus.publishDurable('runRecord', { runId: 'r1' }, msg, 'r1.finished');
    const jsm = await jetstreamManager(raw);
    const info = await jsm.streams.info(bus.subjects.streamName('records'));
    expect(info.state.messages).toBe(1);
    expect(info.config.subjects).toEqual([`${prefix}.record.>`]);
    expect(await bus.deleteStream('records')).toBe(true);
    expect(await bus.deleteStream('records')).toBe(false);
  });

  it('rejects a durable publish that no stream stores, or that the stream refuses', async () => {
    const b = await isolated();
    const msg = { schemaVersion: 1 as const, kind: 'finished' as const, runId: 'r1', queryCount: 0, finishedAt: 1 };
    await expect(b.publishDurable('runRecord', { runId: 'r1' }, msg, 'r1.finished')).rejects.toThrow(/not stored: no stream stores this subject/);
    const jsm = await jetstreamManager(raw);
    await jsm.streams.add({ name: b.subjects.streamName('records'), subjects: [`${b.subjects.prefix}.record.>`], max_msg_size: 16 });
    await expect(b.publishDurable('runRecord', { runId: 'r1' }, msg, 'r1.finished')).rejects.toThrow(/not stored: .*maximum/);
    await b.deleteStream('records');
  });

  describe('consume', () => {
    const T = 1_764_000_000_000;
    const run = (runId: string) => ({ schemaVersion: 1 as const, kind: 'finished' as const, runId, queryCount: 0, finishedAt: T });
    const decision = (runId: string, step: number) => ({ schemaVersion: 1 as const, runId, schedulerId: 's1', policy: 'aset', chosen: 'closest', step, stepMs: 1000, at: T + step, observedSuccessRatio: 0.5 });

    it("hands each valid record to its key's handler, refuses the rest once (counted, terminated), and settles through the delivery after the handler returned", async () => {
      const b = await isolated();
      await b.ensureStream('records');
      const js = jetstream(raw);
      // Published before the durable consumer exists: it starts from the stream's first message.
      await b.publishDurable('runRecord', { runId: 'r1' }, run('r1'), 'r1.finished');
      await js.publish(b.subject('runRecord', { runId: 'r2' }), 'not json');
      await js.publish(b.subject('decisionRecord', { runId: 'r1' }), JSON.stringify({ ...decision('r1', 9), observedSuccessRatio: 3 }));
      await b.publishDurable('decisionRecord', { runId: 'r1' }, decision('r1', 0), 'r1.d0');
      const runs: string[] = [];
      const held: Delivery[] = [];
      const refused: { key: string | undefined; subject: string }[] = [];
      const consumption = await b.consume(
        { durable: 'metricsStore' },
        {
          runRecord: (r, d) => {
            runs.push(r.runId);
            held.push(d);
          },
          decisionRecord: (r, d) => {
            expect(r.step).toBe(0);
            held.push(d);
          },
        },
        { onRefused: ({ key, subject }) => refused.push({ key, subject }) },
      );
      await b.publishDurable('queryRecord', { runId: 'r1' }, { ...sampleQueryRecord(), runId: 'r1' }, 'r1.q');
      await expect.poll(() => held.length + refused.length).toBe(5);
      expect(runs).toEqual(['r1']);
      expect(refused).toEqual([
        { key: 'runRecord', subject: b.subject('runRecord', { runId: 'r2' }) },
        { key: 'decisionRecord', subject: b.subject('decisionRecord', { runId: 'r1' }) },
        { key: undefined, subject: b.subject('queryRecord', { runId: 'r1' }) },
      ]);
      expect(b.stats.invalid.get(b.subject('runRecord', { runId: 'r2' }))).toBe(1);
      expect(b.stats.total(b.stats.invalid)).toBe(3);
      await expect.poll(() => b.consumerState('metricsStore')).toMatchObject({ pending: 0, ackPending: 2 });
      held[0]?.nak(50);
      await expect.poll(() => runs.length).toBe(2);
      for (const d of held) d.ack();
      await expect.poll(() => b.consumerState('metricsStore')).toMatchObject({ pending: 0, ackPending: 0, ackFloor: 5 });
      await consumption.close();
      await b.deleteStream('records');
    });

    it('counts a stored message refused once, however often it is delivered again', async () => {
      const b = await isolated();
      await b.ensureStream('records');
      const stream = b.subjects.streamName(CONSUMERS.metricsStore.stream);
      // The durable consumer as the store declares it, but with a 1 s ack wait, so that a record held
      // past it comes again (an existing consumer is left as it is).
      await (await jetstreamManager(raw)).consumers.add(stream, {
        durable_name: CONSUMERS.metricsStore.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 1_000_000_000,
      });
      await b.publishDurable('runRecord', { runId: 'r1' }, run('r1'), 'r1.finished');
      await b.publishDurable('runRecord', { runId: 'r2' }, run('r2'), 'r2.finished');
      const deliveries: { runId: string; delivery: Delivery }[] = [];
      const consumption = await b.consume({ durable: 'metricsStore' }, { runRecord: (r, delivery) => deliveries.push({ runId: r.runId, delivery }), decisionRecord: () => {} });
      // Held unsettled past the ack wait: each record is delivered again.
      await expect.poll(() => deliveries.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
      const counted = deliveries.map(({ runId, delivery }) => [runId, delivery.refuse(`${runId} refused`)] as const);
      expect(counted.filter(([, c]) => c).map(([runId]) => runId).sort()).toEqual(['r1', 'r2']);
      expect(b.stats.total(b.stats.invalid)).toBe(2);
      expect(b.stats.invalid.get(b.subject('runRecord', { runId: 'r1' }))).toBe(1);
      await expect.poll(() => b.consumerState('metricsStore'), { timeout: 10_000 }).toMatchObject({ pending: 0, ackPending: 0, ackFloor: 2 });
      await consumption.close();
      await b.deleteStream('records');
    });

    it('feeds an ordered consumer the new records of one key only', async () => {
      const b = await isolated();
      await b.ensureStream('records');
      await b.publishDurable('runRecord', { runId: 'old' }, run('old'), 'old.finished');
      const seen: string[] = [];
      const consumption = await b.consume({ ordered: { deliver: 'new' } }, { runRecord: (r, d) => seen.push(`${r.runId}@${d.subject}`) });
      await b.publishDurable('decisionRecord', { runId: 'r1' }, decision('r1', 0), 'r1.d0');
      await b.publishDurable('runRecord', { runId: 'new' }, run('new'), 'new.finished');
      await expect.poll(() => seen).toEqual([`new@${b.subject('runRecord', { runId: 'new' })}`]);
      await expect(b.consumerState('metricsStore')).rejects.toThrow(/not found/);
      await consumption.close();
      await b.deleteStream('records');
    });
  });
});
