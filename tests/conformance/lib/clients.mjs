// clients.mjs: the real clients of the conformance suite and the retrylab
// preset that models each. This table is the one place that maps a client
// to its preset.
//
// A preset is found in two steps (findPreset):
//  1. by its own metadata: a preset whose descriptive members (`library`,
//     `models`, `package`, `client`, `version`, `versions`, `pinned`, `peer`,
//     or `name`/`source` as a last resort) match one of the client's `names`
//     and a version that covers the client's version (the exact version,
//     `6.x`, or a range `6.26.0 - 7.4.x`);
//  2. else by file name: the first of `presets` that exists in the preset
//     folder.
// A client with neither has no prediction: each of its cases disagrees
// with the reason "no preset".
//
// Versions are the lockfile's (package.json pins them exactly); curl is the
// system's `curl` (Debian 12: 7.88.1), read at run time.

import fs from 'node:fs';
import path from 'node:path';

export const CLIENTS = [
  {
    id: 'openai6',
    label: 'openai-node',
    version: '6.49.0',
    kind: 'node',
    shape: 'openai',
    names: [/\bopenai-node\b/, /(^|[\s(:])openai(@|\s|$)/],
    presets: ['openai-node-6.json', 'openai-node6.json', 'openai-node.json'],
    // openai-node's `timeout` is per attempt (src/client.ts:999-1033 in 6.49.0).
    timeoutPerAttempt: true,
    // The stream cases (lib/stream.mjs): the streaming helpers it is read
    // through, and the error each stream fault surfaces as.
    streams: {
      apis: ['chat', 'responses'],
      errors: {
        // A chunk with an `error` member: APIError, status undefined, the
        // error's type (npm openai@6.49.0 src/core/streaming.ts:69-71).
        error: { class: 'APIError', status: null, type: true },
        // A body cut mid-stream: undici's TypeError ("terminated"),
        // rethrown as it is (src/core/streaming.ts:91-95).
        cut: { class: 'TypeError', status: null },
      },
    },
  },
  {
    id: 'openai7',
    label: 'openai-node',
    version: '7.60.0',
    kind: 'node',
    shape: 'openai',
    // openai@7.60.0 declares engines.node >= 22 (package.json:19-21); Debian
    // and this machine have Node 20, where it installs with EBADENGINE
    // warnings and runs (tests/conformance/README.md).
    names: [/\bopenai-node\b/, /(^|[\s(:])openai(@|\s|$)/],
    presets: ['openai-node-7.json', 'openai-node7.json', 'openai-node.json'],
    timeoutPerAttempt: true,
    streams: {
      apis: ['chat', 'responses'],
      errors: {
        // `event: error`, or a chunk with an `error` member: APIError,
        // status undefined, the error's type (npm openai@7.60.0
        // src/core/streaming.ts:157-164).
        error: { class: 'APIError', status: null, type: true },
        // A body cut mid-stream: undici's TypeError ("terminated"),
        // rethrown as it is (src/core/streaming.ts:167-178).
        cut: { class: 'TypeError', status: null },
      },
    },
  },
  {
    id: 'anthropic',
    label: '@anthropic-ai/sdk',
    version: '1.17.0',
    kind: 'node',
    shape: 'anthropic',
    names: [/@anthropic-ai\/sdk\b/, /\banthropic-sdk-typescript\b/, /\banthropic-node\b/],
    presets: ['anthropic-node.json', 'anthropic-sdk-node.json', 'anthropic-sdk.json'],
    timeoutPerAttempt: true,
    streams: {
      apis: ['messages'],
      errors: {
        // `event: error`: APIError, status undefined, `type` the event's
        // error.type, e.g. overloaded_error (npm @anthropic-ai/sdk@1.17.0
        // src/core/streaming.ts:78-81); messages.stream() passes an
        // AnthropicError on as it is (src/lib/MessageStream.ts:426-449).
        error: { class: 'APIError', status: null, type: true },
        // A body read failing with a TypeError (a cut): APIConnectionError
        // (src/internal/shims.ts:114-130).
        cut: { class: 'APIConnectionError', status: null },
      },
    },
  },
  {
    id: 'ai',
    label: 'ai + @ai-sdk/openai',
    version: '7.0.173',
    kind: 'node',
    shape: 'openai',
    names: [/\bvercel\b/, /(^|[\s(:])ai(@|\s|$)/, /@ai-sdk\//],
    presets: ['vercel-ai.json', 'vercel-ai-sdk.json', 'ai-sdk.json', 'ai.json'],
    // generateText's `timeout` aborts the whole call, not one attempt
    // (ai@7.0.173 src/generate-text/generate-text.ts:219).
    timeoutPerAttempt: false,
  },
  {
    id: 'portkey',
    label: '@portkey-ai/gateway',
    version: '1.15.2',
    kind: 'portkey',
    shape: 'openai',
    names: [/\bportkey\b/],
    presets: ['portkey.json', 'portkey-gateway.json'],
    // The retry config the preset models ("attempts": 5 with the
    // Retry-After header used: Portkey docs, Automatic Retries; the gateway
    // retries nothing without a config, src/handlers/services/requestContext.ts:148-155).
    portkeyRetry: { attempts: 5, use_retry_after_header: true },
    // request_timeout is per attempt (src/handlers/retryHandler.ts:4-50).
    timeoutPerAttempt: true,
  },
  {
    id: 'curl',
    label: 'curl --retry',
    version: null, // the system curl's, from `curl --version`
    kind: 'curl',
    shape: 'openai',
    names: [/\bcurl\b/],
    presets: ['curl.json', 'curl-retry.json', 'curl-7.88.json'],
    // `--max-time` bounds each attempt (curl src/tool_operate.c: the
    // transfer is set up again for every retry).
    timeoutPerAttempt: true,
  },
];

const META_KEYS = ['library', 'models', 'package', 'client', 'version', 'versions', 'pinned', 'peer'];

function strings(v, out) {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => { out.push(k); strings(x, out); });
  return out;
}

function cmpVersion(a, b) {
  const pa = a.split('.'), pb = b.split('.');
  for (let i = 0; i < 3; i++) {
    const x = pa[i] === undefined || pa[i] === 'x' ? null : Number(pa[i]);
    const y = pb[i] === undefined || pb[i] === 'x' ? null : Number(pb[i]);
    if (x === null || y === null) return 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

// Does `text` name version `v`: exactly, as a wildcard ("6.x"), or as a
// range ("6.26.0 - 7.4.x", "6.26..7.4", "6.26.0 to 7.4.x")?
export function versionCovers(text, v) {
  const ver = String.raw`\d+(?:\.(?:\d+|x))*`;
  const range = new RegExp(`(${ver})\\s*(?:-|–|\\.\\.|to)\\s*(${ver})`, 'g');
  for (const m of text.matchAll(range))
    if (cmpVersion(m[1], v) <= 0 && cmpVersion(v, m[2]) <= 0) return true;
  for (const m of text.matchAll(new RegExp(ver, 'g'))) {
    const t = m[0];
    if (t === v) return true;
    if (t.endsWith('.x') && cmpVersion(t, v) === 0) return true;
  }
  return false;
}

function metaText(preset, keys) {
  return strings(keys.map((k) => preset[k]).filter((x) => x !== undefined), []).join(' ');
}

function names(text, client) {
  const t = text.toLowerCase();
  return client.names.some((re) => re.test(t));
}

// The preset file for `client` in `dir`, and how it was found:
// {file, by: "metadata" | "file name"} or null.
export function findPreset(client, dir, version) {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  const parsed = [];
  for (const f of files) {
    try {
      parsed.push({ f, p: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) });
    } catch {
      /* an unreadable preset is left to `retrylab validate` */
    }
  }
  for (const keys of [META_KEYS, ['name', 'source']]) {
    const hits = parsed.filter(({ p }) => {
      const t = metaText(p, keys);
      return t && names(t, client) && versionCovers(t, version);
    });
    if (hits.length >= 1) return { file: path.join(dir, hits[0].f), by: 'metadata' };
  }
  for (const f of client.presets)
    if (fs.existsSync(path.join(dir, f))) return { file: path.join(dir, f), by: 'file name' };
  return null;
}
