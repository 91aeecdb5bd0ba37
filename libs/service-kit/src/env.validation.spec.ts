import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BASE_ENV, ConfigurationError, envValidator } from './env.validation.js';

const validate = envValidator('probe', {
  ...BASE_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(9000),
  API_TOKEN: z.string().min(8).describe('a token of at least 8 characters'),
});

describe('envValidator', () => {
  it('applies defaults and coerces numbers', () => {
    expect(validate({ API_TOKEN: 'abcdefgh' })).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222', NATS_PREFIX: 'aset', HTTP_PORT: 9000, LOG_FORMAT: 'text' });
    expect(validate({ API_TOKEN: 'abcdefgh', HTTP_PORT: '8123' }).HTTP_PORT).toBe(8123);
  });

  it('names every bad variable, what it got and the expected form, hiding secrets', () => {
    let error: unknown;
    try {
      validate({ API_TOKEN: 'short', NATS_PREFIX: 'a..b', HTTP_PORT: '-1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toMatch(/^invalid configuration for probe:/);
    expect(message).toMatch(/API_TOKEN is \(hidden\): .*expected a token of at least 8 characters/);
    expect(message).not.toMatch(/short/);
    expect(message).toMatch(/NATS_PREFIX is "a\.\.b": not a subject prefix; expected subject prefix: dot-separated tokens/);
    expect(message).toMatch(/HTTP_PORT is "-1": .*expected TCP port for \/health and \/metrics, an integer 0-65535/);
  });

  it('says when a required variable is not set', () => {
    expect(() => validate({})).toThrow(/API_TOKEN is not set: .*expected a token of at least 8 characters/);
  });
});
