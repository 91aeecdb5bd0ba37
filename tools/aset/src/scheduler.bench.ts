import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { DqnAgent } from '@aset/rl';
import { AsetDirectPolicy, DEFAULT_SAFETY_TIERS, PlacementCatalog, asetAgentsOf, readAsetCheckpoint, createPolicy, greedyController, candidateStateSize, type ClusterState, type QueryView, type SchedulingPolicy } from '@aset/scheduling';
import { deriveSeed, seededRandom } from '@aset/determinism';
import { buildArrivalSchedule, percentile } from '@aset/workload';
import type { ApplicationSpec } from '@aset/scenario';
import { checkpointPath, loadInputs } from '@aset/command-line';

const program = new Command('bench:scheduler')
  .description("aset-direct's decision latency in-process (state encoding, candidate search and the Q-network), against closest's. Last stdout line: one JSON object.")
  .option('--scenario <name|file>', 'scenario', 'isp')
  .option('--decisions <n>', 'timed decisions per policy', (v) => Number(v), 200_000)
  .option('--checkpoint <file>', 'aset-direct checkpoint (default: checkpoints/<scenario>.aset-direct.json, else an untrained network of the same shape)')
  .parse();
const o = program.opts<{ scenario: string; decisions: number; checkpoint?: string }>();

try {
  const { scenario, zoo } = loadInputs(o.scenario);
  const catalog = new PlacementCatalog(scenario, zoo);
  const file = o.checkpoint ?? checkpointPath(o.scenario, 'aset-direct');
  let agentSource = 'untrained';
  let agents;
  if (existsSync(file)) {
    agents = asetAgentsOf(readAsetCheckpoint(file), file, scenario, catalog);
    agentSource = file;
  } else {
    const slots = 8;
    const agent = new DqnAgent({ stateSize: candidateStateSize(slots, false), actionCount: slots, hidden: [64, 64], seed: 1 });
    // As deployed: behind the default safety shield.
    agents = { asetDirect: { controller: greedyController(agent), candidateSlots: slots, nearestClusters: 16, safetyTiers: DEFAULT_SAFETY_TIERS } };
  }
  const ctx = { scenario, zoo, catalog, random: seededRandom(1), agents };
  const directAgent = agents.asetDirect;
  if (!directAgent) throw new Error(`${agentSource} is not an aset-direct checkpoint`);
  const direct = new AsetDirectPolicy(ctx, directAgent);
  const closest = createPolicy('closest', ctx);

  // Realistic inputs: the scenario's own arrivals, and a random but plausible load on every cluster.
  const n = o.decisions;
  const schedule = buildArrivalSchedule(scenario, { count: n, seed: 5 });
  const arrivals = scenario.spec.workload.arrivals;
  const r = seededRandom(deriveSeed(5, 'load'));
  const clusters: ClusterState[] = scenario.clusters.map((c) => ({ busySlots: Math.floor(r() * (c.slots + 1)), queueLength: Math.floor(r() * 3), alive: true }));
  const queries: QueryView[] = Array.from({ length: n }, (_, i) => {
    const a = arrivals[schedule.stream[i] as number] as (typeof arrivals)[number];
    const app = scenario.app(a.app) as ApplicationSpec;
    return { queryId: `q${i}`, app: app.id, source: a.source, task: app.task, slo: app.slo, createdAt: schedule.offsetMs[i] as number };
  });
  const time = (policy: SchedulingPolicy) => {
    const us = new Float64Array(n);
    for (let i = 0; i < Math.min(20_000, n); i++) {
      const q = queries[i] as QueryView;
      policy.decide(q, { now: q.createdAt, clusters });
    }
    for (let i = 0; i < n; i++) {
      const q = queries[i] as QueryView;
      const t0 = performance.now();
      policy.decide(q, { now: q.createdAt, clusters });
      us[i] = (performance.now() - t0) * 1000;
    }
    us.sort();
    return { p50: percentile(us, 0.5), p99: percentile(us, 0.99) };
  };
  const base = time(closest);
  const aset = time(direct);
  process.stderr.write(`bench:scheduler: ${scenario.name}, ${n} decisions each, agent ${agentSource}\n`);
  console.log(
    JSON.stringify({
      bench: 'scheduler',
      scenario: scenario.name,
      policy: 'aset-direct',
      agent: agentSource,
      decisions: n,
      decisionP50Us: Number(aset.p50.toFixed(2)),
      decisionP99Us: Number(aset.p99.toFixed(2)),
      targetP99Us: 100,
      baseline: { policy: 'closest', decisionP50Us: Number(base.p50.toFixed(2)), decisionP99Us: Number(base.p99.toFixed(2)) },
      ratioP99ToBaseline: Number((aset.p99 / base.p99).toFixed(1)),
    }),
  );
} catch (e) {
  console.error(`bench:scheduler failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
