import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@aset/command-line';
import { freePort } from './free.port.js';
import type { Say } from './managed.service.js';
import { requireNatsServer, startNatsServer, type NatsServerProcess } from './nats.server.js';
import { NatsSecurity } from './nats.security.js';
import { LEAF_USER, type NatsUserSpec } from '@aset/messaging';
import { SiteNetwork, type SiteEndpoint, type SiteNetworkMode } from './site.network.js';
import type { RestartableServer } from './restartable.servers.js';

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
 * A hub `nats-server` and one leaf node per edge site (none: the hub alone), started from
 * `infra/nats/hub.conf` and `infra/nats/leaf-edge.conf`, secured as a deployment is:
 * - credentials for `users` (nkeys and permissions under `prefix`) and a CA with certificates are
 *   made into `dataDir/auth` and `dataDir/tls` ({@link NatsSecurity}); both configurations take
 *   their TLS files from there (rendered into `dataDir`, where their `auth/...` includes resolve);
 * - the hub runs its configuration with only its three ports, its JetStream directory and its TLS
 *   files changed (`dataDir/hub.conf`), its clients on 127.0.0.1;
 * - each leaf node runs the leaf configuration with only its TLS files changed
 *   (`dataDir/leaf-edge.conf`), inside its site's network namespace (see {@link SiteNetwork}),
 *   given `HUB_URL` with the leaf-node link's password; on loopback its two ports are moved by
 *   command-line options.
 * Every client connects over TLS as one of `users` ({@link security}). {@link start} resolves once
 * every leaf node is connected to the hub.
 */
export class NatsTopology {
  private constructor(
    readonly hub: HubNode,
    readonly leaves: readonly LeafNode[],
    readonly network: SiteNetwork,
    private readonly servers: NatsServerProcess[],
    /** The users' credentials and the CA clients verify the servers with. */
    readonly security: NatsSecurity,
    /** Starts the hub again with the same configuration, ports and JetStream store. */
    private readonly launchHub: () => Promise<NatsServerProcess>,
  ) {}

  private hubDown = false;

  /**
   * The hub as a server a fault can take down and bring back ({@link RestartableServer}): `kill` is
   * SIGKILL, as a crash; `restart` starts it again on the same ports, configuration and JetStream
   * file store, from which JetStream recovers its streams and consumers. Leaf nodes and clients
   * reconnect on their own.
   */
  get hubServer(): RestartableServer {
    const isDown = () => this.hubDown;
    const pid = () => this.servers[0]?.pid;
    return {
      url: this.hub.clientUrl,
      get pid() {
        return isDown() ? undefined : pid();
      },
      get running() {
        return !isDown();
      },
      kill: async () => {
        this.hubDown = true;
        await this.servers[0]?.kill();
      },
      restart: async () => {
        if (!this.hubDown) throw new Error('the NATS hub is still running; kill it before restarting it');
        this.servers[0] = await this.launchHub();
        this.hubDown = false;
      },
      stop: async () => {
        this.hubDown = true;
        await this.servers[0]?.stop();
      },
    };
  }

  static async start(options: {
    sites: readonly string[];
    dataDir: string;
    network?: SiteNetworkMode;
    say: Say;
    readyTimeoutMs?: number;
    /** The deployment prefix the users' permissions are for. */
    prefix: string;
    /** Who may connect (see `testbedNatsUsers`). */
    users: readonly NatsUserSpec[];
  }): Promise<NatsTopology> {
    const binary = requireNatsServer(options.say);
    mkdirSync(options.dataDir, { recursive: true });
    const network = SiteNetwork.create(options.sites, { mode: options.sites.length === 0 ? 'loopback' : (options.network ?? 'auto'), say: options.say });
    const servers: NatsServerProcess[] = [];
    try {
      const security = NatsSecurity.create(options.dataDir, {
        prefix: options.prefix,
        users: options.users,
        addresses: network.sites.flatMap((e) => [e.hostAddress, e.siteAddress]),
      });
      const [clientPort, monitorPort, leafnodePort] = [await freePort(), await freePort(), await freePort()];
      const hubConf = join(options.dataDir, 'hub.conf');
      const hubText = renderHubConfig(readFileSync(HUB_CONFIG, 'utf8'), { clientPort, monitorPort, leafnodePort, storeDir: join(options.dataDir, 'jetstream') });
      writeFileSync(hubConf, security.renderTlsPaths(hubText, HUB_CONFIG));
      const leafConf = join(options.dataDir, 'leaf-edge.conf');
      writeFileSync(leafConf, security.renderTlsPaths(readFileSync(LEAF_CONFIG, 'utf8'), LEAF_CONFIG));
      const launchHub = () => startNatsServer(binary, ['-c', hubConf, '-a', '127.0.0.1'], { readyAt: { host: '127.0.0.1', port: clientPort } });
      servers.push(await launchHub());
      const hub: HubNode = { clientUrl: `nats://127.0.0.1:${clientPort}`, monitorUrl: `http://127.0.0.1:${monitorPort}`, leafnodePort };
      const leaves: LeafNode[] = [];
      for (const endpoint of network.sites) {
        const serverName = `leaf-${endpoint.site}`;
        const env = { HUB_URL: `nats-leaf://${LEAF_USER}:${security.credentials.leafPassword}@${endpoint.hostAddress}:${leafnodePort}` };
        const [port, monitor] = endpoint.netns ? [LEAF_CLIENT_PORT, LEAF_MONITOR_PORT] : [await freePort(), await freePort()];
        const moved = endpoint.netns ? [] : ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)];
        servers.push(
          await startNatsServer(binary, ['-c', leafConf, '-n', serverName, ...moved], { readyAt: { host: endpoint.siteAddress, port }, env, ...(endpoint.netns ? { netns: endpoint.netns } : {}) }),
        );
        leaves.push({ site: endpoint.site, serverName, clientUrl: `nats://127.0.0.1:${port}`, monitorUrl: `http://${endpoint.siteAddress}:${monitor}`, endpoint });
      }
      const topology = new NatsTopology(hub, leaves, network, servers, security, launchHub);
      await topology.waitLeavesConnected(options.readyTimeoutMs ?? 15_000);
      const edge = leaves.length === 0 ? 'no leaf nodes' : `leaf nodes: ${leaves.map((l) => `${l.serverName} at ${l.endpoint.siteAddress}`).join(', ')}`;
      options.say(`NATS hub on ${hub.clientUrl}, TLS and ${options.users.length} nkey users (leaf nodes dial port ${leafnodePort}); ${edge}`);
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
