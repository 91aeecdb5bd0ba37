import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atExit } from './exit.reaper.js';
import type { Say } from './managed.service.js';

/**
 * How the sites of a multi-site testbed are separated:
 * - `netns`: each edge site runs in its own Linux network namespace (own loopback, own ports),
 *   joined to the host by a veth pair; needs root and iproute2 (`ip`);
 * - `loopback`: every site shares the host's loopback, on distinct ports;
 * - `auto`: `netns` where the machine allows it, else `loopback` (and says why).
 * Network delays stay emulated in the workers either way.
 */
export const SITE_NETWORK_MODES = ['auto', 'netns', 'loopback'] as const;
export type SiteNetworkMode = (typeof SITE_NETWORK_MODES)[number];

/** Where one site is on the testbed's network. */
export interface SiteEndpoint {
  readonly site: string;
  /** The network namespace the site's processes run in; undefined on loopback. */
  readonly netns: string | undefined;
  /** The address at which the host reaches the site's services (the site's end of its veth, or 127.0.0.1). */
  readonly siteAddress: string;
  /** The address at which the site's processes reach the host, where the hub runs (the host's end of the veth, or 127.0.0.1). */
  readonly hostAddress: string;
}

/** Sites per address block: each takes a /30 of a /24. */
const SITES_PER_BLOCK = 64;
/** Address blocks 10.213.<block>.0/24; one per testbed running on the host at the same time. */
const BLOCKS = 256;
const LOCK_ROOT = join(tmpdir(), 'aset-testbed-networks');

/**
 * The network of a multi-site testbed's edge sites. In `netns` mode, site `i` gets namespace
 * `aset<block>s<i>` and a veth pair on 10.213.<block>.(4i)/30: the host's end is .4i+1, the
 * site's .4i+2. The site's loopback is up, so its processes reach each other at 127.0.0.1 exactly
 * as they would on a machine of their own. Blocks are claimed with a lock directory per block, so
 * concurrent testbeds never share addresses; a block left by a process that died is reclaimed.
 * {@link remove} (also run when this process exits) deletes the namespaces, and their veths with them.
 */
export class SiteNetwork {
  private forgetExit?: () => void;

  private constructor(
    readonly mode: 'netns' | 'loopback',
    private readonly endpoints: ReadonlyMap<string, SiteEndpoint>,
    private readonly block: number | undefined,
  ) {
    if (mode === 'netns') this.forgetExit = atExit(() => this.remove());
  }

  /** Sets the sites' network up. In `auto` mode, falls back to loopback (saying why) where namespaces cannot be made. */
  static create(sites: readonly string[], options: { mode?: SiteNetworkMode; say: Say }): SiteNetwork {
    const mode = options.mode ?? 'auto';
    if (sites.length > SITES_PER_BLOCK) throw new Error(`a testbed has at most ${SITES_PER_BLOCK} edge sites; ${sites.length} were given`);
    if (mode === 'loopback') return SiteNetwork.loopback(sites);
    const missing = netnsUnavailable();
    if (missing) {
      if (mode === 'netns') throw new Error(`site network mode "netns" is not possible here: ${missing}`);
      options.say(`edge sites share the host's loopback (${missing})`);
      return SiteNetwork.loopback(sites);
    }
    const block = claimBlock();
    const endpoints = new Map<string, SiteEndpoint>();
    const network = new SiteNetwork('netns', endpoints, block);
    try {
      sites.forEach((site, i) => {
        const netns = `aset${block}s${i}`;
        const hostEnd = `${netns}h`;
        const siteEnd = `${netns}n`;
        const hostAddress = `10.213.${block}.${4 * i + 1}`;
        const siteAddress = `10.213.${block}.${4 * i + 2}`;
        ip('netns', 'add', netns);
        endpoints.set(site, { site, netns, hostAddress, siteAddress });
        ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', siteEnd);
        ip('link', 'set', siteEnd, 'netns', netns);
        ip('addr', 'add', `${hostAddress}/30`, 'dev', hostEnd);
        ip('link', 'set', hostEnd, 'up');
        ip('-n', netns, 'addr', 'add', `${siteAddress}/30`, 'dev', siteEnd);
        ip('-n', netns, 'link', 'set', siteEnd, 'up');
        ip('-n', netns, 'link', 'set', 'lo', 'up');
      });
    } catch (e) {
      network.remove();
      if (mode === 'netns') throw e;
      options.say(`edge sites share the host's loopback (network namespaces failed: ${e instanceof Error ? e.message : String(e)})`);
      return SiteNetwork.loopback(sites);
    }
    options.say(`edge sites in their own network namespaces: ${[...endpoints.values()].map((e) => `${e.site} ${e.siteAddress}`).join(', ')}`);
    return network;
  }

  private static loopback(sites: readonly string[]): SiteNetwork {
    return new SiteNetwork('loopback', new Map(sites.map((site) => [site, { site, netns: undefined, siteAddress: '127.0.0.1', hostAddress: '127.0.0.1' }])), undefined);
  }

  /** The sites, in the order given. */
  get sites(): SiteEndpoint[] {
    return [...this.endpoints.values()];
  }

  endpoint(site: string): SiteEndpoint {
    const endpoint = this.endpoints.get(site);
    if (!endpoint) throw new Error(`no edge site "${site}" in this testbed; its sites are ${[...this.endpoints.keys()].join(', ')}`);
    return endpoint;
  }

  /** Deletes the namespaces (their veth pairs go with them) and releases the address block. Idempotent; synchronous. */
  remove(): void {
    this.forgetExit?.();
    this.forgetExit = undefined;
    for (const e of this.endpoints.values()) if (e.netns) spawnSync('ip', ['netns', 'del', e.netns], { stdio: 'ignore' });
    if (this.block !== undefined) rmSync(join(LOCK_ROOT, String(this.block)), { recursive: true, force: true });
  }
}

/** Why network namespaces cannot be used here, or undefined when they can. */
function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces are Linux only, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'iproute2 (`ip`) is not installed';
  return undefined;
}

function ip(...args: string[]): void {
  const done = spawnSync('ip', args, { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${(done.stderr || done.error?.message || `exit ${done.status}`).trim()}`);
}

/** Claims a free address block for this process (mkdir is atomic); reclaims one whose owner has died. */
function claimBlock(): number {
  mkdirSync(LOCK_ROOT, { recursive: true });
  for (let block = 0; block < BLOCKS; block++) {
    const dir = join(LOCK_ROOT, String(block));
    if (existsSync(dir) && !ownerAlive(dir)) {
      for (let i = 0; i < SITES_PER_BLOCK; i++) spawnSync('ip', ['netns', 'del', `aset${block}s${i}`], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
    try {
      mkdirSync(dir);
    } catch {
      continue;
    }
    writeFileSync(join(dir, 'pid'), String(process.pid));
    return block;
  }
  throw new Error(`all ${BLOCKS} address blocks of ${LOCK_ROOT} are in use by live testbeds`);
}

function ownerAlive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    // Claimed a moment ago, pid not written yet: treat as live.
    return true;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
