import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BATCH_SIZES, MAX_BATCH_SIZE, ManifestSchema, type Manifest, type TaskSpec, type VariantSpec } from './manifest.schema.js';
import { ZooError } from './zoo.error.js';

/**
 * The model zoo: tasks, their variants and where the files are. Immutable once built.
 * Construct with {@link readZoo} (validates) or {@link ModelZoo.fromManifest} (already-validated data).
 */
export class ModelZoo {
  private readonly byId = new Map<string, VariantSpec>();
  private readonly byTask = new Map<string, VariantSpec[]>();

  private constructor(
    readonly manifest: Manifest,
    /** Absolute folder the manifest's relative paths start from. */
    readonly root: string,
    readonly manifestFile: string,
  ) {
    manifest.variants.forEach((v, i) => {
      if (this.byId.has(v.id)) throw new ZooError(manifestFile, `variants[${i}].id`, `duplicate variant id "${v.id}"`);
      if (!manifest.tasks[v.task]) {
        throw new ZooError(manifestFile, `variants[${i}].task`, `unknown task "${v.task}"; tasks are: ${Object.keys(manifest.tasks).join(', ')}`);
      }
      this.byId.set(v.id, v);
      const list = this.byTask.get(v.task) ?? [];
      list.push(v);
      this.byTask.set(v.task, list);
    });
    for (const list of this.byTask.values()) list.sort((a, b) => a.accuracy - b.accuracy);
  }

  static fromManifest(manifest: Manifest, root: string, manifestFile = join(root, 'manifest.json')): ModelZoo {
    return new ModelZoo(manifest, resolve(root), manifestFile);
  }

  variant(id: string): VariantSpec | undefined {
    return this.byId.get(id);
  }

  /** The variant, or a ZooError naming the known ids. For configuration checks. */
  requireVariant(id: string): VariantSpec {
    const v = this.byId.get(id);
    if (!v) throw new ZooError(this.manifestFile, '', `unknown variant "${id}"; known: ${[...this.byId.keys()].join(', ')}`);
    return v;
  }

  task(id: string): TaskSpec | undefined {
    return this.manifest.tasks[id];
  }

  /** Variants of a task, least accurate first. */
  variantsOf(task: string): readonly VariantSpec[] {
    return this.byTask.get(task) ?? [];
  }

  get variants(): readonly VariantSpec[] {
    return this.manifest.variants;
  }

  filePath(variant: VariantSpec): string {
    return join(this.root, variant.file);
  }

  /**
   * Profiled median processing time at a batch size on the profiling host, or undefined when the
   * variant was never profiled. Callers scale it by the hardware class's speed factor.
   */
  processingMs(variant: VariantSpec, batch: '1' | '2' | '4' | '8' = '1'): number | undefined {
    return variant.latencyMs?.batchMs[batch];
  }

  /**
   * Profiled median time of a batch of `size` queries (1..MAX_BATCH_SIZE) on the profiling host, ms:
   * the profiled figure at a profiled size, else linear between the profiled sizes around it;
   * undefined when the variant was never profiled. Callers scale it by the speed factor.
   */
  batchMs(variant: VariantSpec, size: number): number | undefined {
    const profile = variant.latencyMs?.batchMs;
    if (!profile) return undefined;
    if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) throw new RangeError(`batch size ${size} is not an integer in [1, ${MAX_BATCH_SIZE}]`);
    let below = 1;
    for (const b of BATCH_SIZES) {
      const at = Number(b);
      if (at === size) return profile[b];
      if (at > size) {
        const low = profile[String(below) as (typeof BATCH_SIZES)[number]];
        const high = profile[b];
        if (low === undefined || high === undefined) return undefined;
        return low + ((high - low) * (size - below)) / (at - below);
      }
      below = at;
    }
    return undefined;
  }

  /** A cost to rank variants by when cheaper is better: profiled batch-1 latency, else parameter count. */
  cost(variant: VariantSpec): number {
    return this.processingMs(variant) ?? (variant.parameters ?? 0) / 1e6;
  }
}

/** Reads and validates a manifest. Throws ZooError naming the file and the path of the first problems. */
export function readZoo(manifestFile: string): ModelZoo {
  const file = resolve(manifestFile);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new ZooError(file, '', `cannot read the manifest: ${reason}`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.map(String).join('.') : '';
    const more = parsed.error.issues.length > 1 ? ` (+${parsed.error.issues.length - 1} more problems)` : '';
    throw new ZooError(file, where, `${first?.message ?? 'invalid manifest'}${more}`);
  }
  return ModelZoo.fromManifest(parsed.data, dirname(file), file);
}
