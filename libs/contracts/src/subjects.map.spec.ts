import { describe, expect, it } from 'vitest';
import { SubjectSpace } from './subjects.map.js';

describe('SubjectSpace', () => {
  const space = new SubjectSpace('aset');

  it('fills parameters under the prefix', () => {
    expect(space.subject('scheduleQuery')).toBe('aset.query.schedule');
    expect(space.subject('clusterInfer', { clusterId: 'edge-1' })).toBe('aset.cluster.edge-1.infer');
  });

  it('builds wildcards and per-prefix stream names', () => {
    expect(space.wildcard('queryRecord')).toBe('aset.record.query.*');
    expect(new SubjectSpace('aset_t1.x-y').streamName('records')).toBe('ASET_T1_X_Y_RECORDS');
    expect(space.streamSubjects('records')).toEqual(['aset.record.>']);
  });

  it('matches concrete subjects against templates', () => {
    expect(space.matches('runRecord', 'aset.record.run.r-1')).toBe(true);
    expect(space.matches('queryRecord', 'aset.record.run.r-1')).toBe(false);
    expect(space.matches('runRecord', 'aset.record.run.r.1')).toBe(false);
    expect(space.matches('runRecord', 'other.record.run.r-1')).toBe(false);
  });

  it('refuses parameters that would change the subject structure', () => {
    expect(() => space.subject('clusterInfer', { clusterId: 'a.b' })).toThrow(/clusterId="a.b"/);
    expect(() => space.subject('clusterInfer', { clusterId: '>' })).toThrow();
  });

  it('refuses a malformed prefix', () => {
    expect(() => new SubjectSpace('aset.')).toThrow(/invalid subject prefix/);
    expect(() => new SubjectSpace('a b')).toThrow();
  });
});
