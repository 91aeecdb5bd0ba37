import { deriveSeed, seededRandom, type Random } from '@aset/determinism';
import { Scenario, TIERS, type DynamicEvent, type Modulation } from '@aset/scenario';

/** One training or evaluation episode: a variation of the base scenario and its seed. */
export interface Episode {
  scenario: Scenario;
  seed: number;
  rateScale: number;
  durationMs: number;
  /** What was varied, for logs. */
  label: string;
}

export interface EpisodeSpace {
  /** Simulated length of an episode. */
  durationSec: number;
  /** Load level range (multiplies every arrival rate). */
  rateScale: [number, number];
  /** Probabilities of each variation. */
  diurnal: number;
  flashCrowd: number;
  degradation: number;
  outage: number;
  /**
   * Probability that an episode varies the applications' SLOs: each app's deadline is scaled
   * log-uniformly within `sloLatencyScale` and its accuracy floor shifted within `sloAccuracyShift`
   * (kept in [0, 0.99]). 0 (the default) keeps the scenario's SLOs, as the checkpoints trained
   * before this option was added did.
   */
  sloVariation: number;
  sloLatencyScale: [number, number];
  sloAccuracyShift: [number, number];
  /**
   * Probability that an episode runs the edge on slower hardware: every hardware class used by a
   * far- or near-edge cluster gets its speed factor multiplied, each by its own draw, log-uniformly
   * within `hardwareSlowdown` (so policies' estimates know it, as with a scenario's own hardware).
   * 0 (the default) keeps the scenario's hardware.
   */
  hardwareVariation: number;
  hardwareSlowdown: [number, number];
  /**
   * Probability that an episode skews the load between applications: each application's rate is
   * multiplied log-uniformly within `appLoadRange` (on top of the load level). 0 (the default) keeps it.
   */
  appLoadVariation: number;
  appLoadRange: [number, number];
}

export const DEFAULT_EPISODE_SPACE: EpisodeSpace = {
  durationSec: 40,
  rateScale: [0.6, 1.4],
  diurnal: 0.4,
  flashCrowd: 0.3,
  degradation: 0.4,
  outage: 0.3,
  sloVariation: 0,
  sloLatencyScale: [0.35, 2],
  sloAccuracyShift: [-0.05, 0.05],
  hardwareVariation: 0,
  hardwareSlowdown: [1, 4],
  appLoadVariation: 0,
  appLoadRange: [0.5, 5],
};

const logUniform = (r: Random, lo: number, hi: number) => Math.exp(uniform(r, Math.log(lo), Math.log(hi)));

const uniform = (r: Random, lo: number, hi: number) => lo + (hi - lo) * r();

function pickSome<T>(r: Random, items: readonly T[], fraction: number): T[] {
  const n = Math.max(1, Math.round(items.length * fraction));
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, n);
}

/**
 * The `index`-th episode of a run seeded `seed`: the base scenario with a random load level, a load
 * modulation (day-night phase or a flash crowd on some sources), a link degradation and a cluster
 * outage, and (when enabled) varied application SLOs, slower edge hardware and a skewed load
 * between applications, each drawn with the space's probability.
 * Deterministic in (seed, index).
 */
