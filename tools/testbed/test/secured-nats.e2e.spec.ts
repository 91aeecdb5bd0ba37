import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

const QUERIES = 100;

interface Connz {
  connections: { name?: string; authorized_user?: string; tls_version?: string }[];
}

/**
 * The testbed as `npm run demo` runs it without NATS_URL: its own hub from infra/nats/hub.conf,
 * with TLS and a NATS user per process. A live run works end to end with every service confined
 * to its own subjects.
 */
describe('a testbed on its own secured NATS hub (TLS, a user per service)', () => {
  let live: LiveTestbed;

  beforeAll(async () => {
    live = await startLiveTestbed('securednats', { sites: { edge: [] } });
  });

  afterAll(async () => {
    await live?.close();
  });

  it('runs queries end to end, each service connected over TLS as its own user', async () => {
    const runId = 'secured';
    const report = await live.testbed.run({ runId, queries: QUERIES, warmupQueries: 0, replyTimeoutMs: 5000 });
    expect(report.recordsLost).toBe(0);
    expect(report.summary.completed).toBe(QUERIES);
    const summary = await live.testbed.waitIngested(runId, 90_000);
    expect(summary.storedQueries).toBe(QUERIES);

    const topology = live.testbed.topology!;
    const keyOf = (user: string) => topology.security.credentials.users.get(user)?.publicKey;
    // Open connections show the user they authenticated as; closed ones (the run's generator and
    // the testbed's own) keep their TLS version only.
    const connz = (await (await fetch(`${topology.hub.monitorUrl}/connz?auth=1&state=all&limit=1000`)).json()) as Connz;
    const services = connz.connections.filter((c) => c.name !== undefined);
    for (const c of services) expect(c.tls_version, `${c.name} over TLS`).toMatch(/^1\.[23]$/);
    expect(services.filter((c) => c.name === 'workload-generator').length, 'the generator connected').toBeGreaterThan(0);
    expect(services.filter((c) => c.name === 'metrics-store').map((c) => c.authorized_user)).toEqual([keyOf('metrics-store')]);
    expect(services.filter((c) => c.name === 'scheduler').map((c) => c.authorized_user)).toEqual([keyOf('scheduler')]);
    const workers = live.testbed.scenario.clusters.map((c) => keyOf(`worker-${c.id}`));
    expect(services.filter((c) => c.name === 'worker').map((c) => c.authorized_user).sort()).toEqual(workers.sort());
  });
});
