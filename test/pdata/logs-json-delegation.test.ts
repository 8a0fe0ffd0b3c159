// LogBatch.fromJSON / toJSON delegate to src/pdata/otlp-json-logs.ts (written by the JSON work): a batch read
// back from its own OTLP/JSON has the same contents. (The JSON codec itself is tested with that module.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogBatch } from '../../src/pdata/logs';
import { oracleEncodeLogs } from '../oracle/otlp-oracle';
import { mulberry32, randomLogsRequest, edgeCaseLogsRequests, logBatchToCanonical, normalize } from './random-logs';

test('LogBatch.toJSON -> LogBatch.fromJSON keeps every record (text and UTF-8 bytes input)', () => {
  const reqs = [
    ...edgeCaseLogsRequests().map(([, o]) => o),
    ...[1, 2, 3, 4, 5].map((s) => randomLogsRequest(mulberry32(300 + s))),
  ];
  for (const obj of reqs) {
    const b = LogBatch.decode(oracleEncodeLogs(obj));
    const json = b.toJSON();
    assert.equal(typeof json, 'string');
    JSON.parse(json); // valid JSON
    const want = normalize(logBatchToCanonical(b));
    assert.deepStrictEqual(normalize(logBatchToCanonical(LogBatch.fromJSON(json))), want);
    assert.deepStrictEqual(normalize(logBatchToCanonical(LogBatch.fromJSON(Buffer.from(json, 'utf8')))), want);
  }
});

test('LogBatch.fromJSON reads a hand-written OTLP/JSON request', () => {
  const b = LogBatch.fromJSON(JSON.stringify({
    resourceLogs: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
      scopeLogs: [{
        scope: { name: 'lib' },
        logRecords: [{
          timeUnixNano: '1700000000000000001', severityNumber: 9, severityText: 'INFO', body: { stringValue: 'hello' },
          traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', flags: 1, eventName: 'ev',
          attributes: [{ key: 'n', value: { intValue: '42' } }],
        }],
      }],
    }],
  }));
  assert.equal(b.logRecordCount, 1);
  assert.equal(b.resourceAttributes(0).getString('service.name'), 'svc');
  assert.equal(b.timeUnixNano(0), 1700000000000000001n);
  assert.equal(b.severityNumber(0), 9);
  assert.equal(b.bodyString(0), 'hello');
  assert.equal(b.traceIdHex(0), '5b8efff798038103d269b633813fc60c');
  assert.equal(b.spanIdHex(0), 'eee19b7ec3c1b174');
  assert.equal(b.eventName(0), 'ev');
  assert.deepStrictEqual(b.logAttributes(0).get('n'), { intValue: 42n });
});
