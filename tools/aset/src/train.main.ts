import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { trainAset, type ActorSetup, type AsetMode, type TrainProgress } from '@aset/training';
import { figureSvg } from '@aset/charts';
import { DEFAULT_MANIFEST, checkpointPath, loadInputs, messagingOverhead, positiveInt, positiveNumber, probability, formatPercent, seed } from '@aset/command-line';
import { WorkerExperienceCollector } from './experience.pool.js';
import { bestStaticOf, trainingCurveFigure } from './learning-curve.figure.js';

const program = new Command('train')
  .description('Train ASET in the simulator over randomized episodes; keeps the best evaluated checkpoint and plots the learning curve.')
  .option('--scenario <name|file>', 'scenario (name under scenarios/ or a file)', 'demo')
  .addOption(new Option('--mode <mode>', 'aset (picks a static policy per step) or aset-direct (picks cluster and variant per query)').choices(['aset', 'aset-direct']).default('aset'))
  .option('--episodes <n>', 'training episodes', positiveInt('--episodes'), 120)
  .option('--episode-sec <s>', 'simulated seconds per episode', positiveNumber('--episode-sec'), 40)
  .option('--eval-every <n>', 'evaluate every n episodes', positiveInt('--eval-every'), 10)
  .option('--eval-episodes <n>', 'fixed evaluation episodes', positiveInt('--eval-episodes'), 6)
  .option('--step-ms <ms>', 'aset: meta step', positiveNumber('--step-ms'), 1000)
  .option('--seed <n>', 'seed, an integer 0-4294967295 (the shipped checkpoints say theirs)', seed('--seed'), 1)
  .option('--train-every <n>', 'one gradient update every n decisions (default: 1 for aset, 8 for aset-direct; raise it for high-rate scenarios)', positiveInt('--train-every'))
  .option('--vary-slo <p>', "probability that an episode varies the applications' SLOs (deadline x0.35-2, accuracy floor +-0.05), to train an agent that holds under other SLO mixes", probability('--vary-slo'), 0)
  .option('--vary-hardware <p>', 'probability that an episode runs the edge on slower hardware (each edge hardware class x1-4, log-uniform)', probability('--vary-hardware'), 0)
  .option('--vary-app-load <p>', "probability that an episode skews the load between applications (each app's rate x0.5-5, log-uniform)", probability('--vary-app-load'), 0)
  .option('--fastest-variant-only', "aset-direct: offer only each cluster's fastest variant meeting the accuracy floor (the others are dominated)", false)
  .option('--headroom', 'aset-direct: add the headroom view to the state (the capacity a choice uses up and who else needs it)', false)
  .addOption(new Option('--objective <objective>', 'aset-direct: query (each query a terminal transition) or discounted (each query leads to the next; the DQN discount, --gamma, weighs the queries that follow)').choices(['query', 'discounted']).default('query'))
  .option('--gamma <g>', 'DQN discount (default: 0.8 for aset, 0 for aset-direct, 0.95 with --objective discounted)', probability('--gamma'))
  .option('--actors <n>', 'collect experience in rounds of n episodes, each acted by the network as the round began, then learned from (default: online, one episode at a time, as the shipped checkpoints were trained)', positiveInt('--actors'))
  .option('--threads <n>', 'with --actors: worker threads that run a round\'s episodes (the checkpoint does not depend on it)', positiveInt('--threads'), 1)
  .option('--out <file>', 'checkpoint file (default: checkpoints/<scenario>.<mode>.json)')
  .option('--json', 'print the result as one JSON object on the last stdout line', false)
  .option('--overhead-ms <request,reply|ms>', "the live testbed's messaging time per answered query, ms (validate:sim prints it), to train for live deployment: request and reply, or one number for the whole reply path", messagingOverhead('--overhead-ms'))
  .parse();
const o = program.opts<{ actors?: number; threads: number; headroom: boolean; objective: 'query' | 'discounted'; gamma?: number; fastestVariantOnly: boolean; trainEvery?: number; varySlo: number; varyHardware: number; varyAppLoad: number; scenario: string; mode: AsetMode; episodes: number; episodeSec: number; evalEvery: number; evalEpisodes: number; stepMs: number; seed: number; out?: string; overheadMs?: { request: number; reply: number }; json: boolean }>();

