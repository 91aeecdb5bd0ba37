import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** What a fault does to a testbed service process. */
export const FAULT_ACTIONS = ['kill', 'pause', 'resume', 'restart'] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

const FaultSchema = z
  .object({
    /** When, in seconds of the run's scenario time (the instant its arrival schedule counts from). */
    atSec: z.number().finite().nonnegative(),
    /**
     * `kill`: SIGKILL, as a crash; `pause`: SIGSTOP, as a gray failure (the process holds its
     * connections but does nothing); `resume`: SIGCONT; `restart`: start a killed service again
     * with its configuration unchanged.
     */
    action: z.enum(FAULT_ACTIONS),
    /** A testbed service: `scheduler`, `metrics-store`, `worker-<cluster id>`, or `workers-<n>` for a worker process hosting several clusters. */
    service: z.string().min(1),
    /** For `kill`: restart it this many seconds later; for `pause`: resume it this many seconds later. */
    forSec: z.number().finite().positive().optional(),
  })
  .strict();

/** A fault plan: faults injected into real service processes at given times of a run. */
export const FaultPlanSchema = z.object({ faults: z.array(FaultSchema).min(1) }).strict();
export type FaultPlan = z.infer<typeof FaultPlanSchema>;
export type Fault = FaultPlan['faults'][number];

/** One action at one time, after `forSec` has been expanded into its follow-up. */
export interface FaultStep {
  atSec: number;
  action: FaultAction;
  service: string;
}

/** A step as it was applied: when (seconds of scenario time, and epoch ms), and the error if it could not be. */
export interface AppliedFault extends FaultStep {
  appliedAtSec: number;
  appliedAt: number;
  error?: string;
}

/** A fault plan file that cannot be used, with the file and the place in it named. */
export class FaultPlanError extends Error {
  override readonly name = 'FaultPlanError';
}

/** Reads and validates a fault plan file (YAML or JSON). Throws FaultPlanError naming the file and each problem's path. */
export function readFaultPlan(file: string): FaultPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FaultPlanError(`fault plan ${file}: cannot read it (${e instanceof Error && 'code' in e ? String(e.code) : String(e)})`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new FaultPlanError(`fault plan ${file}: not YAML or JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = FaultPlanSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new FaultPlanError(`fault plan ${file}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * The plan's steps in time order (ties in plan order), `forSec` expanded into the follow-up
 * (`restart` after a `kill`, `resume` after a `pause`). Throws FaultPlanError naming the fault when
 * its service is not one of `services`, or when `forSec` is given to an action that takes none.
 */
export function faultSteps(plan: FaultPlan, services: readonly string[], origin = 'fault plan'): FaultStep[] {
  const steps: FaultStep[] = [];
  plan.faults.forEach((f, i) => {
    if (!services.includes(f.service)) throw new FaultPlanError(`${origin}: faults.${i}.service: no service "${f.service}" in this testbed; it has ${services.join(', ')}`);
    steps.push({ atSec: f.atSec, action: f.action, service: f.service });
    if (f.forSec === undefined) return;
    if (f.action === 'kill') steps.push({ atSec: f.atSec + f.forSec, action: 'restart', service: f.service });
    else if (f.action === 'pause') steps.push({ atSec: f.atSec + f.forSec, action: 'resume', service: f.service });
    else throw new FaultPlanError(`${origin}: faults.${i}.forSec: only kill (restart after) and pause (resume after) take forSec, not ${f.action}`);
  });
  return steps.map((s, order) => ({ s, order })).sort((a, b) => a.s.atSec - b.s.atSec || a.order - b.order).map(({ s }) => s);
}

/** What a fault acts on: the testbed's services. */
export interface FaultTarget {
  kill(service: string): Promise<void>;
  pause(service: string): void;
  resume(service: string): void;
  restart(service: string): Promise<void>;
}

/**
 * Applies fault steps at their times of a run's scenario clock, one after the other (a restart waits
 * until the service answers /health before the next step). Never throws: a step that fails is
 * recorded with its error in {@link applied}.
 */
export class FaultInjector {
  readonly applied: AppliedFault[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly steps: readonly FaultStep[],
    private readonly target: FaultTarget,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the clock: step times count from `originAt` (epoch ms). */
  start(originAt: number): void {
    let next = 0;
    const due = () => {
      if (this.stopped) return;
      while (next < this.steps.length && originAt + (this.steps[next] as FaultStep).atSec * 1000 <= this.now()) {
        const step = this.steps[next++] as FaultStep;
        this.chain = this.chain.then(() => this.apply(step, originAt));
      }
      if (next < this.steps.length) this.timer = setTimeout(due, Math.max(0, originAt + (this.steps[next] as FaultStep).atSec * 1000 - this.now()));
    };
    due();
  }

  /** Stops applying further steps and waits for the one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.chain;
  }

  private async apply(step: FaultStep, originAt: number): Promise<void> {
    const appliedAt = this.now();
    const appliedAtSec = (appliedAt - originAt) / 1000;
    try {
      if (step.action === 'kill') await this.target.kill(step.service);
      else if (step.action === 'pause') this.target.pause(step.service);
      else if (step.action === 'resume') this.target.resume(step.service);
      else await this.target.restart(step.service);
      this.applied.push({ ...step, appliedAtSec, appliedAt });
    } catch (e) {
      this.applied.push({ ...step, appliedAtSec, appliedAt, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
