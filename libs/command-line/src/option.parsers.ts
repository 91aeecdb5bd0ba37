import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

/** commander option parsers: each refuses a bad value with a message naming the flag and the expected form (commander prints it and exits 1). */

export function positiveInt(flag: string): (value: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} expects a positive integer, got "${v}"`);
    return n;
  };
}

export function nonNegativeInt(flag: string): (value: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} expects an integer >= 0, got "${v}"`);
    return n;
  };
}

export function positiveNumber(flag: string): (value: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} expects a number > 0, got "${v}"`);
    return n;
  };
}

/** A comma-separated list of numbers > 0, e.g. "10,20,40" (blanks around commas allowed), in the order given. */
export function positiveNumberList(flag: string): (value: string) => number[] {
  return (v) => {
    const parts = v.split(',').map((p) => p.trim());
    const numbers = parts.map(Number);
    if (parts.some((p) => p === '') || numbers.some((n) => !(n > 0) || !Number.isFinite(n))) {
      throw new InvalidArgumentError(`${flag} expects a comma-separated list of numbers > 0 (e.g. 10,20,40), got "${v}"`);
    }
    return numbers;
  };
}

export function nonNegativeNumber(flag: string): (value: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} expects a number >= 0, got "${v}"`);
    return n;
  };
}

export function probability(flag: string): (value: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n >= 0 && n <= 1) || v.trim() === '') throw new InvalidArgumentError(`${flag} expects a probability in [0, 1], got "${v}"`);
    return n;
  };
}

/** A value that is not blank, kept as given; `expected` names what the flag takes (e.g. "a scenario name or file"). */
export function nonEmpty(flag: string, expected: string): (value: string) => string {
  return (v) => {
    if (v.trim() === '') throw new InvalidArgumentError(`${flag} expects ${expected}, got "${v}"`);
    return v;
  };
}

/** A directory, resolved to an absolute path: it may not exist yet (the caller creates it), but must not be a file. */
export function directory(flag: string): (value: string) => string {
  return (v) => {
    if (v.trim() === '') throw new InvalidArgumentError(`${flag} expects a directory, got "${v}"`);
    const dir = resolve(v);
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InvalidArgumentError(`${flag} expects a directory, got "${v}" (a file)`);
    return dir;
  };
}

/** The largest seed: the random sources use a seed's low 32 bits, so larger ones would alias smaller ones. */
export const MAX_SEED = 2 ** 32 - 1;

/** A seed: an integer 0 to {@link MAX_SEED}, the same range in every tool. */
export function seed(flag: string): (value: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < 0 || n > MAX_SEED) throw new InvalidArgumentError(`${flag} expects a seed, an integer 0-${MAX_SEED}, got "${v}"`);
    return n;
  };
}

/**
 * The testbed's messaging time per answered query, ms, as `validate:sim` prints it: `<request>,<reply>`
 * (sender to worker, worker back to the sender), or one number, all of it on the reply.
 */
export function messagingOverhead(flag: string): (value: string) => { request: number; reply: number } {
  return (v) => {
    const parts = v.split(',').map((p) => p.trim());
    const ms = parts.map(Number);
    if (parts.length > 2 || parts.some((p) => p === '') || ms.some((n) => !(n >= 0) || !Number.isFinite(n))) {
      throw new InvalidArgumentError(`${flag} expects milliseconds >= 0, as "<request>,<reply>" (e.g. 2.3,1.1) or one number for the whole reply path, got "${v}"`);
    }
    return parts.length === 2 ? { request: ms[0] as number, reply: ms[1] as number } : { request: 0, reply: ms[0] as number };
  };
}

/**
 * Several policies, comma-separated, each one of `known` (blanks around commas allowed, none twice),
 * in the order given; with `all` allowed, the word `all` (the command says what it covers).
 */
export function policyNames(flag: string, known: readonly string[], options: { all?: boolean } = {}): (value: string) => string[] | 'all' {
  return (v) => {
    if (options.all && v.trim() === 'all') return 'all';
    const names = v.split(',').map((p) => p.trim());
    const expected = `${options.all ? '"all" or ' : ''}comma-separated policies among: ${known.join(', ')}`;
    if (names.some((n) => n === '')) throw new InvalidArgumentError(`${flag} expects ${expected}, got "${v}"`);
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw new InvalidArgumentError(`${flag}: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is not a policy' : 'are not policies'}; expected ${expected}`);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length > 0) throw new InvalidArgumentError(`${flag} names ${twice.map((n) => `"${n}"`).join(', ')} twice`);
    return names;
  };
}

/** An integer of at least `min`. */
export function integerAtLeast(flag: string, min: number): (value: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} expects an integer >= ${min}, got "${v}"`);
    return n;
  };
}

/** An identifier as ASET's contracts take them: 1-64 characters of [A-Za-z0-9_-]. */
export function identifier(flag: string): (value: string) => string {
  return (v) => {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(v)) throw new InvalidArgumentError(`${flag} expects 1-64 characters of [A-Za-z0-9_-], got "${v}"`);
    return v;
  };
}

/**
 * Seeds as a count or a list: `5` is seeds 1 to 5; `3,7,11` is those seeds (distinct, each a
 * {@link seed}), in the order given.
 */
export function seedCountOrList(flag: string): (value: string) => number[] {
  return (v) => {
    const parts = v.split(',').map((x) => x.trim());
    const nums = parts.map(Number);
    if (parts.some((p) => p === '') || nums.some((n) => !Number.isInteger(n) || n < 0 || n > MAX_SEED)) {
      throw new InvalidArgumentError(`${flag} expects a count (e.g. 5, for seeds 1-5) or comma-separated seeds, integers 0-${MAX_SEED} (e.g. 1,2,3), got "${v}"`);
    }
    if (nums.length === 1) {
      if ((nums[0] as number) < 1) throw new InvalidArgumentError(`${flag}: a count of seeds must be at least 1, got "${v}"`);
      return Array.from({ length: nums[0] as number }, (_, i) => i + 1);
    }
    if (new Set(nums).size !== nums.length) throw new InvalidArgumentError(`${flag} repeats a seed: "${v}"`);
    return nums;
  };
}
