import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandConfig } from '../../src/config/expand';

const env = {
  HOST: 'collector.example',
  PORT: '4317',
  RATIO: '0.25',
  ENABLED: 'true',
  ZERO_PADDED: '0123',
  EMPTY: '',
  QUOTED: '"quoted"',
  MAP: '{ a: 1, b: [x, y] }',
  NESTED_NAME: 'HOST',
  INDIRECT: '${env:PORT}',
  DOLLARS: 'a$$b',
};

function expand(v: unknown) {
  return expandConfig(v, { env });
}

test('expand: ${env:VAR}, bare ${VAR} and several variables in one string', () => {
  const r = expand({ a: '${env:HOST}', b: '${HOST}', c: '${env:HOST}:${env:PORT}', d: 'http://${HOST}:${PORT}/v1' });
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.value, { a: 'collector.example', b: 'collector.example', c: 'collector.example:4317', d: 'http://collector.example:4317/v1' });
});

test('expand: a value that is only a variable is typed after expansion; embedded ones stay strings', () => {
  const r = expand({ port: '${env:PORT}', ratio: '${RATIO}', on: '${env:ENABLED}', text: 'port ${env:PORT}', map: '${env:MAP}' });
  assert.deepEqual(r.value, { port: 4317, ratio: 0.25, on: true, text: 'port 4317', map: { a: 1, b: ['x', 'y'] } });
  assert.equal(typeof (r.value as Record<string, unknown>).port, 'number');
});

test('expand: numbers that would not print back the same stay strings (string fields keep the exact text)', () => {
  const r = expand({ a: '${env:ZERO_PADDED}', b: '${env:QUOTED}' });
  assert.deepEqual(r.value, { a: '0123', b: '"quoted"' });
});

test('expand: ${env:VAR:-default} uses the default only when VAR is unset (set-but-empty stays empty, as in Go)', () => {
  const r = expand({
    unset: '${env:NOPE:-fallback}',
    unsetInt: '${env:NOPE:-8080}',
    set: '${env:HOST:-fallback}',
    empty: '${env:EMPTY:-fallback}',
    emptyInside: '[${env:EMPTY:-fallback}]',
    colon: '${env:NOPE:-localhost:4317}',
    bash: '${NOPE:-bare}',
    emptyDefault: '${env:NOPE:-}',
  });
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.value, {
    unset: 'fallback',
    unsetInt: 8080,
    set: 'collector.example',
    empty: null, // an empty value parses as YAML null, like confmap
    emptyInside: '[]',
    colon: 'localhost:4317',
    bash: 'bare',
    emptyDefault: '',
  });
});

test('expand: an undefined variable is null as a whole value, "" inside a string, with a warning', () => {
  const r = expand({ whole: '${env:UNDEFINED_VAR}', inside: 'x${env:UNDEFINED_VAR}y' });
  assert.deepEqual(r.value, { whole: null, inside: 'xy' });
  assert.equal(r.issues.length, 0);
  assert.equal(r.warnings.length, 1, 'one warning per variable');
  assert.match(r.warnings[0]!, /unset environment variable "UNDEFINED_VAR"/);
});

test('expand: $$ is a literal $, and $${env:X} is not expanded', () => {
  const r = expand({ a: 'price: $$5', b: '$${env:HOST}', c: '$${env:HOST} ${env:PORT}', d: 'regex ^a$$', e: '$$$${env:HOST}', f: '$$${env:HOST}' });
  assert.deepEqual(r.value, { a: 'price: $5', b: '${env:HOST}', c: '${env:HOST} 4317', d: 'regex ^a$', e: '$${env:HOST}', f: '$collector.example' });
});

test('expand: expanded text is expanded again, nested variables resolve', () => {
  const r = expand({ a: '${env:INDIRECT}', b: '${env:${env:NESTED_NAME}}' });
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.value, { a: 4317, b: 'collector.example' });
});

test('expand: keys, numbers, booleans and lists are handled; keys are never expanded', () => {
  const r = expand({ '${env:HOST}': 1, list: ['${env:PORT}', 'x-${env:PORT}', 3, null, true] });
  assert.deepEqual(r.value, { '${env:HOST}': 1, list: [4317, 'x-4317', 3, null, true] });
});

test('expand: bad variable names and unsupported schemes are errors with the YAML path', () => {
  const r = expand({ receivers: { otlp: { endpoint: '${env:BAD-NAME}' } }, x: ['${http://example.com/c.yaml}', '${foo:bar}'] });
  assert.deepEqual(
    r.issues.map((i) => i.path),
    ['receivers.otlp.endpoint', 'x[0]', 'x[1]'],
  );
  assert.match(r.issues[0]!.message, /environment variable "BAD-NAME" has invalid name/);
  assert.match(r.issues[1]!.message, /scheme "http" is not supported/);
  assert.match(r.issues[2]!.message, /scheme "foo" is not supported/);
});

test('expand: ${file:...} reads YAML from a file and ${yaml:...} is inline YAML', () => {
  const r = expandConfig(
    { a: '${file:endpoint.txt}', b: '${yaml:[1, 2]}', c: '${file:missing.txt}' },
    {
      env,
      cwd: '/cfg',
      readFile: (p) => {
        if (p === '/cfg/endpoint.txt') return 'backend:4317\n';
        throw new Error('ENOENT: no such file');
      },
    },
  );
  assert.deepEqual((r.value as Record<string, unknown>).a, 'backend:4317\n');
  assert.deepEqual((r.value as Record<string, unknown>).b, [1, 2]);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0]!.path, 'c');
  assert.match(r.issues[0]!.message, /unable to read the file missing\.txt/);
});

test('expand: a self-referencing variable stops with an error instead of looping', () => {
  const r = expandConfig({ a: '${env:LOOP}' }, { env: { LOOP: 'x${env:LOOP}' } });
  assert.equal(r.issues.length, 1);
  assert.match(r.issues[0]!.message, /too many recursive expansions/);
});
