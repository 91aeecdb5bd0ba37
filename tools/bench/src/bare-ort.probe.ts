/**
 * Bare onnxruntime-node, the baseline of bench:worker: one variant's session, created with the
 * options the worker's sessions have (CPU, `threads` intra-op threads, one inter-op thread, every
 * graph optimisation), run on batch-1 held-out samples by `concurrency` loops at once for
 * `seconds` after `warmSeconds` of warm-up. No argmax, no messaging, nothing else.
 *
 * Run by bench:worker as its own process: `node bare-ort.probe.js <variant> <threads> <concurrency> <seconds> <warmSeconds>`.
 * Prints one JSON line: `{ runsPerSec, cpuUsPerRun }`.
 */
import ort from 'onnxruntime-node';
import { DEFAULT_MANIFEST, runCommand } from '@aset/command-line';
import { loadHeldOut, readVerifiedModel, readZoo } from '@aset/model-zoo';

await runCommand('bare-ort probe', async () => {
  const [variantId, threadsArg, concurrencyArg, secondsArg, warmArg] = process.argv.slice(2);
  const threads = Number(threadsArg);
  const concurrency = Number(concurrencyArg);
  const seconds = Number(secondsArg);
  const warmSeconds = Number(warmArg);
  if (!variantId || ![threads, concurrency, seconds, warmSeconds].every((x) => Number.isFinite(x) && x >= 0) || threads < 1 || concurrency < 1 || seconds <= 0) {
    throw new Error(`usage: bare-ort.probe.js <variant> <threads >= 1> <concurrency >= 1> <seconds > 0> <warmSeconds >= 0>; got ${process.argv.slice(2).join(' ')}`);
  }
  const zoo = readZoo(DEFAULT_MANIFEST);
  const variant = zoo.requireVariant(variantId);
  const task = zoo.task(variant.task);
  if (!task) throw new Error(`${zoo.manifestFile}: variant ${variantId} names unknown task ${variant.task}`);
  const session = await ort.InferenceSession.create(readVerifiedModel(zoo, variant), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const inputName = session.inputNames[0] as string;
  const held = loadHeldOut(zoo, variant.task);
  const size = task.inputShape.reduce((a, b) => a * b, 1);
  const samples = Math.min(256, held.count);
  const tensors = Array.from({ length: samples }, (_, i) => new ort.Tensor('float32', held.inputs.slice(i * size, (i + 1) * size), [1, ...task.inputShape]));
  let runs = 0;
  let counting = false;
  let stop = false;
  const loop = async (k: number) => {
    for (let i = k; !stop; i += concurrency) {
      await session.run({ [inputName]: tensors[i % samples] as ort.Tensor });
      if (counting) runs++;
    }
  };
  const loops = Array.from({ length: concurrency }, (_, k) => loop(k));
  await new Promise((r) => setTimeout(r, warmSeconds * 1000));
  counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const counted = runs;
  stop = true;
  await Promise.all(loops);
  await session.release();
  console.log(JSON.stringify({ runsPerSec: (counted * 1000) / elapsedMs, cpuUsPerRun: (cpu.user + cpu.system) / counted }));
});
