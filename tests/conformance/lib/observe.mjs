// observe.mjs: what a real client does against one case. A mockserver of
// its own plays the case's scenario on a free loopback port (time scale 1);
// the client makes one request; the mockserver's journal gives every
// request it received, with its arrival time: the attempts and the gaps
// between them. Every process is bounded in time and killed by its pid.

import { spawn, spawnSync } from 'node:child_process';
import readline from 'node:readline';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const HERE = path.dirname(path.dirname(new URL(import.meta.url).pathname));

// Every child gets this environment: no proxies (loopback only), no
// client configuration from the caller's environment (OPENAI_BASE_URL ...).
export function childEnv() {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME || '/tmp', LANG: 'C', TZ: 'UTC' };
  return env;
}

// Every child this module started and that has not exited yet.
// Once stopAll has begun, a child started late is stopped at once.
const live = new Set();
let stopping = false;
function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (stopping) stop(child);
  return child;
}

// Kills a child by its pid and waits up to 2 s (then SIGKILL) for it to go.
export async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((res) => child.once('exit', res));
  try { process.kill(child.pid, 'SIGTERM'); } catch { return; }
  const t = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, 2000);
  await gone;
  clearTimeout(t);
}

// Stops every child still running (the suite's end, or a signal).
export async function stopAll() {
  stopping = true;
  await Promise.all([...live].map((c) => stop(c)));
}

async function waitForLine(file, re, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const m = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').match(re) : null;
    if (m) return m;
    await sleep(20);
  }
  return null;
}

// Starts bin/mockserver on `scenarioFile`; returns {child, url}.
export async function startMock(bin, scenarioFile, dir) {
  const out = path.join(dir, 'mockserver.out');
  const fd = fs.openSync(out, 'w');
  const child = track(spawn(path.join(bin, 'mockserver'), [scenarioFile, '--port', '0', '--bind', '127.0.0.1'],
    { stdio: ['ignore', fd, fd], env: childEnv() }));
  fs.closeSync(fd);
  const m = await waitForLine(out, /^listening on (\S+)/m, 5000);
  if (!m) {
    await stop(child);
    throw new Error(`mockserver did not start: ${fs.readFileSync(out, 'utf8').trim().slice(0, 300)}`);
  }
  return { child, url: m[1] };
}

export async function journal(url) {
  const r = await fetch(`${url}/__admin/journal?format=json`, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`journal: HTTP ${r.status}`);
  return r.json();
}

// Runs `cmd args` for at most `limitS` seconds; resolves to
// {code, stdout, stderr, cut} (cut: killed at the limit).
export function runBounded(cmd, args, limitS, opts = {}) {
  return new Promise((resolve) => {
    const child = track(spawn(cmd, args, { env: childEnv(), cwd: opts.cwd || HERE, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '', stderr = '', cut = false;
    child.stdout.on('data', (d) => { if (stdout.length < 65536) stdout += d; });
    child.stderr.on('data', (d) => { if (stderr.length < 65536) stderr += d; });
    const timer = setTimeout(() => { cut = true; stop(child); }, limitS * 1000);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, stdout, stderr: String(e), cut }); });
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code: code ?? signal, stdout, stderr, cut }); });
  });
}

// One client.mjs worker: the library loaded once, then any number of
// calls in flight at a time, each bounded by its own time limit.
export class Worker {
  constructor(clientId) {
    this.clientId = clientId;
    this.pending = new Map();
    this.next = 1;
  }

