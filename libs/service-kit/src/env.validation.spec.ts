import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SubjectSpace } from '@aset/contracts';
import { serviceNatsUsers, writeNatsCredentials } from '@aset/messaging';
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

  describe('NATS credentials and TLS files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-env-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const credentials = writeNatsCredentials(join(dir, 'auth'), new SubjectSpace('aset'), serviceNatsUsers([]));
    const seed = credentials.seedFiles.get('scheduler') as string;
    const pem = join(dir, 'ca.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const garbage = join(dir, 'garbage');
    writeFileSync(garbage, 'not a key\n');

    it('reads the seed file once, at validation, into the identity the bus connects with', () => {
      const config = validate({ API_TOKEN: 'abcdefgh', NATS_NKEY_SEED_FILE: seed, NATS_TLS_CA: pem });
      expect(config.NATS_NKEY_SEED_FILE?.publicKey).toBe(credentials.users.get('scheduler')?.publicKey);
      expect(config.NATS_TLS_CA).toBe(pem);
      expect(validate({ API_TOKEN: 'abcdefgh' }).NATS_NKEY_SEED_FILE).toBeUndefined();
    });

    it('refuses a missing or malformed seed file and a file that is not PEM, naming the variable', () => {
      expect(() => validate({ API_TOKEN: 'abcdefgh', NATS_NKEY_SEED_FILE: join(dir, 'missing.nk') })).toThrow(/NATS_NKEY_SEED_FILE is ".*missing\.nk": cannot read .*missing\.nk: ENOENT; expected the nkey seed file/);
      expect(() => validate({ API_TOKEN: 'abcdefgh', NATS_NKEY_SEED_FILE: garbage })).toThrow(/NATS_NKEY_SEED_FILE is ".*garbage": .*garbage is not an nkey user seed/);
      expect(() => validate({ API_TOKEN: 'abcdefgh', NATS_TLS_CA: garbage })).toThrow(/NATS_TLS_CA is ".*garbage": .*garbage holds no PEM CERTIFICATE/);
    });

    it('refuses a client certificate without its key, or without the CA', () => {
      expect(() => validate({ API_TOKEN: 'abcdefgh', NATS_TLS_CA: pem, NATS_TLS_CERT: pem })).toThrow(/NATS_TLS_CERT and NATS_TLS_KEY: set both/);
      const key = join(dir, 'key.pem');
      writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
      expect(() => validate({ API_TOKEN: 'abcdefgh', NATS_TLS_CERT: pem, NATS_TLS_KEY: key })).toThrow(/NATS_TLS_CERT is set without NATS_TLS_CA/);
      expect(validate({ API_TOKEN: 'abcdefgh', NATS_TLS_CA: pem, NATS_TLS_CERT: pem, NATS_TLS_KEY: key }).NATS_TLS_KEY).toBe(key);
    });
  });
});
