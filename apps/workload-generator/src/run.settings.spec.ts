import { describe, expect, it } from 'vitest';
import { readScenarioFile } from '@aset/scenario';
import { POLICY_LAB_SCENARIO } from '@aset/scenario/testing';
import { validateGeneratorEnv } from './generator.config.js';
import { generatedRunId, runSettingsOf } from './run.settings.js';

const scenario = readScenarioFile(POLICY_LAB_SCENARIO);
const workload = scenario.spec.workload;

describe('runSettingsOf', () => {
  it('takes the scenario workload as default and names the run from the clock', () => {
    const s = runSettingsOf(validateGeneratorEnv({}), scenario, Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(s).toMatchObject({ queries: workload.queries, warmupQueries: workload.warmupQueries, seed: workload.seed, rateScale: 1, replyTimeoutMs: 10_000, policy: undefined, codeVersion: 'dev', progress: 'auto', summaryFile: undefined });
    expect(s.runId).toMatch(/^run-20260102030405-[0-9a-f]{6}$/);
  });

  it('reads every setting from the validated environment', () => {
    const env = validateGeneratorEnv({ RUN_ID: 'r1', QUERIES: '7', WARMUP_QUERIES: '0', SEED: '9', RATE_SCALE: '2', REPLY_TIMEOUT_MS: '300', RUN_POLICY: 'closest', ASET_CODE_VERSION: 'abc1234', PROGRESS: 'off', SUMMARY_FILE: 'out.json' });
    expect(runSettingsOf(env, scenario, 0)).toEqual({ runId: 'r1', queries: 7, warmupQueries: 0, seed: 9, rateScale: 2, replyTimeoutMs: 300, policy: 'closest', codeVersion: 'abc1234', progress: 'off', summaryFile: 'out.json' });
    expect(generatedRunId(0)).toMatch(/^run-19700101000000-/);
  });
});
