// The OTTL lexer and parser: every construct of a condition, precedence, upstream's lexing quirks, and syntax
// errors with line and column.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition, OttlSyntaxError } from '../../src/ottl';
import { tokenize, unquoteString } from '../../src/ottl/lexer';
import type { BoolNode, ValueNode } from '../../src/ottl/ast';

/** A compact rendering of the tree, to compare structures. */
function show(n: BoolNode): string {
  switch (n.k) {
    case 'or': return `(${n.items.map(show).join(' OR ')})`;
    case 'and': return `(${n.items.map(show).join(' AND ')})`;
    case 'not': return `NOT ${show(n.x)}`;
    case 'const': return String(n.v);
    case 'convbool': return val(n.call);
    case 'cmp': return `[${val(n.l)} ${n.op} ${val(n.r)}]`;
  }
}
function val(v: ValueNode): string {
  switch (v.k) {
    case 'nil': return 'nil';
    case 'str': return JSON.stringify(v.v);
    case 'int': return `${v.v}i`;
    case 'float': return `${v.v}f`;
    case 'bool': return String(v.v);
    case 'bytes': return `0x${Buffer.from(v.v).toString('hex')}`;
    case 'enum': return `#${v.name}`;
    case 'path':
      return v.fields.map((f) => f.name + f.keys.map((k) => (k.k === 'expr' ? `[${val(k.v)}]` : `[${k.k === 'str' ? JSON.stringify(k.v) : String(k.v)}]`)).join('')).join('.');
    case 'call':
      return `${v.name}(${v.args.map((a) => (a.name ? `${a.name}=` : '') + (a.value ? val(a.value) : `fn:${a.funcName}`)).join(', ')})${v.keys.map((k) => (k.k === 'expr' ? `[${val(k.v)}]` : `[${k.k === 'str' ? JSON.stringify(k.v) : String(k.v)}]`)).join('')}`;
    case 'list': return `[${v.items.map(val).join(', ')}]`;
    case 'map': return `{${v.items.map(([k, x]) => `${JSON.stringify(k)}: ${val(x)}`).join(', ')}}`;
    case 'math': return `(${val(v.l)} ${v.op} ${val(v.r)})`;
  }
}
const p = (s: string): string => show(parseCondition(s));

function syntaxError(src: string): OttlSyntaxError {
  try {
    parseCondition(src);
  } catch (e) {
    assert.ok(e instanceof OttlSyntaxError, `expected OttlSyntaxError for ${src}, got ${String(e)}`);
    return e;
  }
  assert.fail(`no syntax error for ${src}`);
}

test('lexer: upstream rule order (first match wins), keywords only as whole words', () => {
  const kinds = (s: string) => tokenize(s).map((t) => `${t.kind}:${t.text}`).slice(0, -1);
  assert.deepEqual(kinds('IsMatch'), ['Uppercase:I', 'Lowercase:s', 'Uppercase:M', 'Lowercase:atch']);
  assert.deepEqual(kinds('SPAN_KIND_SERVER'), ['Uppercase:SPAN_KIND_SERVER']);
  assert.deepEqual(kinds('a -1'), ['Lowercase:a', 'Int:-1'], '-1 is an Int, as upstream');
  assert.deepEqual(kinds('a - 1'), ['Lowercase:a', 'OpAddSub:-', 'Int:1']);
  assert.deepEqual(kinds('.5 1.5 -2.5e3 7'), ['Float:.5', 'Float:1.5', 'Float:-2.5e3', 'Int:7']);
  assert.deepEqual(kinds('nothing not_x not x'), ['Lowercase:nothing', 'Lowercase:not_x', 'OpNot:not', 'Lowercase:x']);
  assert.deepEqual(kinds('android or orange'), ['Lowercase:android', 'OpOr:or', 'Lowercase:orange']);
  assert.deepEqual(kinds('true truex'), ['Boolean:true', 'Lowercase:truex']);
  assert.deepEqual(kinds('0xAbC1 0x'), ['Bytes:0xAbC1', 'Int:0', 'Lowercase:x']);
  assert.deepEqual(kinds('a<=b>=c!=d==e<f>g'), ['Lowercase:a', 'OpComparison:<=', 'Lowercase:b', 'OpComparison:>=', 'Lowercase:c', 'OpComparison:!=', 'Lowercase:d', 'OpComparison:==', 'Lowercase:e', 'OpComparison:<', 'Lowercase:f', 'OpComparison:>', 'Lowercase:g']);
  assert.deepEqual(kinds('"a\\"b" x'), ['String:"a\\"b"', 'Lowercase:x']);
});

