import { describe, expect, it } from 'vitest';
import { CONTRACTS } from './contract.registry.js';
import { CONSUMERS, STREAMS } from './stream.registry.js';
import { SUBJECTS, SubjectSpace, type SubjectKey } from './subjects.map.js';

/** True when the NATS subject filter `filter` (`*` one token, `>` the rest) matches every subject of the template `subject`. */
function covers(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

describe('stream registry', () => {
  const space = new SubjectSpace('aset');

  it("covers every durable contract's subjects with its stream's, and no other contract's", () => {
    for (const key of Object.keys(SUBJECTS) as SubjectKey[]) {
      const contract = CONTRACTS[key];
      const stream = 'stream' in contract ? contract.stream : undefined;
      for (const name of Object.keys(STREAMS) as (keyof typeof STREAMS)[]) {
        const covered = space.streamSubjects(name).some((filter) => covers(filter, space.wildcard(key)));
        expect(covered, `${key} on ${name}`).toBe(stream === name);
      }
    }
  });

  it('declares every durable consumer on a declared stream', () => {
    for (const consumer of Object.values(CONSUMERS)) expect(Object.keys(STREAMS)).toContain(consumer.stream);
  });
});
