import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@aset/command-line';
import { freePort } from './free.port.js';
import type { Say } from './managed.service.js';
import { requireNatsServer, startNatsServer, type NatsServerProcess } from './nats.server.js';
import { SiteNetwork, type SiteEndpoint, type SiteNetworkMode } from './site.network.js';

/** The deployment's NATS configurations: the multi-site testbed runs these, not copies of them. */
export const HUB_CONFIG = join(REPO_ROOT, 'infra', 'nats', 'hub.conf');
export const LEAF_CONFIG = join(REPO_ROOT, 'infra', 'nats', 'leaf-edge.conf');

/** Client and monitoring ports the leaf configuration sets; used as they are inside a site's own namespace. */
const LEAF_CLIENT_PORT = 4222;
const LEAF_MONITOR_PORT = 8222;

/** The edge site's NATS leaf node. */
export interface LeafNode {
  readonly site: string;
  readonly serverName: string;
  /** The URL the site's own processes connect to. */
  readonly clientUrl: string;
  /** Its HTTP monitoring endpoint (/connz, /leafz, ...), as the host reaches it. */
  readonly monitorUrl: string;
  readonly endpoint: SiteEndpoint;
}

/** The hub `nats-server` (JetStream, domain `hub`) at the central site, on this host. */
export interface HubNode {
  /** For the processes of the central site (scheduler, metrics store, cloud workers). */
  readonly clientUrl: string;
  readonly monitorUrl: string;
  /** The port leaf nodes dial. */
  readonly leafnodePort: number;
}

/**
 * A hub `nats-server` and one leaf node per edge site, started from `infra/nats/hub.conf` and
 * `infra/nats/leaf-edge.conf`:
 * - the hub runs its configuration with only its three ports and its JetStream directory changed
 *   (rendered into `dataDir/hub.conf`), its clients on 127.0.0.1;
 * - each leaf node runs the leaf configuration as it is, inside its site's network namespace (see
 *   {@link SiteNetwork}), given `HUB_URL`; on loopback its two ports are moved by command-line options.
 * {@link start} resolves once every leaf node is connected to the hub.
 */
export class NatsTopology {
  private constructor(
    readonly hub: HubNode,
    readonly leaves: readonly LeafNode[],
    readonly network: SiteNetwork,
    private readonly servers: readonly NatsServerProcess[],
  ) {}

