import { describe, expect, it } from 'vitest';
import { readScenarioFile } from '@aset/scenario';
import { join } from 'node:path';
import { POLICY_LAB_SCENARIO, REPO_SCENARIOS } from '@aset/scenario/testing';
import { validateGeneratorEnv } from './generator.config.js';
import { generatedRunId, runSettingsOf } from './run.settings.js';

const scenario = readScenarioFile(POLICY_LAB_SCENARIO);
const workload = scenario.spec.workload;

describe('runSettingsOf', () => {
  it('takes the scenario workload as default and names the run from the clock', () => {
    const s = runSettingsOf(validateGeneratorEnv({}), scenario, Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(s).toMatchObject({ queries: workload.queries, warmupQueries: workload.warmupQueries, seed: workload.seed, rateScale: 1, replyTimeoutMs: workload.replyTimeoutMs, policy: undefined, codeVersion: 'dev', progress: 'auto', summaryFile: undefined, sources: undefined, part: undefined, startAt: undefined });
    expect(s.runId).toMatch(/^run-20260102030405-[0-9a-f]{6}$/);
  });

  it("waits the scenario's reply timeout, as the simulator does, unless REPLY_TIMEOUT_MS says otherwise", () => {
    const demo = readScenarioFile(join(REPO_SCENARIOS, 'demo.yaml'));
    expect(demo.spec.workload.replyTimeoutMs).toBe(2000);
    expect(runSettingsOf(validateGeneratorEnv({}), demo, 0).replyTimeoutMs).toBe(2000);
    expect(runSettingsOf(validateGeneratorEnv({ REPLY_TIMEOUT_MS: '300' }), demo, 0).replyTimeoutMs).toBe(300);
  });

  it('reads every setting from the validated environment', () => {
    const env = validateGeneratorEnv({ RUN_ID: 'r1', QUERIES: '7', WARMUP_QUERIES: '0', SEED: '9', RATE_SCALE: '2', REPLY_TIMEOUT_MS: '300', RUN_POLICY: 'closest', ASET_CODE_VERSION: 'abc1234', PROGRESS: 'off', SUMMARY_FILE: 'out.json', PUSHGATEWAY_URL: 'http://pushgateway:9091' });
    expect(runSettingsOf(env, scenario, 0)).toEqual({
      runId: 'r1',
      queries: 7,
      warmupQueries: 0,
      seed: 9,
      rateScale: 2,
      replyTimeoutMs: 300,
      policy: 'closest',
      codeVersion: 'abc1234',
      progress: 'off',
      summaryFile: 'out.json',
      sources: undefined,
      part: undefined,
      startAt: undefined,
      pushgatewayUrl: 'http://pushgateway:9091',
    });
    expect(() => validateGeneratorEnv({ PUSHGATEWAY_URL: 'ftp://pushgateway' })).toThrow(/PUSHGATEWAY_URL is \(hidden\): Invalid URL; expected a Prometheus Pushgateway/);
    expect(generatedRunId(0)).toMatch(/^run-19700101000000-/);
  });

  it('reads a part of a split run: its sources, the part and the shared start', () => {
    const now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const env = validateGeneratorEnv({ RUN_ID: 'split', SOURCES: ' ap-2 , ap-1', RUN_PARTS: '2', RUN_PART: 'site-b', RUN_START_AT: String(now + 5_000) });
    expect(runSettingsOf(env, scenario, now)).toMatchObject({ runId: 'split', sources: ['ap-2', 'ap-1'], part: { id: 'site-b', count: 2, sources: ['ap-2', 'ap-1'] }, startAt: now + 5_000 });
    // SOURCES alone: a run of one generator that emits some sources.
    expect(runSettingsOf(validateGeneratorEnv({ SOURCES: 'ap-1' }), scenario, now)).toMatchObject({ sources: ['ap-1'], part: undefined, startAt: undefined });
  });
});

describe('the split-run variables', () => {
  const now = Date.UTC(2026, 0, 2, 3, 4, 5);
  const settingsOf = (env: Record<string, string>) => runSettingsOf(validateGeneratorEnv(env), scenario, now);

  it('a part must name the run, itself, its sources and the shared start', () => {
    expect(() => validateGeneratorEnv({ RUN_PARTS: '3' })).toThrow(
      /RUN_ID is not set: the run is split over RUN_PARTS=3 generators.*\n.*RUN_PART is not set: .*expected this generator's part of the run.*\n.*RUN_START_AT is not set: .*share one clock.*\n.*SOURCES is not set: /,
    );
    expect(() => validateGeneratorEnv({ RUN_ID: 'r', RUN_PARTS: '2', RUN_PART: 'a', SOURCES: 'ap-1' })).toThrow(/^invalid configuration for workload-generator:\n {2}RUN_START_AT is not set[^\n]*$/);
    expect(() => validateGeneratorEnv({ RUN_PART: 'a' })).toThrow(/RUN_PART is "a" but RUN_PARTS is 1/);
    expect(() => validateGeneratorEnv({ RUN_PARTS: '0' })).toThrow(/RUN_PARTS is "0": .*expected how many generator processes make up the run/);
    expect(() => validateGeneratorEnv({ RUN_START_AT: 'soon' })).toThrow(/RUN_START_AT is "soon": .*expected epoch ms of the run's scenario time 0/);
    expect(() => validateGeneratorEnv({ SOURCES: 'ap-1,a p' })).toThrow(/SOURCES is "ap-1,a p": /);
  });

  it('SOURCES must be sources of the scenario, each once', () => {
    expect(() => settingsOf({ SOURCES: 'ap-1,ap-9' })).toThrow(/SOURCES is "ap-1,ap-9": "ap-9" is not a source of scenario policy-lab; expected comma-separated sources of the scenario, each at most once: ap-1, ap-2/);
    expect(() => settingsOf({ SOURCES: 'ap-2,ap-1,ap-2' })).toThrow(/SOURCES is "ap-2,ap-1,ap-2": "ap-2" is listed twice; .*: ap-1, ap-2/);
  });

  it('RUN_START_AT must be ahead, by at most 10 minutes', () => {
    expect(() => settingsOf({ RUN_START_AT: String(now - 1_500) })).toThrow(/RUN_START_AT is 1767323043500 \(2026-01-02T03:04:03.500Z\): already 1\.5 s in the past/);
    expect(() => settingsOf({ RUN_START_AT: String(now) })).toThrow(/already 0\.0 s in the past/);
    expect(() => settingsOf({ RUN_START_AT: String(now + 600_000 + 2_000) })).toThrow(/602\.0 s ahead, 2\.0 s more than 10 minutes/);
    expect(settingsOf({ RUN_START_AT: String(now + 600_000) }).startAt).toBe(now + 600_000);
  });
});
