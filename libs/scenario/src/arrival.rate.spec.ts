import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { meanArrivalRatePerSec, offeredRatePerSec } from './arrival.rate.js';
import { readScenarioFile } from './scenario.parser.js';
import { REPO_SCENARIOS } from './testing.js';

describe('meanArrivalRatePerSec', () => {
  it('weights an MMPP\'s rates by the mean time in each state, and counts a trace\'s arrivals over its span', () => {
    expect(meanArrivalRatePerSec({ kind: 'mmpp', calmRatePerSec: 7.5, burstRatePerSec: 50, meanCalmSec: 8, meanBurstSec: 2 }, undefined)).toBeCloseTo(16, 12);
    expect(meanArrivalRatePerSec({ kind: 'poisson', ratePerSec: 3 }, undefined)).toBe(3);
    expect(meanArrivalRatePerSec({ kind: 'trace', file: 't.csv', loop: true }, Float64Array.from([0, 250, 500, 1000]))).toBe(4);
  });
});

describe('offeredRatePerSec', () => {
  it('sums the demo scenario\'s nine streams, its two MMPP streams at their long-run means', () => {
    const scenario = readScenarioFile(join(REPO_SCENARIOS, 'demo.yaml'), { zoo: readZoo(REPO_MANIFEST) });
    // 7.5 + 16 + 5 + 12.5 + 4 + 5 + 7.5 + 5 + (4 x 10 + 40 x 2) / 12
    expect(offeredRatePerSec(scenario)).toBeCloseTo(72.5, 9);
  });
});
