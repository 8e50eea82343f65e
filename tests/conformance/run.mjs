#!/usr/bin/env node
// run.mjs: the conformance suite (`make conformance`). Each real client
// (lib/clients.mjs) runs each case (cases.json, cases/NAME.json) against a
// mockserver of its own; what it did (attempts, and the gaps between them,
// from the mockserver's journal) is compared with what retrylab's preset
// for that client predicts (`retrylab sim`, lib/predict.mjs): the same
// number of attempts, and every gap inside the band the preset allows.
// Prints a table (client, case, predicted, observed, agree), writes it to
// OUT/table.txt and OUT/table.json, and ends with "N agree, N disagree".
// Exit 0 when every disagreement is listed in the known-disagreements file,
// 1 when one is not, 2 on bad usage, 3 when the suite cannot run.
//
// Usage: node tests/conformance/run.mjs [--only REGEX] [--clients ID,...]
//          [--presets DIR] [--bin DIR] [--out DIR] [--jobs N]
//          [--tolerance S] [--known FILE|none] [--no-rerun] [--quick]
//        node tests/conformance/run.mjs --which-preset ID [--presets DIR]
//          (prints the preset file that client ID is compared with)

import fs from 'node:fs';
import path from 'node:path';
import { CLIENTS, findPreset } from './lib/clients.mjs';
import { predict } from './lib/predict.mjs';
import { Worker, attemptsOf, curlArgs, curlVersion, journal, runBounded, startGateway, startMock, stop, stopAll } from './lib/observe.mjs';
import { compare, formatTable, summary } from './lib/table.mjs';
import { knownFor, loadKnown } from './lib/known.mjs';
import { formatGrades, gradePair } from './lib/grade.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(HERE, '..', '..');

