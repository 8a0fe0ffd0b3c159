// A JSON parser used only as a fallback, for documents that JSON.parse already accepted but that carry an
// integer literal beyond 2^53 in an int64 field (JSON.parse rounds such numbers). It gives the same values as
// JSON.parse except that integer literals (no fraction, no exponent) that are not safe integers become
// `BigLiteral`s keeping their exact digits. Input is known to be valid JSON, so errors are not expected.

export class BigLiteral {
  constructor(readonly digits: string) {}
}

export function parseJsonExact(text: string): unknown {
  const p = new ExactParser(text);
  p.ws();
  const v = p.value();
  p.ws();
  if (p.i !== text.length) p.fail();
  return v;
}

class ExactParser {
  i = 0;
  constructor(private readonly s: string) {}

  fail(): never {
    throw new SyntaxError(`invalid JSON at position ${this.i}`);
  }

  ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  value(): unknown {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === 0x7b /* { */) {
      this.i++;
      const o: Record<string, unknown> = {};
      this.ws();
      if (s.charCodeAt(this.i) === 0x7d) {
        this.i++;
        return o;
      }
      for (;;) {
        this.ws();
        if (s.charCodeAt(this.i) !== 0x22) this.fail();
        const k = this.string();
        this.ws();
        if (s.charCodeAt(this.i) !== 0x3a) this.fail();
        this.i++;
        this.ws();
        const v = this.value();
        if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        else o[k] = v;
        this.ws();
        const d = s.charCodeAt(this.i++);
        if (d === 0x7d) return o;
        if (d !== 0x2c) this.fail();
      }
    }
    if (c === 0x5b /* [ */) {
      this.i++;
      const a: unknown[] = [];
      this.ws();
      if (s.charCodeAt(this.i) === 0x5d) {
        this.i++;
        return a;
      }
      for (;;) {
        this.ws();
        a.push(this.value());
        this.ws();
        const d = s.charCodeAt(this.i++);
        if (d === 0x5d) return a;
        if (d !== 0x2c) this.fail();
      }
    }
    if (c === 0x22) return this.string();
    if (s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    return this.number();
  }

  string(): string {
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      if (i >= s.length) this.fail();
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i += 2;
      } else {
        i++;
      }
    }
    this.i = i + 1;
    return escaped ? (JSON.parse(s.slice(start, i + 1)) as string) : s.slice(start + 1, i);
  }

  number(): number | BigLiteral {
    const s = this.s;
    const start = this.i;
    let i = start;
    let integral = true;
    for (;;) {
      const c = s.charCodeAt(i);
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d) i++;
      else if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b) {
        integral = false;
        i++;
      } else break;
    }
    if (i === start) this.fail();
    this.i = i;
    const raw = s.slice(start, i);
    const n = Number(raw);
    if (Number.isNaN(n)) this.fail();
    if (integral && !Number.isSafeInteger(n)) return new BigLiteral(raw);
    return n;
  }
}