test('lexer: positions are 1-based lines and columns in code points', () => {
  const toks = tokenize('name ==\n  "é😀" and\tkind');
  assert.deepEqual(toks.map((t) => [t.text, t.line, t.col]), [
    ['name', 1, 1], ['==', 1, 6], ['"é😀"', 2, 3], ['and', 2, 8], ['kind', 2, 12], ['', 2, 16],
  ]);
  const e = (() => {
    try {
      tokenize('name == $x');
    } catch (err) {
      return err as OttlSyntaxError;
    }
    return undefined;
  })();
  assert.ok(e instanceof OttlSyntaxError);
  assert.equal(e.line, 1);
  assert.equal(e.col, 9);
});

test('strings: Go escapes (strconv.Unquote), invalid escapes rejected', () => {
  assert.equal(unquoteString('"a\\tb\\n\\\\\\"c"'), 'a\tb\n\\"c');
  assert.equal(unquoteString('"\\u00e9\\U0001F600\\x41\\101"'), 'é😀AA');
  assert.equal(unquoteString('"\\xc3\\xa9"'), 'é', 'byte escapes form UTF-8 sequences');
  assert.equal(unquoteString('"\\q"'), undefined);
  assert.equal(unquoteString('"\\\'"'), undefined, "\\' is not valid in a double-quoted Go string");
  assert.equal(unquoteString('"a\nb"'), undefined, 'a raw newline is rejected');
  assert.equal(p('attributes["a.b"] == "x\\"y"'), '[attributes["a.b"] == "x\\"y"]');
  const e = syntaxError('name == "bad \\q escape"');
  assert.equal(e.col, 9);
  assert.match(e.message, /invalid string literal/);
});

test('literals: strings, ints, floats, bools, nil, bytes, enums, lists, maps', () => {
  assert.equal(p('a == "s"'), '[a == "s"]');
  assert.equal(p('a == -42'), '[a == -42i]');
  assert.equal(p('a == 1.25'), '[a == 1.25f]');
  assert.equal(p('a == .5'), '[a == 0.5f]');
  assert.equal(p('a != true'), '[a != true]');
  assert.equal(p('a == nil'), '[a == nil]');
  assert.equal(p('nil == a'), '[nil == a]');
  assert.equal(p('trace_id == 0x0102aBcD'), '[trace_id == 0x0102abcd]');
  assert.equal(p('kind == SPAN_KIND_SERVER'), '[kind == #SPAN_KIND_SERVER]');
  assert.equal(p('a == ["x", 1, [2.5]]'), '[a == ["x", 1i, [2.5f]]]');
  assert.equal(p('a == []'), '[a == []]');
  assert.equal(p('a == {"k": 1, "m": {"n": nil}}'), '[a == {"k": 1i, "m": {"n": nil}}]');
  assert.equal(p('9223372036854775807 == -9223372036854775808'), '[9223372036854775807i == -9223372036854775808i]');
  assert.match(syntaxError('a == 9223372036854775808').message, /^1:6: .*out of range/);
  assert.match(syntaxError('a == 0x123').message, /^1:6: encoding\/hex: odd length hex string/);
});

test('paths: context prefixes, nested keys, int keys, key expressions', () => {
  assert.equal(p('name == "x"'), '[name == "x"]');
  assert.equal(p('resource.attributes["service.name"] == "x"'), '[resource.attributes["service.name"] == "x"]');
  assert.equal(p('attributes["a"]["b"][0] == 1'), '[attributes["a"]["b"][0] == 1i]');
  assert.equal(p('instrumentation_scope.name == "lib"'), '[instrumentation_scope.name == "lib"]');
  assert.equal(p('span.status.code == STATUS_CODE_ERROR'), '[span.status.code == #STATUS_CODE_ERROR]');
  assert.equal(p('attributes[attributes["key"]] == 1'), '[attributes[attributes["key"]] == 1i]');
  assert.equal(p('attributes[Concat(["a", "b"], ".")] == 1'), '[attributes[Concat(["a", "b"], ".")] == 1i]');
  assert.equal(p('body["list"][1 + 1] == 1'), '[body["list"][(1i + 1i)] == 1i]');
});

