import { Document, isCollection, isMap, isSeq } from 'yaml';
import { deriveSeed, seededRandom, standardNormal, type Random } from '@aset/determinism';
import type { ScenarioInput, Tier } from './scenario.schema.js';

/**
 * ISP-scale scenario generator: a seeded, pure function from a few sizes to a scenario with a
 * realistic hierarchy (cloud regions > metros > cell sites) and a dense `linkMatrix`.
 *
 * The model, and where its ranges come from, is documented in docs/scenarios.md, section
 * "ISP-scale generator". In short:
 *
 * - `regions` cloud regions, one cloud cluster each (`datacenter`, 32-64 slots);
 * - metros inside regions (about one per ten edge clusters), each with 1+ near-edge clusters
 *   (central offices / metro data centres: `edge-server`, 4-16 slots) and 1+ far-edge clusters
 *   (cell sites / street cabinets: `edge-small` or `edge-medium`, 1-2 slots);
 * - sources (access points / aggregation areas), each attached to one far-edge site of one metro;
 * - RTT by hierarchy relation ({@link ISP_RTT_RANGES_MS}), correlated where paths are shared
 *   (one base per metro pair, per metro and cloud, and per region pair from the regions' distance);
 *   bandwidth = min(access link, backbone link) along the path; jitter a fraction of the RTT;
 * - one Poisson stream per (source, app) for most sources, 1-4 apps per source, lognormal
 *   (heavy-tailed) source intensities.
 */
export interface IspScenarioOptions {
  /** Seeds every draw: the same options give the same scenario, byte for byte. Also the workload seed. */
  seed: number;
  /** Clusters in total, all tiers (default 300). At least 3 per region. */
  clusters?: number;
  /** Sources (access points / aggregation areas), default 400. */
  sources?: number;
  /** Cloud regions, default 6. */
  regions?: number;
  /** Scenario name (an identifier), default `isp`. */
  name?: string;
  /** Measured queries of a run, default 1,000,000. */
  queries?: number;
  /** Warm-up queries, default 10,000. */
  warmupQueries?: number;
  /**
   * Mean offered load per source, queries/s; the total is `sources` times this. Default 50, so the
   * default size (400 sources) offers about 20,000 queries/s in total, spread heavy-tailed over the
   * sources (a lognormal intensity per source) and over the apps each source runs.
   */
  meanRatePerSourcePerSec?: number;
}

export const ISP_DEFAULTS = {
  clusters: 300,
  sources: 400,
  regions: 6,
  name: 'isp',
  queries: 1_000_000,
  warmupQueries: 10_000,
  meanRatePerSourcePerSec: 50,
} as const;

/** How a cluster sits relative to a source in the ISP hierarchy; RTT ranges depend on it. */
export type IspRelation = 'local-far-edge' | 'metro-far-edge' | 'metro-near-edge' | 'region-edge' | 'region-cloud' | 'cross-region';

/**
 * RTT ranges in ms, inclusive, by relation (sources: docs/scenarios.md, "ISP-scale generator").
 * `region-edge` is any edge cluster (near or far) of another metro of the source's region;
 * `cross-region` is any cluster (cloud included) of another region.
 */
export const ISP_RTT_RANGES_MS: Readonly<Record<IspRelation, readonly [number, number]>> = {
  'local-far-edge': [1, 5],
  'metro-far-edge': [4, 10],
  'metro-near-edge': [5, 15],
  'region-edge': [10, 30],
  'region-cloud': [15, 40],
  'cross-region': [40, 150],
};

/** A source's access link, Mbit/s (log-uniform draw). It bounds every path from the source. */
export const ISP_ACCESS_BANDWIDTH_MBPS = [50, 1000] as const;
/** Aggregation / backbone link toward another site, a near-edge or a cloud cluster, Mbit/s. */
export const ISP_BACKBONE_BANDWIDTH_MBPS = [1000, 10000] as const;
/** Jitter (standard deviation of the per-direction delay) as a fraction of the RTT. */
export const ISP_JITTER_FRACTION = [0.05, 0.15] as const;

