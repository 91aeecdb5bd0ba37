import { Command, Option } from 'commander';
import { deriveSeed } from '@aset/determinism';
import { DqnAgent } from '@aset/rl';
import { ASET_DIRECT_DEFAULTS, AsetStateEncoder, PlacementCatalog, RecentActivity, STATIC_POLICY_NAMES, candidateStateSize } from '@aset/scheduling';
import { DEFAULT_EPISODE_SPACE, dqnDefaults, inProcessCollector, learnFrom, type ActorSetup, type ExperienceCollector } from '@aset/training';
import { DEFAULT_MANIFEST, loadInputs, positiveInt, positiveNumber } from '@aset/command-line';
import { WorkerExperienceCollector } from './experience.pool.js';

const program = new Command('bench:train')
  .description(
    "Training throughput: environment steps (transitions) per second of training rounds (collect `--actors` episodes, then learn from them), with the episodes run in this thread and on 2 worker threads. Last stdout line: one JSON object.",
  )
  .option('--scenario <name|file>', 'scenario', 'suite/base')
  .addOption(new Option('--mode <mode>', 'aset or aset-direct').choices(['aset', 'aset-direct']).default('aset-direct'))
  .option('--actors <n>', 'episodes per round', positiveInt('--actors'), 4)
  .option('--rounds <n>', 'rounds per measurement', positiveInt('--rounds'), 2)
  .option('--episode-sec <s>', 'simulated seconds per episode (suite/base offers some tens of thousands of queries a second)', positiveNumber('--episode-sec'), 0.5)
  .option('--train-every <n>', 'one gradient update every n steps (default: 64 for aset-direct, as the shipped suite agent was trained; the mode default for aset)', positiveInt('--train-every'))
  .option('--repeats <n>', 'measurements per thread count (alternating; medians reported)', positiveInt('--repeats'), 3)
  .parse();
const o = program.opts<{ trainEvery?: number; scenario: string; mode: 'aset' | 'aset-direct'; actors: number; rounds: number; episodeSec: number; repeats: number }>();

try {
  const { scenario, zoo } = loadInputs(o.scenario);
  const catalog = new PlacementCatalog(scenario, zoo);
  const slots = ASET_DIRECT_DEFAULTS.candidateSlots;
  const stateSize = o.mode === 'aset' ? new AsetStateEncoder(scenario, catalog, new RecentActivity(scenario, catalog), STATIC_POLICY_NAMES.length).size : candidateStateSize(slots, false);
  const actionCount = o.mode === 'aset' ? STATIC_POLICY_NAMES.length : slots;
  const trainEvery = o.trainEvery ?? (o.mode === 'aset-direct' ? 64 : undefined);
  const defaults = { ...dqnDefaults(o.mode), ...(trainEvery ? { trainEvery } : {}) };
  const setup: ActorSetup = {
    mode: o.mode,
    seed: 1,
    space: { ...DEFAULT_EPISODE_SPACE, durationSec: o.episodeSec },
    stateSize,
    actionCount,
    hidden: defaults.hidden ?? [64, 64],
    policies: STATIC_POLICY_NAMES,
    stepMs: 1000,
    candidateSlots: slots,
    nearestClusters: ASET_DIRECT_DEFAULTS.nearestClusters,
    fastestVariantOnly: false,
    headroom: false,
    objective: 'query',
  };

  /** One measurement: `rounds` rounds of `actors` episodes with a fresh learner; steps/s over the whole. */
  const measure = async (threads: number): Promise<{ rate: number; collectShare: number }> => {
    const agent = new DqnAgent({ stateSize, actionCount, seed: deriveSeed(1, 'agent') >>> 1, epsilon: { kind: 'constant', value: 0.3 }, ...defaults });
    const collector: ExperienceCollector = threads === 1 ? inProcessCollector(setup, scenario, zoo) : new WorkerExperienceCollector(setup, o.scenario, DEFAULT_MANIFEST, threads);
    try {
      // Warm-up round, one episode per thread (thread start-up, JIT), not timed.
      const warm = await collector.collect(Array.from({ length: threads }, (_, k) => ({ episode: 1_000 + k, parameters: agent.network.parameters.slice(), epsilon: 0.3 })));
      for (const b of warm) learnFrom(agent, b, stateSize, actionCount);
      let steps = 0;
      let collectMs = 0;
      const t0 = performance.now();
      for (let r = 0; r < o.rounds; r++) {
        const parameters = agent.network.parameters.slice();
        const c0 = performance.now();
        const batches = await collector.collect(Array.from({ length: o.actors }, (_, k) => ({ episode: r * o.actors + k + 1, parameters, epsilon: 0.3 })));
        collectMs += performance.now() - c0;
        for (const b of batches) {
          learnFrom(agent, b, stateSize, actionCount);
          steps += b.count;
        }
      }
      const totalMs = performance.now() - t0;
      return { rate: steps / (totalMs / 1000), collectShare: collectMs / totalMs };
    } finally {
      await collector.close();
    }
  };

  const runs: Record<'1' | '2', number[]> = { '1': [], '2': [] };
  for (let i = 0; i < o.repeats; i++) {
    for (const threads of [1, 2] as const) {
      const { rate, collectShare } = await measure(threads);
      runs[threads].push(rate);
      process.stderr.write(`bench:train: ${o.mode} on ${scenario.name}, ${threads} thread${threads === 1 ? '' : 's'}: ${rate.toPrecision(4)} steps/s, ${(collectShare * 100).toFixed(0)}% of the time collecting (run ${i + 1}/${o.repeats})\n`);
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
  };
  const round = (x: number) => Number(x.toPrecision(4));
  const one = median(runs['1']);
  const two = median(runs['2']);
  console.log(
    JSON.stringify({
      bench: 'train',
      scenario: scenario.name,
      mode: o.mode,
      actors: o.actors,
      rounds: o.rounds,
      episodeSec: o.episodeSec,
      trainEvery: defaults.trainEvery,
      repeats: o.repeats,
      stepsPerSec: { threads1: round(one), threads2: round(two) },
      runs: { threads1: runs['1'].map(round), threads2: runs['2'].map(round) },
      ratio2to1: Number((two / one).toFixed(2)),
    }),
  );
} catch (e) {
  console.error(`bench:train failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
