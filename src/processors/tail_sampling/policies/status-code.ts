// `status_code` (upstream status_code.go): sampled when a span's status code is one of `status_codes`
// (OK, ERROR, UNSET — exact, upper case; validated at load).

import { Decision, type PolicyEvaluator, type SampledTrace } from '../types';
import { hasSpan } from './util';

export const STATUS_CODES: Readonly<Record<string, number>> = { UNSET: 0, OK: 1, ERROR: 2 };

export class StatusCode implements PolicyEvaluator {
  private readonly mask: number;

  constructor(codes: readonly string[]) {
    let m = 0;
    for (const c of codes) m |= 1 << STATUS_CODES[c]!;
    this.mask = m;
  }

  evaluate(trace: SampledTrace): Decision {
    const mask = this.mask;
    return hasSpan(trace, (b, i) => {
      const c = b.statusCode(i);
      return c >= 0 && c < 3 && (mask & (1 << c)) !== 0;
    });
  }
}
