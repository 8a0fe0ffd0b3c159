import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { attributesConfigSchema, type AttributesConfig } from '../../../src/processors/attributes/config';
import { attributesProcessorFactory, compileAttributesForTraces } from '../../../src/processors/attributes/factory';
import { parseOrThrow } from '../../../src/config/schema';
import { CapturingConsumer, testHost, testSettings } from '../../../src/component/testing';
import { ConfigError, type ConfigIssue } from '../../../src/errors';
import type { TraceBatch } from '../../../src/pdata/traces';
import { CORPUS_DIR } from '../../helpers/paths';
import { dbl, makeBatch, spanAttributesOf, type RawAttr, type ResourceSpec } from '../helpers';

const P = 'processors.attributes';

function cfg(raw: unknown): AttributesConfig {
  return parseOrThrow(attributesConfigSchema, raw, P);
}

/** Run the processor configured by `raw` over `batch`; returns the exported span attributes (oracle view). */
async function run(raw: unknown, batch: TraceBatch): Promise<Array<Record<string, unknown>>> {
  const next = new CapturingConsumer();
  const p = attributesProcessorFactory.createTraces!(testSettings('attributes', 'processor'), cfg(raw), next);
  await p.start(testHost());
  await p.consumeTraces(batch);
  await p.shutdown();
  assert.equal(next.batches.length, 1);
  return spanAttributesOf(next.batches[0]!);
}

function oneSpan(attributes: Record<string, RawAttr>): TraceBatch {
  return makeBatch([{ attributes: { 'service.name': 'svc' }, scopes: [{ name: 'lib', spans: [{ name: 'op', attributes }] }] }]);
}

