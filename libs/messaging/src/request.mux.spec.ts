import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { silentBusLogger } from './bus.logger.js';
import { RequestMux, type MuxOutcome } from './request.mux.js';

const natsUrl = () => process.env['ASET_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const text = new TextEncoder();
const read = (o: MuxOutcome) => (o.ok ? new TextDecoder().decode(o.msg.data) : o.failure);

describe('RequestMux against a real NATS server', () => {
  let requester: NatsConnection;
  let responder: NatsConnection;
  const prefix = uniqueTestPrefix('mux');

  beforeAll(async () => {
    requester = await connect({ servers: natsUrl() });
    responder = await connect({ servers: natsUrl() });
  });
  afterAll(async () => {
    await requester.close();
    await responder.close();
  });

  /** Sends a request and collects every settlement of it (there must be exactly one). */
  const send = (mux: RequestMux, subject: string, body: string, timeoutMs: number) => {
    const settled: MuxOutcome[] = [];
    const done = new Promise<MuxOutcome>((resolve) =>
      mux.request(subject, text.encode(body), timeoutMs, (o) => {
        settled.push(o);
        resolve(o);
      }),
    );
    return { settled, done };
  };

  it('settles each request once with its own answer, however the answers are ordered, and ignores a second answer', async () => {
    const subject = `${prefix}.echo`;
    const held: Msg[] = [];
    responder.subscribe(subject, {
      callback: (_e, m) => {
        held.push(m);
        if (held.length === 200) {
          // In reverse order, each answered twice.
          for (const h of held.reverse()) {
            h.respond(h.data);
            h.respond(text.encode('again'));
          }
        }
      },
    });
    await responder.flush();
    const mux = new RequestMux(requester, undefined, silentBusLogger);
    const sent = Array.from({ length: 200 }, (_, i) => send(mux, subject, `q${i}`, 5_000));
    const outcomes = await Promise.all(sent.map((s) => s.done));
    expect(outcomes.map(read)).toEqual(sent.map((_, i) => `q${i}`));
    await responder.flush();
    await requester.flush();
    expect(sent.every((s) => s.settled.length === 1)).toBe(true);
    expect(mux.open).toBe(0);
    mux.close();
  });

  it('reports no responders at once, and times requests out after their own timeout (never before it), in deadline order', async () => {
    const mux = new RequestMux(requester, undefined, silentBusLogger);
    expect(read(await send(mux, `${prefix}.nobody`, 'x', 5_000).done)).toBe('no-responders');

    const silent = `${prefix}.silent`;
    responder.subscribe(silent, { callback: () => {} });
    await responder.flush();
    const order: string[] = [];
    const started = performance.now();
    const at = (name: string, timeoutMs: number) =>
      send(mux, silent, name, timeoutMs).done.then((o) => {
        order.push(`${name}:${read(o)}`);
        return performance.now() - started;
      });
    const [long, short, middle] = await Promise.all([at('long', 400), at('short', 100), at('middle', 250)]);
    expect(order).toEqual(['short:timeout', 'middle:timeout', 'long:timeout']);
    expect(short).toBeGreaterThanOrEqual(100);
    expect(middle).toBeGreaterThanOrEqual(250);
    expect(long).toBeGreaterThanOrEqual(400);
    expect(long).toBeLessThan(2_000);
    expect(mux.open).toBe(0);
    mux.close();
  });

  it('still times out the requests left after earlier ones of the same timeout were answered', async () => {
    const subject = `${prefix}.some`;
    responder.subscribe(subject, {
      callback: (_e, m) => {
        if (new TextDecoder().decode(m.data).startsWith('answer')) m.respond(m.data);
      },
    });
    await responder.flush();
    const mux = new RequestMux(requester, undefined, silentBusLogger);
    const outcomes = await Promise.all(['answer-1', 'drop-1', 'answer-2', 'drop-2'].map((b) => send(mux, subject, b, 300).done));
    expect(outcomes.map(read)).toEqual(['answer-1', 'timeout', 'answer-2', 'timeout']);
    mux.close();
  });

  it('fails the open requests when closed, and every later one at once', async () => {
    const silent = `${prefix}.closing`;
    responder.subscribe(silent, { callback: () => {} });
    await responder.flush();
    const mux = new RequestMux(requester, undefined, silentBusLogger);
    const open = [send(mux, silent, 'a', 5_000), send(mux, silent, 'b', 5_000)];
    mux.close();
    expect((await Promise.all(open.map((s) => s.done))).map(read)).toEqual(['connection', 'connection']);
    expect(read(await send(mux, silent, 'c', 5_000).done)).toBe('connection');
  });

  it("replies under the inbox prefix given; a publish refusal fails the subject's oldest open request, a closed connection every open one", async () => {
    const nc = await connect({ servers: natsUrl() });
    const silent = `${prefix}.refused`;
    const replies: string[] = [];
    responder.subscribe(silent, {
      callback: (_e, m) => {
        replies.push(m.reply ?? '');
      },
    });
    await responder.flush();
    const inboxPrefix = `_INBOX.${prefix.replace(/[^a-zA-Z0-9]/g, '')}`;
    const mux = new RequestMux(nc, inboxPrefix, silentBusLogger);
    const first = send(mux, silent, 'first', 5_000);
    const second = send(mux, silent, 'second', 5_000);
    await expect.poll(() => replies.length).toBe(2);
    expect(replies.every((r) => r.startsWith(`${inboxPrefix}.`))).toBe(true);
    mux.refused(silent, 'Permissions Violation for Publish');
    expect(await first.done).toMatchObject({ ok: false, failure: 'connection', message: expect.stringContaining('refused') });
    expect(second.settled).toEqual([]);
    await nc.close();
    expect(read(await second.done)).toBe('connection');
  });
});
