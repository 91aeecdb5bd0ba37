import { describe, expect, it } from 'vitest';
import { decodeTensor, encodeTensor, isCanonicalBase64 } from './tensor.schema.js';

/** The definition: canonical base64 is what decoding and encoding again gives back unchanged. */
const roundTrips = (text: string) => Buffer.from(text, 'base64').toString('base64') === text;

/** A small seeded generator (mulberry32), so a failure names a case that can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('isCanonicalBase64', () => {
  it('accepts what encoders write, of every length and padding', () => {
    const random = generator(1);
    for (let n = 0; n < 64; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
      expect(isCanonicalBase64(bytes.toString('base64')), `${n} bytes`).toBe(true);
    }
  });

  it('agrees with the round trip on every one-character change and on strings of mixed characters, near-base64 ones included', () => {
    const random = generator(2);
    const odd = ['!', '-', '_', ' ', '\n', '=', '.', 'é', '\u2028', '\0', 'A', 'B', 'g', 'Q', '/', '+', '0'];
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
    let cases = 0;
    for (let n = 1; n <= 13; n++) {
      const good = Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256))).toString('base64');
      for (let i = 0; i < good.length; i++) {
        for (const c of odd) {
          const text = good.slice(0, i) + c + good.slice(i + 1);
          expect(isCanonicalBase64(text), JSON.stringify(text)).toBe(roundTrips(text));
          cases++;
        }
      }
    }
    const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', '=', '=', '=', '-', '_', ' '];
    for (let k = 0; k < 20_000; k++) {
      const text = Array.from({ length: 4 * (1 + Math.floor(random() * 3)) }, () => pick(alphabet)).join('');
      expect(isCanonicalBase64(text), JSON.stringify(text)).toBe(roundTrips(text));
      cases++;
    }
    expect(cases).toBeGreaterThan(20_000);
  });

  it('refuses set unused bits after one and after two padding characters, and lengths that are not a multiple of 4', () => {
    expect(isCanonicalBase64('AAE=')).toBe(true);
    expect(isCanonicalBase64('AAF=')).toBe(false);
    expect(isCanonicalBase64('AQ==')).toBe(true);
    expect(isCanonicalBase64('AR==')).toBe(false);
    expect(isCanonicalBase64('AAA')).toBe(false);
    expect(isCanonicalBase64('AAAAA')).toBe(false);
  });

  it('checks a tensor larger than its scratch buffer as any other', () => {
    const big = Buffer.alloc(3 << 20, 7).toString('base64');
    expect(isCanonicalBase64(big)).toBe(true);
    expect(isCanonicalBase64(`${big.slice(0, 1000)}!${big.slice(1001)}`)).toBe(false);
  });
});

describe('decodeTensor', () => {
  it('gives back the values encodeTensor wrote, in an array of its own', () => {
    const values = Float32Array.from({ length: 37 }, (_, i) => i / 3 - 5);
    const tensor = encodeTensor(values, [1, 37]);
    const decoded = decodeTensor(tensor);
    expect(decoded).toEqual(values);
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(37 * 4);
  });
});
