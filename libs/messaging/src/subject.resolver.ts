import { SUBJECTS, SubjectSpace, type SubjectKey, type SubjectParams } from '@aset/contracts';

/** The parameters argument of a call on `K`: none when its subject has no parameter. */
export type ParamsArg<K extends SubjectKey> = keyof SubjectParams<K> extends never ? [] : [params: SubjectParams<K>];

/** The arguments of a call on `K`: its subject's parameters (when it has any), then `Rest`. */
export type WithParams<K extends SubjectKey, Rest extends unknown[]> = keyof SubjectParams<K> extends never ? Rest : [params: SubjectParams<K>, ...rest: Rest];

/** Subjects with more distinct parameter values than this stop being cached (the cache starts over). */
const MAX_CACHED_PER_KEY = 10_000;

const PARAM_NAMES = {} as Record<SubjectKey, readonly string[]>;
for (const key of Object.keys(SUBJECTS) as SubjectKey[]) PARAM_NAMES[key] = Array.from(SUBJECTS[key].matchAll(/\{(\w+)\}/g), (m) => m[1] as string);

/**
 * Concrete subjects of one {@link SubjectSpace}, cached: a subject without parameters is built
 * once, one with a single parameter once per value. Throws as `SubjectSpace.subject` does on a
 * parameter that is not a subject token (a programming error).
 */
export class SubjectResolver {
  private readonly cache = new Map<SubjectKey, Map<string, string>>();

  constructor(readonly space: SubjectSpace) {}

  /** How many leading arguments of a call on `key` are its subject's parameters (0 or 1). */
  paramCount(key: SubjectKey): 0 | 1 {
    return PARAM_NAMES[key].length === 0 ? 0 : 1;
  }

  subject<K extends SubjectKey>(key: K, params: SubjectParams<K> | undefined): string {
    const names = PARAM_NAMES[key];
    if (names.length > 1) return this.build(key, params);
    const value = names.length === 0 ? '' : (params as Record<string, string> | undefined)?.[names[0] as string];
    if (value === undefined) return this.build(key, params);
    let byValue = this.cache.get(key);
    if (!byValue) {
      byValue = new Map();
      this.cache.set(key, byValue);
    }
    let subject = byValue.get(value);
    if (subject === undefined) {
      subject = this.build(key, params);
      if (byValue.size >= MAX_CACHED_PER_KEY) byValue.clear();
      byValue.set(value, subject);
    }
    return subject;
  }

  private build<K extends SubjectKey>(key: K, params: SubjectParams<K> | undefined): string {
    return this.space.subject(key, ...((params === undefined ? [] : [params]) as ParamsArg<K>));
  }
}