function usage(msg) {
  process.stderr.write(`conformance: ${msg}\nusage: node tests/conformance/run.mjs [--only REGEX] [--clients ID,...] [--presets DIR] [--bin DIR] [--out DIR] [--jobs N] [--tolerance S] [--known FILE|none] [--no-rerun] [--quick]\n       node tests/conformance/run.mjs --which-preset ID [--presets DIR]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    only: null, clients: null, presets: path.join(ROOT, 'scenarios/policies/peers'), bin: path.join(ROOT, 'bin'),
    out: path.join(ROOT, 'out/conformance'), jobs: 16, tolerance: 0.15,
    known: path.join(HERE, 'known-disagreements.json'), rerun: true, quick: false, whichPreset: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--only': try { o.only = new RegExp(v()); } catch (e) { usage(`--only: ${e.message}`); } break;
      case '--clients': o.clients = v().split(',').filter(Boolean); break;
      case '--presets': o.presets = path.resolve(v()); break;
      case '--bin': o.bin = path.resolve(v()); break;
      case '--out': o.out = path.resolve(v()); break;
      case '--jobs': o.jobs = Number(v()); if (!(o.jobs >= 1 && o.jobs <= 64)) usage('--jobs must be 1..64'); break;
      case '--tolerance': o.tolerance = Number(v()); if (!(o.tolerance >= 0 && o.tolerance <= 5)) usage('--tolerance must be 0..5 seconds'); break;
      case '--known': { const k = v(); o.known = k === 'none' ? null : path.resolve(k); break; }
      case '--no-rerun': o.rerun = false; break;
      case '--quick': o.quick = true; break;
      case '--which-preset': o.whichPreset = v(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (o.whichPreset && !CLIENTS.find((x) => x.id === o.whichPreset)) usage(`--which-preset: unknown client ${o.whichPreset}`);
  if (o.clients) for (const c of o.clients) if (!CLIENTS.find((x) => x.id === c)) usage(`--clients: unknown client ${c} (${CLIENTS.map((x) => x.id).join(', ')})`);
  return o;
}

function fatal(msg) {
  process.stderr.write(`conformance: ${msg}\n`);
  process.exit(3);
}

// The case's scenario as `client` sees it: a key of this pair's own (so
// the journal tells its requests from strays), and for an Anthropic-shape
// client the same script from an Anthropic-shape provider.
function scenarioFor(base, client, key) {
  const s = structuredClone(base);
  const p = s.providers[0];
  p.keys = { OPENAI_API_KEY: key };
  if (client.shape === 'anthropic') {
    p.name = 'anthropic'; p.shape = 'anthropic';
    p.keys = { ANTHROPIC_API_KEY: key };
    p.models = [{ name: 'claude-sonnet-4' }];
  }
  return s;
}

let pairKeys = 0;
function newKey() {
  pairKeys += 1;
  return `sk-test-${process.pid}-${pairKeys}`;
}

// The Retry-After form the case uses ("seconds", "ms", "http_date"), or null.
function raForm(scen) {
  const steps = (scen.providers[0].scripts || []).flatMap((x) => x.steps);
  const st = steps.find((x) => x.retry_after_s !== undefined);
  return st ? st.retry_after || scen.providers[0].retry_after || 'seconds' : null;
}

// The longest Retry-After in the case's script, in seconds (0 without).
function caseRA(scen) {
  const steps = (scen.providers[0].scripts || []).flatMap((x) => x.steps);
  return Math.max(0, ...steps.map((x) => x.retry_after_s || 0));
}

// Are the mockserver's dates the wall clock's? (A Date header within 3 s of
// now.) HTTP-date cases need it: a client compares the date with its clock.
async function datesAreWall(bin, scenarioFile, dir) {
  const m = await startMock(bin, scenarioFile, dir);
  try {
    const r = await fetch(`${m.url}/openai/v1/models`, { headers: { Authorization: 'Bearer sk-test' }, signal: AbortSignal.timeout(5000) });
    await r.arrayBuffer();
    const d = Date.parse(r.headers.get('date') || '');
    return Number.isFinite(d) && Math.abs(d - Date.now()) < 3000;
  } finally {
    await stop(m.child);
  }
}

// Observes one pair: its own mockserver, the client, the journal.
async function observe(pair, opt, env) {
  const dir = pair.workDir;
  const m = await startMock(opt.bin, pair.scenarioFile, dir);
  const t0 = Date.now();
  let end;
  try {
    const c = pair.client;
    if (c.kind === 'curl') {
      const hdr = path.join(dir, 'curl-key.header');
      fs.writeFileSync(hdr, `Authorization: Bearer ${pair.key}\n`, { mode: 0o600 });
      const res = await runBounded('curl', curlArgs(m.url, pair.curlRetries, pair.timeoutS, path.join(dir, 'curl-body.out'), hdr), pair.limitS);
      fs.rmSync(hdr, { force: true });
      end = { cut: res.cut, text: res.cut ? 'cut at the time limit' : `curl exit ${res.code}, HTTP ${res.stdout.trim() || '-'}` };
    } else {
      const a = { base: m.url, key: pair.key };
      if (pair.timeoutS) a.timeout_s = pair.timeoutS;
      if (c.kind === 'portkey') {
        a.base = env.gateway.url;
        a.portkey = { provider: 'openai', api_key: pair.key, custom_host: `${m.url}/openai/v1`, retry: c.portkeyRetry };
        if (pair.timeoutS) a.portkey.request_timeout = Math.round(pair.timeoutS * 1000);
      }
      const r = await env.workers.get(c.id).call(a, pair.limitS);
      end = { cut: r.cut, text: r.cut ? 'cut at the time limit' : r.out.ok ? 'success' : `${r.out.status || ''} ${r.out.error || ''}`.trim() };
    }
    const j = await journal(m.url);
    fs.writeFileSync(path.join(dir, 'journal.json'), JSON.stringify(j, null, 1) + '\n');
    const obs = attemptsOf(j);
    obs.cut = end.cut;
    obs.end = end.text;
    obs.wall_s = (Date.now() - t0) / 1000;
    return obs;
  } finally {
    await stop(m.child);
  }
}

// One unmeasured call per client before the suite (an error, a retry and a
// success), so that no measured gap pays for what a library (or the
// gateway) does only once: compiling its schemas, opening its first
// connection.
async function warmUp(client, opt, env) {
  const dir = path.join(opt.out, 'work', client.id, '_warm-up');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const base = { kind: 'scenario', name: 'conformance-warm-up', seed: 1, providers: [{
    name: 'openai', shape: 'openai', models: [{ name: 'gpt-4o' }],
    scripts: [{ steps: [{ status: 429, retry_after_s: 0 }, { pass: true, forever: true }] }] }] };
  const key = newKey();
  const file = path.join(dir, 'scenario.json');
  fs.writeFileSync(file, JSON.stringify(scenarioFor(base, client, key), null, 2) + '\n');
  const pair = { client, key, workDir: dir, scenarioFile: file, timeoutS: null, limitS: 30, curlRetries: 2 };
  await observe(pair, opt, env);
}

// Runs fn over items, `jobs` at a time, starting one at most every
// START_GAP_MS: a pair's first request makes its client (and the shared
// worker) busy for a moment, and a burst of them would delay the retries
// of the pairs being timed.
const START_GAP_MS = 150;
async function pool(items, jobs, fn, gapMs = START_GAP_MS) {
  let next = 0, lastStart = 0;
  const gate = async () => {
    if (!gapMs) return;
    const wait = lastStart + gapMs - Date.now();
    lastStart = Math.max(Date.now(), lastStart + gapMs);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await gate();
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
}

// The order pairs run in: the longest first (so the suite ends with short
// ones), and among equals the clients in turn (so one worker does not get
// a burst of calls).
function runOrder(pairs) {
  const seen = new Map();
  const turn = pairs.map((p) => { const n = seen.get(p.client.id) || 0; seen.set(p.client.id, n + 1); return n; });
  return pairs.map((p, i) => ({ p, key: p.sortKey, turn: turn[i], i }))
    .sort((a, b) => b.key - a.key || a.turn - b.turn || a.i - b.i).map((x) => x.p);
}

function buildPairs(opt, cases, curlVer, wallDates) {
  const pairs = [];
  for (const client of CLIENTS) {
    if (opt.clients && !opt.clients.includes(client.id)) continue;
    const version = client.kind === 'curl' ? curlVer : client.version;
    const found = findPreset(client, opt.presets, version);
    const preset = found ? JSON.parse(fs.readFileSync(found.file, 'utf8')) : null;
    for (const cs of cases) {
      if (opt.only && !opt.only.test(`${client.id}/${cs.name}`)) continue;
      const base = JSON.parse(fs.readFileSync(path.join(HERE, 'cases', `${cs.name}.json`), 'utf8'));
      const key = newKey();
      const scen = scenarioFor(base, client, key);
      const workDir = path.join(opt.out, 'work', client.id, cs.name);
      fs.rmSync(workDir, { recursive: true, force: true });
      fs.mkdirSync(workDir, { recursive: true });
      const scenarioFile = path.join(workDir, 'scenario.json');
      fs.writeFileSync(scenarioFile, JSON.stringify(scen, null, 2) + '\n');
      const form = raForm(scen);
      const pair = {
        client, version, key, caseName: cs.name, timeoutS: cs.timeout_s || null, workDir, scenarioFile, raForm: form,
        preset: found ? shortPath(found.file) : null, presetBy: found ? found.by : null,
      };
      // curl has no default retry count: it runs with the N its preset
      // models (limits.max_attempts - 1), or 2 without a preset.
      pair.curlRetries = preset && preset.limits && preset.limits.max_attempts ? preset.limits.max_attempts - 1 : 2;
      if (form === 'http_date' && !wallDates) pair.skip = 'the mockserver\'s dates are not the wall clock\'s';
      pair.predict = preset
        ? () => predict({ bin: opt.bin, scenario: scen, scenarioFile, preset, timeoutS: pair.timeoutS, perAttempt: client.timeoutPerAttempt, raForm: form, workDir: path.join(workDir, 'predicted') })
        : async () => ({ error: 'no preset' });
      // An HTTP-date has whole seconds, so what a client that reads its own
      // clock makes of one depends on where in its second the request
      // landed: such a case is predicted again with the task arriving when
      // the real first request did (workload.start_s).
      if (preset && form === 'http_date')
        pair.predictAt = (t) => {
          const at = structuredClone(scen);
          at.workload = { ...(at.workload || {}), start_s: t };
          const file = path.join(workDir, 'scenario-at.json');
          fs.writeFileSync(file, JSON.stringify(at, null, 2) + '\n');
          return predict({ bin: opt.bin, scenario: at, scenarioFile: file, preset, timeoutS: pair.timeoutS, perAttempt: client.timeoutPerAttempt, raForm: form, workDir: path.join(workDir, 'predicted-at') });
        };
      pair.scen = scen;
      pairs.push(pair);
    }
  }
  return pairs;
}

// Runs every pair's prediction (a few sims at a time), then sets its time
// limit and its place in the run order.
async function predictAll(pairs, opt) {
  await pool(pairs, 2, async (pair) => {
    pair.pred = await pair.predict();
    const predTotal = pair.pred.gaps ? pair.pred.gaps.reduce((s, g) => s + g.hi, 0) : 0;
    pair.limitS = pair.pred.gaps ? predTotal + 15 + (pair.timeoutS || 0) : 150;
    // Without a prediction, the case's longest Retry-After stands for how
    // long the run may take.
    pair.sortKey = pair.pred.gaps ? predTotal : 10 + caseRA(pair.scen);
    if (opt.quick && !pair.skip && pair.sortKey > 25) pair.skip = '--quick: a run over 25 s';
    delete pair.predict;
    delete pair.scen;
  }, 0);
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (opt.whichPreset) {
    const c = CLIENTS.find((x) => x.id === opt.whichPreset);
    const found = findPreset(c, opt.presets, c.kind === 'curl' ? curlVersion() : c.version);
    if (!found) { process.stderr.write(`conformance: no preset for ${c.id} in ${opt.presets}\n`); process.exit(1); }
    process.stdout.write(`${found.file}\n`);
    process.exit(0);
  }
  for (const b of ['retrylab', 'mockserver'])
    if (!fs.existsSync(path.join(opt.bin, b))) fatal(`${path.join(opt.bin, b)} is missing: run make first`);
  if (!fs.existsSync(path.join(HERE, 'node_modules', 'openai6')))
    fatal('the pinned clients are not installed: run `make conformance` (npm ci in tests/conformance)');
  const cases = JSON.parse(fs.readFileSync(path.join(HERE, 'cases.json'), 'utf8')).cases;
  let known = [];
  try { known = opt.known ? loadKnown(opt.known) : []; } catch (e) { usage(`--known: ${e.message}`); }
  fs.mkdirSync(opt.out, { recursive: true });
  const curlVer = curlVersion();
  const wallDates = await datesAreWall(opt.bin, path.join(HERE, 'cases', 'ok.json'), opt.out);
  const pairs = buildPairs(opt, cases, curlVer, wallDates);
  if (!pairs.length) usage('no (client, case) pair matches');
  await predictAll(pairs, opt);

  const env = { gateway: null, workers: new Map() };
  const cleanup = async () => {
    for (const w of env.workers.values()) await w.close();
    await stopAll();
  };
  process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
  process.on('SIGTERM', () => cleanup().then(() => process.exit(143)));
  try {
    const todo = runOrder(pairs.filter((p) => !p.skip));
    if (todo.some((p) => p.client.kind === 'portkey')) env.gateway = await startGateway(opt.out);
    for (const id of new Set(todo.map((p) => p.client.id))) {
      const c = CLIENTS.find((x) => x.id === id);
      if (c.kind === 'curl') continue;
      const w = new Worker(id);
      env.workers.set(id, w);
      await w.start();
      await warmUp(c, opt, env);
    }
    const runAll = async (list) => pool(list, opt.jobs, async (p) => {
      try { p.obs = await observe(p, opt, env); } catch (e) { p.obs = { error: e.message }; }
      if (p.predictAt && p.obs && typeof p.obs.first_t === 'number') {
        const at = await p.predictAt(p.obs.first_t);
        if (!at.error) p.pred = at;
      }
      p.result = compare(p, opt.tolerance);
    });
    await runAll(todo);
    const again = opt.rerun ? todo.filter((p) => !p.result.agree && p.pred.gaps && !knownFor(known, p.client.id, p.caseName)) : [];
    for (const p of again) p.firstObs = { obs: p.obs, why: p.result.why };
    if (again.length) await runAll(again);
    for (const p of again) p.reran = true;
  } finally {
    await cleanup();
  }
  for (const p of pairs) {
    if (p.skip) p.result = { agree: null, why: p.skip };
    p.known = knownFor(known, p.client.id, p.caseName);
    if (!p.skip && p.obs && !p.obs.error && !p.obs.cut) {
      try { p.grade = gradePair(p, opt.bin); } catch (e) { p.grade = { ok: false, why: e.message }; }
    }
  }
  const meta = {
    node: process.version, curl: curlVer, presets: shortPath(opt.presets), tolerance_s: opt.tolerance,
    mock_dates: wallDates ? 'wall clock' : 'scenario epoch', wall_s: (Date.now() - started) / 1000,
  };
  const text = formatTable(pairs, meta) + formatGrades(pairs);
  const json = { kind: 'conformance', ...meta, ...summary(pairs), rows: pairs.map(rowJson) };
  fs.writeFileSync(path.join(opt.out, 'table.txt'), text);
  fs.writeFileSync(path.join(opt.out, 'table.json'), JSON.stringify(json, null, 1) + '\n');
  process.stdout.write(text);
  const unknown = pairs.filter((p) => p.result.agree === false && !p.known);
  const misgraded = pairs.filter((p) => p.grade && !p.grade.ok);
  process.exit(unknown.length || misgraded.length ? 1 : 0);
}

// A path inside the repository relative to it, any other as it is.
function shortPath(p) {
  const r = path.relative(ROOT, p);
  return r && !r.startsWith('..') ? r : p;
}

function rowJson(p) {
  return {
    client: p.client.id, library: p.client.label, version: p.version, case: p.caseName, preset: p.preset, preset_by: p.presetBy,
    predicted: p.pred, observed: p.obs || null, agree: p.result.agree, why: p.result.why || null,
    known: p.known ? p.known.cause : null, reran: !!p.reran, first_run: p.firstObs || null, skipped: p.skip || null,
    graded: p.grade || null,
  };
}

main().catch((e) => fatal(e.stack || String(e)));
