/* http_request.h: what the HTTP runner sends and reads, apart from the event
 * loop: request bodies and headers per API shape, response headers captured
 * into a fixed buffer, and libcurl errors mapped to transport errors. */
#ifndef RL_HTTP_REQUEST_H
#define RL_HTTP_REQUEST_H
#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/core/engine.h"
#include "engine/http/runner.h"

/* The endpoint URL of a base URL and shape: base + "/chat/completions" or
 * base + "/messages" (one '/' between). Caller frees; NULL when out of memory. */
char *rl_http_endpoint_url(const char *base_url, rl_shape shape);

/* The JSON request body for `model`, sized so that the mockserver counts
 * `tokens` tokens for it (prompt characters / 4 rounded up, + 1 per message,
 * + max_tokens); tokens <= 0 gives a one-line prompt with max_tokens 16.
 * `stream`: "stream": true, and with `usage` (OpenAI only)
 * "stream_options": {"include_usage": true}. Caller frees; NULL when out of
 * memory. *len is its length. */
char *rl_http_body(rl_shape shape, const char *model, int64_t tokens, bool stream, bool usage,
                   size_t *len);

/* The request header that tells a mockserver how many tokens of the answer
 * the client already holds (policy stream.resume): the stream brings the
 * rest. Sent to mock targets only, as X-Retrylab-Attempt is. */
#define RL_RESUME_HEADER "X-Retrylab-Resume"

/* The request headers for `key` (may be NULL: no auth header): Content-Type,
 * "Authorization: Bearer KEY" (OpenAI) or "x-api-key: KEY" and
 * "anthropic-version: 2023-06-01" (Anthropic). Free with curl_slist_free_all;
 * NULL when out of memory. The list holds the key value: never print it. */
struct curl_slist *rl_http_headers(rl_shape shape, const char *key);

/* True when the host of `url` is a loopback address (127.0.0.0/8, ::1) or
 * "localhost". The runner sends such requests directly, never through a
 * proxy named by http_proxy / HTTPS_PROXY / ALL_PROXY (a mockserver on this
 * machine is never behind one); false for anything else or an unparsable URL. */
bool rl_http_is_loopback(const char *url);

/* Sets `e`'s proxy for `url`: none (direct) when rl_http_is_loopback, else
 * libcurl's default (the proxy environment variables). */
void rl_http_proxy_for(CURL *e, const char *url);

/* Response headers of one transfer, kept as "name\0value\0" pairs in a fixed
 * buffer: only those the engine reads (Retry-After, retry-after-ms,
 * x-ratelimit-*, anthropic-ratelimit-*, RateLimit*, x-should-retry, Date), so
 * a transfer costs 1 KiB. A header that does not fit is dropped; a new status
 * line (after a 1xx or a redirect) starts over. */
#define RL_HCAP_BYTES 1024
#define RL_HCAP_MAX 24
typedef struct rl_hcap {
    uint32_t n;
    uint32_t len;
    char buf[RL_HCAP_BYTES];
} rl_hcap;

void rl_hcap_reset(rl_hcap *h);
/* Takes one raw header line as libcurl delivers it ("Name: value\r\n"). */
void rl_hcap_line(rl_hcap *h, const char *line, size_t len);
/* Points out[0..n) into h (valid while h is unchanged); returns n <= max. */
size_t rl_hcap_list(const rl_hcap *h, rl_header *out, size_t max);

/* The body of an error response (status >= 400), its first RL_BODYCAP_MAX
 * bytes, kept for rl_http_errbody_parse; other bodies are not kept. The
 * buffer grows on first use and is reused by the transfer's next bodies;
 * rl_bodycap_free releases it. */
#define RL_BODYCAP_MAX 16384
typedef struct rl_bodycap {
    char *buf;
    size_t len, cap;
    bool wanted;  /* the run reads error bodies (rl_policy_body_reads) */
    bool decided; /* the status was looked at for this transfer */
    bool keep;    /* this transfer's body is kept */
} rl_bodycap;

/* Starts a transfer's capture; `wanted` says whether error bodies are kept. */
void rl_bodycap_reset(rl_bodycap *b, bool wanted);
/* Takes a piece of transfer e's body as libcurl delivers it: kept when the
 * run wants error bodies and e's status is >= 400, up to RL_BODYCAP_MAX bytes
 * in all (the rest, or everything when out of memory, is dropped). */
void rl_bodycap_take(rl_bodycap *b, CURL *e, const char *p, size_t n);
void rl_bodycap_free(rl_bodycap *b);

/* What an error body's JSON says, in fields of its own: `body` points into
 * type and code (valid while this struct is). */
typedef struct rl_http_errbody {
    char type[64];
    char code[64];
    rl_error_body body;
} rl_http_errbody;

/* Reads text[0..len) as an error body in any of the shapes the providers
 * send (research/providers.md): OpenAI and Moonshot {"error":{"type",
 * "code","message"}}; Anthropic {"type":"error","error":{"type","message",
 * "details":{"error_code"}}}; Gemini {"error":{"code":429,"status",
 * "message","details":[{"@type":"...google.rpc.RetryInfo","retryDelay":"26s"},
 * {"@type":"...google.rpc.ErrorInfo","reason":...}]}}, also wrapped in a JSON
 * array; OpenRouter {"error":{"code":429,"message","metadata":{"error_type"}}}.
 * A type or code longer than 63 bytes, or not a string, counts as absent.
 * The message's delay is rl_message_delay's. Returns true with *out filled
 * when the text has an "error" object; false (out cleared) otherwise. */
bool rl_http_errbody_parse(const char *text, size_t len, rl_http_errbody *out);

/* CURLE_OPERATION_TIMEDOUT -> TIMEOUT; RECV_ERROR, SEND_ERROR, GOT_NOTHING ->
 * RESET; COULDNT_CONNECT -> CONNECT; PARTIAL_FILE -> TRUNCATED; OK -> NONE;
 * anything else -> OTHER. */
rl_transport_error rl_http_error_of(CURLcode rc);

#endif