/** Zoo binding by tier: far-edge hosts small variants, near-edge adds the medium ones, the cloud hosts all. */
export const ISP_VARIANTS = {
  farEdge: { digits: ['digits-linear-xs', 'digits-mlp-s'], 'cluttered-digits': ['cluttered-cnn-xs', 'cluttered-cnn-s'] },
  nearEdge: ['digits-linear-xs', 'digits-mlp-s', 'digits-cnn-m', 'cluttered-cnn-xs', 'cluttered-cnn-s', 'cluttered-cnn-m'],
  cloud: ['digits-linear-xs', 'digits-mlp-s', 'digits-cnn-m', 'cluttered-cnn-xs', 'cluttered-cnn-s', 'cluttered-cnn-m', 'cluttered-cnn-l'],
} as const;

/** The four applications, with their SLOs and relative intensity (queries of a source split by these weights). */
export const ISP_APPLICATIONS = [
  { id: 'ar-overlay', task: 'cluttered-digits', slo: { maxLatencyMs: 40, minAccuracy: 0.85 }, weight: 1.0 },
  { id: 'assistant', task: 'cluttered-digits', slo: { maxLatencyMs: 150, minAccuracy: 0.93 }, weight: 0.4 },
  { id: 'digit-reader', task: 'digits', slo: { maxLatencyMs: 25, minAccuracy: 0.95 }, weight: 0.7 },
  { id: 'glance', task: 'digits', slo: { maxLatencyMs: 12, minAccuracy: 0.75 }, weight: 1.5 },
] as const;

/** Where each cluster and source sits; indices follow the scenario's `clusters` and `sources` order. */
export interface IspLayout {
  regions: number;
  /** Metros by index: their region and name (`r2m3`). */
  metros: { region: number; name: string }[];
  /** `metro` is -1 for cloud clusters. */
  clusters: { id: string; tier: Tier; region: number; metro: number }[];
  /** `localFarEdge` is the index of the far-edge cluster the source is attached to. */
  sources: { id: string; region: number; metro: number; localFarEdge: number }[];
}

/** The relation of cluster `c` to source `s` (dense indices) in a layout. */
export function ispRelation(layout: IspLayout, s: number, c: number): IspRelation {
  const source = layout.sources[s];
  const cluster = layout.clusters[c];
  if (!source || !cluster) throw new RangeError(`no source ${s} or cluster ${c} in the layout`);
  if (cluster.region !== source.region) return 'cross-region';
  if (cluster.tier === 'cloud') return 'region-cloud';
  if (cluster.metro !== source.metro) return 'region-edge';
  if (cluster.tier === 'near-edge') return 'metro-near-edge';
  return c === source.localFarEdge ? 'local-far-edge' : 'metro-far-edge';
}

/** The scenario, as schema input (`linkMatrix`, no `links`), deterministic from `options.seed`. */
export function generateIspScenario(options: IspScenarioOptions): ScenarioInput {
  return generateIspTopology(options).scenario;
}

