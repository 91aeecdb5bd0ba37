import { z } from 'zod';

/** Largest tensor accepted on the wire (elements); bounds memory per message. */
export const MAX_TENSOR_ELEMENTS = 4 * 1024 * 1024;

/**
 * A dense float32 tensor. `data` is the little-endian float32 buffer in base64,
 * which is about 6x smaller and faster to parse than a JSON number array.
 */
export const TensorSchema = z
  .object({
    dtype: z.literal('float32'),
    /** Dimensions, batch first; the product must be at most {@link MAX_TENSOR_ELEMENTS}. */
    shape: z.array(z.number().int().positive()).min(1).max(8),
    /** Canonical base64 of `product(shape) * 4` bytes ({@link isCanonicalBase64}). */
    data: z.string().refine(isCanonicalBase64, 'expected base64'),
  })
  .superRefine((t, ctx) => {
    const elements = t.shape.reduce((a, b) => a * b, 1);
    if (elements > MAX_TENSOR_ELEMENTS) {
      ctx.addIssue({ code: 'custom', path: ['shape'], message: `at most ${MAX_TENSOR_ELEMENTS} elements, got ${elements}` });
      return;
    }
    const bytes = base64ByteLength(t.data);
    if (bytes !== elements * 4) {
      ctx.addIssue({
        code: 'custom',
        path: ['data'],
        message: `shape [${t.shape.join(',')}] needs ${elements * 4} bytes, data holds ${bytes}`,
      });
    }
  });

export type Tensor = z.infer<typeof TensorSchema>;

/**
 * True when `text` is canonical base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, padded with `=` to a
 * multiple of 4 characters, unused bits zero), which `encodeTensor` and standard encoders write:
 * exactly the strings that decoding and encoding again give back unchanged.
 *
 * Checked without building that copy: Node's decoder reads base64url's `-` and `_`, which are
 * searched for; it skips any other character outside the alphabet and ends at a `=`, so such a
 * character, or a `=` before the padding, decodes fewer bytes than the length promises; and the
 * last character before the padding must leave its unused bits zero. It decodes into a scratch
 * buffer reused across calls (up to {@link SCRATCH_BYTES}), so a message's tensor costs no
 * allocation to check.
 */
export function isCanonicalBase64(text: string): boolean {
  const n = text.length;
  if (n % 4 !== 0) return false;
  if (n === 0) return true;
  const pad = text.charCodeAt(n - 1) !== EQUALS ? 0 : text.charCodeAt(n - 2) !== EQUALS ? 1 : 2;
  if (text.indexOf('-') !== -1 || text.indexOf('_') !== -1) return false;
  const bytes = (n / 4) * 3 - pad;
  const into = bytes <= SCRATCH_BYTES ? scratchOf(bytes) : Buffer.allocUnsafe(bytes);
  if (into.write(text, 0, bytes, 'base64') !== bytes) return false;
  // The bytes decoded are right; the trailing bits of the last character are not in them.
  if (pad === 0) return true;
  const last = sextet(text.charCodeAt(n - 1 - pad));
  return pad === 1 ? (last & 0b11) === 0 : (last & 0b1111) === 0;
}

const EQUALS = 0x3d;
/** Largest tensor (bytes) checked in the shared scratch buffer; a larger one gets its own. */
const SCRATCH_BYTES = 1 << 20;
let scratch = Buffer.allocUnsafe(0);

function scratchOf(bytes: number): Buffer {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_BYTES, Math.max(bytes, 2 * scratch.length)));
  return scratch;
}

/** The 6-bit value of a base64 alphabet character (only called on characters the decoder accepted). */
function sextet(code: number): number {
  if (code >= 0x61) return code - 0x61 + 26; // a-z
  if (code >= 0x41) return code - 0x41; // A-Z
  if (code >= 0x30) return code - 0x30 + 52; // 0-9
  return code === 0x2b ? 62 : 63; // + or /
}

export function base64ByteLength(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length * 3) / 4 - padding;
}

/** Encodes a float32 array (batch first) as a wire tensor. */
export function encodeTensor(values: Float32Array, shape: readonly number[]): Tensor {
  const elements = shape.reduce((a, b) => a * b, 1);
  if (elements !== values.length) {
    throw new Error(`encodeTensor: shape [${shape.join(',')}] needs ${elements} values, got ${values.length}`);
  }
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return { dtype: 'float32', shape: [...shape], data: bytes.toString('base64') };
}

/** Decodes a validated wire tensor into a new Float32Array of its own (so aligned), with no copy in between. */
export function decodeTensor(tensor: Tensor): Float32Array {
  const out = new Float32Array(base64ByteLength(tensor.data) / 4);
  Buffer.from(out.buffer).write(tensor.data, 'base64');
  return out;
}