try {
  if (o.threads > 1 && !o.actors) throw new Error('--threads runs the episodes of a round: give --actors too');
  const { scenario, zoo } = loadInputs(o.scenario);
  const out = o.out ?? checkpointPath(o.scenario, o.mode);
  const bar = new cliProgress.SingleBar(
    { format: 'training [{bar}] {value}/{total} episodes | last {success} | eval {eval} (best {best}) | eps {eps} | eta {eta}s', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const t0 = Date.now();
  let best = 0;
  let started = false;
  const onProgress = (p: TrainProgress) => {
    if (p.kind === 'baseline') {
      process.stderr.write(`baseline ${p.policy.padEnd(14)} ${formatPercent(p.evalSuccess)} on the evaluation episodes\n`);
      return;
    }
    if (!started) {
      bar.start(o.episodes, 0, { success: '-', eval: '-', best: '-', eps: '1.00' });
      started = true;
    }
    if (p.kind === 'episode') bar.update(p.episode, { success: formatPercent(p.success), eps: p.epsilon.toFixed(2) });
    else {
      if (p.best) best = p.evalSuccess;
      bar.update({ eval: formatPercent(p.evalSuccess), best: formatPercent(best) });
    }
    // Training runs synchronously, so cli-progress's timer never fires when stderr is not a terminal
    // (a log file, CI): say the same in plain lines there.
    if (!process.stderr.isTTY) {
      const elapsed = ((Date.now() - t0) / 1000).toFixed(0);
      if (p.kind === 'episode') process.stderr.write(`episode ${p.episode}/${o.episodes}: ${formatPercent(p.success)} (${p.label}), eps ${p.epsilon.toFixed(2)}, ${elapsed} s\n`);
      else process.stderr.write(`evaluation after episode ${p.episode}: ${formatPercent(p.evalSuccess)}${p.best ? ' (best so far, kept)' : ''}, best ${formatPercent(best)}\n`);
    }
  };
  const result = await trainAset({
    mode: o.mode,
    scenario,
    zoo,
    seed: o.seed,
    episodes: o.episodes,
    evalEvery: o.evalEvery,
    evalEpisodes: o.evalEpisodes,
    stepMs: o.stepMs,
    space: { durationSec: o.episodeSec, sloVariation: o.varySlo, hardwareVariation: o.varyHardware, appLoadVariation: o.varyAppLoad },
    ...(o.overheadMs ? { overheadMs: o.overheadMs } : {}),
    ...(o.trainEvery !== undefined || o.gamma !== undefined ? { dqn: { ...(o.trainEvery !== undefined ? { trainEvery: o.trainEvery } : {}), ...(o.gamma !== undefined ? { gamma: o.gamma } : {}) } } : {}),
    ...(o.headroom ? { headroom: true } : {}),
    ...(o.actors ? { actors: o.actors } : {}),
    ...(o.actors && o.threads > 1 ? { collector: (setup: ActorSetup) => new WorkerExperienceCollector(setup, o.scenario, DEFAULT_MANIFEST, o.threads) } : {}),
    ...(o.objective === 'discounted' ? { objective: 'discounted' as const } : {}),
    ...(o.fastestVariantOnly ? { fastestVariantOnly: true } : {}),
    onProgress,
  });
  bar.stop();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, result.checkpoint);
  const bestStatic = bestStaticOf(result.baselines);
  const run = { seed: o.seed, mode: o.mode, scenario: scenario.name, curve: result.curve, baselines: result.baselines };
  const curveFile = out.replace(/\.json$/, '.curve.svg');
  writeFileSync(curveFile, await figureSvg(trainingCurveFigure(run)));
  writeFileSync(out.replace(/\.json$/, '.curve.json'), `${JSON.stringify({ ...run, best: result.best }, null, 2)}\n`);
  const seconds = Math.round((Date.now() - t0) / 1000);
  if (o.json) {
    console.log(JSON.stringify({ scenario: scenario.name, mode: o.mode, seed: o.seed, episodes: o.episodes, best: result.best, baselines: result.baselines, checkpoint: out, curve: curveFile, seconds }));
  } else {
    console.log(`best evaluation ${formatPercent(result.best.evalSuccess)} at episode ${result.best.episode} (best static ${bestStatic[0]} ${formatPercent(bestStatic[1])}); ${seconds} s`);
    console.log(`wrote ${out}, ${curveFile}`);
  }
} catch (e) {
  console.error(`train failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