/** {@link generateIspScenario} plus the layout behind it (for tests and tools that need the hierarchy). */
export function generateIspTopology(options: IspScenarioOptions): { scenario: ScenarioInput; layout: IspLayout } {
  const o = resolveOptions(options);
  const layout = buildLayout(o);
  const hardware = seededRandom(deriveSeed(o.seed, 'isp:hardware'));
  const edgeServerFactor = round(uniform(hardware, 1.5, 2), 2);
  const clusters = layout.clusters.map((c) => clusterSpec(c, hardware));
  const linkMatrix = buildLinks(o, layout);
  const arrivals = buildArrivals(o, layout);
  const count = (tier: Tier) => layout.clusters.filter((c) => c.tier === tier).length;
  const totalRate = arrivals.reduce((sum, a) => sum + a.process.ratePerSec, 0);

  const scenario: ScenarioInput = {
    schemaVersion: 1,
    name: o.name,
    description:
      `ISP-scale topology from generateIspScenario (seed ${o.seed}): ${o.regions} regions, ${layout.metros.length} metros, ` +
      `${count('cloud')} cloud / ${count('near-edge')} near-edge / ${count('far-edge')} far-edge clusters, ${layout.sources.length} sources, ` +
      `${arrivals.length} Poisson streams, ${Math.round(totalRate)} queries/s in total.`,
    hardwareClasses: {
      'edge-small': { speedFactor: 4, description: 'cell-site / street-cabinet board (far-edge)' },
      'edge-medium': { speedFactor: 2.5, description: 'small cell-site server (far-edge)' },
      'edge-server': { speedFactor: edgeServerFactor, description: 'central office / metro data-centre server (near-edge)' },
      datacenter: { speedFactor: 1, description: 'cloud VM, the host that profiled the zoo' },
    },
    clusters,
    sources: layout.sources.map((s) => ({
      id: s.id,
      description: `access area of ${layout.clusters[s.localFarEdge]?.id} (metro ${layout.metros[s.metro]?.name})`,
    })),
    linkMatrix,
    applications: ISP_APPLICATIONS.map((a) => ({ id: a.id, task: a.task, slo: { ...a.slo } })),
    workload: { seed: o.seed, warmupQueries: o.warmupQueries, queries: o.queries, arrivals },
  };
  return { scenario, layout };
}

/**
 * Renders a scenario as YAML the way the repository's scenario files look: sections in block style,
 * one flow-style line per cluster, source, application, arrival and link-matrix row (`[1.5,2,3.25]`,
 * without spaces), so that a large matrix stays compact. `headerLines` become `#` comments at the top.
 */
export function renderScenarioYaml(scenario: ScenarioInput, headerLines: readonly string[] = []): string {
  const doc = new Document(scenario);
  const flowItems = (node: unknown) => {
    if (isSeq(node) || isMap(node)) {
      for (const item of node.items) {
        const value = isMap(node) ? (item as { value: unknown }).value : item;
        if (isCollection(value)) value.flow = true;
      }
    }
  };
  for (const key of ['hardwareClasses', 'clusters', 'sources', 'links', 'applications']) flowItems(doc.get(key, true));
  for (const key of ['rttMs', 'bandwidthMbps', 'jitterMs']) flowItems(doc.getIn(['linkMatrix', key], true));
  flowItems(doc.getIn(['workload', 'arrivals'], true));
  const root = doc.contents;
  if (isMap(root)) {
    // A blank line before each section (a key whose value is a collection).
    for (const pair of root.items) {
      const key = pair.key as { spaceBefore?: boolean } | null;
      if (isCollection(pair.value) && typeof key === 'object' && key !== null) key.spaceBefore = true;
    }
  }
  const matrix = doc.get('linkMatrix', true);
  if (isMap(matrix)) matrix.commentBefore = ' rows: sources in order; columns: clusters in order';
  // Rows of numbers lose the spaces after commas: a sixth smaller, and a fifth less parse time.
  const body = doc
    .toString({ lineWidth: 0, flowCollectionPadding: true })
    .replace(/^( +- )\[ ([-\d.e+, ]+) \]$/gm, (_, indent: string, numbers: string) => `${indent}[${numbers.replaceAll(', ', ',')}]`);
  const header = headerLines.map((l) => (l === '' ? '#' : `# ${l}`)).join('\n');
  return header ? `${header}\n${body}` : body;
}

// ---------------------------------------------------------------------------------------------

type Resolved = Required<IspScenarioOptions>;

const IDENTIFIER = /^[A-Za-z0-9_-]{1,64}$/;

