// table.mjs: the verdict for one (client, case) pair and the suite's table.
//
// A pair agrees when the client made exactly the predicted number of
// attempts and every gap between two attempts lies in the predicted band:
// at least its low end less 20 ms (the journal's clock and the client's
// timers are read at slightly different moments), less 150 ms more when
// the gap holds an attempt the client timed out (its timer starts before
// the request reaches the mockserver: connecting, sending), and at most its
// high end plus the tolerance (default 0.15 s: the client's own work
// between two requests, a timer firing late) plus 0.2 % of the band (a
// timer's drift over a long wait). A stream case is judged on what the
// client read too (lib/stream.mjs).

import { streamVerdict, streamedText } from './stream.mjs';

const LOW_SLACK_S = 0.02;
const TIMED_ATTEMPT_SLACK_S = 0.15;
const DRIFT = 0.002;

function fmtS(x) {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function fmtBand(g) {
  return Math.abs(g.hi - g.lo) < 0.005 ? fmtS(g.lo) : `${fmtS(g.lo)}-${fmtS(g.hi)}`;
}

export function predictedText(pred) {
  if (!pred || pred.error) return `(${pred ? pred.error : 'none'})`;
  return [`${pred.attempts}`, ...pred.gaps.map(fmtBand)].join(' ');
}

export function observedText(obs) {
  if (!obs) return '-';
  if (obs.error) return `(${obs.error.slice(0, 60)})`;
  return [`${obs.attempts}${obs.cut ? '+' : ''}`, ...obs.gaps.map(fmtS)].join(' ') + streamedText(obs.streamed);
}

// {agree, why}: why says what differs (or why there is no verdict).
export function compare(pair, tol) {
  const { pred, obs } = pair;
  if (pred.error) return { agree: false, why: pred.error };
  if (obs.error) return { agree: false, why: `not observed: ${obs.error}` };
  if (obs.attempts !== pred.attempts)
    return { agree: false, why: `${obs.attempts} attempts${obs.cut ? ' (still running at the time limit)' : ''}, predicted ${pred.attempts}` };
  for (let i = 0; i < obs.gaps.length; i++) {
    const g = pred.gaps[i], x = obs.gaps[i];
    const low = g.lo - LOW_SLACK_S - (g.attempt_s > 0 ? TIMED_ATTEMPT_SLACK_S : 0);
    if (x < low || x > g.hi + tol + DRIFT * g.hi)
      return { agree: false, why: `gap ${i + 1}: ${fmtS(x)} s, predicted ${fmtBand(g)} s (${g.waits.map((w) => w.how).join(', ') || 'attempt'})` };
  }
  if (obs.cut) return { agree: false, why: 'still running at the time limit after the predicted attempts' };
  if (pair.streamApi) return streamVerdict(pair);
  return { agree: true };
}

export function summary(pairs) {
  const agree = pairs.filter((p) => p.result.agree === true).length;
  const disagree = pairs.filter((p) => p.result.agree === false).length;
  const known = pairs.filter((p) => p.result.agree === false && p.known).length;
  const skipped = pairs.filter((p) => p.result.agree === null).length;
  const fixed = pairs.filter((p) => p.result.agree === true && p.known).length;
  return { agree, disagree, known, skipped, now_agree_but_listed: fixed, cases: pairs.length };
}

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function verdict(p) {
  if (p.result.agree === null) return 'skip';
  if (p.result.agree) return p.reran ? 'yes (2nd run)' : 'yes';
  return p.known ? 'no (known)' : 'NO';
}

// The text table: a header naming the clients and their presets, one row
// per pair, the disagreements with their reasons, and the closing line.
export function formatTable(pairs, meta) {
  const L = [];
  L.push(`conformance: node ${meta.node}, curl ${meta.curl}, presets in ${meta.presets}, mockserver dates: ${meta.mock_dates}, tolerance +${meta.tolerance_s} s`);
  // openai@7.60.0 and ai@7.0.173 declare engines.node >= 22 (their package.json).
  if (Number(meta.node.replace(/^v/, '').split('.')[0]) < 22 && pairs.some((p) => p.client.id === 'openai7' || p.client.id === 'ai'))
    L.push(`note: openai-node 7.x and ai 7.x declare Node >= 22; they run here on Node ${meta.node}, outside their declared support`);
  L.push('predicted/observed: attempts, then each gap between two attempts in seconds (a band lo-hi where the preset jitters; "+": cut at the time limit)');
  const seen = new Set();
  for (const p of pairs) {
    if (seen.has(p.client.id)) continue;
    seen.add(p.client.id);
    L.push(`  ${pad(p.client.id, 10)} ${p.client.label} ${p.version || '?'} -> ${p.preset ? `${p.preset} (by ${p.presetBy})` : 'no preset'}`);
  }
  const rows = pairs.map((p) => [`${p.client.label} ${p.version || ''}`.trim(), p.caseName,
    p.skip ? '-' : predictedText(p.pred), p.skip ? '-' : observedText(p.obs), verdict(p)]);
  const head = ['client', 'case', 'predicted', 'observed', 'agree'];
  const w = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i].length))));
  L.push('');
  L.push(head.map((h, i) => pad(h, w[i])).join('  ').trimEnd());
  L.push(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) L.push(r.map((c, i) => pad(c, w[i])).join('  ').trimEnd());
  const bad = pairs.filter((p) => p.result.agree === false);
  if (bad.length) {
    L.push('');
    L.push('disagreements:');
    for (const p of bad)
      L.push(`  ${p.client.id}/${p.caseName}: ${p.result.why}${p.known ? ` [known: ${p.known.cause}]` : ''}`);
  }
  const s = summary(pairs);
  const skips = pairs.filter((p) => p.result.agree === null);
  if (skips.length) {
    L.push('');
    const why = [...new Set(skips.map((p) => p.result.why))];
    L.push(`skipped: ${skips.length} (${why.join('; ')})`);
  }
  const fixed = pairs.filter((p) => p.result.agree === true && p.known);
  if (fixed.length) {
    L.push('');
    L.push(`listed as known disagreements but agreeing now (remove them from the list): ${fixed.map((p) => `${p.client.id}/${p.caseName}`).join(', ')}`);
  }
  const reran = pairs.filter((p) => p.reran);
  if (reran.length) L.push(`re-run once after an unlisted disagreement: ${reran.map((p) => `${p.client.id}/${p.caseName} (${p.result.agree ? 'agreed the second time' : 'disagreed again'})`).join(', ')}`);
  L.push(`${s.cases} cases over ${seen.size} clients; ${s.known} of the disagreements are known; wall time ${meta.wall_s.toFixed(0)} s`);
  L.push(`${s.agree} agree, ${s.disagree} disagree`);
  return L.join('\n') + '\n';
}
