// predict.mjs: what a retrylab preset predicts for one case. The preset
// runs in `retrylab sim` against the case's scenario (several seeds); the
// trace gives the attempts, how long each took and each wait's reason; the
// band each real wait must fall in comes from the preset's backoff (the
// range its jitter allows), or is the exact value for a Retry-After.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// Seeds the sim runs with: enough to tell which ladder step a jittered
// wait is (the band itself comes from the preset, not from the samples).
export const SEEDS = [1, 2, 3, 4];

// The preset as it runs against `scen`: its candidates replaced by the
// scenario's one provider, model and key name (a preset names its own
// example candidates), and the timeout the case gives the client, when it
// gives one: `limits.attempt_timeout_s` for a client whose timeout bounds
// each attempt, `limits.deadline_s` for one whose timeout bounds the whole
// call (lib/clients.mjs, timeoutPerAttempt). Everything else is the preset's.
export function derivePolicy(preset, scen, timeoutS, perAttempt = true) {
  const p = structuredClone(preset);
  const prov = scen.providers[0];
  p.candidates = [{ provider: prov.name, model: prov.models[0].name, keys: Object.keys(prov.keys || {}) }];
  if (timeoutS) p.limits = { ...(p.limits || {}), [perAttempt ? 'attempt_timeout_s' : 'deadline_s']: timeoutS };
  return p;
}

function readTrace(file) {
  const ev = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const sends = [], responses = [], gapsWaits = [];
  let done = null;
  for (const e of ev) {
    if (e.task !== 0 && e.event !== 'start') continue;
    if (e.event === 'send') { sends.push(e.t); gapsWaits.push([]); }
    else if (e.event === 'response') responses.push({ t: e.t, status: e.status, error: e.error || null, retry_after: e.retry_after });
    else if (e.event === 'wait' && gapsWaits.length) gapsWaits[gapsWaits.length - 1].push({ delay: e.delay, reason: e.reason, message: e.message || null });
    else if (e.event === 'done') done = { outcome: e.outcome, message: e.message || null };
  }
  return { sends, responses, waits: gapsWaits, done };
}

// Runs the sim once (at most 30 s); resolves to the parsed trace or
// rejects with its stderr.
function simOnce(bin, scenarioFile, policyFile, seed, outDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(bin, 'retrylab'),
      ['sim', scenarioFile, '--policy', policyFile, '--seed', String(seed), '--out', outDir, '--trace', 'full', '--quiet'],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { if (err.length < 4096) err += d; });
    const t = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('error', (e) => { clearTimeout(t); reject(e); });
    child.on('exit', (code) => {
      clearTimeout(t);
      if (code !== 0) reject(new Error(`retrylab sim (exit ${code}): ${err.trim()}`));
      else {
        try { resolve(readTrace(path.join(outDir, 'trace.jsonl'))); } catch (e) { reject(e); }
      }
    });
  });
}

// The value of ladder step n before jitter, as engine/core/backoff.c
// computes it (`ladder_s`), or -1 past a list that gives up.
function ladder(b, n) {
  const base = b.base_s ?? 1;
  switch (b.kind) {
    case 'constant': return base;
    case 'linear': return base * (n + 1);
    case 'exponential': return base * Math.pow(b.factor ?? 2, n);
    case 'list': {
      const w = b.waits_s || [];
      if (n < w.length) return w[n];
      return b.after_list === 'give_up' || !w.length ? -1 : w[w.length - 1];
    }
    default: return null;
  }
}