test('converters: names from several tokens, arguments, named arguments, keys on results, as conditions', () => {
  assert.equal(p('IsMatch(name, "^a.*")'), 'IsMatch(name, "^a.*")');
  assert.equal(p('IsMatch(name, "x") == true'), '[IsMatch(name, "x") == true]');
  assert.equal(p('Len(attributes) > 3'), '[Len(attributes) > 3i]');
  assert.equal(p('Split(name, "/")[1] == "api"'), '[Split(name, "/")[1] == "api"]');
  assert.equal(p('Concat(vals=[name, "x"], delimiter="-") == "a-x"'), '[Concat(vals=[name, "x"], delimiter="-") == "a-x"]');
  assert.equal(p('UUID() != nil'), '[UUID() != nil]');
  assert.equal(p('Sort(attributes["l"], Asc) == nil'), '[Sort(attributes["l"], fn:Asc) == nil]');
  assert.equal(p('SHA256(name) == "x"'), '[SHA256(name) == "x"]');
});

test('math: * and / bind tighter than + and -, parentheses, in comparisons', () => {
  assert.equal(p('a + b * c == 1'), '[(a + (b * c)) == 1i]');
  assert.equal(p('(a + b) * c == 1'), '[((a + b) * c) == 1i]');
  assert.equal(p('a - b - c > 0'), '[((a - b) - c) > 0i]');
  assert.equal(p('end_time_unix_nano - start_time_unix_nano > 1000000'), '[(end_time_unix_nano - start_time_unix_nano) > 1000000i]');
  assert.equal(p('1 == 2 / 2'), '[1i == (2i / 2i)]');
});

test('precedence: or < and < not < comparison; not applies to one value', () => {
  assert.equal(p('not a == 1 or b == 2 and c == 3'), '(NOT [a == 1i] OR ([b == 2i] AND [c == 3i]))');
  assert.equal(p('a == 1 and b == 2 or c == 3'), '(([a == 1i] AND [b == 2i]) OR [c == 3i])');
  assert.equal(p('not (a == 1 or b == 2)'), 'NOT ([a == 1i] OR [b == 2i])');
  assert.equal(p('(a == 1)'), '[a == 1i]');
  assert.equal(p('((a == 1) and (b == 2 or c == 3))'), '([a == 1i] AND ([b == 2i] OR [c == 3i]))');
  assert.equal(p('true and not false'), '(true AND NOT false)');
  assert.equal(p('a == 1 and b == 2 and c == 3 or d == 4 or e == 5'), '(([a == 1i] AND [b == 2i] AND [c == 3i]) OR [d == 4i] OR [e == 5i])');
  assert.equal(p('(1 + 2) == 3 and (a == b)'), '([(1i + 2i) == 3i] AND [a == b])', 'a math group, then a condition group');
  assert.equal(p('not IsMatch(name, "x")'), 'NOT IsMatch(name, "x")');
});

test('syntax errors report line and column of the furthest failure', () => {
  const e1 = syntaxError('name == "x" and (kind == 2');
  assert.equal(e1.message, '1:27: unexpected token "<EOF>" (expected ")")');
  const e2 = syntaxError('name ==');
  assert.deepEqual([e2.line, e2.col], [1, 8]);
  assert.match(e2.message, /unexpected token "<EOF>" \(expected a value\)/);
  const e3 = syntaxError('attributes["a"] == "x"\n  and name "y"');
  assert.deepEqual([e3.line, e3.col], [2, 12]);
  assert.match(e3.message, /^2:12: unexpected token "\\"y\\"" \(expected a comparison operator/);
  const e4 = syntaxError('name == "x" extra');
  assert.equal(e4.col, 13);
  assert.match(e4.message, /unexpected token "extra"/);
  const e5 = syntaxError('attributes["a" == "b"');
  assert.equal(e5.col, 16);
  const e6 = syntaxError('not not a == 1');
  assert.equal(e6.col, 5, 'not applies once, as upstream');
  assert.match(syntaxError('resource. == 1').message, /^1:11: .*expected a field name/);
  assert.match(syntaxError('').message, /^1:1: unexpected token "<EOF>"/);
  assert.match(syntaxError('a == 1 and').message, /^1:11: /);
});

test('editors (lowercase functions) are rejected as upstream', () => {
  assert.equal(syntaxError('set(name, "x") == nil').message, "1:1: converter names must start with an uppercase letter but got 'set'");
  assert.equal(syntaxError('isMatch(name, "x")').message, "1:1: converter names must start with an uppercase letter but got 'isMatch'");
  assert.equal(syntaxError('a == 1 and invalid_function(x) == 2').message, "1:12: converter names must start with an uppercase letter but got 'invalid_function'");
});
