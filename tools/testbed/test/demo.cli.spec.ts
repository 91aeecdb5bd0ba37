import { spawn, spawnSync } from 'node:child_process';
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

  it('prints the summary table computed by the metrics store and stops everything it started', () => {
    const r = spawnSync(process.execPath, [DEMO, '--queries', '60'], { env: env(), encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/│ policy\s+│ queries │ SLO met │ success │ dropped │ errors │ timed out │ p50 ms │ p95 ms │ p99 ms │/);
    expect(r.stdout).toMatch(/│ closest\s+│\s+60 │/);
    expect(r.stdout).toMatch(/everything the demo started is stopped/);
  });

  it('stops every service it started on Ctrl-C (SIGINT) mid-run', async () => {
    const child = spawn(process.execPath, [DEMO, '--queries', '100000'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
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
});