function resolveOptions(options: IspScenarioOptions): Resolved {
  const o: Resolved = { ...ISP_DEFAULTS, ...stripUndefined(options) } as Resolved;
  const int = (key: keyof Resolved, min: number, max: number) => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`${key} must be an integer in [${min}, ${max}], got ${String(v)}`);
    }
  };
  int('seed', 0, 2 ** 32 - 1);
  int('regions', 1, 100);
  int('clusters', 3, 20_000);
  if (o.clusters < 3 * o.regions) {
    throw new RangeError(`clusters must be at least 3 per region (one cloud, one near-edge, one far-edge): ${3 * o.regions} for ${o.regions} regions, got ${o.clusters}`);
  }
  int('sources', 1, 15_000); // at most 4 streams each, and a schedule holds at most 65535 streams
  int('queries', 1, 1e12);
  int('warmupQueries', 0, 1e12);
  if (o.clusters * o.sources > 2_000_000) {
    throw new RangeError(`clusters x sources must stay <= 2,000,000 (the link matrix), got ${o.clusters} x ${o.sources}`);
  }
  if (!(o.meanRatePerSourcePerSec > 0) || o.meanRatePerSourcePerSec * o.sources > 1e7) {
    throw new RangeError(`meanRatePerSourcePerSec must be > 0 with a total <= 1e7 queries/s, got ${o.meanRatePerSourcePerSec}`);
  }
  if (!IDENTIFIER.test(o.name)) throw new RangeError(`name must be 1-64 characters of [A-Za-z0-9_-], got "${o.name}"`);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function buildLayout(o: Resolved): IspLayout {
  const random = seededRandom(deriveSeed(o.seed, 'isp:layout'));
  const edge = o.clusters - o.regions; // one cloud cluster per region
  const metroCount = clamp(Math.round(edge / 10), o.regions, Math.floor(edge / 2));
  const nearCount = clamp(Math.round(edge * 0.15), metroCount, edge - metroCount);
  const farCount = edge - nearCount;

  // Metros: every region gets one, the rest land in random regions; population weights are lognormal.
  const metroRegion = Array.from({ length: metroCount }, (_, m) => (m < o.regions ? m : Math.floor(random() * o.regions)));
  metroRegion.sort((a, b) => a - b);
  const perRegion = new Array<number>(o.regions).fill(0);
  const metros = metroRegion.map((region) => ({ region, name: `r${region + 1}m${bump(perRegion, region)}` }));
  const population = metros.map(() => Math.exp(0.8 * standardNormal(random)));
  const nearPerMetro = apportion(nearCount, population, random);
  const farPerMetro = apportion(farCount, population, random);

  const clusters: IspLayout['clusters'] = [];
  const farIndices: number[] = [];
  const nearWidth = String(Math.max(...nearPerMetro)).length;
  const farWidth = String(Math.max(...farPerMetro)).length;
  for (let r = 0; r < o.regions; r++) {
    clusters.push({ id: `cloud-r${r + 1}`, tier: 'cloud', region: r, metro: -1 });
    metros.forEach((metro, m) => {
      if (metro.region !== r) return;
      for (let i = 1; i <= (nearPerMetro[m] as number); i++) {
        clusters.push({ id: `near-${metro.name}-${pad(i, nearWidth)}`, tier: 'near-edge', region: r, metro: m });
      }
      for (let i = 1; i <= (farPerMetro[m] as number); i++) {
        farIndices.push(clusters.length);
        clusters.push({ id: `far-${metro.name}-${pad(i, farWidth)}`, tier: 'far-edge', region: r, metro: m });
      }
    });
  }

  // Sources: every far-edge site gets one (while there are sources), the rest go to random sites;
  // far-edge sites are already apportioned by metro population, so uniform picks follow population.
  const shuffled = shuffle([...farIndices], random);
  const attached = Array.from({ length: o.sources }, (_, i) =>
    i < shuffled.length ? (shuffled[i] as number) : (farIndices[Math.floor(random() * farIndices.length)] as number),
  );
  attached.sort((a, b) => a - b);
  const sourcesPerMetro = new Array<number>(metros.length).fill(0);
  for (const c of attached) bump(sourcesPerMetro, at(clusters, c).metro);
  const sourceWidth = String(Math.max(...sourcesPerMetro)).length;
  const numbered = new Array<number>(metros.length).fill(0);
  const sources = attached.map((c) => {
    const site = at(clusters, c);
    const id = `ap-${at(metros, site.metro).name}-${pad(bump(numbered, site.metro), sourceWidth)}`;
    return { id, region: site.region, metro: site.metro, localFarEdge: c };
  });
  return { regions: o.regions, metros, clusters, sources };
}

