import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { HUB_CONFIG, NatsTopology, renderHubConfig } from './nats.topology.js';
import { requireNatsServer } from './nats.server.js';

const quiet = () => {};
const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'aset-topology-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

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

  it('is a configuration nats-server accepts', () => {
    const file = join(scratch(), 'hub.conf');
    writeFileSync(file, rendered);
    const check = spawnSync(requireNatsServer(quiet), ['-c', file, '-t'], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

  it('names the setting the file no longer has', () => {
    expect(() => renderHubConfig(original.replace(/^http_port: \d+$/m, ''), { clientPort: 1, monitorPort: 2, leafnodePort: 3, storeDir: '/x' })).toThrow(/`http_port`.*found it 0 times/);
  });
});

const modes = ['loopback', ...(process.getuid?.() === 0 ? (['netns'] as const) : [])] as const;

describe.each(modes)('NatsTopology (%s)', (mode) => {
  it('connects every leaf node to the hub; a leaf client reaches a hub service and the hub JetStream through its leaf', { timeout: 60_000 }, async () => {
    const topology = await NatsTopology.start({ sites: ['site-a', 'site-b'], dataDir: scratch(), network: mode, say: quiet });
    try {
      expect(topology.network.mode).toBe(mode);
      const leafz = (await (await fetch(`${topology.hub.monitorUrl}/leafz`)).json()) as { leafnodes: number };
      expect(leafz.leafnodes).toBe(2);
      const hubClient = await connect({ servers: topology.hub.clientUrl });
      const leafA = topology.leaf('site-a');
      // The leaf's client URL is for processes of its site: in a namespace, reach it at the site's address.
      const leafClient = await connect({ servers: leafA.endpoint.netns ? `nats://${leafA.endpoint.siteAddress}:4222` : leafA.clientUrl });
      try {
        hubClient.subscribe('topology.echo', {
          callback: (_e, m) => {
            m.respond(`hub:${m.string()}`);
          },
        });
        await hubClient.flush();
        // Interest crosses the leaf link asynchronously: retry until it has.
        let answer = '';
        for (let i = 0; i < 50 && !answer; i++) {
          answer = await leafClient.request('topology.echo', 'ping', { timeout: 200 }).then((m) => m.string(), () => '');
        }
        expect(answer).toBe('hub:ping');

        const jsm = await jetstreamManager(leafClient);
        await jsm.streams.add({ name: 'TOPOLOGY', subjects: ['topology.record.>'] });
        const ack = await jetstream(leafClient).publish('topology.record.x', 'r', { msgID: 'r1' });
        expect(ack.stream).toBe('TOPOLOGY');
        const info = await (await jetstreamManager(hubClient)).streams.info('TOPOLOGY');
        expect(info.state.messages).toBe(1);

        const connz = (await (await fetch(`${leafA.monitorUrl}/connz`)).json()) as { num_connections: number };
        expect(connz.num_connections).toBe(1);
      } finally {
        await leafClient.close();
        await hubClient.close();
      }
    } finally {
      await topology.stop();
    }
    if (mode === 'netns') {
      const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
      for (const leaf of topology.leaves) expect(left).not.toContain(leaf.endpoint.netns);
    }
  });
});
