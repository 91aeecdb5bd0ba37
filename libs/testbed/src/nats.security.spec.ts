import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, nkeyAuthenticator, type NatsConnection, type Status } from '@nats-io/transport-node';
import { SubjectSpace } from '@aset/contracts';
import { sampleQuery, sampleQueryRecord } from '@aset/contracts/testing';
import { FORWARDED, MessageBus, inboxPrefixOf, readNkeySeedFile, silentBusLogger } from '@aset/messaging';
import { NatsTopology } from './nats.topology.js';
import { testbedNatsUsers } from './nats.security.js';

const PREFIX = 'aset';
const space = new SubjectSpace(PREFIX);
const dir = mkdtempSync(join(tmpdir(), 'aset-nats-security-'));

/**
 * The permissions of infra/nats on a real nats-server (the testbed's hub, from hub.conf): each
 * service's user may do what the service does and nothing the issue names as an attack.
 */
describe('NATS users and permissions (hub.conf with generated credentials)', () => {
  let topology: NatsTopology;
  const clients: NatsConnection[] = [];
  const buses: MessageBus[] = [];

  /** A MessageBus as `user`, as the service connects. */
  const bus = async (user: string) => {
    const b = await MessageBus.connect({ servers: topology.hub.clientUrl, name: user, prefix: PREFIX, logger: silentBusLogger, ...topology.security.busOptions(user) });
    buses.push(b);
    return b;
  };

  /** A raw connection as `user`, with the inbox prefix and TLS MessageBus uses; collects the server's errors. */
  const client = async (user: string) => {
    const { identity, tls } = topology.security.busOptions(user);
    const nc = await connect({ servers: topology.hub.clientUrl, authenticator: nkeyAuthenticator(identity.seed), inboxPrefix: inboxPrefixOf(identity.publicKey), tls: { ...tls } });
    clients.push(nc);
    const errors: string[] = [];
    void (async () => {
      for await (const s of nc.status() as AsyncIterable<Status>) if (s.type === 'error') errors.push(String((s as { error?: Error }).error?.message ?? ''));
    })();
    return { nc, errors };
  };

  /** Resolves with the permission error a subscription gets, or '' when it receives `probe` instead. */
  const subscribeOutcome = (nc: NatsConnection, subject: string): Promise<string> =>
    new Promise((resolve) => {
      nc.subscribe(subject, { callback: (err, msg) => resolve(err ? err.message : `received ${msg.subject}`) });
    });

  const until = async (what: () => boolean) => {
    for (let i = 0; i < 100 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  beforeAll(async () => {
    topology = await NatsTopology.start({
      sites: [],
      dataDir: dir,
      say: () => {},
      prefix: PREFIX,
      users: testbedNatsUsers([
        { name: 'worker-a', clusters: ['a'] },
        { name: 'worker-b', clusters: ['b'] },
      ]),
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([...clients.map((c) => c.close()), ...buses.map((b) => b.close())]);
    await topology?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one seed file per user, readable by its owner only, and the server keeps public keys only', () => {
    const { seedFiles, authorizationFile } = topology.security.credentials;
    expect([...seedFiles.keys()].sort()).toEqual(['metrics-store', 'scheduler', 'slo-alerter', 'testbed', 'worker-a', 'worker-b', 'workload-generator']);
    for (const file of seedFiles.values()) {
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
      const { publicKey } = readNkeySeedFile(file);
      expect(publicKey).toMatch(/^U[A-Z2-7]{55}$/);
    }
    const conf = readFileSync(authorizationFile, 'utf8');
    expect(conf).not.toMatch(/\bSU[A-Z2-7]{50,}/);
  });

  it('lets each service use JetStream as it does, under its own user: publishers, ordered consumers, the durable consumer', { timeout: 60_000 }, async () => {
    {
      const [generator, scheduler, alerter, store, testbed] = await Promise.all(['workload-generator', 'scheduler', 'slo-alerter', 'metrics-store', 'testbed'].map(bus));
      const heard = (b: MessageBus) =>
        new Promise<string>((resolve, reject) => {
          b.consume({ ordered: { deliver: 'all' } }, { queryRecord: (r) => resolve(r.queryId) }).catch(reject);
        });
      await generator!.ensureStream('records');
      await generator!.publishDurable('queryRecord', { runId: 'js' }, sampleQueryRecord({ runId: 'js', queryId: 'q-js' }), 'js.q-js');
      await testbed!.publishDurable('runRecord', { runId: 'js' }, { schemaVersion: 1, kind: 'finished', runId: 'js', queryCount: 1, finishedAt: Date.now() }, 'js.finished');
      expect(await heard(scheduler!)).toBe('q-js');
      expect(await heard(alerter!)).toBe('q-js');
      const stored = await new Promise<string>((resolve, reject) => {
        store!.consume({ durable: 'metricsStore' }, { queryRecord: (r, d) => (d.ack(), resolve(r.queryId)), runRecord: (_r, d) => d.ack() }).catch(reject);
      });
      expect(stored).toBe('q-js');
      expect((await store!.consumerState('metricsStore')).delivered).toBeGreaterThan(0);
    }
  });

  it('dispatches as the services do, each under its user: the worker answers the generator directly, and "no responders" reaches the scheduler\'s inbox', { timeout: 60_000 }, async () => {
    const [generator, scheduler, worker] = await Promise.all(['workload-generator', 'scheduler', 'worker-a'].map(bus));
    worker!.serve('clusterInfer', { clusterId: 'a' }, (q) => ({ schemaVersion: 1, status: 'error', code: 'INFERENCE_FAILED', message: `answered by ${q.decision.clusterId}`, queryId: q.queryId }), { queue: 'worker-a' });
    await worker!.flush();
    const unanswered: string[] = [];
    const dispatcher = scheduler!.dispatcher('clusterInfer', (d) => {
      unanswered.push(d.subject);
      return { schemaVersion: 1, status: 'dropped', queryId: d.message.queryId, policy: 'test', reason: 'NO_LIVE_CLUSTER', detail: `nobody on ${d.subject}`, decidedAt: Date.now() };
    });
    scheduler!.serve(
      'scheduleQuery',
      (q, request) => {
        const clusterId = q.queryId === 'to-a' ? 'a' : 'b';
        dispatcher.send({ clusterId }, { ...q, decision: { clusterId, variantId: 'v', policy: 'test', decidedAt: Date.now() } }, request.replyTo);
        return FORWARDED;
      },
      { queue: 'scheduler' },
    );
    await scheduler!.flush();
    expect(await generator!.request('scheduleQuery', sampleQuery({ queryId: 'to-a' }), 10_000)).toMatchObject({ ok: true, reply: { status: 'error', message: 'answered by a' } });
    expect(await generator!.request('scheduleQuery', sampleQuery({ queryId: 'to-b' }), 10_000)).toMatchObject({ ok: true, reply: { status: 'dropped', detail: `nobody on ${space.subject('clusterInfer', { clusterId: 'b' })}` } });
    expect(unanswered).toEqual([space.subject('clusterInfer', { clusterId: 'b' })]);
    // Its worker leaves cluster a's queue group to the other tests.
    await Promise.all([generator, scheduler, worker].map((b) => b!.close()));
  });

  it('refuses a client without credentials', async () => {
    await expect(connect({ servers: topology.hub.clientUrl, tls: { caFile: topology.security.caFile }, reconnect: false })).rejects.toThrow(/authorization/i);
  });

  it('a worker of cluster a heartbeats for a, and cannot heartbeat for b: the server reports the violation and the scheduler hears a only', async () => {
    const scheduler = await client('scheduler');
    const heard: string[] = [];
    scheduler.nc.subscribe(space.wildcard('clusterHeartbeat'), { callback: (_e, m) => void heard.push(m.subject) });
    await scheduler.nc.flush();
    const workerA = await client('worker-a');
    workerA.nc.publish(space.subject('clusterHeartbeat', { clusterId: 'b' }), '{}');
    workerA.nc.publish(space.subject('clusterHeartbeat', { clusterId: 'a' }), '{}');
    await workerA.nc.flush();
    await until(() => heard.length > 0 && workerA.errors.length > 0);
    expect(workerA.errors.join('\n')).toMatch(/permissions violation for publish to "aset\.cluster\.b\.heartbeat"/i);
    await scheduler.nc.flush();
    expect(heard).toEqual([space.subject('clusterHeartbeat', { clusterId: 'a' })]);
    expect(scheduler.errors).toEqual([]);
  });

  it('a worker service logs the violation when it heartbeats for another cluster (MessageBus reports the server\'s error)', async () => {
    const errors: string[] = [];
    const worker = await MessageBus.connect({
      servers: topology.hub.clientUrl,
      name: 'worker-a',
      prefix: PREFIX,
      logger: { log: () => {}, warn: () => {}, error: (m) => errors.push(m) },
      ...topology.security.busOptions('worker-a'),
    });
    buses.push(worker);
    const heartbeat = { schemaVersion: 1, clusterId: 'b', instanceId: 'w1', sentAt: Date.now(), slots: 1, busySlots: 0, queueLength: 0, processed: 0 } as const;
    worker.publish('clusterHeartbeat', { clusterId: 'b' }, heartbeat);
    await worker.flush();
    await until(() => errors.length > 0);
    expect(errors.join('\n')).toMatch(/NATS server error \(worker-a\): .*permissions violation for publish to "aset\.cluster\.b\.heartbeat"/i);
  });

  it('a request or durable publish its user may not make fails at once, as a connection failure naming the refusal (MessageBus)', async () => {
    const worker = await bus('worker-b');
    const started = Date.now();
    expect(await worker.request('scheduleQuery', sampleQuery({ queryId: 'not-allowed' }), 10_000)).toMatchObject({
      ok: false,
      failure: 'connection',
      message: expect.stringMatching(/refused: .*permissions violation for publish to "aset\.query\.schedule"/i),
    });
    await expect(worker.publishDurable('queryRecord', { runId: 'r2' }, sampleQueryRecord({ runId: 'r2', queryId: 'q-no' }), 'r2.q-no')).rejects.toThrow(/permissions violation/i);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a worker of cluster a cannot serve query.schedule, cluster.b.infer, or read the generator\'s inbox; it can serve cluster.a.infer', async () => {
    const workerA = await client('worker-a');
    const generator = await client('workload-generator');
    const generatorInbox = `${inboxPrefixOf(readNkeySeedFile(topology.security.credentials.seedFiles.get('workload-generator') as string).publicKey)}.>`;
    for (const subject of [space.subject('scheduleQuery'), space.subject('clusterInfer', { clusterId: 'b' }), generatorInbox]) {
      expect(await subscribeOutcome(workerA.nc, subject), subject).toMatch(new RegExp(`permissions violation for subscription to "${subject.replace(/[.*>$]/g, '\\$&')}"`, 'i'));
    }
    // Its own cluster's requests reach it, and it answers the generator.
    workerA.nc.subscribe(space.subject('clusterInfer', { clusterId: 'a' }), { queue: 'worker-a', callback: (_e, m) => void m.respond('served by a') });
    await workerA.nc.flush();
    // Only the scheduler dispatches to a cluster: the generator may not, and the worker never sees it.
    generator.nc.publish(space.subject('clusterInfer', { clusterId: 'a' }), 'from the generator');
    await generator.nc.flush();
    await until(() => generator.errors.length > 0);
    expect(generator.errors.join('\n')).toMatch(/permissions violation for publish to "aset\.cluster\.a\.infer"/i);
    const scheduler = await client('scheduler');
    const answer = await scheduler.nc.request(space.subject('clusterInfer', { clusterId: 'a' }), '{}', { timeout: 5000 });
    expect(answer.string()).toBe('served by a');
  });

  it('a worker cannot publish records; the generator cannot subscribe to cluster.*.infer nor serve query.schedule', async () => {
    const workerA = await client('worker-a');
    workerA.nc.publish(space.subject('queryRecord', { runId: 'r1' }), '{}');
    await workerA.nc.flush();
    await until(() => workerA.errors.length > 0);
    expect(workerA.errors.join('\n')).toMatch(/permissions violation for publish to "aset\.record\.query\.r1"/i);
    const generator = await client('workload-generator');
    expect(await subscribeOutcome(generator.nc, space.wildcard('clusterInfer'))).toMatch(/permissions violation for subscription to "aset\.cluster\.\*\.infer"/i);
    expect(await subscribeOutcome(generator.nc, space.subject('scheduleQuery'))).toMatch(/permissions violation for subscription to "aset\.query\.schedule"/i);
  });

  it('the metrics store cannot create or read any consumer but its own, nor publish records', async () => {
    const store = await client('metrics-store');
    const stream = space.streamName('records');
    store.nc.publish(`$JS.API.CONSUMER.CREATE.${stream}.intruder`, '{}');
    store.nc.publish(space.subject('runRecord', { runId: 'r1' }), '{}');
    await store.nc.flush();
    await until(() => store.errors.length >= 2);
    expect(store.errors.join('\n')).toMatch(/publish to "\$JS\.API\.CONSUMER\.CREATE\.ASET_RECORDS\.intruder"/i);
    expect(store.errors.join('\n')).toMatch(/publish to "aset\.record\.run\.r1"/i);
  });
});