function clusterSpec(c: IspLayout['clusters'][number], random: Random): ScenarioInput['clusters'][number] {
  switch (c.tier) {
    case 'cloud':
      return { id: c.id, tier: c.tier, hardware: 'datacenter', slots: 32 + Math.floor(random() * 33), variants: [...ISP_VARIANTS.cloud] };
    case 'near-edge':
      return { id: c.id, tier: c.tier, hardware: 'edge-server', slots: 4 + Math.floor(random() * 13), variants: [...ISP_VARIANTS.nearEdge] };
    case 'far-edge': {
      const hardware = random() < 0.6 ? 'edge-small' : 'edge-medium';
      const slots = 1 + Math.floor(random() * 2);
      // Per task, both small variants or one of them.
      const variants = Object.values(ISP_VARIANTS.farEdge).flatMap((pair) => {
        const draw = random();
        return draw < 0.5 ? [...pair] : [pair[draw < 0.75 ? 0 : 1]];
      });
      return { id: c.id, tier: c.tier, hardware, slots, variants };
    }
  }
}

/** Speed of light in fibre, km per ms (refractive index about 1.47). */
const FIBRE_KM_PER_MS = 204;
/** Path inflation over line-of-sight distance (Bozkurt et al.'s rule of thumb: 2.1). */
const PATH_INFLATION = 2.1;
/** Access, metro and regional aggregation on both ends of a cross-region path, ms of RTT. */
const CROSS_REGION_OVERHEAD_MS = 20;

function buildLinks(o: Resolved, layout: IspLayout): NonNullable<ScenarioInput['linkMatrix']> {
  const random = seededRandom(deriveSeed(o.seed, 'isp:links'));
  const R = ISP_RTT_RANGES_MS;
  const between = (range: readonly [number, number], spread: number) => uniform(random, range[0], range[1] - spread);

  // Shared path components: a base per region pair (from the regions' distance), per metro pair
  // within a region, and per (metro, cloud cluster); each link adds its own last-hop spread.
  const positions = Array.from({ length: layout.regions }, () => [random() * 7000, random() * 3500] as const);
  const regionBase = (a: number, b: number) => {
    const [ax, ay] = at(positions, a);
    const [bx, by] = at(positions, b);
    const km = Math.hypot(ax - bx, ay - by);
    return CROSS_REGION_OVERHEAD_MS + (2 * PATH_INFLATION * km) / FIBRE_KM_PER_MS;
  };
  const metroPair = new Map<string, number>();
  const metroBase = (a: number, b: number) => {
    const key = a < b ? `${a}:${b}` : `${b}:${a}`;
    let v = metroPair.get(key);
    if (v === undefined) metroPair.set(key, (v = between(R['region-edge'], 5)));
    return v;
  };
  const cloudPair = new Map<string, number>();
  const cloudBase = (metro: number, cluster: number) => {
    const key = `${metro}:${cluster}`;
    let v = cloudPair.get(key);
    if (v === undefined) cloudPair.set(key, (v = between(R['region-cloud'], 5)));
    return v;
  };
  const backbone = layout.clusters.map(() => logUniform(random, ...ISP_BACKBONE_BANDWIDTH_MBPS));

  const rttMs: number[][] = [];
  const bandwidthMbps: number[][] = [];
  const jitterMs: number[][] = [];
  layout.sources.forEach((source, s) => {
    const access = logUniform(random, ...ISP_ACCESS_BANDWIDTH_MBPS);
    const rtt: number[] = [];
    const bw: number[] = [];
    const jitter: number[] = [];
    layout.clusters.forEach((cluster, c) => {
      const relation = ispRelation(layout, s, c);
      let value: number;
      switch (relation) {
        case 'local-far-edge':
        case 'metro-far-edge':
        case 'metro-near-edge':
          value = uniform(random, ...R[relation]);
          break;
        case 'region-edge':
          value = metroBase(source.metro, cluster.metro) + uniform(random, 0, 5);
          break;
        case 'region-cloud':
          value = cloudBase(source.metro, c) + uniform(random, 0, 5);
          break;
        case 'cross-region':
          value = clamp(regionBase(source.region, cluster.region) + uniform(random, 0, 10), ...R['cross-region']);
          break;
      }
      const rounded = clamp(round(value, 2), ...R[relation]);
      rtt.push(rounded);
      // The local far-edge site is reached over the access link only; anything further also
      // crosses an aggregation / backbone link, and the path's bandwidth is its narrowest link.
      bw.push(Math.round(relation === 'local-far-edge' ? access : Math.min(access, backbone[c] as number)));
      jitter.push(round(rounded * uniform(random, ...ISP_JITTER_FRACTION), 2));
    });
    rttMs.push(rtt);
    bandwidthMbps.push(bw);
    jitterMs.push(jitter);
  });
  return { rttMs, bandwidthMbps, jitterMs };
}

