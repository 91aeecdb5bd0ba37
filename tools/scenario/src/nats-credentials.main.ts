import { relative } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { REPO_ROOT, directory, loadInputs, nonEmpty, runCommand } from '@aset/command-line';
import { SUBJECT_PREFIX, SubjectSpace } from '@aset/contracts';
import { serviceNatsUsers, writeNatsCredentials } from '@aset/messaging';

const program = new Command('nats:credentials')
  .description(
    "Write a deployment's NATS credentials for a scenario: one nkey user per service and one per worker (cluster), each " +
      'allowed exactly its subjects (libs/messaging/src/nats.permissions.ts). Writes authorization.conf (public keys and ' +
      'permissions: the servers include it), leafnode-authorization.conf and leaf.password (the leaf-node link), and one ' +
      'seed file <user>.nk per user (mode 0600; the service reads it from NATS_NKEY_SEED_FILE). Fresh keys on every run.',
  )
  .requiredOption('--scenario <name|file>', 'scenario name under scenarios/ (demo, suite/base) or a YAML file: one worker user per cluster', nonEmpty('--scenario', 'a scenario name or file'))
  .requiredOption('--out <dir>', 'folder to write into, e.g. infra/secrets/nats/auth (compose and kubernetes read it from there)', directory('--out'))
  .option('--prefix <prefix>', 'the deployment prefix (NATS_PREFIX) the permissions are for', prefix, 'aset')
  .parse();

const opts = program.opts<{ scenario: string; out: string; prefix: string }>();
const say = (m: string) => console.log(`nats:credentials: ${m}`);

await runCommand('nats:credentials', () => {
  const { scenario } = loadInputs(opts.scenario);
  const users = serviceNatsUsers(scenario.clusters.map((c) => ({ name: `worker-${c.id}`, clusters: [c.id] })));
  const written = writeNatsCredentials(opts.out, new SubjectSpace(opts.prefix), users);
  for (const [name, user] of written.users) say(`${name}: ${user.publicKey} (${shown(written.seedFiles.get(name) as string)})`);
  say(`wrote ${shown(written.authorizationFile)} and ${shown(written.leafnodeAuthorizationFile)} for prefix ${opts.prefix}: ${users.length} users, ${scenario.clusters.length} workers`);
});

function prefix(v: string): string {
  if (!SUBJECT_PREFIX.test(v)) throw new InvalidArgumentError(`--prefix expects dot-separated tokens of [A-Za-z0-9_-], got "${v}"`);
  return v;
}

function shown(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
