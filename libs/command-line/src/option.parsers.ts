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
