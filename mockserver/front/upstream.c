/* upstream.c: forwarding to a real provider with libcurl, one thread per
 * forward under way, the answer buffered and bounded. */
#include "mockserver/front/upstream.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_TARGETS 64

typedef struct up_target {
    char name[64]; /* "" for the plain URL */
    char *url;     /* without a trailing '/' */
} up_target;

struct mock_upstream {
    up_target t[MAX_TARGETS];
    size_t n;
    atomic_int running;
    atomic_bool aborting;
};

typedef struct up_job {
    mock_upstream *u;
    char *url;
    struct curl_slist *headers;
    const mock_up_request *rq;
    void (*done)(void *ctx, mock_up_answer *a);
    void *ctx;
    mock_up_answer *a;
    size_t hdr_used, hdr_cap;
    bool too_big;
} up_job;

int mock_upstream_add(mock_upstream **u, const char *spec, char *err, size_t err_size)
{
    if (!*u && !(*u = calloc(1, sizeof **u))) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    mock_upstream *up = *u;
    const char *eq = strchr(spec, '='), *scheme = strstr(spec, "://");
    bool named = eq && (!scheme || eq < scheme);
    const char *url = named ? eq + 1 : spec;
    size_t nlen = named ? (size_t)(eq - spec) : 0;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        snprintf(err, err_size, "--upstream: not an http:// or https:// URL: \"%s\"", url);
        return -1;
    }
    if (up->n == MAX_TARGETS || nlen >= sizeof up->t[0].name || (named && nlen == 0) ||
        (named && memchr(spec, '/', nlen))) {
        snprintf(err, err_size, "--upstream: \"%s\": at most %d, each NAME=URL or URL", spec,
                 MAX_TARGETS);
        return -1;
    }
    up_target *t = &up->t[up->n];
    memcpy(t->name, spec, nlen);
    t->name[nlen] = '\0';
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        ul--;
    if (!(t->url = strndup(url, ul))) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    up->n++;
    return 0;
}

void mock_upstream_free(mock_upstream *u)
{
    for (size_t i = 0; u && i < u->n; i++)
        free(u->t[i].url);
    free(u);
}

void mock_up_answer_free(mock_up_answer *a)
{
    if (!a)
        return;
    free(a->body);
    free(a->header_text);
    free(a);
}

/* The target for path and the part of path it takes (after /NAME). */
static const up_target *target_of(const mock_upstream *u, const char *path, const char **rest)
{
    const up_target *plain = NULL;
    for (size_t i = 0; i < u->n; i++) {
        const up_target *t = &u->t[i];
        size_t n = strlen(t->name);
        if (!n) {
            plain = plain ? plain : t;
            continue;
        }
        if (path[0] == '/' && strncmp(path + 1, t->name, n) == 0 &&
            (path[n + 1] == '/' || path[n + 1] == '\0')) {
            *rest = path + n + 1;
            return t;
        }
    }
    *rest = path;
    return plain;
}

void mock_upstream_provider(const mock_upstream *u, const char *path, char *out, size_t size)
{
    const char *rest;
    const up_target *t = target_of(u, path, &rest);
    if (t && t->name[0]) {
        snprintf(out, size, "%s", t->name);
        return;
    }
    const char *p = path[0] == '/' ? path + 1 : path, *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    up_job *j = ud;
    mock_up_answer *a = j->a;
    size_t len = size * n;
    if (a->body_len + len > MOCK_UPSTREAM_BODY_MAX) {
        j->too_big = true;
        return 0; /* ends the transfer */
    }
    char *grown = realloc(a->body, a->body_len + len + 1);
    if (!grown)
        return 0;
    a->body = grown;
    memcpy(a->body + a->body_len, p, len);
    a->body_len += len;
    a->body[a->body_len] = '\0';
    return len;
}

/* Hop-by-hop and framing headers: the front frames the answer itself. */
static bool framing(const char *name, size_t n)
{
    static const char *const names[] = {"content-length", "transfer-encoding", "connection",
                                        "keep-alive", "content-encoding"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncasecmp(name, names[i], n) == 0)
            return true;
    return false;
}

/* Keeps one header line of the last response (a new status line starts over). */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    up_job *j = ud;
    mock_up_answer *a = j->a;
    size_t len = size * n;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        a->nheaders = 0;
        j->hdr_used = 0;
        return len;
    }
    while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
        len--;
    const char *colon = memchr(p, ':', len);
    if (!colon || colon == p || a->nheaders >= MOCK_UPSTREAM_MAX_RESPONSE_HEADERS ||
        framing(p, (size_t)(colon - p)))
        return size * n;
    const char *v = colon + 1;
    while (v < p + len && (*v == ' ' || *v == '\t'))
        v++;
    size_t nl = (size_t)(colon - p), vl = (size_t)(p + len - v);
    if (j->hdr_used + nl + vl + 2 > j->hdr_cap || nl + vl > 8192)
        return size * n; /* dropped: the block is full */
    char *at = a->header_text + j->hdr_used;
    memcpy(at, p, nl);
    at[nl] = '\0';
    memcpy(at + nl + 1, v, vl);
    at[nl + 1 + vl] = '\0';
    j->hdr_used += nl + vl + 2;
    return size * n;
}