export function randomEpisode(base: Scenario, seed: number, index: number, space: EpisodeSpace = DEFAULT_EPISODE_SPACE): Episode {
  const r = seededRandom(deriveSeed(seed, `episode:${index}`));
  const spec = base.spec;
  const duration = space.durationSec;
  const labels: string[] = [];
  const rateScale = uniform(r, space.rateScale[0], space.rateScale[1]);
  labels.push(`load x${rateScale.toFixed(2)}`);

  let modulation: Modulation | undefined = spec.workload.modulation;
  const m = r();
  if (m < space.diurnal) {
    modulation = { kind: 'diurnal', amplitude: uniform(r, 0.2, 0.7), periodSec: duration * uniform(r, 0.5, 2), phaseSec: uniform(r, 0, duration * 2) };
    labels.push('diurnal');
  } else if (m < space.diurnal + space.flashCrowd) {
    modulation = {
      kind: 'flash-crowd',
      startSec: duration * uniform(r, 0.1, 0.6),
      rampSec: uniform(r, 0.5, 3),
      durationSec: duration * uniform(r, 0.1, 0.3),
      peakMultiplier: uniform(r, 2, 4),
      sources: pickSome(r, spec.sources.map((s) => s.id), uniform(r, 0.2, 0.5)),
    };
    labels.push('flash crowd');
  }

  const dynamics: DynamicEvent[] = [...spec.dynamics];
  const window = () => {
    const startSec = duration * uniform(r, 0.05, 0.6);
    return { startSec, durationSec: duration * uniform(r, 0.2, 0.5) };
  };
  if (r() < space.degradation) {
    const byTier = r() < 0.5;
    const tier = TIERS[Math.floor(r() * TIERS.length)] as (typeof TIERS)[number];
    dynamics.push({
      kind: 'link-degradation',
      ...window(),
      ...(byTier ? { tiers: [tier] } : { clusters: pickSome(r, spec.clusters.map((c) => c.id), uniform(r, 0.1, 0.3)) }),
      rttMultiplier: uniform(r, 2, 6),
      extraRttMs: uniform(r, 0, 20),
      bandwidthMultiplier: uniform(r, 0.3, 1),
      jitterMultiplier: uniform(r, 1, 3),
    });
    labels.push(byTier ? `degraded ${tier}` : 'degraded links');
  }
  if (r() < space.outage) {
    dynamics.push({ kind: 'outage', ...window(), clusters: pickSome(r, spec.clusters.map((c) => c.id), uniform(r, 0.01, 0.05)) });
    labels.push('outage');
  }

  let applications = spec.applications;
  // Drawn last, and only when enabled, so that episodes without it stay what they were.
  if (space.sloVariation > 0 && r() < space.sloVariation) {
    const [lo, hi] = space.sloLatencyScale;
    const [down, up] = space.sloAccuracyShift;
    applications = spec.applications.map((app) => ({
      ...app,
      slo: {
        ...app.slo,
        maxLatencyMs: app.slo.maxLatencyMs * logUniform(r, lo, hi),
        minAccuracy: Math.min(0.99, Math.max(0, app.slo.minAccuracy + uniform(r, down, up))),
      },
    }));
    labels.push('varied SLOs');
  }

  // Drawn after the SLOs, and only when enabled, for the same reason.
  let hardwareClasses = spec.hardwareClasses;
  if (space.hardwareVariation > 0 && r() < space.hardwareVariation) {
    const edge = new Set(spec.clusters.filter((c) => c.tier !== 'cloud').map((c) => c.hardware));
    hardwareClasses = Object.fromEntries(
      Object.entries(spec.hardwareClasses).map(([id, hw]) => [id, edge.has(id) ? { ...hw, speedFactor: hw.speedFactor * logUniform(r, space.hardwareSlowdown[0], space.hardwareSlowdown[1]) } : hw]),
    );
    labels.push('slower edge');
  }
  let appLoadScale = spec.workload.appLoadScale;
  if (space.appLoadVariation > 0 && r() < space.appLoadVariation) {
    appLoadScale = Object.fromEntries(spec.applications.map((app) => [app.id, (spec.workload.appLoadScale?.[app.id] ?? 1) * logUniform(r, space.appLoadRange[0], space.appLoadRange[1])]));
    labels.push('skewed app load');
  }

  const workload = { ...spec.workload, ...(modulation ? { modulation } : {}), ...(appLoadScale ? { appLoadScale } : {}) };
  const scenario = new Scenario({ ...spec, hardwareClasses, applications, workload, dynamics }, `${base.origin}#episode-${index}`, base.traces);
  return { scenario, seed: deriveSeed(seed, `episode-seed:${index}`), rateScale, durationMs: duration * 1000, label: labels.join(', ') };
}
