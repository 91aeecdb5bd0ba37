import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SubjectSpace } from '@aset/contracts';
import { REPO_ROOT } from '@aset/command-line';
import { readNkeySeedFile, serviceNatsUsers, writeNatsCredentials, type NatsCredentials, type NatsTls, type NatsUserSpec } from '@aset/messaging';

/** The script that makes a deployment's CA and certificates (openssl). */
export const MAKE_CERTS = join(REPO_ROOT, 'infra', 'nats', 'tls', 'make-certs.sh');

/** Where infra/nats/*.conf expect the TLS files (the deployments mount them there). */
export const CONF_TLS_DIR = '/etc/nats/tls/';

/** The users of a testbed: the deployment's ({@link serviceNatsUsers}, a worker per worker process) and the testbed's own connection, `testbed`. */
export function testbedNatsUsers(workers: readonly { name: string; clusters: readonly string[] }[]): NatsUserSpec[] {
  return [...serviceNatsUsers(workers), { name: 'testbed', principal: { service: 'testbed' } }];
}

/** A testbed's NATS credentials (`dir/auth`) and TLS files (`dir/tls`), and what each client needs of them. */
export class NatsSecurity {
  private constructor(
    readonly credentials: NatsCredentials,
    /** The directory of make-certs.sh's files (ends with `/`). */
    readonly tlsDir: string,
  ) {}

  /**
   * Writes fresh credentials for `users` under `prefix` into `dir/auth` and makes a CA and
   * certificates into `dir/tls` (infra/nats/tls/make-certs.sh) whose server certificate also names
   * `addresses` (IPs the servers are dialed at besides 127.0.0.1). Fails with openssl's words.
   */
  static create(dir: string, options: { prefix: string; users: readonly NatsUserSpec[]; addresses: readonly string[] }): NatsSecurity {
    const credentials = writeNatsCredentials(join(dir, 'auth'), new SubjectSpace(options.prefix), options.users);
    const tlsDir = join(dir, 'tls');
    const sans = [...new Set(options.addresses)].filter((a) => a !== '127.0.0.1').map((a) => `IP:${a}`);
    const made = spawnSync('sh', [MAKE_CERTS, tlsDir, ...sans], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`${MAKE_CERTS} failed (exit ${made.status}): ${made.stderr.trim() || made.error?.message}`);
    return new NatsSecurity(credentials, `${tlsDir}/`);
  }

  /** The CA that signed the servers' certificates. */
  get caFile(): string {
    return `${this.tlsDir}ca.pem`;
  }

  /**
   * A configuration of infra/nats with its TLS files (`/etc/nats/tls/...`) taken from this
   * testbed's. Fails, naming `file`, when the text names none: the configuration is no longer TLS.
   */
  renderTlsPaths(text: string, file: string): string {
    if (!text.includes(`"${CONF_TLS_DIR}`)) throw new Error(`${file}: expected TLS files under "${CONF_TLS_DIR}", found none`);
    return text.split(`"${CONF_TLS_DIR}`).join(`"${this.tlsDir}`);
  }

  /** The environment a service process authenticates as `user` with, over TLS. */
  clientEnv(user: string): Record<string, string> {
    return { NATS_NKEY_SEED_FILE: this.seedFile(user), NATS_TLS_CA: this.caFile };
  }

  /** `MessageBus.connect` options for a connection of this process as `user`. */
  busOptions(user: string): { identity: ReturnType<typeof readNkeySeedFile>; tls: NatsTls } {
    return { identity: readNkeySeedFile(this.seedFile(user)), tls: { caFile: this.caFile } };
  }

  private seedFile(user: string): string {
    const file = this.credentials.seedFiles.get(user);
    if (!file) throw new Error(`no NATS user ${JSON.stringify(user)}; users: ${[...this.credentials.seedFiles.keys()].join(', ')}`);
    return file;
  }
}
