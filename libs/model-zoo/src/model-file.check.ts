import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ModelZoo } from './model.zoo.js';
import type { VariantSpec } from './manifest.schema.js';
import { ZooError } from './zoo.error.js';

/** Reads a variant's ONNX file and checks its sha256 against the manifest. Returns the bytes. */
export function readVerifiedModel(zoo: ModelZoo, variant: VariantSpec): Uint8Array {
  const path = zoo.filePath(variant);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String(e.code) : String(e);
    throw new ZooError(zoo.manifestFile, `variant ${variant.id}`, `model file ${path} is missing or unreadable (${reason})`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== variant.sha256) {
    throw new ZooError(
      zoo.manifestFile,
      `variant ${variant.id}`,
      `sha256 mismatch for ${path}: manifest says ${variant.sha256}, file is ${sha}. Rebuild the model or update the manifest entry.`,
    );
  }
  return bytes;
}
