export { appEntry } from './repo.paths.js';
export { REPO_ROOT } from '@aset/command-line';
export type { ManagedService } from './managed.service.js';
export { provideNats } from './nats.server.js';
export { providePostgres, ensureDatabase } from './postgres.server.js';
export { failureExitCode, onInterrupt } from './cleanup.hooks.js';
export { Testbed } from './testbed.launcher.js';
export { HostSampler, type HostUsage } from './host.sampler.js';
export { FAULT_ACTIONS, FaultInjector, FaultPlanError, FaultPlanSchema, faultSteps, readFaultPlan, type AppliedFault, type Fault, type FaultAction, type FaultPlan, type FaultStep, type FaultTarget } from './fault.plan.js';
