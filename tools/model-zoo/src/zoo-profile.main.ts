import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { OnnxModelRunner } from '@aset/inference';
import { BATCH_SIZES, loadHeldOut, readZoo, type Manifest } from '@aset/model-zoo';
import { inRepository, positiveInt } from '@aset/command-line';
import { profileVariant } from './latency.profiler.js';

const program = new Command('zoo:profile')
  .description('Measure every variant\'s latency per batch size (1, 2, 4, 8) on this host and write the medians into the manifest.')
  .addOption(inRepository(new Option('--manifest <file>', 'manifest to profile and update'), 'models/manifest.json'))
  .option('--variants <ids>', 'comma-separated variant ids (default: all)')
  .option('--iterations <n>', 'timed runs per batch size', positiveInt('--iterations'), 200)
  .option('--threads <n>', 'onnxruntime intra-op threads (workers use 1)', positiveInt('--threads'), 1)
  .option('--dry-run', 'print the figures without writing the manifest', false)
  .option('--json', 'print the profiles as one JSON object on the last stdout line ({manifest, written, variants: {<id>: {batchMs}}})', false)
  .parse();

const opts = program.opts<{ manifest: string; variants?: string; iterations: number; threads: number; dryRun: boolean; json: boolean }>();

try {
  const zoo = readZoo(opts.manifest);
  const wanted = opts.variants ? opts.variants.split(',').map((v) => v.trim()) : zoo.variants.map((v) => v.id);
  const variants = wanted.map((id) => zoo.requireVariant(id));
  const warmup = Math.max(10, Math.round(opts.iterations / 10));
  const bar = new cliProgress.SingleBar(
    { format: 'profiling [{bar}] {percentage}% | {variant} | eta {eta}s', stream: process.stderr, hideCursor: true, noTTYOutput: true, notTTYSchedule: 15_000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(variants.length * BATCH_SIZES.length * opts.iterations, 0, { variant: '' });
  const results = new Map<string, Awaited<ReturnType<typeof profileVariant>>>();
  for (const variant of variants) {
    bar.update({ variant: variant.id });
    const runner = await OnnxModelRunner.load(zoo, variant, { threads: opts.threads });
    results.set(variant.id, await profileVariant(runner, loadHeldOut(zoo, variant.task), { iterations: opts.iterations, warmup, threads: opts.threads }, () => bar.increment()));
    await runner.release();
  }
  bar.stop();

  if (!opts.json) {
    for (const [id, p] of results) console.log(`${id.padEnd(22)} ${BATCH_SIZES.map((b) => `b${b} ${(p.batchMs[b] ?? NaN).toFixed(3)} ms`).join('  ')}`);
  }
  if (!opts.dryRun) {
    // Rewrite the manifest as it is on disk, changing only the latency profiles.
    const manifest = JSON.parse(readFileSync(opts.manifest, 'utf8')) as Manifest;
    for (const v of manifest.variants) {
      const p = results.get(v.id);
      if (p) v.latencyMs = p;
    }
    writeFileSync(opts.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    if (!opts.json) console.log(`wrote latency profiles of ${results.size} variant(s) into ${opts.manifest}`);
  }
  if (opts.json) console.log(JSON.stringify({ manifest: opts.manifest, written: !opts.dryRun, variants: Object.fromEntries(results) }));
} catch (e) {
  console.error(`zoo:profile failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

