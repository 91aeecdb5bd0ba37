import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/command-line';

/** The compiled CLI, as `npm run nats:credentials` runs it (build first: nx run-many -t build --projects=scenario-tools). */
const CLI = join(REPO_ROOT, 'tools/scenario/dist/nats-credentials.main.js');
const MAKE_CERTS = join(REPO_ROOT, 'infra/nats/tls/make-certs.sh');

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

describe('npm run nats:credentials (the compiled CLI) and infra/nats/tls/make-certs.sh', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'aset-nats-credentials-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses a bad prefix or a missing option in one line, and writes nothing', () => {
    const never = join(tmp, 'never');
    for (const [args, message] of [
      [['--scenario', 'demo', '--out', never, '--prefix', 'a..b'], /--prefix expects dot-separated tokens/],
      [['--scenario', 'demo'], /required option '--out <dir>' not specified/],
      [['--scenario', 'no-such-scenario', '--out', never], /no-such-scenario/],
    ] as [string[], RegExp][]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(existsSync(never)).toBe(false);
  });

  it('writes a user per service and per cluster of the scenario, seeds readable by their owner only, that a hub configuration with the certificates accepts', () => {
    const conf = join(tmp, 'nats');
    const r = run('--scenario', 'demo', '--out', join(conf, 'auth'), '--prefix', 'lab');
    expect(r.status, r.stderr).toBe(0);
    const seeds = readdirSync(join(conf, 'auth')).filter((f) => f.endsWith('.nk')).sort();
    const workers = ['cloud-1', 'cloud-2', 'far-edge-1', 'far-edge-2', 'far-edge-3', 'near-edge-1', 'near-edge-2'].map((c) => `worker-${c}.nk`);
    expect(seeds).toEqual(['metrics-store.nk', 'scheduler.nk', 'slo-alerter.nk', ...workers, 'workload-generator.nk'].sort());
    for (const f of [...seeds, 'leaf.password', 'leafnode-authorization.conf']) expect(statSync(join(conf, 'auth', f)).mode & 0o777, f).toBe(0o600);
    const authorization = readFileSync(join(conf, 'auth', 'authorization.conf'), 'utf8');
    expect(authorization).toContain('"lab.cluster.far-edge-1.heartbeat"');
    expect(authorization).not.toContain('"aset.');

    const certs = spawnSync('sh', [MAKE_CERTS, join(conf, 'tls'), 'IP:10.0.0.5', 'DNS:hub.example.org'], { encoding: 'utf8' });
    expect(certs.status, certs.stderr).toBe(0);
    for (const f of ['ca-key.pem', 'server-key.pem', 'leaf-key.pem', 'client-key.pem']) expect(statSync(join(conf, 'tls', f)).mode & 0o777, f).toBe(0o600);
    const san = spawnSync('openssl', ['x509', '-in', join(conf, 'tls', 'server.pem'), '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' }).stdout;
    expect(san).toMatch(/IP Address:127\.0\.0\.1.*IP Address:10\.0\.0\.5, DNS:hub\.example\.org/s);
    const verify = spawnSync('openssl', ['verify', '-CAfile', join(conf, 'tls', 'ca.pem'), join(conf, 'tls', 'server.pem'), join(conf, 'tls', 'leaf.pem')], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(spawnSync('sh', [MAKE_CERTS, join(conf, 'tls2'), 'nonsense'], { encoding: 'utf8' }).stderr).toMatch(/SAN "nonsense" must start with IP: or DNS:/);

    // infra/nats/hub.conf as deployed: its TLS files and auth/ beside it.
    mkdirSync(join(conf, 'js'));
    const hub = readFileSync(join(REPO_ROOT, 'infra/nats/hub.conf'), 'utf8').split('"/etc/nats/tls/').join(`"${join(conf, 'tls')}/`).replace('/data/jetstream', join(conf, 'js'));
    writeFileSync(join(conf, 'hub.conf'), hub);
    const nats = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p)) ?? 'nats-server';
    const check = spawnSync(nats, ['-c', join(conf, 'hub.conf'), '-t'], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });
});