  static async start(options: { sites: readonly string[]; dataDir: string; network?: SiteNetworkMode; say: Say; readyTimeoutMs?: number }): Promise<NatsTopology> {
    const binary = requireNatsServer(options.say);
    mkdirSync(options.dataDir, { recursive: true });
    const network = SiteNetwork.create(options.sites, { mode: options.network ?? 'auto', say: options.say });
    const servers: NatsServerProcess[] = [];
    try {
      const [clientPort, monitorPort, leafnodePort] = [await freePort(), await freePort(), await freePort()];
      const hubConf = join(options.dataDir, 'hub.conf');
      writeFileSync(hubConf, renderHubConfig(readFileSync(HUB_CONFIG, 'utf8'), { clientPort, monitorPort, leafnodePort, storeDir: join(options.dataDir, 'jetstream') }));
      servers.push(await startNatsServer(binary, ['-c', hubConf, '-a', '127.0.0.1'], { readyAt: { host: '127.0.0.1', port: clientPort } }));
      const hub: HubNode = { clientUrl: `nats://127.0.0.1:${clientPort}`, monitorUrl: `http://127.0.0.1:${monitorPort}`, leafnodePort };
      const leaves: LeafNode[] = [];
      for (const endpoint of network.sites) {
        const serverName = `leaf-${endpoint.site}`;
        const env = { HUB_URL: `nats-leaf://${endpoint.hostAddress}:${leafnodePort}` };
        const [port, monitor] = endpoint.netns ? [LEAF_CLIENT_PORT, LEAF_MONITOR_PORT] : [await freePort(), await freePort()];
        const moved = endpoint.netns ? [] : ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)];
        servers.push(
          await startNatsServer(binary, ['-c', LEAF_CONFIG, '-n', serverName, ...moved], { readyAt: { host: endpoint.siteAddress, port }, env, ...(endpoint.netns ? { netns: endpoint.netns } : {}) }),
        );
        leaves.push({ site: endpoint.site, serverName, clientUrl: `nats://127.0.0.1:${port}`, monitorUrl: `http://${endpoint.siteAddress}:${monitor}`, endpoint });
      }
      const topology = new NatsTopology(hub, leaves, network, servers);
      await topology.waitLeavesConnected(options.readyTimeoutMs ?? 15_000);
      options.say(`NATS hub on ${hub.clientUrl} (leaf nodes dial port ${leafnodePort}); leaf nodes: ${leaves.map((l) => `${l.serverName} at ${l.endpoint.siteAddress}`).join(', ')}`);
      return topology;
    } catch (e) {
      await Promise.allSettled(servers.map((s) => s.stop()));
      network.remove();
      throw e;
    }
  }

  leaf(site: string): LeafNode {
    const leaf = this.leaves.find((l) => l.site === site);
    if (!leaf) throw new Error(`no leaf node for site "${site}"; sites: ${this.leaves.map((l) => l.site).join(', ')}`);
    return leaf;
  }

  /** The nats-server processes (hub first), e.g. for sampling their CPU. */
  get pids(): Map<string, number | undefined> {
    return new Map(this.servers.map((s, i) => [i === 0 ? 'nats-hub' : `nats-${this.leaves[i - 1]?.serverName}`, s.pid]));
  }

  /** Resolves once the hub's /leafz lists every leaf node; rejects after `timeoutMs` naming the leaves' last words. */
  async waitLeavesConnected(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let connected = 0;
    while (Date.now() < deadline) {
      connected = await this.connectedLeaves();
      if (connected >= this.leaves.length) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    const words = this.servers.slice(1).map((s, i) => `${this.leaves[i]?.serverName}: ${s.tail() || '(nothing)'}`);
    throw new Error(`only ${connected} of ${this.leaves.length} leaf nodes connected to the hub after ${timeoutMs} ms; ${words.join('; ')}`);
  }

  private async connectedLeaves(): Promise<number> {
    try {
      const res = await fetch(`${this.hub.monitorUrl}/leafz`, { signal: AbortSignal.timeout(1000) });
      return res.ok ? Number(((await res.json()) as { leafnodes?: number }).leafnodes ?? 0) : 0;
    } catch {
      return 0;
    }
  }

  /** Stops the leaf nodes, then the hub, and removes the sites' network. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.servers.slice(1).map((s) => s.stop()));
    await this.servers[0]?.stop();
    this.network.remove();
  }
}

/**
 * `infra/nats/hub.conf` with its client, monitoring and leafnode ports and its JetStream directory
 * replaced, nothing else. Fails, naming the setting, when the file no longer sets one of them
 * exactly once: this function and the file must then be brought back in step.
 */
export function renderHubConfig(text: string, values: { clientPort: number; monitorPort: number; leafnodePort: number; storeDir: string }): string {
  let out = replaceSetting(text, /^port: \d+$/m, `port: ${values.clientPort}`, 'top-level `port`');
  out = replaceSetting(out, /^http_port: \d+$/m, `http_port: ${values.monitorPort}`, 'top-level `http_port`');
  out = replaceSetting(out, /^(leafnodes \{\n(?:(?!\}).*\n)*?)(\s+)port: \d+$/m, `$1$2port: ${values.leafnodePort}`, '`port` of the `leafnodes` block');
  return replaceSetting(out, /^(\s+)store_dir: .*$/m, `$1store_dir: ${JSON.stringify(values.storeDir)}`, '`store_dir` of the `jetstream` block');
}

function replaceSetting(text: string, pattern: RegExp, replacement: string, what: string): string {
  const matches = text.match(new RegExp(pattern.source, `${pattern.flags}g`))?.length ?? 0;
  if (matches !== 1) throw new Error(`${HUB_CONFIG}: expected the ${what} setting exactly once, found it ${matches} times`);
  return text.replace(pattern, replacement);
}
