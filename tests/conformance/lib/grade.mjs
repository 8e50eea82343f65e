// grade.mjs: each observed pair graded the way a user grades their own
// client. The pair's mockserver journal goes through `retrylab journal`
// (which groups attempts into tasks and measures the waits) and
// `retrylab check` with respects_retry_after; the result must hold three
// things:
//   - one task: the client made one call, so every attempt of it is grouped
//     together (by x-stainless-retry-count for the openai and anthropic
//     SDKs, by an identical body for the others);
//   - the waits check reads equal the gaps measured from the journal's own
//     timestamps (next arrival - (arrival + latency)) to within 20 ms;
//   - the Retry-After verdict on the real client equals the verdict on the
//     preset's simulated run of the same case: a client that retries before
//     the server's Retry-After is caught exactly when its preset says so.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const WAIT_TOLERANCE_S = 0.02;

function retrylab(bin, args) {
  const r = spawnSync(path.join(bin, 'retrylab'), args, { encoding: 'utf8', timeout: 30000 });
  return { code: r.status, out: `${r.stdout || ''}${r.stderr || ''}`.trim() };
}

function readJsonl(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// The gaps the journal's timestamps give between one attempt's end and the
// next arrival, in arrival order (requests of this pair's key only).
function journalGaps(entries) {
  const reqs = entries.filter((e) => typeof e.t === 'number' && !/^invalid key/.test(e.note || ''))
    .sort((a, b) => a.t - b.t);
  const gaps = [];
  for (let i = 1; i < reqs.length; i++) gaps.push(reqs[i].t - (reqs[i - 1].t + (reqs[i - 1].latency_s || 0)));
  return gaps;
}

// respects_retry_after on one run folder: {code, early} where early counts
// the attempts check lists as sent too soon. An HTTP-date has whole
// seconds, so in date cases an attempt up to 1 s early is on time (the
// client reads its own clock, not the Date header).
function earlyAttempts(bin, runDir, expectFile) {
  const r = retrylab(bin, ['check', runDir, '--expect', expectFile]);
  return { code: r.code, early: (r.out.match(/^retry-after task \d+: attempt \d+ sent/gm) || []).length, out: r.out };
}

// Grades one observed pair; returns {ok, why, group, attempts, tasks,
// wait_err_s, early, early_predicted}.
export function gradePair(pair, bin) {
  const dir = pair.workDir;
  const out = path.join(dir, 'graded');
  fs.rmSync(out, { recursive: true, force: true });
  // Each pair is one call: a window longer than any case's Retry-After
  // (121 s) keeps a client that waits it in one task.
  const j = retrylab(bin, ['journal', path.join(dir, 'journal.json'), '--out', out, '--scenario', pair.scenarioFile, '--window', '300']);
  if (j.code !== 0) return { ok: false, why: `retrylab journal exit ${j.code}: ${j.out}` };
  const m = j.out.match(/(\d+) attempts? in (\d+) tasks?/);
  const g = { attempts: m ? Number(m[1]) : null, tasks: m ? Number(m[2]) : null };
  const trace = readJsonl(path.join(out, 'trace.jsonl'));
  g.group = [...new Set(trace.filter((e) => e.event === 'response' && e.group).map((e) => e.group))].join(',');
  if (g.tasks !== 1) return { ...g, ok: false, why: `${g.attempts} attempts in ${g.tasks} tasks, not one (grouped by ${g.group})` };

  const waits = trace.filter((e) => e.event === 'wait').map((e) => e.delay);
  const gaps = journalGaps(JSON.parse(fs.readFileSync(path.join(dir, 'journal.json'), 'utf8')));
  if (waits.length !== gaps.length) return { ...g, ok: false, why: `${waits.length} waits in the trace, ${gaps.length} gaps in the journal` };
  g.wait_err_s = waits.reduce((mx, w, i) => Math.max(mx, Math.abs(w - gaps[i])), 0);
  if (g.wait_err_s > WAIT_TOLERANCE_S) return { ...g, ok: false, why: `a wait is ${g.wait_err_s.toFixed(3)} s off its journal gap` };

  const expectFile = path.join(dir, 'respects-retry-after.json');
  const tol = pair.raForm === 'http_date' ? 1.0 : 0.005;
  fs.writeFileSync(expectFile, JSON.stringify({ kind: 'expect', respects_retry_after: { tolerance_s: tol } }) + '\n');
  const real = earlyAttempts(bin, out, expectFile);
  if (real.code !== 0 && real.code !== 1) return { ...g, ok: false, why: `check exit ${real.code}: ${real.out}` };
  g.early = real.early;
  const simDir = ['predicted-at', 'predicted'].map((d) => path.join(dir, d, 'sim-1')).find((d) => fs.existsSync(path.join(d, 'trace.jsonl')));
  if (!simDir) return { ...g, ok: true, why: 'no preset: Retry-After verdict not compared' };
  const sim = earlyAttempts(bin, simDir, expectFile);
  g.early_predicted = sim.early;
  if ((real.early > 0) !== (sim.early > 0))
    return { ...g, ok: false, why: `Retry-After: the client sent ${real.early} attempt(s) early, its preset ${sim.early}` };
  return { ...g, ok: true, why: null };
}

// The grading lines under the table.
export function formatGrades(pairs) {
  const graded = pairs.filter((p) => p.grade);
  const bad = graded.filter((p) => !p.grade.ok);
  const early = graded.filter((p) => p.grade.early > 0);
  const maxErr = graded.reduce((mx, p) => Math.max(mx, p.grade.wait_err_s || 0), 0);
  const groups = {};
  for (const p of graded) if (p.grade.group) groups[p.grade.group] = (groups[p.grade.group] || 0) + 1;
  let s = `\ngraded through retrylab journal: ${graded.length} pairs, ${graded.length - bad.length} as expected`;
  s += `; grouped by ${Object.entries(groups).map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`;
  s += `; waits vs journal gaps: max ${(maxErr * 1000).toFixed(1)} ms`;
  s += `; early retries caught: ${early.length} pairs${early.length ? ` (${early.map((p) => `${p.client.id}/${p.caseName}`).join(' ')})` : ''}\n`;
  for (const p of bad) s += `grading failed: ${p.client.id}/${p.caseName}: ${p.grade.why}\n`;
  return s;
}
