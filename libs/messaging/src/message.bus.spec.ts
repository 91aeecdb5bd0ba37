import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ERROR_HEADERS, InferenceReplySchema, type InferenceReply } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { FORWARDED, MessageBus } from './message.bus.js';
import { ensureRecordStream } from './record.stream.js';

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

  it('counts and drops invalid events, delivering the valid ones', async () => {
    const subject = bus.subject('clusterHeartbeat', { clusterId: 'c1' });
    const seen: string[] = [];
    bus.onEvent('clusterHeartbeat', bus.subjects.wildcard('clusterHeartbeat'), (hb) => seen.push(hb.instanceId));
    await bus.nc.flush();
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
