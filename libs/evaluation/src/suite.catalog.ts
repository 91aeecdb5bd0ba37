/**
 * The experiment suites: which scenario files each runs (under `scenarios/<directory>/`), which of
 * them are time-varying, and which trained agents they evaluate. The agents are trained once, on
 * the suite's base scenario, and evaluated unchanged on every scenario of the suite.
 */
export interface SuiteSpec {
  readonly name: string;
  readonly description: string;
  /** Folder under `scenarios/` holding the scenario files. */
  readonly directory: string;
  readonly scenarios: readonly { readonly name: string; readonly dynamic: boolean }[];
  /** The scenario the agents were trained on, as `npm run train -- --scenario` names it (its checkpoints: `checkpoints/<stem>.<mode>.json`). */
  readonly agentsFrom: string;
}

export const SUITES = {
  standard: {
    name: 'standard',
    description: 'the ISP topology under steady load, a compressed day, a flash crowd, degraded metro links, near-edge outages and a mix of SLOs',
    directory: 'suite',
    scenarios: [
      { name: 'steady', dynamic: false },
      { name: 'diurnal', dynamic: true },
      { name: 'flash-crowd', dynamic: true },
      { name: 'network-degradation', dynamic: true },
      { name: 'cluster-outage', dynamic: true },
      { name: 'mixed-slo', dynamic: false },
    ],
    agentsFrom: 'suite/base',
  },
  contention: {
    name: 'contention',
    description: 'the ISP topology with slow metro servers that tight- and loose-SLO, accurate and fast work compete for, steadily, in bursts and beyond capacity',
    directory: 'contention',
    scenarios: [
      { name: 'shared-edge', dynamic: false },
      { name: 'accuracy-vs-latency', dynamic: false },
      { name: 'bursty-edge', dynamic: true },
      { name: 'edge-overload', dynamic: false },
    ],
    agentsFrom: 'suite/base',
  },
} as const satisfies Record<string, SuiteSpec>;

export type SuiteName = keyof typeof SUITES;

export const SUITE_NAMES = Object.keys(SUITES) as SuiteName[];

/** The suite by name; an unknown name is an error listing the known ones. */
export function suiteByName(name: string): SuiteSpec {
  if (!Object.hasOwn(SUITES, name)) throw new Error(`unknown suite "${name}"; expected one of: ${SUITE_NAMES.join(', ')}`);
  return SUITES[name as SuiteName];
}

/** The workload seeds a suite runs by default (each scenario's arrivals, network draws and heartbeat phases derive from the seed). */
export const DEFAULT_SEEDS: readonly number[] = [1, 2, 3, 4, 5];
