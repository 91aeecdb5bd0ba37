import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeSite } from '@aset/testbed';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

const QUERIES = 300;
/** Two edge sites of the demo scenario; ap-3, near-edge and cloud clusters stay at the central site. */
const SITES: EdgeSite[] = [
  { name: 'cell-1', clusters: ['far-edge-1'], sources: ['ap-1'] },
  { name: 'cell-2', clusters: ['far-edge-2', 'far-edge-3'], sources: ['ap-2'] },
];
const NETWORK = process.getuid?.() === 0 ? 'netns' : 'loopback';

interface Connz {
  connections: { name?: string; ip: string; in_msgs: number; out_msgs: number; subscriptions_list?: string[] }[];
}
interface Leafz {
  leafnodes: number;
  leafs: { ip: string; in_msgs: number; out_msgs: number }[];
}
const monitor = async <T,>(url: string): Promise<T> => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
};

/**
 * The multi-site testbed as infra/nats/ deploys it: a hub nats-server (JetStream) with the
 * scheduler and metrics store, and one leaf node per edge site, each site in its own network
 * namespace when running as root. A site's workers and its generator attach to its leaf node; the
 * run is split over the sites' generators and a central one, under one run id. Worker processes
 * host up to two clusters each, of one site.
 */
describe(`a multi-site testbed (hub and 2 leaf nodes, ${NETWORK})`, () => {
  let live: LiveTestbed;

  beforeAll(async () => {
    live = await startLiveTestbed('multisite', { sites: { edge: SITES, network: NETWORK }, clustersPerWorker: 2 });
  });

  afterAll(async () => {
    await live?.close();
  });

  it('runs queries through the leaf nodes: one terminal record per query, each edge worker served through its own leaf node', async () => {
    const topology = live.testbed.topology!;
    expect(topology.network.mode).toBe(NETWORK);
    // 7 clusters, at most 2 per process and never across sites: cell-1 1, cell-2 1, central 2 (4 clusters).
    expect(live.testbed.services().filter((s) => s.startsWith('workers-'))).toHaveLength(4);
    const runId = 'multi-site';
    const report = await live.testbed.run({ runId, queries: QUERIES, warmupQueries: 0, replyTimeoutMs: 3000 });
    expect(report.recordsLost).toBe(0);
    expect(report.queries).toBe(QUERIES);

    const summary = await live.testbed.waitIngested(runId, 90_000);
    expect(summary.storedQueries).toBe(QUERIES);
    expect(summary.parts).toEqual({ count: 3, finished: 3 });
    const [counts] = (await live.db.query(`SELECT count(*)::int AS n, count(DISTINCT query_id)::int AS ids FROM queries WHERE run_id = $1`, [runId])).rows;
    expect(counts).toEqual({ n: QUERIES, ids: QUERIES });
    const bySource = (await live.db.query(`SELECT source, count(*)::int AS n FROM queries WHERE run_id = $1 AND status = 'completed' GROUP BY source`, [runId])).rows as { source: string; n: number }[];
    expect(bySource.map((r) => r.source).sort(), 'every site generator had its queries answered').toEqual(['ap-1', 'ap-2', 'ap-3']);

    const hubLeafz = await monitor<Leafz>(`${topology.hub.monitorUrl}/leafz`);
    expect(hubLeafz.leafnodes).toBe(2);
    for (const leaf of hubLeafz.leafs) expect(leaf.in_msgs, `leaf connection from ${leaf.ip} carried traffic to the hub`).toBeGreaterThan(0);
    if (NETWORK === 'netns') expect(hubLeafz.leafs.map((l) => l.ip).sort()).toEqual(topology.leaves.map((l) => l.endpoint.siteAddress).sort());

    const hubConnz = await monitor<Connz>(`${topology.hub.monitorUrl}/connz?subs=1&state=all`);
    for (const site of SITES) {
      const leaf = topology.leaf(site.name);
      const connz = await monitor<Connz>(`${leaf.monitorUrl}/connz?subs=1&state=all`);
      for (const cluster of site.clusters) {
        const subject = live.space.subject('clusterInfer', { clusterId: cluster });
        const servedBy = (c: Connz['connections'][number]) => (c.subscriptions_list ?? []).includes(subject);
        const workers = connz.connections.filter(servedBy);
        expect(workers, `${cluster}'s worker is a client of ${leaf.serverName}`).toHaveLength(1);
        if (site.clusters.length > 1) expect(site.clusters.every((c) => workers[0]!.subscriptions_list!.includes(live.space.subject('clusterInfer', { clusterId: c }))), `${site.name}'s clusters share one worker process`).toBe(true);
        expect(workers[0]!.out_msgs, `queries reached ${cluster} through ${leaf.serverName}`).toBeGreaterThan(0);
        expect(workers[0]!.in_msgs, `${cluster} answered and heartbeat through ${leaf.serverName}`).toBeGreaterThan(0);
        expect(hubConnz.connections.filter(servedBy), `${cluster}'s worker is not a client of the hub`).toEqual([]);
        const completed = (await live.db.query(`SELECT count(*)::int AS n FROM queries WHERE run_id = $1 AND cluster_id = $2 AND status = 'completed'`, [runId, cluster])).rows[0] as { n: number };
        expect(completed.n, `${cluster} completed queries`).toBeGreaterThan(0);
      }
      const generators = connz.connections.filter((c) => c.name === 'workload-generator');
      expect(generators, `${site.name}'s generator was a client of ${leaf.serverName}`).toHaveLength(1);
      expect(generators[0]!.in_msgs, `${site.name}'s generator sent its queries through ${leaf.serverName}`).toBeGreaterThan(0);
    }
    expect(hubConnz.connections.filter((c) => c.name === 'workload-generator'), 'of the generators, only the central one was a client of the hub').toHaveLength(1);
  });
});
