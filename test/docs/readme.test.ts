// The README's component table is generated from the registry (`otelcol-ts components --markdown`): this test
// fails when a component is added, renamed or changes its keys/stability without the README following.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths';
import { factories } from '../../src/components';
import { Registry } from '../../src/service/registry';
import { componentsMarkdown } from '../../src/cli/components-list';

test('README component table equals `otelcol-ts components --markdown`', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const m = /<!-- components:begin -->\n([\s\S]*?)\n<!-- components:end -->/.exec(readme);
  assert.ok(m, 'README.md has no <!-- components:begin/end --> section');
  assert.equal(m[1]!.trim(), componentsMarkdown(new Registry(factories)).trim(), 'regenerate with: node bin/otelcol-ts.js components --markdown');
});

test('README names both commands a new user runs', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /npm ci && npm test/);
  const ci = fs.readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, /^npm ci$/m);
  assert.match(ci, /^npm test$/m);
});
