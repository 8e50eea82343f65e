// selftest.mjs: checks the suite's own logic without clients, mockserver or
// network: preset lookup, jitter bands, known-disagreement globs, verdicts.
// Run by tests/integration/conformance_selftest.sh; prints "ok" or throws.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLIENTS, findPreset, versionCovers } from './lib/clients.mjs';
import { globRe, knownFor } from './lib/known.mjs';
import { derivePolicy, ladderBand } from './lib/predict.mjs';
import { compare } from './lib/table.mjs';
import { gradePair } from './lib/grade.mjs';
import { spawnSync } from 'node:child_process';

const client = (id) => CLIENTS.find((c) => c.id === id);

// versions: exact, wildcard, ranges; no partial match of another version
assert.ok(versionCovers('openai-node 6.49.0', '6.49.0'));
assert.ok(versionCovers('openai 6.x', '6.49.0'));
assert.ok(versionCovers('openai-node 6.26.0 - 7.4.x', '6.49.0'));
assert.ok(!versionCovers('openai-node 6.26.0 - 7.4.x', '7.60.0'));
assert.ok(versionCovers('7.5.0..7.x', '7.60.0'));
assert.ok(!versionCovers('openai-node 6.49.1', '6.49.0'));
assert.ok(!versionCovers('openai-python v3.3.1', '6.49.0'));

// presets: metadata first, then the file-name list
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-selftest-'));
const put = (f, o) => fs.writeFileSync(path.join(dir, f), JSON.stringify(o));
put('openai-node.json', { kind: 'policy', name: 'peer-openai-node', source: 'openai-node src/core.ts' });
put('openai-python.json', { kind: 'policy', name: 'peer-openai-python', library: 'openai-python', version: '3.3.1' });
assert.equal(findPreset(client('openai7'), dir, '7.60.0').by, 'file name');
assert.equal(path.basename(findPreset(client('openai7'), dir, '7.60.0').file), 'openai-node.json');
put('zz-openai-node-7.json', { kind: 'policy', name: 'x', library: 'openai-node', version: '7.60.0' });
put('zz-openai-node-6.json', { kind: 'policy', name: 'y', models: { library: 'openai-node', versions: '6.26.0 - 7.4.x' } });
assert.equal(path.basename(findPreset(client('openai7'), dir, '7.60.0').file), 'zz-openai-node-7.json');
assert.equal(path.basename(findPreset(client('openai6'), dir, '6.49.0').file), 'zz-openai-node-6.json');
assert.equal(findPreset(client('openai6'), dir, '6.49.0').by, 'metadata');
assert.equal(findPreset(client('curl'), dir, '7.88.1'), null);
put('vercel.json', { kind: 'policy', name: 'z', library: 'ai', version: '7.0.173' });
assert.equal(path.basename(findPreset(client('ai'), dir, '7.0.173').file), 'vercel.json');
assert.equal(findPreset(client('openai7'), dir, '7.60.0').file.endsWith('vercel.json'), false);
fs.rmSync(dir, { recursive: true });

// bands: as engine/core/backoff.c (cap before and after jitter, min_s after)
const exp = { kind: 'exponential', base_s: 0.5, factor: 2, cap_s: 8, jitter: 'proportional', jitter_range: [0.75, 1.0] };
assert.deepEqual(ladderBand(exp, 0), [0.375, 0.5]);
assert.deepEqual(ladderBand(exp, 5), [6, 8]);
assert.deepEqual(ladderBand({ kind: 'exponential', base_s: 1, factor: 2, cap_s: 60, min_s: 1, jitter: 'full' }, 2), [1, 4]);
assert.deepEqual(ladderBand({ kind: 'constant', base_s: 2 }, 7), [2, 2]);
assert.deepEqual(ladderBand({ kind: 'linear', base_s: 1, jitter: 'equal' }, 1), [1, 2]);
assert.deepEqual(ladderBand({ kind: 'list', waits_s: [1, 3] }, 5), [3, 3]);
assert.equal(ladderBand({ kind: 'list', waits_s: [1], after_list: 'give_up' }, 1), null);
assert.equal(ladderBand({ kind: 'exponential', jitter: 'future-kind' }, 0), null);

// the derived policy: the case's candidate and the client's timeout
const scen = { providers: [{ name: 'anthropic', keys: { ANTHROPIC_API_KEY: 'k' }, models: [{ name: 'claude-sonnet-4' }] }] };
const pol = derivePolicy({ kind: 'policy', candidates: [{ provider: 'openai', model: 'gpt-4o' }], limits: { max_attempts: 3 } }, scen, 1, true);
assert.deepEqual(pol.candidates, [{ provider: 'anthropic', model: 'claude-sonnet-4', keys: ['ANTHROPIC_API_KEY'] }]);
assert.deepEqual(pol.limits, { max_attempts: 3, attempt_timeout_s: 1 });
assert.deepEqual(derivePolicy({ candidates: [] }, scen, 1, false).limits, { deadline_s: 1 });

