/* outdir.c: removes what the last report into a folder wrote, and lists what
 * this one writes (see outdir.h). A file counts as this report's when it is
 * new or changed (inode, size or modification time) since the report began:
 * comparing with the folder as it was, not with a clock, is safe from the
 * file system's coarse timestamps. */
#include "reports/outdir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/io/file.h"
#include "reports/grow.h"

#define LIST ".retrylab-report-files"

struct rep_outdir_file {
    char name[256];
    struct stat st;
};

static void path_of(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void forget(const char *dir)
{
    char path[4096], line[512];
    path_of(path, sizeof path, dir, LIST);
    cm_err err;
    FILE *f = cm_file_open(path, &err); /* not a regular file: nothing to forget */
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '.' || strchr(line, '/'))
            continue;
        path_of(path, sizeof path, dir, line);
        unlink(path);
    }
    fclose(f);
}

/* The regular file `name` of dir (not a dot file): 1 and *st, else 0. */
static int regular(const char *dir, const char *name, struct stat *st)
{
    char path[4096];
    path_of(path, sizeof path, dir, name);
    return name[0] != '.' && strlen(name) < 256 && stat(path, st) == 0 && S_ISREG(st->st_mode);
}

void rep_outdir_begin(rep_outdir *o, const char *dir)
{
    *o = (rep_outdir){.dir = dir};
    forget(dir);
    DIR *d = opendir(dir);
    size_t cap = 0;
    struct stat st;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!regular(dir, e->d_name, &st))
            continue;
        struct rep_outdir_file *grown = rep_grow(o->files, o->n, &cap, sizeof *o->files, 64);
        if (!grown) {
            o->lost = 1; /* the rest unnoted: better no list than one naming a user's file */
            break;
        }
        o->files = grown;
        snprintf(o->files[o->n].name, sizeof o->files[o->n].name, "%s", e->d_name);
        o->files[o->n++].st = st;
    }
    if (d)
        closedir(d);
}

/* Whether `name` is of a kind report writes: a picture, its data or script,
 * the page, gnuplot's log. Nothing else goes on the list, even if changed. */
static int reports_kind(const char *name)
{
    static const char *const ends[] = {".png", ".svg", ".dat", ".gp", NULL};
    size_t n = strlen(name);
    if (!strcmp(name, "index.html") || !strcmp(name, "gnuplot.log"))
        return 1;
    for (size_t i = 0; ends[i]; i++) {
        size_t k = strlen(ends[i]);
        if (n > k && !strcmp(name + n - k, ends[i]))
            return 1;
    }
    return 0;
}

static int unchanged(const rep_outdir *o, const char *name, const struct stat *st)
{
    for (size_t i = 0; i < o->n; i++) {
        const struct stat *was = &o->files[i].st;
        if (strcmp(o->files[i].name, name) == 0)
            return was->st_ino == st->st_ino && was->st_size == st->st_size &&
                   was->st_mtim.tv_sec == st->st_mtim.tv_sec &&
                   was->st_mtim.tv_nsec == st->st_mtim.tv_nsec;
    }
    return 0;
}

/* Writes the new or changed files of the report's kinds to `tmp`, then
 * renames it to `list`. 0 or -1. */
static int write_list(const rep_outdir *o, const char *list, const char *tmp)
{
    DIR *d = opendir(o->dir);
    FILE *f = d ? fopen(tmp, "w") : NULL;
    int rc = f ? 0 : -1;
    struct stat st;
    for (struct dirent *e; f && (e = readdir(d));)
        if (reports_kind(e->d_name) && regular(o->dir, e->d_name, &st) &&
            !unchanged(o, e->d_name, &st))
            fprintf(f, "%s\n", e->d_name);
    if (d)
        closedir(d);
    if (f && fclose(f) != 0)
        rc = -1;
    return rc == 0 && rename(tmp, list) == 0 ? 0 : -1;
}

int rep_outdir_end(rep_outdir *o)
{
    char list[4096], tmp[4096 + 8];
    path_of(list, sizeof list, o->dir, LIST);
    snprintf(tmp, sizeof tmp, "%s.new", list);
    int rc = -1;
    if (o->lost)
        unlink(list); /* no list rather than a doubtful one: the next report removes nothing */
    else
        rc = write_list(o, list, tmp);
    free(o->files);
    *o = (rep_outdir){0};
    return rc;
}
