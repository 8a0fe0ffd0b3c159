import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fanout, TracesFanout, combineErrors, fanoutTraces, type SignalConsumer } from '../../src/service/fanout';
import { ExportError, MemoryLimitError, DecodeError } from '../../src/errors';
import type { TracesConsumer } from '../../src/component/types';
import type { TraceBatch } from '../../src/pdata/traces';
import { FakeBatch, fake } from './fakes';

function consumer(mutatesData: boolean, fail?: Error): TracesConsumer & { got: FakeBatch[] } {
  const got: FakeBatch[] = [];
  return {
    capabilities: { mutatesData },
    got,
    async consumeTraces(b: TraceBatch) {
      got.push(fake(b));
      if (fail) throw fail;
    },
  };
}

test('fanout: read-only consumers share the original; mutating ones get clones when a read-only one exists', async () => {
  const ro1 = consumer(false);
  const ro2 = consumer(false);
  const mut1 = consumer(true);
  const mut2 = consumer(true);
  const f = new TracesFanout([ro1, mut1, ro2, mut2]);
  assert.equal(f.capabilities.mutatesData, false);
  const b = new FakeBatch('b');
  const before = FakeBatch.clones;
  await f.consumeTraces(b.asTraceBatch());
  assert.equal(FakeBatch.clones - before, 2, 'one clone per mutating consumer');
  assert.equal(ro1.got[0], b);
  assert.equal(ro2.got[0], b);
  assert.ok(mut1.got[0]!.isClone && mut1.got[0] !== b);
  assert.ok(mut2.got[0]!.isClone && mut2.got[0] !== mut1.got[0]);
});

test('fanout: with only mutating consumers, the last one gets the original (n-1 clones) and the fan-out mutates', async () => {
  const m = [consumer(true), consumer(true), consumer(true)];
  const f = new TracesFanout(m);
  assert.equal(f.capabilities.mutatesData, true);
  const b = new FakeBatch('b');
  const before = FakeBatch.clones;
  await f.consumeTraces(b.asTraceBatch());
  assert.equal(FakeBatch.clones - before, 2);
  assert.ok(m[0]!.got[0]!.isClone);
  assert.ok(m[1]!.got[0]!.isClone);
  assert.equal(m[2]!.got[0], b);
});

test('fanout: only read-only consumers → no clone; a single consumer is used directly', async () => {
  const ro = [consumer(false), consumer(false)];
  const before = FakeBatch.clones;
  await new TracesFanout(ro).consumeTraces(new FakeBatch('x').asTraceBatch());
  assert.equal(FakeBatch.clones, before);
  const single = consumer(true);
  assert.equal(fanoutTraces([single]), single);
});

test('fanout: waits for every consumer and reports a permanent error over a retryable one', async () => {
  let finishedSlow = false;
  const slow: TracesConsumer = {
    capabilities: { mutatesData: false },
    consumeTraces: () => new Promise<void>((r) => setTimeout(() => ((finishedSlow = true), r()), 20)),
  };
  const retryable = new MemoryLimitError();
  const permanent = new ExportError('bad request', false);
  const f = new TracesFanout([consumer(false, retryable), slow, consumer(false, permanent)]);
  await assert.rejects(f.consumeTraces(new FakeBatch('y').asTraceBatch()), (e) => e === permanent);
  assert.ok(finishedSlow, 'the promise settles only after every consumer settled');

  const onlyRetryable = new TracesFanout([consumer(false, retryable), consumer(false, new MemoryLimitError('again'))]);
  await assert.rejects(onlyRetryable.consumeTraces(new FakeBatch('z').asTraceBatch()), (e) => e === retryable);

  assert.equal(combineErrors([retryable, new Error('plain')]) instanceof Error && (combineErrors([retryable, new Error('plain')]) as Error).message, 'plain');
  assert.ok(combineErrors([new DecodeError('x')]) instanceof DecodeError);
});

test('fanout: a consumer that throws synchronously is reported, others still run', async () => {
  const ok = consumer(false);
  const thrower: SignalConsumer<FakeBatch> = {
    capabilities: { mutatesData: false },
    consume: () => {
      throw new Error('sync boom');
    },
  };
  const f = new Fanout<FakeBatch>([thrower, { capabilities: { mutatesData: false }, consume: (b) => ok.consumeTraces(b.asTraceBatch()) }]);
  await assert.rejects(f.consume(new FakeBatch('s')), /sync boom/);
  assert.equal(ok.got.length, 1);
});
