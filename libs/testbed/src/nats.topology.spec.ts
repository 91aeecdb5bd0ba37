import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { sampleQuery, sampleQueryRecord } from '@aset/contracts/testing';
import { MessageBus, silentBusLogger } from '@aset/messaging';
import { HUB_CONFIG, LEAF_CONFIG, NatsTopology, renderHubConfig } from './nats.topology.js';
import { requireNatsServer, startNatsServer } from './nats.server.js';
import { NatsSecurity, testbedNatsUsers } from './nats.security.js';
import { freePort } from './free.port.js';

const quiet = () => {};
const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'aset-topology-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const USERS = testbedNatsUsers([{ name: 'worker-x', clusters: ['x'] }]);

describe('renderHubConfig', () => {
  const original = readFileSync(HUB_CONFIG, 'utf8');
  const rendered = renderHubConfig(original, { clientPort: 14222, monitorPort: 18222, leafnodePort: 17422, storeDir: '/tmp/js dir' });

  it('changes the three ports and the JetStream directory of infra/nats/hub.conf, and nothing else', () => {
    const before = original.split('\n');
    const after = rendered.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = after.flatMap((line, i) => (line === before[i] ? [] : [line.trim()]));
    expect(changed).toEqual(['port: 14222', 'http_port: 18222', 'store_dir: "/tmp/js dir"', 'port: 17422']);
  });

  it('with the TLS files and credentials of a NatsSecurity beside it, both configurations are ones nats-server accepts', () => {
    const dir = scratch();
    const security = NatsSecurity.create(dir, { prefix: 'aset', users: USERS, addresses: [] });
    const nats = requireNatsServer(quiet);
    writeFileSync(join(dir, 'hub.conf'), security.renderTlsPaths(rendered, HUB_CONFIG));
    writeFileSync(join(dir, 'leaf-edge.conf'), security.renderTlsPaths(readFileSync(LEAF_CONFIG, 'utf8'), LEAF_CONFIG));
    for (const conf of ['hub.conf', 'leaf-edge.conf']) {
      const check = spawnSync(nats, ['-c', join(dir, conf), '-t'], { encoding: 'utf8', env: { ...process.env, HUB_URL: 'nats-leaf://leaf:x@127.0.0.1:7422' } });
      expect(check.status, `${conf}: ${check.stderr}`).toBe(0);
    }
    // As the deployments have them, the configurations refer to the mounted TLS files only.
    expect(() => security.renderTlsPaths('port: 4222\n', 'plain.conf')).toThrow(/plain.conf: expected TLS files under "\/etc\/nats\/tls\/", found none/);
  });

  it('names the setting the file no longer has', () => {
    expect(() => renderHubConfig(original.replace(/^http_port: \d+$/m, ''), { clientPort: 1, monitorPort: 2, leafnodePort: 3, storeDir: '/x' })).toThrow(/`http_port`.*found it 0 times/);
  });
});

const modes = ['loopback', ...(process.getuid?.() === 0 ? (['netns'] as const) : [])] as const;

