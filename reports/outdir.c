/* outdir.c: removes what the last report into a folder wrote, and lists what
 * this one writes (see outdir.h). */
#include "reports/outdir.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIST ".retrylab-report-files"
#define MARK ".retrylab-report-files.new"

static void path_of(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void forget(const char *dir)
{
    char path[4096], line[512];
    path_of(path, sizeof path, dir, LIST);
    FILE *f = fopen(path, "r");
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

struct timespec rep_outdir_begin(const char *dir)
{
    struct timespec since = {0, 0};
    char path[4096];
    struct stat st;
    forget(dir);
    path_of(path, sizeof path, dir, MARK);
    FILE *f = fopen(path, "w");
    if (f && fclose(f) == 0 && stat(path, &st) == 0)
        since = st.st_mtim;
    return since;
}

static int is_new(const struct stat *st, struct timespec since)
{
    return S_ISREG(st->st_mode) &&
           (st->st_mtim.tv_sec > since.tv_sec ||
            (st->st_mtim.tv_sec == since.tv_sec && st->st_mtim.tv_nsec >= since.tv_nsec));
}

int rep_outdir_end(const char *dir, struct timespec since)
{
    char path[4096], list[4096];
    path_of(list, sizeof list, dir, MARK);
    DIR *d = opendir(dir);
    FILE *f = d ? fopen(list, "w") : NULL;
    int rc = f ? 0 : -1;
    for (struct dirent *e; f && (e = readdir(d));) {
        struct stat st;
        path_of(path, sizeof path, dir, e->d_name);
        if (e->d_name[0] != '.' && stat(path, &st) == 0 && is_new(&st, since))
            fprintf(f, "%s\n", e->d_name);
    }
    if (d)
        closedir(d);
    if (f && fclose(f) != 0)
        rc = -1;
    path_of(path, sizeof path, dir, LIST);
    if (rc == 0 && rename(list, path) != 0)
        rc = -1;
    return rc;
}