/* Points names[] and values[] into header_text (it no longer moves). */
static void index_headers(up_job *j)
{
    mock_up_answer *a = j->a;
    size_t at = 0, k = 0;
    while (at < j->hdr_used && k < MOCK_UPSTREAM_MAX_RESPONSE_HEADERS) {
        a->names[k] = a->header_text + at;
        at += strlen(a->header_text + at) + 1;
        a->values[k++] = a->header_text + at;
        at += strlen(a->header_text + at) + 1;
    }
    a->nheaders = k;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    const up_job *j = ud;
    return atomic_load(&j->u->aborting) ? 1 : 0;
}

/* An error body's type and code, when it is JSON in a provider's shape. */
static void read_error(mock_up_answer *a)
{
    if (a->status < 400 || !a->body)
        return;
    cJSON *root = cJSON_ParseWithLength(a->body, a->body_len);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(err, "type");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
    if (cJSON_IsString(type))
        snprintf(a->error_type, sizeof a->error_type, "%s", type->valuestring);
    if (cJSON_IsString(code))
        snprintf(a->error_code, sizeof a->error_code, "%s", code->valuestring);
    cJSON_Delete(root);
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void perform(up_job *j)
{
    CURL *e = curl_easy_init();
    mock_up_answer *a = j->a;
    if (!e) {
        a->status = 502, a->failure = "out of memory";
        return;
    }
    const mock_up_request *rq = j->rq;
    curl_easy_setopt(e, CURLOPT_URL, j->url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)MOCK_UPSTREAM_TIMEOUT_S);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* decoded here; sent on plain */
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, j);
    if (rq->body_len || strcmp(rq->method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)rq->body_len);
    }
    int64_t t0 = mono_us();
    CURLcode rc = curl_easy_perform(e);
    a->wall_us = mono_us() - t0;
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    a->status = (int)status;
    if (rc != CURLE_OK || status == 0) {
        a->failure = j->too_big                       ? "answer larger than 16 MiB"
                     : rc == CURLE_OPERATION_TIMEDOUT ? "timeout"
                                                      : curl_easy_strerror(rc);
        a->status = rc == CURLE_OPERATION_TIMEDOUT ? 504 : 502;
        a->nheaders = 0, j->hdr_used = 0;
        free(a->body);
        a->body = NULL, a->body_len = 0;
    }
    index_headers(j);
    read_error(a);
}

static void *run_job(void *arg)
{
    up_job *j = arg;
    perform(j);
    mock_upstream *u = j->u;
    void (*done)(void *, mock_up_answer *) = j->done;
    void *ctx = j->ctx;
    mock_up_answer *a = j->a;
    curl_slist_free_all(j->headers);
    free(j->url);
    free(j);
    done(ctx, a);
    atomic_fetch_sub(&u->running, 1);
    return NULL;
}

static up_job *make_job(mock_upstream *u, const mock_up_request *rq)
{
    const char *rest;
    const up_target *t = target_of(u, rq->path, &rest);
    up_job *j = calloc(1, sizeof *j);
    if (!j || !t || !(j->a = calloc(1, sizeof *j->a)))
        goto fail;
    j->hdr_cap = 64 * 1024;
    if (!(j->a->header_text = malloc(j->hdr_cap)))
        goto fail;
    size_t n = strlen(t->url) + strlen(rest) + (rq->query ? strlen(rq->query) + 1 : 0) + 1;
    if (!(j->url = malloc(n)))
        goto fail;
    snprintf(j->url, n, "%s%s%s%s", t->url, rest, rq->query ? "?" : "", rq->query ? rq->query : "");
    j->headers = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; j->headers && i < rq->n_headers; i++) {
        struct curl_slist *h = curl_slist_append(j->headers, rq->header_lines[i]);
        if (!h)
            goto fail;
        j->headers = h;
    }
    if (!j->headers)
        goto fail;
    j->u = u;
    j->rq = rq;
    mock_upstream_provider(u, rq->path, j->a->provider, sizeof j->a->provider);
    return j;
fail:
    if (j) {
        curl_slist_free_all(j->headers);
        free(j->url);
        mock_up_answer_free(j->a);
        free(j);
    }
    return NULL;
}

int mock_upstream_forward(mock_upstream *u, const mock_up_request *rq,
                          void (*done)(void *ctx, mock_up_answer *a), void *ctx)
{
    if (atomic_fetch_add(&u->running, 1) >= MOCK_UPSTREAM_MAX) {
        atomic_fetch_sub(&u->running, 1);
        return -1;
    }
    up_job *j = make_job(u, rq);
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&at, 256 * 1024);
    int rc = j ? (j->done = done, j->ctx = ctx, pthread_create(&th, &at, run_job, j)) : -1;
    pthread_attr_destroy(&at);
    if (rc != 0) {
        if (j) {
            curl_slist_free_all(j->headers);
            free(j->url);
            mock_up_answer_free(j->a);
            free(j);
        }
        atomic_fetch_sub(&u->running, 1);
        return -1;
    }
    return 0;
}

void mock_upstream_abort(mock_upstream *u)
{
    if (u)
        atomic_store(&u->aborting, true);
}

void mock_upstream_model(const char *body, size_t len, char *out, size_t size)
{
    out[0] = '\0';
    cJSON *root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "model");
    if (cJSON_IsString(m))
        snprintf(out, size, "%s", m->valuestring);
    cJSON_Delete(root);
}
