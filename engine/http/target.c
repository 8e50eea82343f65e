/* target.c: GET /__admin/state and POST /__admin/reset against a mockserver. */
#include "engine/http/target.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/http/request.h"
#include "engine/http/runner.h"

#define ANSWER_MAX 65536
#define ADMIN_TIMEOUT_MS 5000L

typedef struct answer {
    size_t len;
    char buf[ANSWER_MAX];
} answer;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    answer *a = ud;
    size_t got = size * n, room = sizeof a->buf - 1 - a->len;
    size_t take = got < room ? got : room;
    memcpy(a->buf + a->len, p, take);
    a->len += take;
    a->buf[a->len] = '\0';
    return got; /* more than fits is dropped, not an error */
}

static bool unreachable(CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
           rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
           rc == CURLE_SEND_ERROR;
}

/* One admin request; 0 with the body in *a, or CM_ERR_RUNTIME (unreachable)
 * / CM_ERR_INPUT (not a mockserver) with err. */
static int admin_call(const char *target, const char *path, bool post, answer *a, cm_err *err)
{
    char url[1024];
    size_t n = strlen(target);
    while (n > 0 && target[n - 1] == '/')
        n--;
    if (snprintf(url, sizeof url, "%.*s%s", (int)n, target, path) >= (int)sizeof url) {
        cm_err_set(err, "--target: URL too long");
        return CM_ERR_INPUT;
    }
    CURL *e = curl_easy_init();
    if (!e) {
        cm_err_set(err, "%.300s: cannot start libcurl", url);
        return CM_ERR_RUNTIME;
    }
    a->len = 0;
    a->buf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, url);
    rl_http_proxy_for(e, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ADMIN_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (post)
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    CURLcode rc = curl_easy_perform(e);
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    if (rc != CURLE_OK) {
        cm_err_set(err, "%.300s: %s%s", url, unreachable(rc) ? "cannot reach the mockserver: " : "",
                   curl_easy_strerror(rc));
        return unreachable(rc) ? CM_ERR_RUNTIME : CM_ERR_INPUT;
    }
    if (status != 200) {
        cm_err_set(err, "%.300s: answered HTTP %ld; is this a retrylab mockserver?", url, status);
        return CM_ERR_INPUT;
    }
    return 0;
}

int rl_target_get_state(const char *target, rl_target_state *out, cm_err *err)
{
    answer *a = malloc(sizeof *a); /* 64 KiB: not on the stack */
    if (!a) {
        cm_err_set(err, "%.300s: out of memory", target);
        return CM_ERR_RUNTIME;
    }
    int rc = admin_call(target, "/__admin/state", false, a, err);
    cJSON *root = rc == 0 ? cJSON_Parse(a->buf) : NULL;
    free(a);
    if (rc != 0)
        return rc;
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(root, "time_scale");
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(root, "scenario");
    if (!cJSON_IsNumber(ts) || !isfinite(ts->valuedouble) || ts->valuedouble <= 0) {
        cJSON_Delete(root);
        cm_err_set(err,
                   "%.300s/__admin/state: no usable \"time_scale\"; is this a retrylab mockserver?",
                   target);
        return CM_ERR_INPUT;
    }
    out->time_scale = ts->valuedouble;
    snprintf(out->scenario, sizeof out->scenario, "%s", cJSON_IsString(sc) ? sc->valuestring : "");
    cJSON_Delete(root);
    return 0;
}

/* A whole number member of the reset answer, or `dflt`. */
static int64_t answer_int(const cJSON *root, const char *name, int64_t dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, name);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) && fabs(v->valuedouble) < 9e15
               ? (int64_t)v->valuedouble
               : dflt;
}

int rl_target_reset(const char *target, double time_scale, int64_t *t0_wall_us,
                    int64_t *epoch_unix_us, cm_err *err)
{
    answer *a = malloc(sizeof *a);
    if (!a) {
        cm_err_set(err, "%.300s: out of memory", target);
        return CM_ERR_RUNTIME;
    }
    int64_t before = rl_http_wall_now_us();
    int rc = admin_call(target, "/__admin/reset", true, a, err);
    int64_t after = rl_http_wall_now_us();
    cJSON *root = rc == 0 ? cJSON_Parse(a->buf) : NULL;
    free(a);
    if (rc != 0)
        return rc;
    int64_t now_us = answer_int(root, "now_us", 0);
    *epoch_unix_us = answer_int(root, "epoch_unix_us", CM_SCENARIO_EPOCH * CM_US_PER_S);
    cJSON_Delete(root);
    double scale = time_scale > 0 && isfinite(time_scale) ? time_scale : 1.0;
    *t0_wall_us = before + (after - before) / 2 - (int64_t)((double)now_us / scale);
    return 0;
}
