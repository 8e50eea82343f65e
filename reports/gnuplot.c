/* gnuplot.c: gnuplot script helpers and the child process that runs them. */
#include "reports/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reports/text.h"

void rep_gp_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (size_t n = 0, k; s && *s && n < 200; s += k ? k : 1, n++) {
        unsigned char c = (unsigned char)*s;
        if ((k = rep_text_char(s)) != 1) /* past ASCII, or no valid character: U+FFFD */
            fwrite(k ? s : REP_REPLACEMENT, 1, k ? k : sizeof REP_REPLACEMENT - 1, f);
        else if (c == '\'')
            fputs("''", f);
        else
            fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
    fputc('\'', f);
}

void rep_gp_data_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (size_t n = 0, k; s && *s && n < 200; s += k ? k : 1, n++) {
        unsigned char c = (unsigned char)*s;
        if ((k = rep_text_char(s)) != 1)
            fwrite(k ? s : REP_REPLACEMENT, 1, k ? k : sizeof REP_REPLACEMENT - 1, f);
        else
            fputc(c == '"' ? '\'' : c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
    fputc('"', f);
}

void rep_gp_title(FILE *f, const char *what, const char *scenario)
{
    fputs("set title ", f);
    rep_gp_quote(f, what);
    if (scenario && *scenario) {
        fputs(" . \"\\n\" . ", f);
        rep_gp_quote(f, scenario);
    }
    fputc('\n', f);
}

FILE *rep_gp_open(const char *dir, const char *name, const char *what)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.gp", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(
        f,
        "# %s.gp: %s\n# Written by retrylab report; re-run from this folder with: gnuplot %s.gp\n",
        name, what, name);
    /* The key sits outside, right of the data, in a smaller font: it never
     * covers a line and takes at most about a third of the width. */
    fputs("set encoding utf8\nset grid lc rgb '#dddddd'\n"
          "set key outside right top vertical Left reverse noautotitle font ',8' spacing 0.9\n"
          "set border lc rgb '#444444'\n",
          f);
    return f;
}

/* The picture's size comes from the script's variables rl_w and rl_h, so
 * both formats (and a hand edit) use the same one. */
static void terminal(FILE *f, const char *name, int format)
{
    if (format == REP_FMT_PNG) {
        fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
              "  set terminal pngcairo size rl_w,rl_h noenhanced font 'Sans,10'\n"
              "} else {\n"
              "  set terminal png size rl_w,rl_h noenhanced\n"
              "}\n",
              f);
        fprintf(f, "set output '%s.png'\n", name);
    } else {
        fputs("set terminal svg size rl_w,rl_h noenhanced font 'Sans,10' background '#ffffff'\n",
              f);
        fprintf(f, "set output '%s.svg'\n", name);
    }
}

void rep_gp_begin_plot(FILE *f, const char *name, int formats)
{
    rep_gp_begin_plot_sized(f, name, formats, REP_PNG_H);
}

void rep_gp_begin_plot_sized(FILE *f, const char *name, int formats, int height)
{
    fprintf(f, "rl_w = %d\nrl_h = %d\n", REP_PNG_W, rep_gp_height(height));
    terminal(f, name, formats & REP_FMT_PNG ? REP_FMT_PNG : REP_FMT_SVG);
}

int rep_gp_height(int height)
{
    return height < REP_PNG_H ? REP_PNG_H : height > REP_PNG_H_MAX ? REP_PNG_H_MAX : height;
}

int rep_gp_key_height(size_t entries)
{
    /* title, margins and x labels take about 110 px; a key row at 8 pt about 13 px */
    return rep_gp_height(110 + 13 * (int)(entries > 400 ? 400 : entries));
}

void rep_gp_key_text(char *out, size_t size, const char *s)
{
    char tmp[REP_KEY_MAX * 8];
    size_t len = strlen(s), max = size > 0 ? size - 1 : 0;
    const char *at = strchr(s, '@');
    if (max > REP_KEY_MAX)
        max = REP_KEY_MAX;
    if (at && len < sizeof tmp) {
        /* "peer@base-policy" keeps the peer: the page's tables say the rest */
        size_t word = strcspn(at, " ");
        snprintf(tmp, sizeof tmp, "%.*s%s", (int)(at - s), s, at + word);
        s = tmp;
        len = strlen(s);
    }
    if (len <= max)
        snprintf(out, size, "%s", s);
    else if (max >= 4) {
        size_t cut = max - 3;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--; /* not inside a UTF-8 character */
        snprintf(out, size, "%.*s...", (int)cut, s);
    } else if (size)
        out[0] = '\0';
}

