import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, appEntry } from '@aset/testbed';

/** Starts a built service with `env` and returns its exit code and output; it must stop on its own. */
function start(app: Parameters<typeof appEntry>[0], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [appEntry(app)], { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('configuration is validated at start', () => {
  it('a missing variable stops the worker with a message naming it and its expected form', () => {
    const { code, output } = start('worker', { HTTP_PORT: '0' });
    expect(code).toBe(78);
    expect(output).toMatch(/CLUSTER_ID is not set: .*expected the id of a cluster in the scenario, e\.g\. far-edge-1/);
  });

  it('bad values are each named, secrets are not echoed', () => {
    const { code, output } = start('metrics-store', { HTTP_PORT: '70000', DATABASE_URL: 'mysql://root:hunter2@db/x', LOG_FORMAT: 'yaml' });
    expect(code).toBe(78);
    expect(output).toMatch(/HTTP_PORT is "70000": .*expected TCP port/);
    expect(output).toMatch(/DATABASE_URL is \(hidden\): not a PostgreSQL URL; expected a PostgreSQL URL/);
    expect(output).toMatch(/LOG_FORMAT is "yaml": .*expected text or json/);
    expect(output).not.toMatch(/hunter2/);
  });

  it('an unknown policy names the registered ones', () => {
    const { code, output } = start('scheduler', { SCHEDULER_POLICY: 'fastest', HTTP_PORT: '0' });
    expect(code).toBe(78);
    expect(output).toMatch(/SCHEDULER_POLICY is "fastest": .*expected a registered policy: closest/);
  });

  it('bad liveness settings stop the scheduler, each named', () => {
    const { code, output } = start('scheduler', { HEARTBEAT_MS: '10', LIVENESS_MISSED_HEARTBEATS: '0', HTTP_PORT: '0' });
    expect(code).toBe(78);
    expect(output).toMatch(/HEARTBEAT_MS is "10": .*expected the workers' heartbeat period in ms/);
    expect(output).toMatch(/LIVENESS_MISSED_HEARTBEATS is "0": .*expected heartbeats a cluster may miss before the scheduler holds it to be down, a positive integer/);
  });

  it('a bad scenario file or cluster id stops the service with the file named', () => {
    const missing = start('scheduler', { SCENARIO_FILE: '/nonexistent/s.yaml', HTTP_PORT: '0', NATS_URL: 'nats://127.0.0.1:1' });
    expect(missing.code).toBe(78);
    expect(missing.output).toMatch(/\/nonexistent\/s\.yaml: \(document\): cannot read the file \(ENOENT\)/);
    const cluster = start('worker', { CLUSTER_ID: 'mars-1', HTTP_PORT: '0', NATS_URL: 'nats://127.0.0.1:1' });
    expect(cluster.code).toBe(78);
    expect(cluster.output).toMatch(/CLUSTER_ID "mars-1" is not a cluster of scenario demo .*clusters: far-edge-1/);
  });
});
