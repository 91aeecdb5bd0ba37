import { standardNormal, type Random } from '@aset/determinism';
import type { LinkSpec } from './scenario.schema.js';

/**
 * One-way delay of `bytes` over a link, in ms: half the RTT, plus the transfer time at the link's
 * bandwidth, plus normal jitter (standard deviation `jitterMs`), never below zero.
 * The same model serves the live emulation and the simulator.
 */
export function oneWayDelayMs(link: LinkSpec, bytes: number, random: Random): number {
  const base = link.rttMs / 2 + transferMs(link, bytes);
  if (link.jitterMs === 0) return base;
  return Math.max(0, base + link.jitterMs * standardNormal(random));
}

/** Time to push `bytes` through the link's bandwidth, ms. */
export function transferMs(link: LinkSpec, bytes: number): number {
  return (bytes * 8) / (link.bandwidthMbps * 1000);
}
