/* run_locate.c: finds the scenario and policy files a run's trace names
 * from any working folder, and tells whether they changed since the run
 * (their digests, as sim and run record them in the start event). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/io/file.h"
#include "reports/run_load.h"

int rep_file_digest(const char *path, char out[40])
{
    cm_err err;
    FILE *f = cm_file_open(path, &err);
    if (!f)
        return -1;
    /* FNV-1a 64 over the file's bytes, as engine/driver/trace.c writes it */
    uint64_t h = 0xcbf29ce484222325ULL;
    unsigned char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        for (size_t i = 0; i < n; i++)
            h = (h ^ chunk[i]) * 0x100000001b3ULL;
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return -1;
    snprintf(out, 40, "fnv1a64:%016llx", (unsigned long long)h);
    return 0;
}

/* A digest worth comparing: one the run recorded. */
static bool recorded_digest(const char *d)
{
    return d && strncmp(d, "fnv1a64:", 8) == 0;
}

typedef struct locate {
    const char *digest;
    char *out;
    size_t size;
    bool found, matched;
} locate;

/* Tries one candidate path: the first that exists is kept until one whose
 * digest matches; true when the search can stop. */
static bool try_path(locate *l, const char *path)
{
    if (access(path, F_OK) != 0)
        return false;
    char d[40];
    bool match =
        recorded_digest(l->digest) && rep_file_digest(path, d) == 0 && strcmp(d, l->digest) == 0;
    if (!l->found || match) {
        snprintf(l->out, l->size, "%s", path);
        l->found = true;
        l->matched = match;
    }
    return match || !recorded_digest(l->digest);
}

/* dir + "/" + rel into buf; false when it does not fit. */
static bool join(char *buf, size_t size, const char *dir, const char *rel)
{
    int n = snprintf(buf, size, "%s/%s", dir, rel);
    return n > 0 && (size_t)n < size;
}

/* Each folder above the run folder (its real path), nearest first. */
static bool try_above(locate *l, const char *run_dir, const char *rel)
{
    char dir[PATH_MAX], path[PATH_MAX + REP_PATH_MAX];
    if (!realpath(run_dir, dir))
        return false;
    for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
        *slash = '\0';
        if (join(path, sizeof path, dir[0] ? dir : "", rel) && try_path(l, path))
            return true;
    }
    return false;
}

int rep_run_locate(const rep_run *run, const char *recorded, const char *digest, char *out,
                   size_t size, bool *changed)
{
    locate l = {digest, out, size, false, false};
    char path[2 * REP_PATH_MAX];
    *changed = false;
    out[0] = '\0';
    if (!recorded[0])
        return -1;
    if (recorded[0] == '/')
        try_path(&l, recorded);
    else if (!(run->cwd[0] && join(path, sizeof path, run->cwd, recorded) && try_path(&l, path)) &&
             !try_path(&l, recorded))
        try_above(&l, run->dir, recorded);
    if (!l.found)
        return -1;
    *changed = recorded_digest(digest) && !l.matched;
    return 0;
}