int rep_gp_finish(FILE *f, const char *name, int formats)
{
    if ((formats & REP_FMT_PNG) && (formats & REP_FMT_SVG)) {
        terminal(f, name, REP_FMT_SVG);
        fputs("replot\n", f);
    }
    fputs("unset output\n", f);
    int bad = ferror(f);
    return fclose(f) != 0 || bad ? -1 : 0;
}

int rep_gp_finish_body(FILE *f, const char *name, int formats, const char *body, size_t len)
{
    fwrite(body, 1, len, f);
    if ((formats & REP_FMT_PNG) && (formats & REP_FMT_SVG)) {
        terminal(f, name, REP_FMT_SVG);
        fwrite(body, 1, len, f);
    }
    fputs("unset output\n", f);
    int bad = ferror(f);
    return fclose(f) != 0 || bad ? -1 : 0;
}

bool rep_gp_available(void)
{
    const char *path = getenv("PATH");
    char buf[1200];
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)(len ? len : 1), len ? path : ".");
        if (access(buf, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* In the child: cwd, output to gnuplot.log, exec. Never returns. */
static void child(const char *dir, const char *name)
{
    char script[300];
    snprintf(script, sizeof script, "%s.gp", name);
    if (chdir(dir) != 0)
        _exit(126);
    int fd = open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    execlp("gnuplot", "gnuplot", script, (char *)NULL);
    _exit(127);
}

/* Starts gnuplot on NAME.gp; the child's pid, or -1 with msg. */
static pid_t start(const char *dir, const char *name, char *msg, size_t msg_size)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        snprintf(msg, msg_size, "cannot start gnuplot: %s", strerror(errno));
    else if (pid == 0)
        child(dir, name);
    return pid;
}

/* Waits for one gnuplot child: 0 when it exited 0, else -1 with msg. */
static int finish(pid_t pid, const char *dir, const char *name, char *msg, size_t msg_size)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(msg, msg_size, "waiting for gnuplot: %s", strerror(errno));
            return -1;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    snprintf(msg, msg_size, "gnuplot %.200s.gp failed (exit %d); see %.600s/gnuplot.log", name,
             WIFEXITED(status) ? WEXITSTATUS(status) : -1, dir);
    return -1;
}

int rep_gp_run(const char *dir, const char *name, char *msg, size_t msg_size)
{
    pid_t pid = start(dir, name, msg, msg_size);
    return pid < 0 ? -1 : finish(pid, dir, name, msg, msg_size);
}

int rep_gp_run_all(const char *dir, const char *const *names, size_t n, int jobs, char *msg,
                   size_t msg_size)
{
    pid_t pids[REP_GP_MAX_JOBS];
    size_t idx[REP_GP_MAX_JOBS], next = 0, head = 0, count = 0;
    int rc = 0;
    jobs = jobs < 1 ? 1 : jobs > REP_GP_MAX_JOBS ? REP_GP_MAX_JOBS : jobs;
    while (count > 0 || (rc == 0 && next < n)) {
        while (rc == 0 && next < n && count < (size_t)jobs) {
            size_t slot = (head + count) % REP_GP_MAX_JOBS;
            pids[slot] = start(dir, names[next], msg, msg_size);
            if (pids[slot] < 0) {
                rc = -1;
                break;
            }
            idx[slot] = next++;
            count++;
        }
        if (count == 0)
            break;
        char m[700];
        if (finish(pids[head], dir, names[idx[head]], m, sizeof m) != 0 && rc == 0) {
            rc = -1; /* the first failure is the one reported; the others still finish */
            snprintf(msg, msg_size, "%s", m);
        }
        head = (head + 1) % REP_GP_MAX_JOBS;
        count--;
    }
    return rc;
}
