import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { readScenarioFile } from '@aset/scenario';
import { REPO_SCENARIOS } from '@aset/scenario/testing';
import { CENTRAL_SITE, SiteLayoutError, checkSiteLayout, farEdgeSites, readSiteLayout } from './site.layout.js';

const demo = readScenarioFile(join(REPO_SCENARIOS, 'demo.yaml'), { zoo: readZoo(REPO_MANIFEST) });
const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'aset-sites-')), 'sites.yaml');
  writeFileSync(path, text);
  return path;
};

describe('site layouts', () => {
  it('reads a layout file, defaulting missing lists to empty', () => {
    expect(readSiteLayout(file('sites:\n  - { name: cell-1, clusters: [far-edge-1], sources: [ap-1] }\n  - { name: cell-2, sources: [ap-2] }\n'))).toEqual([
      { name: 'cell-1', clusters: ['far-edge-1'], sources: ['ap-1'] },
      { name: 'cell-2', clusters: [], sources: ['ap-2'] },
    ]);
  });

  it('names the file and the entry of a malformed layout', () => {
    const path = file('sites:\n  - { name: "cell 1", clusters: [far-edge-1], extra: 1 }\n');
    expect(() => readSiteLayout(path)).toThrow(SiteLayoutError);
    expect(() => readSiteLayout(path)).toThrow(new RegExp(`site layout ${path}: sites.0.name: .*sites.0: .*extra`));
    expect(() => readSiteLayout(file('sites: [\n'))).toThrow(/site layout .*sites.yaml: /);
  });

  it('accepts clusters and sources of the scenario, each in one site', () => {
    expect(() => checkSiteLayout(demo, [{ name: 'cell-1', clusters: ['far-edge-1'], sources: ['ap-1'] }])).not.toThrow();
  });

  it('lists every problem of a layout that does not fit the scenario', () => {
    const check = () =>
      checkSiteLayout(demo, [
        { name: 'cell-1', clusters: ['far-edge-1', 'far-edge-9'], sources: ['ap-1'] },
        { name: 'cell-1', clusters: [], sources: ['ap-1', 'ap-7'] },
        { name: CENTRAL_SITE, clusters: [], sources: [] },
      ]);
    expect(check).toThrow(SiteLayoutError);
    const message = (() => {
      try {
        check();
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toContain('site "cell-1": cluster "far-edge-9" is not in scenario demo');
    expect(message).toContain('site "cell-1" is defined twice');
    expect(message).toContain('source "ap-1" is in both site "cell-1" and site "cell-1"');
    expect(message).toContain('site "cell-1": source "ap-7" is not in scenario demo');
    expect(message).toContain(`site name "${CENTRAL_SITE}" is reserved`);
    expect(message).toContain(`site "${CENTRAL_SITE}" has no clusters and no sources`);
  });

  it('by default makes one site per far-edge cluster, with the sources nearest to it', () => {
    expect(farEdgeSites(demo)).toEqual([
      { name: 'far-edge-1', clusters: ['far-edge-1'], sources: ['ap-1'] },
      { name: 'far-edge-2', clusters: ['far-edge-2'], sources: ['ap-2'] },
      { name: 'far-edge-3', clusters: ['far-edge-3'], sources: ['ap-3'] },
    ]);
  });
});
