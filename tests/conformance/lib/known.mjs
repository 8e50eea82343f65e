// known.mjs: the known disagreements (known-disagreements.json): pairs
// (client glob, case glob) that disagree with their preset for a reason
// written down next to them.

import fs from 'node:fs';

// The list in `file`; throws an Error naming the file and the bad entry.
export function loadKnown(file) {
  let k;
  try {
    k = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${e.message}`);
  }
  if (!k || !Array.isArray(k.known)) throw new Error(`${file}: needs a "known" array`);
  k.known.forEach((e, i) => {
    for (const f of ['client', 'case', 'cause'])
      if (!e || typeof e[f] !== 'string' || !e[f]) throw new Error(`${file}: known[${i}].${f} must be a non-empty string`);
  });
  return k.known;
}

// A glob (`*`, `?`, `[...]`) as an anchored regular expression.
export function globRe(g) {
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const ch = g[i];
    const close = ch === '[' ? g.indexOf(']', i + 1) : -1;
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (close > i + 1) { re += g.slice(i, close + 1); i = close; }
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

// The first entry that names this client and case, or null.
export function knownFor(known, client, caseName) {
  return known.find((k) => globRe(k.client).test(client) && globRe(k.case).test(caseName)) || null;
}
