import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { Identifier } from '@aset/contracts';
import type { Scenario } from '@aset/scenario';

/**
 * One edge site of a multi-site testbed: its own NATS leaf node (and network namespace where the
 * machine allows), the workers of its clusters, and a workload generator for its sources. Clusters
 * and sources of no edge site run at the central site, on the hub.
 */
export const EdgeSiteSchema = z.strictObject({
  name: Identifier.describe('the site name, 1-64 characters of [A-Za-z0-9_-]'),
  clusters: z.array(Identifier).default([]).describe('clusters of the scenario whose workers run at this site'),
  sources: z.array(Identifier).default([]).describe('sources of the scenario whose queries a generator at this site sends'),
});
export type EdgeSite = z.infer<typeof EdgeSiteSchema>;

/** A site layout file (YAML or JSON): `sites: [{ name, clusters, sources }]`. */
export const SiteLayoutSchema = z.strictObject({ sites: z.array(EdgeSiteSchema).min(1) });

/** A site layout that does not fit its scenario or file, with every problem named. */
export class SiteLayoutError extends Error {
  override name = 'SiteLayoutError';
}

/** Reads and validates a site layout file; errors name the file and the entry. */
export function readSiteLayout(file: string): EdgeSite[] {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SiteLayoutError(`site layout ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = SiteLayoutSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SiteLayoutError(`site layout ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data.sites;
}

/**
 * Checks that every site names clusters and sources of `scenario`, each in at most one site, and
 * that site names are distinct and not `central` (the hub's site). Throws one error listing every problem.
 */
export function checkSiteLayout(scenario: Scenario, sites: readonly EdgeSite[]): void {
  const problems: string[] = [];
  const placed = new Map<string, string>();
  const names = new Set<string>();
  for (const site of sites) {
    if (site.name === CENTRAL_SITE) problems.push(`site name "${CENTRAL_SITE}" is reserved for the hub's site`);
    if (names.has(site.name)) problems.push(`site "${site.name}" is defined twice`);
    names.add(site.name);
    if (site.clusters.length + site.sources.length === 0) problems.push(`site "${site.name}" has no clusters and no sources`);
    for (const [kind, ids, known] of [
      ['cluster', site.clusters, (id: string) => scenario.hasCluster(id)],
      ['source', site.sources, (id: string) => scenario.hasSource(id)],
    ] as const) {
      for (const id of ids) {
        if (!known(id)) problems.push(`site "${site.name}": ${kind} "${id}" is not in scenario ${scenario.name}`);
        const other = placed.get(`${kind}:${id}`);
        if (other !== undefined) problems.push(`${kind} "${id}" is in both site "${other}" and site "${site.name}"`);
        placed.set(`${kind}:${id}`, site.name);
      }
    }
  }
  if (problems.length > 0) throw new SiteLayoutError(`site layout for scenario ${scenario.name}: ${problems.join('; ')}`);
}

/** The site of whatever no edge site claims: the hub's. */
export const CENTRAL_SITE = 'central';

/**
 * The default layout: one edge site per far-edge cluster, named after it, holding that cluster and
 * the sources whose nearest cluster (lowest nominal RTT; ties to the first declared) it is. Near-edge and cloud clusters,
 * and the other sources, stay at the central site.
 */
export function farEdgeSites(scenario: Scenario): EdgeSite[] {
  const sites = scenario.clusters.filter((c) => c.tier === 'far-edge').map((c) => ({ name: c.id, clusters: [c.id], sources: [] as string[] }));
  scenario.sources.forEach((source, s) => {
    const nearest = scenario.clusters[scenario.clustersByProximity(s)[0] ?? -1];
    sites.find((site) => site.name === nearest?.id)?.sources.push(source.id);
  });
  return sites;
}
