/* file.c: opening inputs without blocking on what is not a file. */
#include "common/io/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cm_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "a regular file";
    case S_IFDIR:
        return "a directory";
    case S_IFIFO:
        return "a FIFO";
    case S_IFSOCK:
        return "a socket";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    default:
        return "not a file";
    }
}

/* O_NONBLOCK: opening a FIFO with no writer returns at once instead of
 * waiting for one; the descriptor is made blocking again for the read. */
static int open_regular(const char *path, struct stat *st, cm_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        cm_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        int why = errno;
        if (S_ISREG(st->st_mode) || why == 0)
            cm_err_set(err, "%s: not a regular file (%s)", path, cm_file_kind(st->st_mode));
        else
            cm_err_set(err, "%s: cannot read: %s", path, strerror(why));
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

/* Reads fd to its end into a buffer sized by the file's size and grown
 * when the file grows while it is read, never past max + 1 bytes. 0 with
 * *buf and *n, or an errno. */
static int read_all(int fd, size_t size_hint, size_t max, char **buf, size_t *n)
{
    size_t cap = (size_hint < max ? size_hint : max) + 2, used = 0;
    char *b = malloc(cap);
    for (ssize_t got = 1; b && used <= max && got != 0;) {
        if (used + 1 == cap) { /* full, and the file goes on: grow */
            size_t more = cap * 2 < max + 2 ? cap * 2 : max + 2;
            char *grown = more > cap ? realloc(b, more) : NULL;
            if (!grown)
                break;
            b = grown;
            cap = more;
        }
        got = read(fd, b + used, cap - 1 - used);
        if (got < 0 && errno != EINTR) {
            int why = errno;
            free(b);
            return why;
        }
        used += got > 0 ? (size_t)got : 0;
    }
    if (!b || (used + 1 == cap && used <= max)) {
        free(b);
        return ENOMEM;
    }
    *buf = b;
    *n = used;
    return 0;
}

int cm_file_read(const char *path, size_t max, char **out, size_t *len, cm_err *err)
{
    struct stat st = {0};
    errno = 0;
    int fd = open_regular(path, &st, err);
    if (fd < 0)
        return -1;
    char *buf = NULL;
    size_t n = 0;
    int why = (uint64_t)st.st_size > max ? 0 : read_all(fd, (size_t)st.st_size, max, &buf, &n);
    close(fd);
    if (why) {
        cm_err_set(err, "%s: cannot read: %s", path, strerror(why));
        return -1;
    }
    if ((uint64_t)st.st_size > max || n > max) {
        cm_err_set(err, "%s: file too large (limit %zu MiB)", path, max >> 20);
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

FILE *cm_file_open(const char *path, cm_err *err)
{
    struct stat st = {0};
    errno = 0;
    int fd = open_regular(path, &st, err);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        cm_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}
