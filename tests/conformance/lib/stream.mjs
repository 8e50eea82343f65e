// stream.mjs: the stream cases' own verdict. Besides the attempts and the
// gaps every pair is judged on (table.mjs), a client that read a stream must
// have got what the mockserver sent, unmodified: the text of the tokens the
// journal says went out, and the usage the final event carried; and a
// stream that broke off must surface as the error its library documents
// for that fault (lib/clients.mjs, `streams.errors`), with the text of the
// tokens before the fault. Whether the client sent the request again is the
// attempts count, compared with the preset's "stream" section through the
// prediction (`retrylab sim` with the section enabled).

// The text of the mockserver's token i (mockserver/front/sse.c `words`,
// mock_sse_token_text): the stream's tokens cycle through this list.
export const WORDS = ['Retry', ' with', ' backoff', ',', ' honour', ' Retry', '-After', ',', ' and', ' rotate', ' keys', '.'];

export function expectedText(tokens) {
  let s = '';
  for (let i = 0; i < tokens; i++) s += WORDS[i % WORDS.length];
  return s;
}

// The API a stream case is read through by `client`, or null when the
// client has no streaming helper for it: "responses" cases only where the
// client lists that API; the other stream cases through the client's
// chat API ("chat" for an OpenAI-shape client, "messages" for Anthropic).
export function streamApi(cs, client) {
  if (!cs.stream || !client.streams) return null;
  const api = cs.stream === 'responses' ? 'responses' : client.shape === 'anthropic' ? 'messages' : 'chat';
  return client.streams.apis.includes(api) ? api : null;
}

// A short account of what the client got, for the observed column.
export function streamedText(s) {
  if (!s) return '';
  const n = s.text ? s.text.length : 0;
  if (!s.error_class) return ` [${n} chars, usage ${s.usage ?? '-'}]`;
  return ` [${n} chars, ${s.error_class}${s.error_type ? ` ${s.error_type}` : ''}]`;
}

// {agree, why}: the stream checks of one observed pair. `obs.last_stream`
// is the journal's record of the last attempt's stream ({tokens, fault});
// `obs.streamed` what the client said it got.
export function streamVerdict(pair) {
  const { obs, pred, client } = pair;
  const s = obs.streamed, j = obs.last_stream;
  if (!s) return { agree: false, why: 'the client did not report what it read' };
  if (!j) return { agree: false, why: 'the last attempt was not a stream (journal)' };
  const want = expectedText(j.tokens);
  if (s.text !== want)
    return { agree: false, why: `text read ${JSON.stringify(s.text.slice(0, 40))} (${s.text.length} chars), sent ${JSON.stringify(want.slice(0, 40))} (${want.length} chars)` };
  if (!j.fault) {
    if (s.error_class) return { agree: false, why: `a complete stream ended in ${s.error_class}` };
    if (s.usage !== j.tokens) return { agree: false, why: `usage read ${s.usage}, sent ${j.tokens} output tokens` };
  } else {
    const e = client.streams.errors[j.fault];
    if (!e) return { agree: false, why: `no documented error for a stream fault "${j.fault}"` };
    const type = e.type ? pair.streamErrorType : null;
    if (s.error_class !== e.class || (e.status === null && s.error_status !== null) || (type && s.error_type !== type))
      return { agree: false, why: `stream ${j.fault}: ${s.error_class || 'no error'}${s.error_type ? ` (${s.error_type})` : ''}, documented ${e.class}${type ? ` (${type})` : ''}` };
  }
  const outcome = s.error_class ? 'failure' : 'success';
  if (pred.outcome && pred.outcome !== outcome) return { agree: false, why: `the call ended in ${outcome}, predicted ${pred.outcome}` };
  return { agree: true };
}
