/**
 * A WebAssembly SIMD kernel for {@link MlpSnapshot}'s sparse dense layers (see the lib's README for
 * the benchmark that called for it): `dense(count, rows, values, blocks, out)` computes, for each
 * of `blocks` groups of eight outputs, `out[j] = sum over k < count of W[rows[k] + j] * values[k]`
 * in float64, k in increasing order, each sum starting at +0 and each term a rounded product added
 * with one rounding (`f64x2.mul` then `f64x2.add`; WebAssembly never fuses them): the same sums,
 * bit for bit, as the scalar loop `s += w * x`. Two outputs per SIMD lane pair, eight per pass over
 * the inputs.
 *
 * Pointers are byte offsets in the memory the module imports (`e.m`): `rows` holds `count` int32
 * byte offsets of an input's weight column (`[nOut]` float64, the first output of the first group),
 * `values` `count` float64 inputs, `out` `8 * blocks` float64 results.
 */
export type DenseKernel = (count: number, rows: number, values: number, blocks: number, out: number) => void;

const I32 = 0x7f;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const SIMD = 0xfd;

// Parameters 0-4: count, rows, values, blocks, out; locals 5-8 (i32): block, k, row, blockBytes; 9 (v128): x; 10-13 (v128): the sums.
const [COUNT, ROWS, VALUES, BLOCKS, OUT, BLOCK, K, ROW, BLOCK_BYTES, X] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const SUMS = [10, 11, 12, 13];

function body(): number[] {
  const code: number[] = [];
  const get = (i: number) => code.push(LOCAL_GET, i);
  const set = (i: number) => code.push(LOCAL_SET, i);
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop (over groups of eight outputs)
  get(BLOCK);
  get(BLOCKS);
  code.push(0x4f, 0x0d, 1); // i32.ge_u, br_if out of the block
  for (const s of SUMS) {
    code.push(SIMD, 0x0c, ...new Array<number>(16).fill(0)); // v128.const 0 (+0, +0)
    set(s);
  }
  code.push(0x41, 0); // i32.const 0
  set(K);
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop (over the nonzero inputs)
  get(K);
  get(COUNT);
  code.push(0x4f, 0x0d, 1); // i32.ge_u, br_if out
  get(ROWS);
  get(K);
  code.push(0x41, 2, 0x74, 0x6a, 0x28, 2, 0); // i32.const 2, i32.shl, i32.add, i32.load
  get(BLOCK_BYTES);
  code.push(0x6a); // i32.add
  set(ROW);
  get(VALUES);
  get(K);
  code.push(0x41, 3, 0x74, 0x6a, 0x2b, 3, 0); // i32.const 3, i32.shl, i32.add, f64.load
  code.push(SIMD, 0x14); // f64x2.splat
  set(X);
  SUMS.forEach((s, q) => {
    get(s);
    get(ROW);
    code.push(SIMD, 0x00, 3, 16 * q); // v128.load offset 16q
    get(X);
    code.push(SIMD, 0xf2, 0x01); // f64x2.mul (weight * input)
    code.push(SIMD, 0xf0, 0x01); // f64x2.add (sum + product)
    set(s);
  });
  get(K);
  code.push(0x41, 1, 0x6a); // k + 1
  set(K);
  code.push(0x0c, 0, 0x0b, 0x0b); // br loop, end loop, end block
  SUMS.forEach((s, q) => {
    get(OUT);
    get(BLOCK_BYTES);
    code.push(0x6a); // i32.add
    get(s);
    code.push(SIMD, 0x0b, 3, 16 * q); // v128.store offset 16q
  });
  get(BLOCK_BYTES);
  code.push(0x41, 0xc0, 0x00, 0x6a); // + 64 (signed LEB128)
  set(BLOCK_BYTES);
  get(BLOCK);
  code.push(0x41, 1, 0x6a);
  set(BLOCK);
  code.push(0x0c, 0, 0x0b, 0x0b, 0x0b); // br loop, end loop, end block, end function
  return [2, 4, I32, 5, V128, ...code]; // locals: 4 i32, 5 v128
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
}

/** The module's bytes: imports `e.m` (a memory of at least `pages` 64 KiB pages), exports `dense`. */
export function denseKernelModule(pages: number): Uint8Array {
  const code = body();
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, ...uleb(pages)]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('dense'), 0x00, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}

/** The part of the WebAssembly JavaScript API used here (the project's `lib` setting declares none). */
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

/**
 * `bytes` of zeroed memory and, when `simd` and the runtime has WebAssembly SIMD, the kernel over it;
 * otherwise a plain buffer and no kernel.
 */
export function denseKernel(bytes: number, simd: boolean): { buffer: ArrayBuffer; dense: DenseKernel | undefined } {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  const module = denseKernelModule(pages);
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!simd || wasm === undefined || !wasm.validate(module)) return { buffer: new ArrayBuffer(pages * 65536), dense: undefined };
  const memory = new wasm.Memory({ initial: pages });
  const instance = new wasm.Instance(new wasm.Module(module), { e: { m: memory } });
  return { buffer: memory.buffer, dense: instance.exports['dense'] as DenseKernel };
}
