import type { FaultPlan } from '@aset/testbed';

/**
 * One fault of a chaos run: what it takes down, and the testbed it needs. Services that exit are
 * brought back by the testbed's supervisor (as Compose's `restart: unless-stopped` and Kubernetes do),
 * so a kill here has no restart step: recovering is the system's job, not the plan's.
 */
export interface ChaosFault {
  name: string;
  /** What happens, for the table and docs/reliability.md. */
  description: string;
  /** Scheduler replicas in the `scheduler` queue group. */
  schedulerReplicas: number;
  /** The fault plan: the fault at `atSec` of the run's scenario clock (and its end, for an outage of a set length). */
  plan(atSec: number): FaultPlan;
}

/** The worker a worker fault hits: far-edge-1 of the demo scenario, the nearest cluster of ap-1's queries. */
export const FAULTED_WORKER = 'worker-far-edge-1';

/** The supervisor's restart delay: a killed service comes back this long after it died. */
export const SUPERVISOR_RESTART_DELAY_MS = 2_000;

/** Every fault `npm run chaos` injects, one per live run, in this order. */
export const CHAOS_FAULTS: readonly ChaosFault[] = [
  {
    name: 'worker-sigkill',
    description: `${FAULTED_WORKER} killed (SIGKILL); the supervisor restarts it ${SUPERVISOR_RESTART_DELAY_MS / 1000} s later`,
    schedulerReplicas: 1,
    plan: (atSec) => ({ faults: [{ atSec, action: 'kill', service: FAULTED_WORKER }] }),
  },
  {
    name: 'worker-sigstop',
    description: `${FAULTED_WORKER} paused (SIGSTOP) for 3 s, then continued (SIGCONT): a gray failure, its connections open`,
    schedulerReplicas: 1,
    plan: (atSec) => ({ faults: [{ atSec, action: 'pause', service: FAULTED_WORKER, forSec: 3 }] }),
  },
  {
    name: 'scheduler-failover',
    description: 'one of two scheduler replicas in the queue group killed (SIGKILL); the supervisor restarts it',
    schedulerReplicas: 2,
    plan: (atSec) => ({ faults: [{ atSec, action: 'kill', service: 'scheduler' }] }),
  },
  {
    name: 'scheduler-restart',
    description: `the only scheduler killed (SIGKILL); the supervisor restarts it ${SUPERVISOR_RESTART_DELAY_MS / 1000} s later`,
    schedulerReplicas: 1,
    plan: (atSec) => ({ faults: [{ atSec, action: 'kill', service: 'scheduler' }] }),
  },
  {
    name: 'nats-restart',
    description: 'the NATS server killed (SIGKILL) and started again 2 s later on the same port, its JetStream file store kept',
    schedulerReplicas: 1,
    plan: (atSec) => ({ faults: [{ atSec, action: 'kill', service: 'nats-hub', forSec: 2 }] }),
  },
  {
    name: 'postgres-outage',
    description: 'PostgreSQL stopped (fast shutdown: sessions cut) for 10 s, then started again',
    schedulerReplicas: 1,
    plan: (atSec) => ({ faults: [{ atSec, action: 'kill', service: 'postgres', forSec: 10 }] }),
  },
  {
    name: 'metrics-store-sigkill',
    description: `the metrics store killed (SIGKILL) mid-batch; the supervisor restarts it ${SUPERVISOR_RESTART_DELAY_MS / 1000} s later`,
    schedulerReplicas: 1,
    plan: (atSec) => ({ faults: [{ atSec, action: 'kill', service: 'metrics-store' }] }),
  },
];

/** The faults named in `names` (comma-separated), in catalog order; throws naming an unknown one. */
export function chaosFaultsNamed(names: string | undefined): ChaosFault[] {
  if (names === undefined) return [...CHAOS_FAULTS];
  const asked = names.split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const n of asked) {
    if (!CHAOS_FAULTS.some((f) => f.name === n)) throw new Error(`--faults: unknown fault "${n}"; expected some of: ${CHAOS_FAULTS.map((f) => f.name).join(', ')}`);
  }
  if (asked.length === 0) throw new Error(`--faults: name at least one of: ${CHAOS_FAULTS.map((f) => f.name).join(', ')}`);
  return CHAOS_FAULTS.filter((f) => asked.includes(f.name));
}
