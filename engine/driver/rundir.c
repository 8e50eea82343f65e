/* rundir.c: default run directory names and mkdir -p. */
#include "engine/driver/rundir.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"

void rl_rundir_default(const char *name, char *buf, size_t size)
{
    char safe[128];
    size_t n = 0;
    for (const char *p = name ? name : ""; *p && n + 1 < sizeof safe; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && n > 0);
        safe[n++] = ok ? c : '_';
    }
    safe[n] = '\0';
    snprintf(buf, size, "out/runs/%s", n ? safe : "unnamed");
}

int rl_rundir_make(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int rl_rundir_prepare(rl_rundir *d, const char *cmd, const char *out, const char *default_name)
{
    if (out && !*out) {
        fprintf(stderr, "retrylab %s: --out: an empty folder name\n", cmd);
        return CM_EXIT_BAD_INPUT;
    }
    if (out)
        snprintf(d->dir, sizeof d->dir, "%s", out);
    else
        rl_rundir_default(default_name, d->dir, sizeof d->dir);
    if (rl_rundir_make(d->dir) != 0) {
        fprintf(stderr, "retrylab %s: %s: cannot create: %s\n", cmd, d->dir, strerror(errno));
        return CM_EXIT_RUNTIME;
    }
    snprintf(d->trace, sizeof d->trace, "%s/trace.jsonl", d->dir);
    snprintf(d->summary, sizeof d->summary, "%s/summary.json", d->dir);
    char expect[sizeof d->dir + 16];
    struct stat st;
    snprintf(expect, sizeof expect, "%s/expect.json", d->dir);
    if (stat(expect, &st) == 0) /* check and report prefer it to the scenario's own expect */
        fprintf(stderr,
                "retrylab %s: warning: %s was there before this run; check and report "
                "will judge the run by it (remove it if it belongs to an earlier run)\n",
                cmd, expect);
    return 0;
}
