// `string_attribute` (upstream string_tag_filter.go): sampled when a resource or span attribute `key` matches one
// of `values` — exactly, or with enabled_regex_matching as Go regular expressions (RE2 syntax, unanchored search:
// `val.*` matches "my-value"), with an LRU of cache_max_size (default 128) remembered results. As upstream
// (Value.Str()), a span attribute must be a non-empty string to match; a resource attribute that is not a
// string is matched as "" (which a regexp such as `.*` matches). Empty `values` entries never match exactly.
// invert_match: InvertNotSampled when some resource/span value matches, else InvertSampled (also when absent).

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';
import type { Attributes } from '../../../pdata/traces';
import { compileGoRegexp } from '../../internal/go-regexp';
import { hasResourceOrSpan, invertHasResourceOrSpan, strOf } from './util';

export const DEFAULT_REGEX_CACHE_SIZE = 128;

/** A small LRU (Map insertion order) of string → matched. */
class LruBool {
  private readonly m = new Map<string, boolean>();
  constructor(private readonly max: number) {}
  get(k: string): boolean | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  set(k: string, v: boolean): void {
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }
}

export class StringAttribute implements PolicyEvaluator {
  private readonly matcher: (s: string) => boolean;
  private readonly onResource: (a: Attributes) => boolean;
  private readonly onSpan: (a: Attributes) => boolean;

  /** Throws GoRegexpError for a bad regexp (validated at config load). */
  constructor(
    private readonly key: string,
    values: readonly string[],
    regex: boolean,
    cacheMaxSize: number,
    private readonly invert: boolean,
  ) {
    if (regex) {
      const res = values.map((v) => compileGoRegexp(v).re);
      const cache = new LruBool(cacheMaxSize > 0 ? cacheMaxSize : DEFAULT_REGEX_CACHE_SIZE);
      this.matcher = (s) => {
        const hit = cache.get(s);
        if (hit !== undefined) return hit;
        let m = false;
        for (const re of res) {
          if (re.test(s)) {
            m = true;
            break;
          }
        }
        cache.set(s, m);
        return m;
      };
    } else {
      const set = new Set(values.filter((v) => v !== ''));
      this.matcher = (s) => set.has(s);
    }
    const match = this.matcher;
    this.onResource = (a) => {
      const j = a.indexOf(key);
      return j >= 0 && match(strOf(a, j));
    };
    this.onSpan = (a) => {
      const s = a.getString(key);
      return s !== undefined && s.length > 0 && match(s);
    };
  }

  evaluate(trace: SampledTrace): Decision {
    if (this.invert) {
      const r = this.onResource;
      const sp = this.onSpan;
      return invertHasResourceOrSpan(trace, (a) => !r(a), (a) => !sp(a));
    }
    return hasResourceOrSpan(trace, this.onResource, this.onSpan);
  }
}
