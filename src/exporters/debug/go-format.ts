// Go's fmt verbs for float64 as the debug exporter's marshalers use them, so our output matches Go's byte for
// byte: `%f` (fixed, 6 decimals, round half to even on exact ties) and `%v` (shortest round-trip digits, in %e
// form when the decimal exponent is < -4 or >= 6: 123456, 1e+06, 1.234567e+06, 0.0001, 1e-05; unlike JS, which
// switches at 1e21 and 1e-7).

/** Go `%f` of a float64. */
export function goFixed(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let s: string;
  if (a >= 1e21) {
    // An integer at this magnitude; toFixed would switch to exponent form.
    s = BigInt(a).toString() + '.000000';
  } else {
    s = a.toFixed(6);
    // JS rounds exact ties away from zero, Go to even. A tie at the 7th decimal needs a ≤ 7-bit binary fraction.
    if (Number.isInteger(a * 128)) {
      const s7 = a.toFixed(7);
      if (s7.endsWith('5')) {
        const truncated = s7.slice(0, -1);
        const lastKept = Number(truncated[truncated.length - 1]);
        if (lastKept % 2 === 0) s = truncated;
      }
    }
  }
  return neg ? '-' + s : s;
}

/** Go `%v` (= %g with the shortest representation) of a float64. */
export function goFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const neg = x < 0;
  // Shortest round-trip digits and the decimal exponent, from JS's own shortest formatting.
  const [mant, expStr] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expStr);
  let out: string;
  if (exp < -4 || exp >= 6) {
    const frac = digits.slice(1);
    const e = Math.abs(exp);
    out = `${digits[0]}${frac ? '.' + frac : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : String(e)}`;
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  } else {
    const intLen = exp + 1;
    out = digits.length <= intLen ? digits + '0'.repeat(intLen - digits.length) : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  }
  return neg ? '-' + out : out;
}
