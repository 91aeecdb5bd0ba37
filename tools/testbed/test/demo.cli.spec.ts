import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/testbed';
import { createTestDatabase, dropTestDatabase, testNatsUrl } from '@aset/service-kit/testing';
import { SubjectSpace } from '@aset/contracts';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const DEMO = `${REPO_ROOT}/tools/testbed/dist/demo.main.js`;

/** PIDs of the live descendants of `pid`. */
function descendants(pid: number): number[] {
  const out = spawnSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const found: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (found.push(c), walk(c)));
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run demo (the compiled CLI)', () => {
  let db: { name: string; url: string };
  beforeAll(async () => {
    db = await createTestDatabase('demo');
  });
  const prefixes: string[] = [];
  afterAll(async () => {
    await dropTestDatabase(db.name);
    const nc = await connect({ servers: testNatsUrl() });
    const jsm = await jetstreamManager(nc);
    for (const p of prefixes) await jsm.streams.delete(new SubjectSpace(p).streamName('records')).catch(() => {});
    await nc.close();
  });
  const env = () => {
    const prefix = uniqueTestPrefix('demo');
    prefixes.push(prefix);
    return { ...process.env, NATS_URL: testNatsUrl(), DATABASE_URL: db.url, NATS_PREFIX: prefix };
  };

  it('by default runs the best static policy, aset-direct and aset on the same workload, side by side, and stops everything it started', () => {
    const r = spawnSync(process.execPath, [DEMO, '--queries', '60', '--json'], { env: env(), encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
      seed: number;
      upperBound: number;
      staticRanking: { policy: string; simSuccess: number }[];
      runs: { policy: string; role: string; queries: number; successRatio: number; simSuccess: number; host: { representative: boolean; windows: number; serviceCpuMs: Record<string, number> } }[];
    };
    expect(out.seed).toBe(7); // scenarios/demo.yaml's workload seed
    expect(out.staticRanking).toHaveLength(6);
    const best = out.staticRanking[0] as { policy: string; simSuccess: number };
    expect(out.runs.map((x) => [x.policy, x.role])).toEqual([
      [best.policy, 'best static'],
      ['aset-direct', 'ASET'],
      ['aset', 'ASET'],
    ]);
    for (const run of out.runs) {
      expect(run.queries).toBe(60);
      // How busy the host was, with each service's CPU time (Linux /proc).
      expect(typeof run.host.representative).toBe('boolean');
      expect(Object.keys(run.host.serviceCpuMs)).toEqual(expect.arrayContaining(['scheduler', 'metrics-store', 'worker-far-edge-1']));
    }
    expect(out.upperBound).toBeGreaterThan(0);
    expect(out.upperBound).toBeLessThanOrEqual(1);
    expect(r.stderr).toMatch(/everything the demo started is stopped/);
  }, 240_000);

  it('runs the policies asked for and prints them in one table with the upper bound', () => {
    const r = spawnSync(process.execPath, [DEMO, '--policies', 'closest,shield-random', '--queries', '60'], { env: env(), encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/│ policy\s+│ role\s+│ queries │ SLO met │ success │ sim success │ dropped │ errors │ timed out │ p50 ms │ p95 ms │ p99 ms │/);
    expect(r.stdout).toMatch(/│ closest\s+│ asked\s+│\s+60 │/);
    expect(r.stdout).toMatch(/│ shield-random\s+│ asked\s+│\s+60 │/);
    expect(r.stdout).toMatch(/upper bound: \d+\.\d% of these queries/);
    expect(r.stdout).toMatch(/everything the demo started is stopped/);
  }, 180_000);

  it('refuses an unknown policy, or an ASET policy without its checkpoint, before starting anything', () => {
    const unknown = spawnSync(process.execPath, [DEMO, '--policies', 'closest,fastest'], { env: env(), encoding: 'utf8' });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/--policies: "fastest" is not a policy; expected comma-separated policies among: closest,/);
    const missing = spawnSync(process.execPath, [DEMO, '--policies', 'aset-direct', '--checkpoints', '/nonexistent'], { env: env(), encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/policy aset-direct needs a trained agent: its checkpoint \/nonexistent\/demo\.aset-direct\.json does not exist/);
    expect(`${unknown.stdout}${missing.stdout}`).not.toMatch(/testbed up/);
  });

  it('stops every service it started on Ctrl-C (SIGINT) mid-run', async () => {
    const child = spawn(process.execPath, [DEMO, '--policies', 'closest', '--queries', '100000'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out, { timeout: 60_000 }).toMatch(/demo: run demo-/);
    const started = descendants(child.pid!);
    expect(started.length).toBeGreaterThanOrEqual(6);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    await expect.poll(() => started.filter(alive), { timeout: 15_000 }).toEqual([]);
    // Room for its own waits: up to 60 s for the testbed to come up on a busy host, then the shutdown.
  }, 120_000);

  it('refuses a bad option with a message naming it', () => {
    const r = spawnSync(process.execPath, [DEMO, '--queries', 'many'], { env: env(), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--queries expects a positive integer, got "many"/);
  });

  it('refuses a malformed fault plan before starting any service, naming the file and the entry', () => {
    const plan = join(mkdtempSync(join(tmpdir(), 'aset-demo-faults-')), 'plan.yaml');
    writeFileSync(plan, 'faults:\n  - { atSec: 2, action: explode, service: scheduler }\n');
    const r = spawnSync(process.execPath, [DEMO, '--policies', 'closest', '--faults', plan], { env: env(), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`fault plan ${plan}: faults.0.action`);
    expect(r.stdout).not.toMatch(/testbed up/);
  });

  it('refuses a site layout that does not fit the scenario before starting any service, naming every problem', () => {
    const layout = join(mkdtempSync(join(tmpdir(), 'aset-demo-sites-')), 'sites.yaml');
    writeFileSync(layout, 'sites:\n  - { name: cell-1, clusters: [far-edge-1, far-edge-9], sources: [ap-1] }\n  - { name: cell-2, clusters: [far-edge-1] }\n');
    const r = spawnSync(process.execPath, [DEMO, '--policies', 'closest', '--sites', layout], { env: env(), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('site "cell-1": cluster "far-edge-9" is not in scenario demo');
    expect(r.stderr).toContain('cluster "far-edge-1" is in both site "cell-1" and site "cell-2"');
    expect(r.stdout).not.toMatch(/testbed up/);
  });

  it('refuses an unknown --site-network mode', () => {
    const r = spawnSync(process.execPath, [DEMO, '--sites', 'far-edge', '--site-network', 'vpn'], { env: env(), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--site-network.*vpn/);
  });
});