  // Starts the worker and waits (at most 60 s) until its library is loaded.
  async start() {
    this.child = track(spawn(process.execPath, [path.join(HERE, 'client.mjs'), this.clientId],
      { env: childEnv(), cwd: HERE, stdio: ['pipe', 'pipe', 'pipe'] }));
    this.stderr = '';
    this.child.stderr.on('data', (d) => { if (this.stderr.length < 65536) this.stderr += d; });
    const ready = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`client ${this.clientId} did not load in 60 s`)), 60000);
      this.child.once('exit', (code) => { clearTimeout(t); reject(new Error(`client ${this.clientId} exited (${code}): ${this.stderr.trim().slice(-300)}`)); });
      readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
        let o;
        try { o = JSON.parse(line); } catch { return; }
        if (o.ready) { clearTimeout(t); resolve(); return; }
        const p = this.pending.get(o.id);
        if (p) { this.pending.delete(o.id); p(o); }
      });
    });
    await ready;
    this.child.on('exit', () => { for (const p of this.pending.values()) p({ ok: false, status: 0, error: `client ${this.clientId} exited` }); this.pending.clear(); });
  }

  // One call; resolves to {cut, out} where out is the worker's answer line.
  call(args, limitS) {
    const id = this.next++;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        this.child.stdin.write(JSON.stringify({ cancel: id }) + '\n');
        resolve({ cut: true, out: null });
      }, limitS * 1000);
      this.pending.set(id, (out) => { clearTimeout(t); resolve({ cut: false, out }); });
      this.child.stdin.write(JSON.stringify({ ...args, id }) + '\n');
    });
  }

  async close() {
    if (this.child) { this.child.stdin.end(); await stop(this.child); }
  }
}

// A free loopback port (the gateway takes a port number, not 0).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ port: 0, host: '127.0.0.1' }, () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// The Portkey gateway (@portkey-ai/gateway's build/start-server.js),
// listening on loopback only (loopback.mjs) and shared by every Portkey case.
export async function startGateway(dir) {
  const port = await freePort();
  const out = path.join(dir, 'gateway.out');
  const fd = fs.openSync(out, 'w');
  const entry = path.join(HERE, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  const child = track(spawn(process.execPath, ['--import', path.join(HERE, 'loopback.mjs'), entry, `--port=${port}`, '--headless'],
    { stdio: ['ignore', fd, fd], env: { ...childEnv(), NODE_ENV: 'production' }, cwd: HERE }));
  fs.closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 20000;
  while (Date.now() < end) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(url + '/', { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      return { child, url };
    } catch { await sleep(100); }
  }
  await stop(child);
  throw new Error(`the Portkey gateway did not start: ${fs.readFileSync(out, 'utf8').slice(-300)}`);
}

export function curlVersion() {
  const r = spawnSync('curl', ['--version'], { encoding: 'utf8' });
  const m = (r.stdout || '').match(/^curl (\S+)/);
  return m ? m[1] : null;
}

// The argv of one `curl --retry N` call: a chat completion, the body
// written to `bodyFile`, no proxy; `--max-time` when the case sets a
// timeout. (Not `-o /dev/null`: before a retry curl truncates its output,
// which fails on /dev/null with error 23 and ends the retries.) The key
// goes in a header read from `headerFile`, never on the command line.
export function curlArgs(base, retries, timeoutS, bodyFile, headerFile) {
  const a = ['-sS', '--noproxy', '*', '--retry', String(retries), '-o', bodyFile, '-w', '%{http_code}',
    '-H', `@${headerFile}`, '-H', 'Content-Type: application/json',
    '--data', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello.' }] })];
  if (timeoutS) a.push('--max-time', String(timeoutS));
  a.push(`${base}/openai/v1/chat/completions`);
  return a;
}

// What the journal says: the attempts (in arrival order) and the gaps
// between consecutive arrivals, in seconds. Requests with another key (a
// call of an earlier pair, cut and still retrying, that found this
// mockserver on its old port) are not this pair's.
export function attemptsOf(entries) {
  const reqs = entries.filter((e) => typeof e.t === 'number' && !/^invalid key/.test(e.note || ''))
    .sort((a, b) => a.t - b.t);
  const gaps = [];
  for (let i = 1; i < reqs.length; i++) gaps.push(reqs[i].t - reqs[i - 1].t);
  return {
    attempts: reqs.length, gaps, statuses: reqs.map((e) => (e.fault ? e.fault : e.status)),
    first_t: reqs.length ? reqs[0].t : null,
  };
}
