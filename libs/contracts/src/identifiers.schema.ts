import { z } from 'zod';

/** An identifier that is also a valid NATS subject token: 1-64 of [A-Za-z0-9_-]. */
export const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 characters of [A-Za-z0-9_-]');

/** Milliseconds since the Unix epoch; fractional values carry sub-millisecond precision. */
export const EpochMs = z.number().finite().nonnegative();

/** The id of a run's `n`-th query (from 0): `q` and at least 7 digits, e.g. `q0000042`. Live and simulated runs use the same ids. */
export function queryIdOf(n: number): string {
  return `q${String(n).padStart(7, '0')}`;
}
