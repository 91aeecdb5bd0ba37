import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import type { SubjectSpace } from '@aset/contracts';
import { inboxPrefixOf, natsPermissions, type NatsPermissions, type NatsPrincipal } from './nats.permissions.js';

/** A connection's identity: an nkey user, read from its seed file. */
export interface NatsIdentity {
  readonly file: string;
  readonly seed: Uint8Array;
  readonly publicKey: string;
}

/**
 * Reads an nkey user seed file (one line `SU...`, as {@link writeNatsCredentials} writes it).
 * Throws an Error naming the file and what is wrong with it: missing, unreadable, or not a user seed.
 */
export function readNkeySeedFile(file: string): NatsIdentity {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const seed = new TextEncoder().encode(text.trim());
  try {
    if (!text.trim().startsWith('SU')) throw new Error('not a user seed');
    return { file, seed, publicKey: nkeys.fromSeed(seed).getPublicKey() };
  } catch {
    throw new Error(`${file} is not an nkey user seed (one line starting with SU, as npm run nats:credentials writes it)`);
  }
}

/** A user to create: its credential file is `<name>.nk`. */
export interface NatsUserSpec {
  readonly name: string;
  readonly principal: NatsPrincipal;
}

/**
 * The users of a deployment: one per service (every instance of a service shares it, e.g. the parts
 * of a split run's generator) and one per worker process, allowed its clusters only (a deployment
 * runs one per cluster, `worker-<cluster>`).
 */
export function serviceNatsUsers(workers: readonly { name: string; clusters: readonly string[] }[]): NatsUserSpec[] {
  return [
    { name: 'workload-generator', principal: { service: 'workload-generator' } },
    { name: 'scheduler', principal: { service: 'scheduler' } },
    { name: 'metrics-store', principal: { service: 'metrics-store' } },
    { name: 'slo-alerter', principal: { service: 'slo-alerter' } },
    ...workers.map((w) => ({ name: w.name, principal: { service: 'worker' as const, clusters: w.clusters } })),
  ];
}

/** What {@link writeNatsCredentials} wrote. */
export interface NatsCredentials {
  readonly dir: string;
  /** The server's include file: `authorization { users: [...] }`, nkeys and permissions, no secret. */
  readonly authorizationFile: string;
  /** The hub's include file for its `leafnodes` block: the leaf-node link's user and password. */
  readonly leafnodeAuthorizationFile: string;
  /** The leaf-node link's password (also in `leaf.password`): leaf nodes dial nats-leaf://leaf:<password>@hub:7422. */
  readonly leafPassword: string;
  /** Each user's seed file, by name. */
  readonly seedFiles: ReadonlyMap<string, string>;
  readonly users: ReadonlyMap<string, { readonly publicKey: string; readonly permissions: NatsPermissions }>;
}

/** The user of leaf-node links on the hub. */
export const LEAF_USER = 'leaf';

/**
 * Creates a fresh nkey per user and writes, into `dir` (created when missing): the server's
 * `authorization.conf` (public keys with their {@link natsPermissions}), the hub's
 * `leafnode-authorization.conf` and `leaf.password` (a random password for the leaf-node link), and
 * one seed file per user, `<name>.nk`. Secrets are written with mode 0600. Exactly one user must be
 * the workload generator: workers may answer its inbox only.
 */
export function writeNatsCredentials(dir: string, subjects: SubjectSpace, users: readonly NatsUserSpec[]): NatsCredentials {
  const generators = users.filter((u) => u.principal.service === 'workload-generator');
  if (generators.length !== 1) throw new Error(`NATS credentials need exactly one workload-generator user, got ${generators.length}`);
  const names = new Set<string>();
  for (const u of users) {
    if (!/^[A-Za-z0-9_-]+$/.test(u.name)) throw new Error(`NATS user name ${JSON.stringify(u.name)}: expected [A-Za-z0-9_-]+`);
    if (names.has(u.name)) throw new Error(`NATS user ${u.name} is given twice`);
    names.add(u.name);
  }
  const keys = new Map(users.map((u) => [u.name, nkeys.createUser()] as const));
  const keyOf = (name: string) => keys.get(name) as ReturnType<typeof nkeys.createUser>;
  const generatorInbox = inboxPrefixOf(keyOf((generators[0] as NatsUserSpec).name).getPublicKey());
  mkdirSync(dir, { recursive: true });
  const seedFiles = new Map<string, string>();
  const described = new Map<string, { publicKey: string; permissions: NatsPermissions }>();
  for (const u of users) {
    const kp = keyOf(u.name);
    const publicKey = kp.getPublicKey();
    described.set(u.name, { publicKey, permissions: natsPermissions(subjects, u.principal, { self: inboxPrefixOf(publicKey), generator: generatorInbox }) });
    const file = join(dir, `${u.name}.nk`);
    writeSecret(file, `${new TextDecoder().decode(kp.getSeed())}\n`);
    seedFiles.set(u.name, file);
  }
  const authorizationFile = join(dir, 'authorization.conf');
  writeFileSync(authorizationFile, authorizationConfig(subjects.prefix, described));
  const leafPassword = randomBytes(24).toString('base64url');
  const leafnodeAuthorizationFile = join(dir, 'leafnode-authorization.conf');
  writeSecret(
    leafnodeAuthorizationFile,
    `# The leaf-node link's user (written by npm run nats:credentials). Leaf nodes dial nats-leaf://${LEAF_USER}:<leaf.password>@<hub>:7422.\n` +
      `authorization {\n  user: ${LEAF_USER}\n  password: "${leafPassword}"\n  timeout: 30\n}\n`,
  );
  writeSecret(join(dir, 'leaf.password'), `${leafPassword}\n`);
  return { dir, authorizationFile, leafnodeAuthorizationFile, leafPassword, seedFiles, users: described };
}

/** Writes a file only its owner may read, also when it existed before. */
function writeSecret(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The server's `authorization` block: one nkey user per service, each with its permissions. */
function authorizationConfig(prefix: string, users: ReadonlyMap<string, { publicKey: string; permissions: NatsPermissions }>): string {
  const list = (subjects: readonly string[]) => `[${subjects.map((s) => JSON.stringify(s)).join(', ')}]`;
  const entries = [...users].map(
    ([name, { publicKey, permissions }]) =>
      `    # ${name}\n    {\n      nkey: ${publicKey}\n      permissions: {\n        publish: { allow: ${list(permissions.publish)} }\n        subscribe: { allow: ${list(permissions.subscribe)} }\n` +
      (permissions.allowResponses ? '        allow_responses: true\n' : '') +
      '      }\n    }',
  );
  return (
    `# ASET's NATS users for the subject prefix "${prefix}" (written by npm run nats:credentials; no secret:\n` +
    `# public keys only). Each service authenticates with its own nkey seed (<service>.nk) and may\n` +
    `# publish and subscribe to exactly what it needs (libs/messaging/src/nats.permissions.ts).\n` +
    `authorization {\n  # Seconds a client has to authenticate (a loaded host or a WAN link can be slow).\n  timeout: 30\n  users: [\n${entries.join('\n')}\n  ]\n}\n`
  );
}