const str = (v: string) => ({ stringValue: v });
const int = (v: number | string) => ({ intValue: String(v) });
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function creationIssues(raw: unknown): ConfigIssue[] {
  try {
    compileAttributesForTraces(cfg(raw), P);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
}

test('factory: mutates data, beta for traces; config needs actions (upstream message, with path)', () => {
  assert.equal(attributesProcessorFactory.type, 'attributes');
  assert.equal(attributesProcessorFactory.stability.traces, 'beta');
  const p = attributesProcessorFactory.createTraces!(testSettings('attributes', 'processor'), cfg({ actions: [{ key: 'a', action: 'delete' }] }), new CapturingConsumer());
  assert.equal(p.capabilities.mutatesData, true);
  assert.throws(() => cfg({}), (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === `${P}.actions` && e.issues[0]!.message === 'missing required field "actions"');
  assert.throws(() => cfg(null), ConfigError);
  assert.throws(() => cfg({ actions: [{ key: 'a', action: 'delete', regexp: 'x' }] }), (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === `${P}.actions[0].regexp`);
});

test('insert, update, upsert with value / from_attribute / default_value', async () => {
  const out = await run(
    {
      actions: [
        { key: 'attribute1', value: 123, action: 'insert' },
        { key: 'present', value: 'no', action: 'insert' },
        { key: 'string key', from_attribute: 'anotherkey', action: 'insert' },
        { key: 'missing_src', from_attribute: 'nope', action: 'insert' },
        { key: 'db.secret', value: 'redacted', action: 'update' },
        { key: 'absent', value: 'x', action: 'update' },
        { key: 'region', value: 'planet-earth', action: 'UPSERT' },
        { key: 'ratio', value: 0.5, action: 'upsert' },
        { key: 'flag', value: true, action: 'upsert' },
        { key: 'list', value: ['a', 1], action: 'upsert' },
        { key: 'with_default', from_attribute: 'nope', default_value: 'us-east-1', action: 'insert' },
        { key: 'tenant', from_context: 'metadata.tenant', default_value: 'default-tenant', action: 'upsert' },
      ],
    },
    oneSpan({ present: 'yes', anotherkey: 'copied', 'db.secret': 'hunter2', region: 'mars' }),
  );
  assert.deepEqual(out, [
    {
      present: str('yes'),
      anotherkey: str('copied'),
      'db.secret': str('redacted'),
      region: str('planet-earth'),
      attribute1: int(123),
      'string key': str('copied'),
      ratio: { doubleValue: 0.5 },
      flag: { boolValue: true },
      list: { arrayValue: { values: [str('a'), int(1)] } },
      with_default: str('us-east-1'),
      tenant: str('default-tenant'),
    },
  ]);
  // update/upsert of an existing key keep its position; inserts append (as pcommon.Map).
  assert.deepEqual(Object.keys(out[0]!), [
    'present', 'anotherkey', 'db.secret', 'region', 'attribute1', 'string key', 'ratio', 'flag', 'list', 'with_default', 'tenant',
  ]);
});

test('the upstream "complex" example: insert, upsert from attribute, delete', async () => {
  const spans: ResourceSpec['scopes'][0]['spans'] = [
    { attributes: { timeout: 10, 'svc.operation': 'addition', operation: 'addition' } },
    { attributes: { operation: 'subtract', math_value: 123 } },
    { attributes: { timeout: 10, math_value: 4 } },
    { attributes: { 'svc.operation': 'division', timeout: 3 } },
  ];
  const out = await run(
    {
      actions: [
        { key: 'operation', value: 'default', action: 'insert' },
        { key: 'svc.operation', from_attribute: 'operation', action: 'upsert' },
        { key: 'operation', action: 'delete' },
      ],
    },
    makeBatch([{ scopes: [{ spans }] }]),
  );
  assert.deepEqual(out, [
    { timeout: int(10), 'svc.operation': str('addition') },
    { math_value: int(123), 'svc.operation': str('subtract') },
    { timeout: int(10), math_value: int(4), 'svc.operation': str('default') },
    { 'svc.operation': str('default'), timeout: int(3) },
  ]);
});

test('delete and hash by key and by Go regexp pattern; hash is SHA-256 hex of the value bytes', async () => {
  const i64 = Buffer.alloc(8);
  i64.writeBigInt64LE(-42n);
  const f64 = Buffer.alloc(8);
  f64.writeDoubleLE(1.5);
  const out = await run(
    {
      actions: [
        { key: 'credit_card', action: 'delete' },
        { pattern: '^tmp\\.', action: 'delete' },
        { key: 'user.email', action: 'hash' },
        { pattern: '^secret_', action: 'hash' },
      ],
    },
    oneSpan({
      credit_card: '4111',
      'tmp.a': 1,
      'tmp.b': 'x',
      keep_tmp: 'kept',
      'user.email': 'a@b.c',
      secret_int: -42,
      secret_dbl: dbl(1.5),
      secret_bool: true,
      secret_list: ['x'],
    }),
  );
  assert.deepEqual(out, [
    {
      keep_tmp: str('kept'),
      'user.email': str(sha256('a@b.c')),
      secret_int: str(sha256(i64)),
      secret_dbl: str(sha256(f64)),
      secret_bool: str(sha256(Buffer.from([1]))),
      secret_list: str(''),
    },
  ]);
});

test('extract with Go named groups (?P<name>…) upserts one attribute per group', async () => {
  const out = await run(
    {
      actions: [
        { key: 'http.url', pattern: '^(?P<http_protocol>.*):\\/\\/(?P<http_domain>[^/]*)\\/(?P<http_path>[^?]*)(?:\\?(?P<http_query_params>.*))?$', action: 'extract' },
      ],
    },
    makeBatch([
      {
        scopes: [
          {
            spans: [
              { attributes: { 'http.url': 'http://example.com/path?queryParam1=value1,queryParam2=value2', http_domain: 'old' } },
              { attributes: { 'http.url': 'https://x.org/a/b' } },
              { attributes: { 'http.url': 'not a url' } },
              { attributes: { 'http.url': 42 } },
            ],
          },
        ],
      },
    ]),
  );
  assert.deepEqual(out[0], {
    'http.url': str('http://example.com/path?queryParam1=value1,queryParam2=value2'),
    http_domain: str('example.com'),
    http_protocol: str('http'),
    http_path: str('path'),
    http_query_params: str('queryParam1=value1,queryParam2=value2'),
  });
  // A group that did not participate gives "" (Go FindStringSubmatch).
  assert.deepEqual(out[1], {
    'http.url': str('https://x.org/a/b'),
    http_protocol: str('https'),
    http_domain: str('x.org'),
    http_path: str('a/b'),
    http_query_params: str(''),
  });
  assert.deepEqual(out[2], { 'http.url': str('not a url') });
  assert.deepEqual(out[3], { 'http.url': int(42) });
});

test('convert to int, double and string as pcommon does; unparsable strings stay unchanged', async () => {
  const out = await run(
    {
      actions: [
        { key: 'code', action: 'convert', converted_type: 'int' },
        { key: 'bad', action: 'convert', converted_type: 'int' },
        { key: 'd2i', action: 'convert', converted_type: 'int' },
        { key: 'b2i', action: 'convert', converted_type: 'int' },
        { key: 'lat', action: 'convert', converted_type: 'double' },
        { key: 'i2d', action: 'convert', converted_type: 'double' },
        { key: 'n2s', action: 'convert', converted_type: 'string' },
        { key: 'f2s', action: 'convert', converted_type: 'string' },
        { key: 'b2s', action: 'convert', converted_type: 'string' },
        { key: 'absent', action: 'convert', converted_type: 'int' },
      ],
    },
    oneSpan({ code: '200', bad: '2xx', d2i: dbl(-3.9), b2i: true, lat: '1.25e2', i2d: 7, n2s: 12, f2s: dbl(0.1), b2s: false }),
  );
  assert.deepEqual(out, [
    {
      code: int(200),
      bad: str('2xx'),
      d2i: int(-3),
      b2i: int(1),
      lat: { doubleValue: 125 },
      i2d: { doubleValue: 7 },
      n2s: str('12'),
      f2s: str('0.1'),
      b2s: str('false'),
    },
  ]);
});

const svcSpans = (): TraceBatch =>
  makeBatch([
    { attributes: { 'service.name': 'svcA', 'host.type': 'n1-standard-1' }, scopes: [{ name: 'mongo-java-driver', version: '3.8.0', spans: [{ name: 'login', attributes: { env: 'dev', test_request: false, credit_card: '1' } }] }] },
    { attributes: { 'service.name': 'svcB' }, scopes: [{ name: 'other', spans: [{ name: 'get', kind: 2, attributes: { env: 'dev', test_request: 123, credit_card: '2' } }, { name: 'put', attributes: { env: 1, test_request: 'dev', credit_card: '3' } }] }] },
    { attributes: { 'service.name': 'svcC' }, scopes: [{ name: 'other', spans: [{ name: 'auth-check', attributes: { env: 'dev', test_request: false, credit_card: '4' } }] }] },
    { scopes: [{ spans: [{ name: 'anon', attributes: { credit_card: '5' } }] }] },
  ]);

/** Which spans (by their credit_card value) still have credit_card after a delete guarded by include/exclude. */
async function kept(match: Record<string, unknown>): Promise<string[]> {
  const out = await run({ ...match, actions: [{ key: 'credit_card', action: 'delete' }] }, svcSpans());
  return out.filter((a) => a.credit_card).map((a) => (a.credit_card as { stringValue: string }).stringValue);
}

test('exclude strict: services AND attributes (exact value, or key presence)', async () => {
  // upstream testdata attributes/excludemulti
  assert.deepEqual(
    await kept({ exclude: { match_type: 'strict', services: ['svcA', 'svcB'], attributes: [{ key: 'env', value: 'dev' }, { key: 'test_request' }] } }),
    ['1', '2'],
  );
});

test('include strict: resources, libraries (version optional), span_kinds, typed attribute values', async () => {
  assert.deepEqual(await kept({ exclude: { match_type: 'strict', resources: [{ key: 'host.type', value: 'n1-standard-1' }] } }), ['1']);
  assert.deepEqual(await kept({ exclude: { match_type: 'strict', libraries: [{ name: 'mongo-java-driver', version: '3.8.0' }] } }), ['1']);
  assert.deepEqual(await kept({ exclude: { match_type: 'strict', libraries: [{ name: 'mongo-java-driver', version: '' }] } }), []);
  assert.deepEqual(await kept({ exclude: { match_type: 'strict', libraries: [{ name: 'other' }] } }), ['2', '3', '4']);
  assert.deepEqual(await kept({ include: { match_type: 'strict', span_kinds: ['SPAN_KIND_SERVER'] } }), ['1', '3', '4', '5']);
  // value: false matches the bool false only (not the string "false"); value 123 the int only.
  assert.deepEqual(await kept({ exclude: { match_type: 'strict', attributes: [{ key: 'test_request', value: false }] } }), ['1', '4']);
  assert.deepEqual(await kept({ include: { match_type: 'strict', attributes: [{ key: 'test_request', value: 123 }] } }), ['1', '3', '4', '5']);
  // A resource without service.name has the service "<nil-service-name>".
  assert.deepEqual(await kept({ include: { match_type: 'strict', services: ['<nil-service-name>'] } }), ['1', '2', '3', '4']);
});

test('include/exclude regexp: unanchored Go regexps on services, span names, attribute string forms', async () => {
  // upstream testdata attributes/regexp: service matches "auth.*"? none here; use "svc[AB]" and exclude span names "log.*"
  assert.deepEqual(await kept({ include: { match_type: 'regexp', services: ['svc[AB]'] }, exclude: { match_type: 'regexp', span_names: ['^log'] } }), ['1', '4', '5']);
  // Unanchored: "uth" matches "auth-check".
  assert.deepEqual(await kept({ include: { match_type: 'regexp', span_names: ['uth'] } }), ['1', '2', '3', '5']);
  // Regexp on the string form of an int attribute.
  assert.deepEqual(await kept({ include: { match_type: 'regexp', attributes: [{ key: 'test_request', value: '^12' }] } }), ['1', '3', '4', '5']);
  // Case-insensitive leading flag group and named groups are accepted.
  assert.deepEqual(await kept({ include: { match_type: 'regexp', services: ['(?i)^SVCC$', '(?P<x>none)'] } }), ['1', '2', '3', '5']);
  assert.deepEqual(await kept({ include: { match_type: 'regexp', regexp: { cacheenabled: true, cachemaxnumentries: 2 }, services: ['svcB'] } }), ['1', '4', '5']);
});

test('creation errors: upstream messages at YAML paths', () => {
  const one = (actions: unknown[], extra: Record<string, unknown> = {}) => creationIssues({ ...extra, actions });
  assert.deepEqual(one([{ key: 'a', action: 'upsertt', value: 1 }]), [
    { path: `${P}.actions[0].action`, message: 'error creating AttrProc due to unsupported action "upsertt" at the 0-th actions' },
  ]);
  assert.deepEqual(one([{ action: 'insert', value: 1 }]), [{ path: `${P}.actions[0].key`, message: 'error creating AttrProc due to missing required field "key" at the 0-th actions' }]);
  assert.deepEqual(one([{ action: 'delete' }]), [
    { path: `${P}.actions[0]`, message: 'error creating AttrProc due to missing required field (at least one of "key" and "pattern" have to be used) at the 0-th actions' },
  ]);
  assert.match(one([{ key: 'a', action: 'insert' }])[0]!.message, /Either field "value", "from_attribute" or "from_context" setting must be specified for 0-th action/);
  assert.match(one([{ key: 'a', action: 'insert', value: 1, from_attribute: 'b' }])[0]!.message, /multiple value sources being set at the 0-th actions/);
  assert.deepEqual(one([{ key: 'a', action: 'delete' }, { key: 'a', action: 'delete', pattern: '(' }]).map((i) => i.path), [`${P}.actions[1].pattern`]);
  assert.match(one([{ key: 'a', action: 'extract', pattern: '^(?P<x>a)(b)$' }])[0]!.message, /contains at least one unnamed matcher group at the 0-th actions/);
  assert.match(one([{ key: 'a', action: 'extract', pattern: '^ab$' }])[0]!.message, /contains no named matcher groups/);
  assert.match(one([{ key: 'a', action: 'extract', pattern: '(?=x)(?P<n>a)' }])[0]!.message, /invalid pattern/);
  assert.match(one([{ key: 'a', action: 'convert', converted_type: 'float' }])[0]!.message, /invalid value "float" in field "converted_type"/);
  assert.match(one([{ key: 'a', action: 'convert' }])[0]!.message, /missing required field "converted_type"/);
  assert.match(one([{ key: 'a', action: 'hash', value: 1 }])[0]!.message, /does not use "value" or "from_attribute" field/);
  // include/exclude for spans
  assert.deepEqual(one([{ key: 'a', action: 'delete' }], { include: { match_type: 'regexp', log_bodies: ['AUTH.*'] } }), [
    { path: `${P}.include.log_bodies`, message: 'log_bodies should not be specified for trace spans' },
  ]);
  assert.deepEqual(one([{ key: 'a', action: 'delete' }], { exclude: { match_type: 'strict' } }), [
    { path: `${P}.exclude`, message: 'at least one of "attributes", "libraries",  or "resources" field must be specified' },
  ]);
  assert.deepEqual(one([{ key: 'a', action: 'delete' }], { include: { services: ['x'] } }), [
    { path: `${P}.include.match_type`, message: "unrecognized match_type: '', valid types are: [regexp strict]" },
  ]);
  assert.deepEqual(one([{ key: 'a', action: 'delete' }], { include: { match_type: 'regexp', services: ['ok', '(bad'] } }).map((i) => i.path), [`${P}.include.services[1]`]);
  assert.match(one([{ key: 'a', action: 'delete' }], { include: { match_type: 'regexp', attributes: [{ key: 'k', value: 1 }] } })[0]!.message, /match_type=regexp for "k" only supports Str, but found Int/);
  assert.match(one([{ key: 'a', action: 'delete' }], { include: { match_type: 'strict', span_kinds: ['server'] } })[0]!.message, /span_kinds string must match one of the standard span kinds when match_type=strict: \[SPAN_KIND_CLIENT SPAN_KIND_CONSUMER/);
  // The factory throws the same ConfigError.
  assert.throws(
    () => attributesProcessorFactory.createTraces!(testSettings('attributes/x', 'processor'), cfg({ actions: [{ key: 'a', action: 'nope' }] }), new CapturingConsumer()),
    (e: unknown) => e instanceof ConfigError && e.issues[0]!.path === 'processors.attributes/x.actions[0].action',
  );
});

test('upstream testdata config: every processor entry parses; creation for traces fails exactly where upstream fails', (t) => {
  const file = path.join(CORPUS_DIR, 'configs', 'opentelemetry-collector-contrib__processor_attributesprocessor_testdata_config.derived.yaml');
  if (!fs.existsSync(file)) {
    t.skip(`corpus file absent: ${file}`);
    return;
  }
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) as { processors: Record<string, unknown> };
  const failing: Record<string, string> = {};
  let count = 0;
  for (const [id, raw] of Object.entries(doc.processors)) {
    if (!id.startsWith('attributes')) continue;
    count++;
    const issues: ConfigIssue[] = [];
    const c = attributesConfigSchema.parse(raw, `processors.${id}`, issues);
    assert.deepEqual(issues, [], `${id} must parse`);
    try {
      compileAttributesForTraces(c, `processors.${id}`);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      failing[id] = e.issues.map((i) => i.path).join(',');
    }
  }
  assert.ok(count >= 15, `expected the upstream entries, found ${count}`);
  assert.deepEqual(failing, {
    // `(\?|\&)` is an unnamed group: upstream NewAttrProc rejects it when the processor is created.
    'attributes/regex_insert': 'processors.attributes/regex_insert.actions[0].pattern',
    // log-only matching in a processor used for traces.
    'attributes/log_body_regexp': 'processors.attributes/log_body_regexp.include.log_bodies',
    'attributes/log_severity_regexp': 'processors.attributes/log_severity_regexp.include.log_severity_texts',
  });
});
