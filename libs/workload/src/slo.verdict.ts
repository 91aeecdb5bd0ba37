import type { Slo, TerminalStatus } from '@aset/contracts';

/**
 * Whether a query met its SLO: it completed within `slo.maxLatencyMs` of its scheduled send time,
 * served by a variant whose held-out accuracy (`accuracy`; 0 when unknown) is at least
 * `slo.minAccuracy`. The one verdict of the live records and the simulator.
 */
export function sloMet(slo: Slo, status: TerminalStatus, latencyMs: number, accuracy: number): boolean {
  return status === 'completed' && latencyMs <= slo.maxLatencyMs && accuracy >= slo.minAccuracy;
}
