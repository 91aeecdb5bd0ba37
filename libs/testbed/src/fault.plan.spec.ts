import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultInjector, faultSteps, readFaultPlan, type FaultTarget } from './fault.plan.js';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'aset-faults-')), 'plan.yaml');
  writeFileSync(path, text);
  return path;
};
const SERVICES = ['metrics-store', 'scheduler', 'worker-far-edge-1', 'worker-cloud-1'];

describe('fault plans', () => {
  it('reads a plan and expands forSec into the follow-up, in time order', () => {
    const plan = readFaultPlan(
      file(`
faults:
  - { atSec: 10, action: kill, service: worker-far-edge-1, forSec: 5 }
  - { atSec: 3, action: pause, service: scheduler, forSec: 2 }
  - { atSec: 12, action: kill, service: worker-cloud-1 }
`),
    );
    expect(faultSteps(plan, SERVICES)).toEqual([
      { atSec: 3, action: 'pause', service: 'scheduler' },
      { atSec: 5, action: 'resume', service: 'scheduler' },
      { atSec: 10, action: 'kill', service: 'worker-far-edge-1' },
      { atSec: 12, action: 'kill', service: 'worker-cloud-1' },
      { atSec: 15, action: 'restart', service: 'worker-far-edge-1' },
    ]);
  });

  it.each([
    ['faults: []', /faults: Too small/i],
    ['faults: [{ atSec: -1, action: kill, service: scheduler }]', /faults\.0\.atSec/],
    ['faults: [{ atSec: 1, action: explode, service: scheduler }]', /faults\.0\.action/],
    ['faults: [{ atSec: 1, action: kill, service: scheduler, when: now }]', /faults\.0: Unrecognized key/i],
    ['faults: [{ atSec: 1, action: kill', /not YAML or JSON/],
  ])('refuses %j, naming the file and the place', (text, message) => {
    const path = file(text);
    expect(() => readFaultPlan(path)).toThrow(message);
    expect(() => readFaultPlan(path)).toThrow(path);
  });

  it('refuses a missing file, a service the testbed lacks, and forSec on an action that takes none', () => {
    expect(() => readFaultPlan('/nonexistent/plan.yaml')).toThrow(/fault plan \/nonexistent\/plan\.yaml: cannot read it \(ENOENT\)/);
    expect(() => faultSteps({ faults: [{ atSec: 1, action: 'kill', service: 'worker-mars' }] }, SERVICES)).toThrow(/faults\.0\.service: no service "worker-mars" in this testbed; it has metrics-store, scheduler/);
    expect(() => faultSteps({ faults: [{ atSec: 1, action: 'restart', service: 'scheduler', forSec: 2 }] }, SERVICES)).toThrow(/faults\.0\.forSec: only kill .* and pause .* take forSec, not restart/);
  });

  it('applies each step at its time of the run clock, one after the other, and records failures without throwing', async () => {
    let now = 1_000_000;
    const calls: string[] = [];
    const target: FaultTarget = {
      kill: async (s) => {
        calls.push(`kill ${s} @${now}`);
      },
      pause: (s) => {
        calls.push(`pause ${s} @${now}`);
      },
      resume: () => {
        throw new Error('it is not paused');
      },
      restart: async (s) => {
        calls.push(`restart ${s} @${now}`);
      },
    };
    const steps = faultSteps({ faults: [{ atSec: 0, action: 'kill', service: 'scheduler', forSec: 0.05 }, { atSec: 0.02, action: 'resume', service: 'worker-cloud-1' }] }, SERVICES);
    const injector = new FaultInjector(steps, target, () => now);
    injector.start(now);
    // Time moves only when told: the step due at 0 runs at once, the others once their time has come.
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toEqual(['kill scheduler @1000000']);
    now += 60;
    await new Promise((r) => setTimeout(r, 80));
    await injector.stop();
    expect(calls).toEqual(['kill scheduler @1000000', 'restart scheduler @1000060']);
    expect(injector.applied.map((a) => [a.action, a.service, a.appliedAtSec, a.error ?? null])).toEqual([
      ['kill', 'scheduler', 0, null],
      ['resume', 'worker-cloud-1', 0.06, 'it is not paused'],
      ['restart', 'scheduler', 0.06, null],
    ]);
  });
});