describe.each(modes)('NatsTopology (%s)', (mode) => {
  it('connects every leaf node to the hub over TLS; a leaf client reaches a hub service and the hub JetStream through its leaf; plain text is refused', { timeout: 90_000 }, async () => {
    const topology = await NatsTopology.start({ sites: ['site-a', 'site-b'], dataDir: scratch(), network: mode, say: quiet, prefix: 'aset', users: USERS });
    const leafA = topology.leaf('site-a');
    // The leaf's client URL is for processes of its site: in a namespace, reach it at the site's address.
    const leafUrl = leafA.endpoint.netns ? `nats://${leafA.endpoint.siteAddress}:4222` : leafA.clientUrl;
    const buses: MessageBus[] = [];
    const bus = async (servers: string, user: string) => {
      const b = await MessageBus.connect({ servers, name: user, prefix: 'aset', logger: silentBusLogger, ...topology.security.busOptions(user) });
      buses.push(b);
      return b;
    };
    try {
      expect(topology.network.mode).toBe(mode);
      const leafz = (await (await fetch(`${topology.hub.monitorUrl}/leafz`)).json()) as { leafnodes: number };
      expect(leafz.leafnodes).toBe(2);
      const scheduler = await bus(topology.hub.clientUrl, 'scheduler');
      const generator = await bus(leafUrl, 'workload-generator');
      scheduler.serve('scheduleQuery', (q) => ({ schemaVersion: 1, status: 'dropped', queryId: q.queryId, policy: 'hub', reason: 'NO_FEASIBLE_OPTION', detail: 'from the hub', decidedAt: Date.now() }), { queue: 'scheduler' });
      await scheduler.flush();
      // Interest crosses the leaf link asynchronously: retry until it has.
      let answer = '';
      for (let i = 0; i < 50 && !answer; i++) {
        const outcome = await generator.request('scheduleQuery', sampleQuery(), 200);
        if (outcome.ok && outcome.reply.status === 'dropped') answer = outcome.reply.detail;
      }
      expect(answer).toBe('from the hub');

      // JetStream through the leaf node, under the generator's permissions; read at the hub by the metrics store's.
      await generator.ensureStream('records');
      await generator.publishDurable('queryRecord', { runId: 'r1' }, sampleQueryRecord({ runId: 'r1' }), 'r1.q-1');
      const store = await bus(topology.hub.clientUrl, 'metrics-store');
      const received = await new Promise<string>((resolve, reject) => {
        store.consume({ durable: 'metricsStore' }, { queryRecord: (r, d) => { d.ack(); resolve(r.runId); } }, { onRefused: (why) => reject(new Error(why.why)) }).catch(reject);
      });
      expect(received).toBe('r1');

      const connz = (await (await fetch(`${leafA.monitorUrl}/connz`)).json()) as { num_connections: number };
      expect(connz.num_connections).toBe(1);

      // Plain text is refused: a client without TLS, and a leaf node dialing the hub without TLS.
      await expect(connect({ servers: topology.hub.clientUrl, timeout: 5000, reconnect: false })).rejects.toThrow();
      if (mode === 'loopback') {
        // A leaf node without TLS settings, and one that trusts the CA but has no certificate of its own.
        for (const tls of ['', `, tls: { ca_file: "${topology.security.caFile}" }`]) {
          const dir = scratch();
          const port = await freePort();
          const remote = `url: "nats-leaf://leaf:${topology.security.credentials.leafPassword}@127.0.0.1:${topology.hub.leafnodePort}"${tls}`;
          writeFileSync(join(dir, 'plain-leaf.conf'), `port: ${port}\nleafnodes {\n  reconnect: 1\n  remotes: [ { ${remote} } ]\n}\n`);
          const leaf = await startNatsServer(requireNatsServer(quiet), ['-c', join(dir, 'plain-leaf.conf'), '-a', '127.0.0.1'], { readyAt: { host: '127.0.0.1', port } });
          try {
            let words = '';
            for (let i = 0; i < 100 && !/TLS leafnode handshake error|Leafnode connection closed/i.test(words); i++) {
              await new Promise((r) => setTimeout(r, 100));
              words = leaf.tail();
            }
            expect(words).toMatch(/TLS leafnode handshake error|Leafnode connection closed/i);
            const after = (await (await fetch(`${topology.hub.monitorUrl}/leafz`)).json()) as { leafnodes: number };
            expect(after.leafnodes).toBe(2);
          } finally {
            await leaf.stop();
          }
        }
      }
    } finally {
      await Promise.allSettled(buses.map((b) => b.close()));
      await topology.stop();
    }
    if (mode === 'netns') {
      const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
      for (const leaf of topology.leaves) expect(left).not.toContain(leaf.endpoint.netns);
    }
  });
});
