import { readZoo, type ModelZoo } from '@aset/model-zoo';
import { readScenarioFile, type Scenario } from '@aset/scenario';
import { PlacementCatalog, asetAgentsOf, readAsetCheckpoint, createPolicy, type AsetAgents } from '@aset/scheduling';
import { CapacityBoundSink, FanOutSink, Simulation, SummarySink, UpperBoundSink, toQueryRecord, type RecordSink } from '@aset/sim';
import { QueryCsvWriter } from '@aset/command-line';

/** One simulated run of the experiment: a policy on a scenario with a workload seed. */
export interface ExperimentJob {
  readonly id: number;
  readonly scenario: string;
  readonly scenarioFile: string;
  readonly seed: number;
  /** Registry name of the policy. */
  readonly policy: string;
  /** How the run is reported (the policy name, or `<mode>@seed-<n>` for another training seed). */
  readonly label: string;
  /** Checkpoint files of the agents the policy needs, by mode. */
  readonly checkpoints: { readonly aset?: string; readonly 'aset-direct'?: string };
  /** Measured queries; absent: the scenario's own. */
  readonly queries?: number;
  /** Also compute the bounds of this (scenario, seed) from this run's arrivals. */
  readonly bounds: boolean;
  /** Write every query of the run to this CSV file (research outputs), as run `runId`. */
  readonly queriesCsv?: { readonly file: string; readonly runId: string };
}

export interface ExperimentJobResult {
  readonly id: number;
  readonly successRatio: number;
  readonly p95Ms: number | null;
  readonly drops: number;
  readonly timedOut: number;
  readonly queries: number;
  readonly bounds?: { readonly upperBound: number; readonly capacityBound: number };
  readonly wallMs: number;
}

/** Runs experiment jobs, keeping what they share (zoo, scenarios, agents) across jobs. One per thread. */
export class ExperimentJobRunner {
  private zoo?: ModelZoo;
  private readonly scenarios = new Map<string, { scenario: Scenario; catalog: PlacementCatalog }>();
  private readonly agents = new Map<string, AsetAgents>();

  constructor(private readonly manifest: string) {}

  async run(job: ExperimentJob): Promise<ExperimentJobResult> {
    const t0 = performance.now();
    this.zoo ??= readZoo(this.manifest);
    const zoo = this.zoo;
    let loaded = this.scenarios.get(job.scenarioFile);
    if (!loaded) {
      const scenario = readScenarioFile(job.scenarioFile, { zoo });
      loaded = { scenario, catalog: new PlacementCatalog(scenario, zoo) };
      this.scenarios.set(job.scenarioFile, loaded);
    }
    const { scenario, catalog } = loaded;
    const agents: AsetAgents = {};
    for (const file of Object.values(job.checkpoints)) Object.assign(agents, this.agentsOf(file, job.scenarioFile, scenario, catalog));
    const workload = scenario.spec.workload;
    const queries = job.queries ?? workload.queries;
    const summary = new SummarySink(queries);
    const upper = job.bounds ? new UpperBoundSink(catalog) : undefined;
    const capacity = job.bounds ? new CapacityBoundSink(catalog) : undefined;
    const csv = job.queriesCsv ? new QueryCsvWriter(job.queriesCsv.file) : undefined;
    const runId = job.queriesCsv?.runId ?? '';
    const sinks: RecordSink[] = [summary, ...(upper ? [upper] : []), ...(capacity ? [capacity] : []), ...(csv ? [{ onRecord: (r) => csv.write(toQueryRecord(r, runId, scenario)) } satisfies RecordSink] : [])];
    try {
      new Simulation({
        scenario,
        zoo,
        seed: job.seed,
        queries,
        warmupQueries: workload.warmupQueries,
        catalog,
        policy: (ctx) => createPolicy(job.policy, { ...ctx, agents }),
        sink: new FanOutSink(sinks),
      }).run();
    } finally {
      csv?.close();
    }
    const s = summary.summary();
    const bounds = upper && capacity ? { upperBound: upper.ratio, capacityBound: (await capacity.solve()).ratio } : undefined;
    return { id: job.id, successRatio: s.successRatio, p95Ms: s.p95Ms, drops: s.drops, timedOut: s.timedOut, queries: s.queries, ...(bounds ? { bounds } : {}), wallMs: performance.now() - t0 };
  }

  private agentsOf(file: string, scenarioFile: string, scenario: Scenario, catalog: PlacementCatalog): AsetAgents {
    const key = `${file}|${scenarioFile}`;
    let a = this.agents.get(key);
    if (!a) {
      a = asetAgentsOf(readAsetCheckpoint(file), file, scenario, catalog);
      this.agents.set(key, a);
    }
    return a;
  }
}
