/* run_harness.h: runs bin/retrylab as a child process (argv, extra
 * environment, stdout/stderr into files, bounded wait) and reads the traces
 * it writes, for the HTTP runner's integration tests. Header-only because
 * every test file is its own program; builds on mockhttp_harness.h. */
#ifndef RUN_HARNESS_H
#define RUN_HARNESS_H
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdbool.h>

#include "tests/lib/mockhttp_harness.h"

/* Starts `retrylab ARGS...` with `env` ("NAME=VALUE" strings, NULL-ended,
 * may be NULL) added; stdout and stderr go to OUT/stdout.txt and
 * OUT/stderr.txt where OUT is `logdir`. Returns the pid, or -1. */
static inline pid_t rh_spawn(const char *const *args, const char *const *env, const char *logdir)
{
    char bin[512], so[1024], se[1024];
    const char *argv[48];
    int n = 0;
    argv[n++] = mh_bin("retrylab", bin, sizeof bin);
    for (int i = 0; args[i] && n < 47; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    snprintf(so, sizeof so, "%s/stdout.txt", logdir);
    snprintf(se, sizeof se, "%s/stderr.txt", logdir);
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        int fo = open(so, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(se, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0)
            _exit(126);
        dup2(fo, STDOUT_FILENO);
        dup2(fe, STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Runs to completion within timeout_ms: exit status, 128+signal, or -1. */
static inline int rh_run(const char *const *args, const char *const *env, const char *logdir,
                         int timeout_ms)
{
    pid_t pid = rh_spawn(args, env, logdir);
    if (pid < 0)
        return -1;
    return mh_reap(pid, timeout_ms);
}

/* Waits until the mockserver has journalled at least n requests (GET
 * /__admin/state's journal.total), polling every 10 ms: 0, or -1 after
 * timeout_ms. Tests act on what happened, not on how long it usually takes. */
static inline int rh_wait_requests(const mh_server *s, long n, int timeout_ms)
{
    double until = mh_now() + timeout_ms / 1000.0;
    while (mh_now() < until) {
        mh_resp *r = malloc(sizeof *r);
        if (!r)
            return -1;
        mh_request(s, "GET", "/__admin/state", NULL, NULL, 1000, r);
        const char *t = r->status == 200 ? strstr(r->body, "\"total\":") : NULL;
        long got = t ? strtol(t + 8, NULL, 10) : 0;
        free(r);
        if (got >= n)
            return 0;
        struct timespec ten = {0, 10 * 1000 * 1000};
        nanosleep(&ten, NULL);
    }
    return -1;
}

/* A fresh directory under /tmp into buf. */
static inline const char *rh_tmpdir(char *buf, size_t size)
{
    snprintf(buf, size, "/tmp/rl-run-test-XXXXXX");
    return mkdtemp(buf);
}

static inline void rh_rmdir(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Reads a whole file (NUL-terminated); caller frees; NULL if unreadable. */
static inline char *rh_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* The trace's lines parsed: an array of objects, NULL when the file is
 * missing; *bad counts lines that are not JSON objects. Caller frees. */
static inline cJSON *rh_trace(const char *dir, int *bad)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/trace.jsonl", dir);
    char *text = rh_slurp(path, NULL);
    if (!text)
        return NULL;
    cJSON *all = cJSON_CreateArray();
    *bad = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (!next) {
            (*bad)++; /* a last line without its newline is cut short */
            break;
        }
        *next++ = '\0';
        cJSON *o = cJSON_Parse(line);
        if (!cJSON_IsObject(o)) {
            (*bad)++;
            cJSON_Delete(o);
            continue;
        }
        cJSON_AddItemToArray(all, o);
    }
    free(text);
    return all;
}

static inline cJSON *rh_summary(const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    char *text = rh_slurp(path, NULL);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    return o;
}

static inline const char *rh_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static inline double rh_num(const cJSON *o, const char *name, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* True when `needle` occurs in any file under `dir` (recursively). */
static inline bool rh_grep_dir(const char *dir, const char *needle)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "grep -r -F -q -e '%s' '%s'", needle, dir);
    return system(cmd) == 0;
}

#endif
