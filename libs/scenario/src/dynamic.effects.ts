import type { DynamicEvent, LinkSpec } from './scenario.schema.js';

/**
 * What an event of one kind does to its target clusters while it is active. A kind implements the
 * parts it changes; the scenario model composes active events in declaration order, and the
 * simulator asks the model (`linkAtTime`, `isDown`, `processingFactor`), never the events.
 */
export interface DynamicEffect<E extends DynamicEvent> {
  /** The link from a source (all, or the event's `sources`) to a target cluster, as the event changes it. */
  link?(link: LinkSpec, event: E): LinkSpec;
  /** The target clusters are dark: no heartbeats, and queries there are lost. */
  down?: true;
  /** Factor (>= 1) on the processing time of queries that start on a target cluster. */
  processingFactor?(event: E): number;
}

/** The effect of every kind of {@link DynamicEvent}: a new kind is a schema member plus an entry here. */
export const DYNAMIC_EFFECTS: { readonly [K in DynamicEvent['kind']]: DynamicEffect<Extract<DynamicEvent, { kind: K }>> } = {
  'link-degradation': {
    link: (link, e) => ({
      ...link,
      rttMs: link.rttMs * e.rttMultiplier + e.extraRttMs,
      bandwidthMbps: link.bandwidthMbps * e.bandwidthMultiplier,
      jitterMs: link.jitterMs * e.jitterMultiplier,
    }),
  },
  outage: { down: true },
  slowdown: { processingFactor: (e) => e.factor },
};
