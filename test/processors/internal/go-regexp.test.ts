import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGoRegexp, GoRegexpError } from '../../../src/processors/internal/go-regexp';
import { anyValueAsString, anyValueFromRaw, goFormatFloatF } from '../../../src/processors/internal/any-value';
import { convertValue, goParseFloat, goParseInt, hashValue } from '../../../src/processors/internal/attraction';

const m = (pattern: string, s: string) => compileGoRegexp(pattern).re.test(s);

test('Go named groups (?P<name>…) and (?<name>…) give SubexpNames by index', () => {
  const r = compileGoRegexp('^(?P<proto>\\w+)://(?<host>[^/]+)(/.*)?$');
  assert.deepEqual(r.groupNames, ['', 'proto', 'host', '']);
  const x = r.re.exec('https://example.com/a')!;
  assert.equal(x[1], 'https');
  assert.equal(x[2], 'example.com');
  assert.throws(() => compileGoRegexp('(?P<a>x)(?P<a>y)'), GoRegexpError);
});

test('matching is an unanchored search, like Go MatchString', () => {
  assert.equal(m('auth.*', 'oauth2'), true);
  assert.equal(m('^auth', 'oauth2'), false);
  assert.equal(m('', 'anything'), true);
});

test('RE2 syntax JS lacks: leading flags, \\A \\z, POSIX classes, \\Q…\\E, escaped punctuation, literal braces', () => {
  assert.equal(m('(?i)^GET$', 'get'), true);
  assert.equal(m('(?s)a.b', 'a\nb'), true);
  assert.equal(m('a.b', 'a\nb'), false);
  assert.equal(m('a.b', 'a\rb'), true); // RE2 `.` only excludes \n
  assert.equal(m('\\Afoo\\z', 'foo'), true);
  assert.equal(m('\\Afoo\\z', 'foo\n'), false);
  assert.equal(m('^[[:alpha:]]+[[:digit:]]$', 'abc1'), true);
  assert.equal(m('^[[:alpha:]]+$', 'ab1'), false);
  assert.equal(m('\\Q1.5*\\E', 'x1.5*y'), true);
  assert.equal(m('\\Q1.5*\\E', '1x5'), false);
  assert.equal(m('a\\&b\\#c', 'a&b#c'), true);
  assert.equal(m('^a{,2}$', 'a{,2}'), true); // not a valid repeat in RE2: literal
  assert.equal(m('^a{2}$', 'aa'), true);
  assert.equal(m('^[]a]+$', ']a]'), true);
  assert.equal(m('^\\pL+$', 'héllo'), true);
  assert.equal(m('^\\p{Greek}+$', 'αβγ'), true);
  assert.equal(m('^\\x{1F600}$', '😀'), true);
  assert.equal(m('\\s', '\v'), false); // RE2 \s is [\t\n\f\r ]
});

test('what RE2 rejects is rejected (look-around, back-references, bad syntax)', () => {
  for (const bad of ['(?=a)', '(?!a)', '(?<=a)b', '(?<!a)b', '(a)\\1', '(', 'a)', '[a', 'a**', '\\8', '(?U)a*', 'a(?i)b']) {
    assert.throws(() => compileGoRegexp(bad), GoRegexpError, bad);
  }
});

test('value helpers follow pcommon / strconv', () => {
  assert.deepEqual(anyValueFromRaw(123), { intValue: 123n });
  assert.deepEqual(anyValueFromRaw(1.5), { doubleValue: 1.5 });
  assert.deepEqual(anyValueFromRaw({ b: [true] }), { kvlistValue: [['b', { arrayValue: [{ boolValue: true }] }]] });
  assert.equal(anyValueAsString({ doubleValue: 1e21 }), '1e+21');
  assert.equal(anyValueAsString({ doubleValue: 1e-7 }), '1e-7');
  assert.equal(anyValueAsString({ kvlistValue: [['z', { intValue: 1n }], ['a', { stringValue: '<' }]] }), '{"a":"\\u003c","z":1}');
  assert.equal(anyValueAsString({ bytesValue: new Uint8Array([1, 2, 3]) }), 'AQID');
  assert.equal(goFormatFloatF(1e21), '1000000000000000000000');
  assert.equal(goFormatFloatF(1.5e-7), '0.00000015');
  assert.equal(goParseInt('-12'), -12n);
  assert.equal(goParseInt('1.0'), undefined);
  assert.equal(goParseInt('9223372036854775808'), undefined);
  assert.equal(goParseFloat('1e3'), 1000);
  assert.equal(goParseFloat('-Inf'), -Infinity);
  assert.equal(goParseFloat('0x1.8p1'), 3);
  assert.equal(goParseFloat('1e400'), undefined);
  assert.equal(goParseFloat(' 1'), undefined);
  assert.deepEqual(convertValue({ doubleValue: 1e30 }, 'int'), { intValue: -(2n ** 63n) });
  assert.deepEqual(convertValue({ stringValue: '12' }, 'string'), undefined);
  assert.deepEqual(hashValue({ stringValue: '' }), { stringValue: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
  assert.deepEqual(hashValue({}), { stringValue: '' });
});
