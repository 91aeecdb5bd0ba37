import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createInbox, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { ERROR_HEADERS, InferenceReplySchema, REPLY_TO_HEADER, type DispatchedQuery, type InferenceReply } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { FORWARDED, MessageBus } from './message.bus.js';
import { ensureRecordStream } from './record.stream.js';
import type { UnansweredDispatch } from './request.dispatcher.js';

const natsUrl = () => process.env['ASET_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const quiet = { log: () => {}, warn: () => {}, error: () => {} };

describe('MessageBus against a real NATS server', () => {
  let bus: MessageBus;
  let raw: NatsConnection;
  const prefix = uniqueTestPrefix('bus');

  beforeAll(async () => {
    bus = await MessageBus.connect({ servers: natsUrl(), name: 'bus-test', prefix, logger: quiet });
    raw = await connect({ servers: natsUrl() });
  });
  afterAll(async () => {
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

  it('serves valid requests and validates the reply', async () => {
    const subject = `${prefix}.svc.ok`;
    bus.serve('scheduleQuery', subject, (q) => completed(q.queryId));
    const outcome = await bus.request('scheduleQuery', subject, sampleQuery({ queryId: 'q-ok' }), 2000);
    expect(outcome).toMatchObject({ ok: true, reply: { status: 'completed', queryId: 'q-ok' } });
  });

  it('answers malformed payloads with a typed error, headers included, and keeps serving', async () => {
    const subject = `${prefix}.svc.bad`;
    let calls = 0;
    bus.serve('scheduleQuery', subject, (q) => {
      calls++;
      return completed(q.queryId);
    });
    await bus.flush();
    const garbage = await raw.request(subject, new TextEncoder().encode('{"queryId": "q-9", "oops'), { timeout: 2000 });
    expect(garbage.headers?.get(ERROR_HEADERS.code)).toBe('400');
    expect(InferenceReplySchema.parse(garbage.json())).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE' });

    const wrongShape = await raw.request(subject, JSON.stringify({ ...sampleQuery({ queryId: 'q-7' }), slo: { maxLatencyMs: 'fast', minAccuracy: 0.5 } }), { timeout: 2000 });
    expect(wrongShape.json()).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE', queryId: 'q-7', issues: [{ path: 'slo.maxLatencyMs' }] });

    const future = await raw.request(subject, JSON.stringify({ ...sampleQuery(), schemaVersion: 9 }), { timeout: 2000 });
    expect(future.json()).toMatchObject({ status: 'error', code: 'UNSUPPORTED_SCHEMA_VERSION' });

    const ok = await bus.request('scheduleQuery', subject, sampleQuery({ queryId: 'q-after' }), 2000);
    expect(ok).toMatchObject({ ok: true, reply: { queryId: 'q-after' } });
    expect(calls).toBe(1);
    expect(bus.stats.invalid.get(subject)).toBe(3);
  });

  it('turns a throwing handler into an INTERNAL error reply', async () => {
    const subject = `${prefix}.svc.throws`;
    bus.serve('scheduleQuery', subject, () => {
      throw new Error('boom');
    });
    const outcome = await bus.request('scheduleQuery', subject, sampleQuery(), 2000);
    expect(outcome).toMatchObject({ ok: true, reply: { status: 'error', code: 'INTERNAL' } });
  });

  it('reports no responders and timeouts as values', async () => {
    const none = await bus.request('scheduleQuery', `${prefix}.nobody`, sampleQuery(), 1000);
    expect(none).toMatchObject({ ok: false, failure: 'no-responders' });
    const subject = `${prefix}.svc.silent`;
    bus.serve('scheduleQuery', subject, () => new Promise<never>(() => {}));
    const slow = await bus.request('scheduleQuery', subject, sampleQuery(), 200);
    expect(slow).toMatchObject({ ok: false, failure: 'timeout' });
  });

  it('rejects a reply that breaks the contract', async () => {
    const subject = `${prefix}.svc.liar`;
    raw.subscribe(subject, {
      callback: (_e, m) => {
        m.respond(JSON.stringify({ status: 'completed' }));
      },
    });
    await raw.flush();
    const outcome = await bus.request('scheduleQuery', subject, sampleQuery(), 2000);
    expect(outcome).toMatchObject({ ok: false, failure: 'invalid-reply' });
  });

  it('forwards a request so that the downstream service answers the requester', async () => {
    const front = `${prefix}.svc.front`;
    const back = `${prefix}.svc.back`;
    bus.serve('clusterInfer', back, (q) => completed(`${q.queryId}-from-back`));
    bus.serve('scheduleQuery', front, (q, req) => {
      bus.forward('clusterInfer', back, { ...q, decision: { clusterId: 'c1', variantId: 'v1', policy: 'closest', decidedAt: 1 } }, req.replyTo);
      return FORWARDED;
    });
    const outcome = await bus.request('scheduleQuery', front, sampleQuery({ queryId: 'q-f' }), 2000);
    expect(outcome).toMatchObject({ ok: true, reply: { queryId: 'q-f-from-back' } });
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
      const dispatcher = bus.dispatcher('clusterInfer', () => {});
      const subject = `${prefix}.disp.served`;
      const servedBy: (string | undefined)[] = [];
      bus.serve('clusterInfer', subject, (q, req) => {
        servedBy.push(req.replyTo);
        return completed(q.queryId);
      });
      await bus.flush();
      const r = await requester();
      dispatcher.send(subject, dispatched('q-d1'), r.inbox);
      // Closing unsubscribes the dispatcher's inbox right behind the dispatch: only a direct answer can arrive.
      dispatcher.close();
      await expect.poll(() => r.got.length).toBe(1);
      expect(InferenceReplySchema.parse((r.got[0] as Msg).json())).toMatchObject({ status: 'completed', queryId: 'q-d1' });
      expect(servedBy).toEqual([r.inbox]);
      r.sub.unsubscribe();
    });

    it('reports a dispatch nobody listens to, with its message, at once, and forgets dispatches once the server confirmed them', async () => {
      const unanswered: UnansweredDispatch<'clusterInfer'>[] = [];
      const dispatcher = bus.dispatcher('clusterInfer', (d) => unanswered.push(d));
      const subject = `${prefix}.disp.quiet`;
      bus.serve('clusterInfer', subject, (q) => completed(q.queryId));
      await bus.flush();
      const r = await requester();
      const lost = dispatched('q-d2');
      dispatcher.send(`${prefix}.disp.nobody`, lost, r.inbox, 3);
      dispatcher.send(subject, dispatched('q-d3'), r.inbox);
      expect(dispatcher.pending).toBe(2);
      await expect.poll(() => unanswered.length).toBe(1);
      expect(unanswered[0]).toEqual({ subject: `${prefix}.disp.nobody`, message: lost, replyTo: r.inbox, attempt: 3 });
      expect(unanswered[0]?.message).toBe(lost);
      await expect.poll(() => dispatcher.pending).toBe(0);
      await settle();
      expect(r.got.map((m) => (m.json() as { queryId: string }).queryId)).toEqual(['q-d3']);
      expect(unanswered).toHaveLength(1);
      r.sub.unsubscribe();
      dispatcher.close();
    });

    it('relays unchanged, headers included and however late, the answer of a responder that replies to the reply subject', async () => {
      const dispatcher = bus.dispatcher('clusterInfer', () => {});
      const subject = `${prefix}.disp.plain`;
      raw.subscribe(subject, {
        callback: (_e, m) => {
          const h = headers();
          h.set('X-Test', 'kept');
          // Long after the dispatcher forgot the dispatch.
          setTimeout(() => m.respond('not even json', { headers: h }), 300);
        },
      });
      await raw.flush();
      const r = await requester();
      dispatcher.send(subject, dispatched('q-d4'), r.inbox);
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
      const dispatcher = bus.dispatcher('clusterInfer', () => {});
      const subject = `${prefix}.disp.orphan`;
      raw.subscribe(subject, {
        callback: (_e, m) => {
          m.respond(JSON.stringify(completed('q-orphan')));
        },
      });
      await raw.flush();
      const invalidBefore = bus.stats.total(bus.stats.invalid);
      dispatcher.send(subject, dispatched('q-orphan'), undefined);
      await expect.poll(() => bus.stats.total(bus.stats.invalid)).toBe(invalidBefore + 1);
      dispatcher.close();
    });

    it('answers a request whose reply-to header is not a subject at its reply subject, without crashing', async () => {
      const subject = `${prefix}.disp.badheader`;
      bus.serve('scheduleQuery', subject, (q) => completed(q.queryId));
      await bus.flush();
      const h = headers();
      h.set(REPLY_TO_HEADER, 'not a subject');
      const reply = await raw.request(subject, JSON.stringify(sampleQuery({ queryId: 'q-h' })), { timeout: 2000, headers: h });
      expect(reply.json()).toMatchObject({ status: 'completed', queryId: 'q-h' });
      const ok = await bus.request('scheduleQuery', subject, sampleQuery({ queryId: 'q-h2' }), 2000);
      expect(ok).toMatchObject({ ok: true, reply: { queryId: 'q-h2' } });
    });
  });

  it('counts and drops invalid events, delivering the valid ones', async () => {
    const subject = bus.subject('clusterHeartbeat', { clusterId: 'c1' });
    const seen: string[] = [];
    bus.onEvent('clusterHeartbeat', bus.subjects.wildcard('clusterHeartbeat'), (hb) => seen.push(hb.instanceId));
    await bus.flush();
    raw.publish(subject, 'not json');
    raw.publish(subject, JSON.stringify({ schemaVersion: 1, clusterId: 'c1' }));
    bus.publishEvent('clusterHeartbeat', subject, { schemaVersion: 1, clusterId: 'c1', instanceId: 'w1', sentAt: 1, slots: 1, busySlots: 0, queueLength: 0, processed: 0 });
    await raw.flush();
    await expect.poll(() => seen).toEqual(['w1']);
    expect(bus.stats.invalid.get(subject)).toBe(2);
  });

  it('creates the record stream idempotently, even concurrently, and publishes durably', async () => {
    const jsm = await bus.jsm();
    await Promise.all([ensureRecordStream(jsm, bus.subjects), ensureRecordStream(jsm, bus.subjects)]);
    await ensureRecordStream(jsm, bus.subjects);
    const subject = bus.subject('runRecord', { runId: 'r1' });
    const msg = { schemaVersion: 1 as const, kind: 'finished' as const, runId: 'r1', queryCount: 0, finishedAt: 1 };
    await bus.publishDurable('runRecord', subject, msg, 'r1.finished');
    await bus.publishDurable('runRecord', subject, msg, 'r1.finished');
    const info = await jsm.streams.info(bus.subjects.streamName('records'));
    expect(info.state.messages).toBe(1);
    await jsm.streams.delete(bus.subjects.streamName('records'));
  });
});
