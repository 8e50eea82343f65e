// client.mjs: a worker that makes chat requests with one real library, with
// its default retry settings. The runner (run.mjs) starts one worker per
// client, lets it load its library once (so no case pays for a Node start
// and a library load while others are timing their waits), then sends it
// one request per (client, case), each against that case's own mockserver,
// and reads what the library did from the mockserver's journal; the answer
// line only says how the call ended.
//
//   node client.mjs ID
//     writes {"ready": true} once its library is loaded, then reads JSON lines
//       {"id", "base", "key", "timeout_s", "portkey", "stream"}   a call
//       {"cancel": id}                                             abort that call
//     and writes one {"id", "ok", "status", "error", "ms", "streamed"} line
//     per call.
//
// ID is one of the clients in lib/clients.mjs whose kind is "node" or
// "portkey". "key" is the API key the case's mockserver accepts.
// "timeout_s" is the per-request timeout a case gives the library (absent:
// the library's default). For "portkey", "base" is the gateway's URL and
// "portkey" the x-portkey-config object; the client sending to the gateway
// (openai 6.x) does not retry itself.
//
// "stream" ("chat", "responses" or "messages"; openai6, openai7 and
// anthropic only) makes the call through the library's streaming helper
// and reads the stream to its end; "streamed" then says what the caller
// got: {text (the text deltas joined), usage (output tokens the final
// event reported, or null), error_class, error_status, error_type (of the
// error the helper threw, or null)}.

import readline from 'node:readline';

const clientId = process.argv[2];
const messages = [{ role: 'user', content: 'Say hello.' }];

// The modules each client loads before it says it is ready. `openai6` and
// `openai7` are npm aliases of openai@6.49.0 and openai@7.60.0 (package.json).
const LIBS = {
  openai6: ['openai6'], openai7: ['openai7'], anthropic: ['@anthropic-ai/sdk'],
  ai: ['ai', '@ai-sdk/openai'], portkey: ['openai6'],
};

function shortError(e) {
  if (!e) return null;
  const name = e.constructor && e.constructor.name ? e.constructor.name : 'Error';
  const msg = String(e.message || e).split('\n')[0].slice(0, 120);
  return `${name}: ${msg}`;
}

function statusOf(e) {
  if (!e) return 200;
  if (typeof e.status === 'number') return e.status;
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (e.lastError) return statusOf(e.lastError);
  return 0;
}

function withTimeout(args, o) {
  if (args.timeout_s) o.timeout = Math.round(args.timeout_s * 1000);
  return o;
}

async function viaOpenAI(pkg, opts, signal) {
  const { default: OpenAI } = await import(pkg);
  return new OpenAI(opts).chat.completions.create({ model: 'gpt-4o', messages }, { signal });
}

async function viaAnthropic(opts, signal) {
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  return new Anthropic(opts).messages.create({ model: 'claude-sonnet-4', max_tokens: 16, messages }, { signal });
}

// The Vercel AI SDK: generateText over @ai-sdk/openai's chat-completions
// model (provider.chat; the provider's default is the Responses API).
async function viaAI(args, signal) {
  const { generateText } = await import('ai');
  const { createOpenAI } = await import('@ai-sdk/openai');
  const provider = createOpenAI({ baseURL: `${args.base}/openai/v1`, apiKey: args.key });
  const call = { model: provider.chat('gpt-4o'), prompt: 'Say hello.', abortSignal: signal };
  if (args.timeout_s) call.timeout = Math.round(args.timeout_s * 1000);
  return generateText(call);
}

// chat.completions.create({stream: true}) with the usage chunk asked for:
// the text is the chunks' delta.content, the usage the last chunk's.
async function streamChat(pkg, opts, signal, got) {
  const { default: OpenAI } = await import(pkg);
  const stream = await new OpenAI(opts).chat.completions.create(
    { model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } }, { signal });
  for await (const chunk of stream) {
    const d = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
    if (d && typeof d.content === 'string') got.text += d.content;
    if (chunk.usage) got.usage = chunk.usage.completion_tokens;
  }
}

