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
 * multiple of 4 characters, unused bits zero), which `encodeTensor` and standard encoders write: it
 * is then what decoding and encoding it again gives. Node's decoder skips characters it does not
 * know and reads base64url's `-` and `_`, so any other character, a missing pad or a non-zero unused
 * bit changes the round trip.
 */
export function isCanonicalBase64(text: string): boolean {
  return Buffer.from(text, 'base64').toString('base64') === text;
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

/** Decodes a validated wire tensor into a Float32Array (copying, so alignment is guaranteed). */
export function decodeTensor(tensor: Tensor): Float32Array {
  const bytes = Buffer.from(tensor.data, 'base64');
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