function buildArrivals(o: Resolved, layout: IspLayout): { source: string; app: string; process: { kind: 'poisson'; ratePerSec: number } }[] {
  const random = seededRandom(deriveSeed(o.seed, 'isp:workload'));
  const streams: { source: string; app: string; weight: number }[] = [];
  layout.sources.forEach((source, s) => {
    // About 85% of the sources are active (at least one); each runs 1-4 of the apps.
    const active = random() < 0.85 || (s === layout.sources.length - 1 && streams.length === 0);
    const intensity = Math.exp(1.2 * standardNormal(random)); // lognormal, sigma 1.2: heavy-tailed
    if (!active) return;
    const apps = shuffle([...ISP_APPLICATIONS], random).slice(0, 1 + Math.floor(random() * ISP_APPLICATIONS.length));
    apps.sort((a, b) => ISP_APPLICATIONS.indexOf(a) - ISP_APPLICATIONS.indexOf(b));
    for (const app of apps) streams.push({ source: source.id, app: app.id, weight: intensity * app.weight });
  });
  const total = o.meanRatePerSourcePerSec * o.sources;
  const sum = streams.reduce((acc, x) => acc + x.weight, 0);
  return streams.map((x) => ({
    source: x.source,
    app: x.app,
    process: { kind: 'poisson' as const, ratePerSec: Math.max(0.01, round((total * x.weight) / sum, 2)) },
  }));
}

/** Splits `total` into one share per weight: at least 1 each, the rest drawn in proportion to the weights. */
function apportion(total: number, weights: readonly number[], random: Random): number[] {
  const counts = weights.map(() => 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  for (let left = total - weights.length; left > 0; left--) {
    let u = random() * sum;
    let i = 0;
    while (i < weights.length - 1 && (u -= weights[i] as number) > 0) i++;
    bump(counts, i);
  }
  return counts;
}

/** `items[i]`, which the caller knows to exist. */
function at<T>(items: readonly T[], i: number): T {
  const v = items[i];
  if (v === undefined) throw new RangeError(`index ${i} out of range (${items.length} items)`);
  return v;
}

/** Adds one to `counts[i]` and returns the new count. */
function bump(counts: number[], i: number): number {
  counts[i] = at(counts, i) + 1;
  return counts[i] as number;
}

function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function uniform(random: Random, lo: number, hi: number): number {
  return lo + random() * (hi - lo);
}

function logUniform(random: Random, lo: number, hi: number): number {
  return Math.exp(uniform(random, Math.log(lo), Math.log(hi)));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