// responses.create({stream: true}): the text is the output_text deltas,
// the usage response.completed's.
async function streamResponses(pkg, opts, signal, got) {
  const { default: OpenAI } = await import(pkg);
  const stream = await new OpenAI(opts).responses.create({ model: 'gpt-4o', input: 'Say hello.', stream: true }, { signal });
  for await (const ev of stream) {
    if (ev.type === 'response.output_text.delta') got.text += ev.delta;
    if (ev.type === 'response.completed' && ev.response.usage) got.usage = ev.response.usage.output_tokens;
  }
}

// messages.stream(): the text is its 'text' events, the usage
// finalMessage()'s (the message_delta's output_tokens).
async function streamMessages(opts, signal, got) {
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  const stream = new Anthropic(opts).messages.stream({ model: 'claude-sonnet-4', max_tokens: 64, messages }, { signal });
  stream.on('text', (t) => { got.text += t; });
  const m = await stream.finalMessage();
  got.usage = m.usage ? m.usage.output_tokens : null;
}

function callStream(args, signal, got) {
  const opts = withTimeout(args, { apiKey: args.key });
  if (clientId === 'anthropic' && args.stream === 'messages')
    return streamMessages({ ...opts, baseURL: `${args.base}/anthropic` }, signal, got);
  if ((clientId === 'openai6' || clientId === 'openai7') && args.stream === 'chat')
    return streamChat(clientId, { ...opts, baseURL: `${args.base}/openai/v1` }, signal, got);
  if ((clientId === 'openai6' || clientId === 'openai7') && args.stream === 'responses')
    return streamResponses(clientId, { ...opts, baseURL: `${args.base}/openai/v1` }, signal, got);
  throw new Error(`client.mjs: ${clientId} has no ${JSON.stringify(args.stream)} stream`);
}

function call(args, signal) {
  switch (clientId) {
    case 'openai6':
    case 'openai7':
      return viaOpenAI(clientId, withTimeout(args, { apiKey: args.key, baseURL: `${args.base}/openai/v1` }), signal);
    case 'anthropic':
      return viaAnthropic(withTimeout(args, { apiKey: args.key, baseURL: `${args.base}/anthropic` }), signal);
    case 'ai':
      return viaAI(args, signal);
    case 'portkey':
      return viaOpenAI('openai6', {
        apiKey: args.key,
        baseURL: `${args.base}/v1`,
        maxRetries: 0,
        timeout: 300000,
        defaultHeaders: { 'x-portkey-config': JSON.stringify(args.portkey) },
      }, signal);
    default:
      throw new Error(`client.mjs: unknown client ${JSON.stringify(clientId)}`);
  }
}

const inFlight = new Map();

async function one(args) {
  const ac = new AbortController();
  inFlight.set(args.id, ac);
  const t0 = Date.now();
  let out;
  const got = { text: '', usage: null, error_class: null, error_status: null, error_type: null };
  try {
    if (args.stream) await callStream(args, ac.signal, got);
    else await call(args, ac.signal);
    out = { ok: true, status: 200, error: null };
  } catch (e) {
    out = { ok: false, status: statusOf(e), error: shortError(e) };
    got.error_class = e && e.constructor ? e.constructor.name : typeof e;
    got.error_status = e && typeof e.status === 'number' ? e.status : null;
    got.error_type = e && typeof e.type === 'string' ? e.type : null;
  }
  if (args.stream) out.streamed = got;
  inFlight.delete(args.id);
  out.id = args.id;
  out.ms = Date.now() - t0;
  process.stdout.write(JSON.stringify(out) + '\n');
}

if (!LIBS[clientId]) {
  process.stderr.write(`client.mjs: unknown client ${JSON.stringify(clientId)}\n`);
  process.exit(2);
}
// A library's stray rejection must not end the other calls in flight.
process.on('unhandledRejection', (e) => process.stderr.write(`client.mjs: unhandled rejection: ${shortError(e)}\n`));
for (const m of LIBS[clientId]) await import(m);
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const msg = JSON.parse(line);
  if (msg.cancel !== undefined) {
    const ac = inFlight.get(msg.cancel);
    if (ac) ac.abort();
  } else {
    one(msg);
  }
});
rl.on('close', () => process.exit(0));