// [lo, hi] of backoff step n under the preset's jitter, or null for a kind
// this file does not know (the sampled range is used then).
export function ladderBand(b, n) {
  const cap = b.cap_s ?? Infinity, min = b.min_s ?? 0;
  let v = ladder(b, n);
  if (v === null || v < 0) return null;
  v = Math.min(v, cap);
  let lo, hi;
  switch (b.jitter ?? 'none') {
    case 'none': lo = hi = v; break;
    case 'full': lo = 0; hi = v; break;
    case 'equal': lo = v / 2; hi = v; break;
    case 'proportional': lo = v * b.jitter_range[0]; hi = v * b.jitter_range[1]; break;
    case 'decorrelated': lo = b.base_s ?? 1; hi = cap; break;
    default: return null;
  }
  const bound = (s) => Math.max(Math.min(s, cap), min);
  return [bound(lo), bound(hi)];
}

const EPS = 1e-6;

// The band of wait `k` (its index among the task's waits) from its samples
// over the seeds: a Retry-After (or any wait that is not the ladder's) is
// exact; a ladder wait takes the band of the step n that holds every
// sample, n = k first (retrylab's n counts every retry, engine/README.md).
function waitBand(backoff, k, samples, raForm) {
  const reason = samples[0].reason;
  const ds = samples.map((s) => s.delay);
  const smin = Math.min(...ds), smax = Math.max(...ds);
  if (reason === 'retry_after') {
    // An HTTP-date has whole seconds: the mockserver rounds the date up,
    // the client counts from its own clock, so it may wait up to 1 s more.
    return { lo: smin, hi: smax + (raForm === 'http_date' ? 1 : 0), reason, how: 'retry-after' };
  }
  if (reason !== 'backoff' || !backoff) return { lo: smin, hi: smax, reason, how: 'exact' };
  const tries = [k, ...Array.from({ length: k + 8 }, (_, i) => i).filter((i) => i !== k)];
  for (const n of tries) {
    const band = ladderBand(backoff, n);
    if (band && smin >= band[0] - EPS && smax <= band[1] + EPS)
      return { lo: band[0], hi: band[1], reason, how: `ladder n=${n}` };
  }
  return { lo: smin, hi: smax, reason, how: 'sampled' };
}

// Prediction for one (client, case): {attempts, gaps: [{lo, hi, waits}],
// outcome, planned (seed 1's waits)} or {error}.
export async function predict({ bin, scenario, scenarioFile, preset, timeoutS, perAttempt, raForm, workDir }) {
  const policy = derivePolicy(preset, scenario, timeoutS, perAttempt);
  fs.mkdirSync(workDir, { recursive: true });
  const policyFile = path.join(workDir, 'policy.json');
  fs.writeFileSync(policyFile, JSON.stringify(policy, null, 2) + '\n');
  let runs;
  try {
    runs = await Promise.all(SEEDS.map((seed) => simOnce(bin, scenarioFile, policyFile, seed, path.join(workDir, `sim-${seed}`))));
  } catch (e) {
    return { error: e.message.split('\n')[0] };
  }
  const r0 = runs[0];
  const shapeOf = (r) => r.sends.length + ':' + r.waits.map((w) => w.map((x) => x.reason).join('+')).join('/');
  if (runs.some((r) => shapeOf(r) !== shapeOf(r0)))
    return { error: 'the preset makes a different number of attempts or waits from one seed to another' };
  const gaps = [];
  let waitIndex = 0;
  for (let g = 0; g + 1 < r0.sends.length; g++) {
    const dur = r0.responses[g].t - r0.sends[g];
    let lo = dur, hi = dur;
    const waits = [];
    for (let w = 0; w < r0.waits[g].length; w++) {
      const band = waitBand(policy.backoff, waitIndex++, runs.map((r) => r.waits[g][w]), raForm);
      lo += band.lo; hi += band.hi;
      waits.push(band);
    }
    gaps.push({ lo, hi, attempt_s: dur, waits });
  }
  return {
    attempts: r0.sends.length,
    gaps,
    outcome: r0.done ? r0.done.outcome : null,
    statuses: r0.responses.map((x) => (x.error ? x.error : x.status)),
    planned: r0.waits.map((w) => w.reduce((s, x) => s + x.delay, 0)),
  };
}