// known-disagreement globs
assert.ok(globRe('429-ra[0-9]*-[sm]*').test('429-ra121-ms'));
assert.ok(!globRe('429-ra[0-9]*-[sm]*').test('429-ra0-date'));
assert.ok(globRe('openai[67]').test('openai7'));
assert.ok(!globRe('a.b').test('axb'));
assert.equal(knownFor([{ client: 'curl', case: '*', cause: 'c' }], 'curl', 'ok').cause, 'c');
assert.equal(knownFor([{ client: 'curl', case: '*', cause: 'c' }], 'ai', 'ok'), null);

// verdicts
const pred = { attempts: 3, gaps: [{ lo: 0.375, hi: 0.5, attempt_s: 0, waits: [{ how: 'ladder n=0' }] },
  { lo: 1.375, hi: 1.5, attempt_s: 1, waits: [{ how: 'ladder n=1' }] }] };
const obs = (gaps, more = {}) => ({ attempts: gaps.length + 1, gaps, cut: false, ...more });
assert.equal(compare({ pred, obs: obs([0.4, 1.45]) }, 0.15).agree, true);
assert.equal(compare({ pred, obs: obs([0.64, 1.45]) }, 0.15).agree, true);
assert.equal(compare({ pred, obs: obs([0.66, 1.45]) }, 0.15).agree, false);
assert.equal(compare({ pred, obs: obs([0.34, 1.45]) }, 0.15).agree, false);
assert.equal(compare({ pred, obs: obs([0.4, 1.24]) }, 0.15).agree, true); // a timed attempt may look shorter
assert.equal(compare({ pred, obs: obs([0.4, 1.2]) }, 0.15).agree, false);
assert.match(compare({ pred, obs: obs([0.4]) }, 0.15).why, /2 attempts, predicted 3/);
assert.equal(compare({ pred, obs: obs([0.4, 1.45], { cut: true }) }, 0.15).agree, false);
assert.equal(compare({ pred: { error: 'no preset' }, obs: obs([]) }, 0.15).why, 'no preset');
// grading through retrylab journal (needs the binaries: RL_BIN, as make test sets)
if (process.env.RL_BIN) {
  const bin = process.env.RL_BIN;
  const gd = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-grade-'));
  const scenFile = path.join(gd, 'scenario.json');
  const scenario = JSON.parse(fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'cases', '429-ra2-s.json'), 'utf8'));
  fs.writeFileSync(scenFile, JSON.stringify(scenario));
  const policy = derivePolicy(JSON.parse(fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'scenarios', 'policies', 'peers', 'openai-node-7.json'), 'utf8')), scenario, null, true);
  fs.writeFileSync(path.join(gd, 'policy.json'), JSON.stringify(policy));
  const sim = spawnSync(path.join(bin, 'retrylab'), ['sim', scenFile, '--policy', path.join(gd, 'policy.json'), '--seed', '1', '--out', path.join(gd, 'predicted', 'sim-1'), '--trace', 'full', '--quiet']);
  assert.equal(sim.status, 0, String(sim.stderr));
  const entry = (t, status, count, body, more = {}) => ({ t, provider: 'openai', model: 'gpt-4o', key: 'k-1', status, headers: status === 429 ? { 'Retry-After': '2' } : {},
    latency_s: 0.01, fault: null, note: 'script', attempt: null, endpoint: 'chat', task: null, idempotency_key: null, retry_count: count, body, delivered: true, reason: null, ...more });
  const grade = (entries) => {
    fs.writeFileSync(path.join(gd, 'journal.json'), JSON.stringify(entries));
    return gradePair({ workDir: gd, scenarioFile: scenFile, raForm: 'seconds' }, bin);
  };
  let g = grade([entry(0.1, 429, 0, 'fnv1a64:01'), entry(2.2, 200, 1, 'fnv1a64:01')]);
  assert.equal(g.ok, true, g.why);
  assert.equal(g.group, 'retry_count');
  assert.ok(Math.abs(g.wait_err_s) < 1e-3);
  g = grade([entry(0.1, 429, 0, 'fnv1a64:01'), entry(0.6, 200, 1, 'fnv1a64:01')]); // 1.5 s early
  assert.equal(g.ok, false);
  assert.equal(g.early, 1);
  assert.match(g.why, /1 attempt\(s\) early, its preset 0/);
  g = grade([entry(0.1, 429, 0, 'fnv1a64:01'), entry(2.2, 200, 0, 'fnv1a64:02')]); // a second call
  assert.equal(g.ok, false);
  assert.match(g.why, /in 2 tasks, not one/);
  fs.rmSync(gd, { recursive: true });
}

process.stdout.write('ok\n');
