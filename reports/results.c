/* results.c: JUnit XML and GitHub annotations from the cases of check and
 * compare. */
#include "reports/results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reports/grow.h"
#include "reports/text.h"

int rep_tsuite_add(rep_tsuite *s, const char *name, rep_tstate state, const char *message,
                   const char *detail, const char *file, int line)
{
    rep_tcase *v = rep_grow(s->cases, s->n, &s->cap, sizeof *v, 16);
    if (!v)
        return -1;
    s->cases = v;
    rep_tcase *c = &v[s->n];
    memset(c, 0, sizeof *c);
    c->message = rep_text_dup(message ? message : "");
    c->detail = detail ? rep_text_dup(detail) : NULL;
    if (!c->message || (detail && !c->detail)) {
        free(c->message);
        free(c->detail);
        return -1;
    }
    rep_text_copy(c->name, sizeof c->name, name);
    snprintf(c->file, sizeof c->file, "%s", file ? file : "");
    c->state = state;
    c->line = line;
    s->n++;
    return 0;
}

void rep_tsuite_free(rep_tsuite *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->cases[i].message);
        free(s->cases[i].detail);
    }
    free(s->cases);
    memset(s, 0, sizeof *s);
}

size_t rep_tsuites_count(const rep_tsuite *s, size_t n, rep_tstate st)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < s[i].n; c++)
            k += s[i].cases[c].state == st;
    return k;
}

/* XML text or attribute value: & < > " ' escaped, control characters other
 * than tab and newline (not allowed in XML 1.0) as '?', each byte that
 * starts no valid UTF-8 character as U+FFFD. */
static void xml_esc(FILE *f, const char *s)
{
    for (size_t k; s && *s; s += k ? k : 1) {
        unsigned char c = (unsigned char)*s;
        if ((k = rep_text_char(s)) != 1) {
            fwrite(k ? s : REP_REPLACEMENT, 1, k ? k : sizeof REP_REPLACEMENT - 1, f);
            continue;
        }
        if (c == '&')
            fputs("&amp;", f);
        else if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c == '\'')
            fputs("&apos;", f);
        else if (c == '\n')
            fputs("&#10;", f);
        else if (c < 0x20 && c != '\t')
            fputc('?', f);
        else
            fputc(c, f);
    }
}

/* Element text: as xml_esc, but newlines stay newlines. */
static void xml_text(FILE *f, const char *s)
{
    for (const char *nl; s && (nl = strchr(s, '\n')); s = nl + 1) {
        char line[4096];
        size_t len = (size_t)(nl - s) < sizeof line - 1 ? (size_t)(nl - s) : sizeof line - 1;
        memcpy(line, s, len);
        line[len] = '\0';
        xml_esc(f, line);
        fputc('\n', f);
    }
    xml_esc(f, s);
}

static void junit_case(FILE *f, const char *tool, const rep_tsuite *s, const rep_tcase *c)
{
    fputs("    <testcase classname=\"", f);
    xml_esc(f, tool);
    fputc('.', f);
    xml_esc(f, s->name);
    fputs("\" name=\"", f);
    xml_esc(f, c->name);
    fputs("\"", f);
    if (c->file[0]) {
        fputs(" file=\"", f);
        xml_esc(f, c->file);
        fputs("\"", f);
    }
    if (c->state == REP_T_PASS) {
        fputs("/>\n", f);
        return;
    }
    const char *tag = c->state == REP_T_FAIL ? "failure" : "error";
    fprintf(f, ">\n      <%s message=\"", tag);
    xml_esc(f, c->message);
    fprintf(f, "\" type=\"%s\">", c->state == REP_T_FAIL ? "retrylab.fail" : "retrylab.error");
    xml_text(f, c->detail ? c->detail : c->message);
    fprintf(f, "</%s>\n    </testcase>\n", tag);
}

void rep_junit_write(FILE *f, const char *tool, const rep_tsuite *s, size_t n)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
    xml_esc(f, tool);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
            rep_tsuites_count(s, n, REP_T_PASS) + rep_tsuites_count(s, n, REP_T_FAIL) +
                rep_tsuites_count(s, n, REP_T_ERROR),
            rep_tsuites_count(s, n, REP_T_FAIL), rep_tsuites_count(s, n, REP_T_ERROR));
    for (size_t i = 0; i < n; i++) {
        fputs("  <testsuite name=\"", f);
        xml_esc(f, s[i].name);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", s[i].n,
                rep_tsuites_count(&s[i], 1, REP_T_FAIL), rep_tsuites_count(&s[i], 1, REP_T_ERROR));
        for (size_t c = 0; c < s[i].n; c++)
            junit_case(f, tool, &s[i], &s[i].cases[c]);
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
}

int rep_junit_save(const char *path, const char *tool, const rep_tsuite *s, size_t n, cm_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        cm_err_set(err, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    rep_junit_write(f, tool, s, n);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        cm_err_set(err, "%s: write failed", path);
        return -1;
    }
    return 0;
}

/* Workflow command text: '%', CR and LF escaped; in a property also ':' and ','. */
static void gh_esc(FILE *f, const char *s, bool property)
{
    for (; s && *s; s++) {
        if (*s == '%')
            fputs("%25", f);
        else if (*s == '\r')
            fputs("%0D", f);
        else if (*s == '\n')
            fputs("%0A", f);
        else if (property && *s == ':')
            fputs("%3A", f);
        else if (property && *s == ',')
            fputs("%2C", f);
        else
            fputc(*s, f);
    }
}

static void gh_command(FILE *f, const char *kind, const char *file, int line, const char *title,
                       const char *message)
{
    fprintf(f, "::%s ", kind);
    if (file && file[0]) {
        fputs("file=", f);
        gh_esc(f, file, true);
        if (line > 0)
            fprintf(f, ",line=%d", line);
        fputc(',', f);
    }
    fputs("title=", f);
    gh_esc(f, title, true);
    fputs("::", f);
    gh_esc(f, message, false);
    fputc('\n', f);
}

void rep_gh_annotate(FILE *f, const rep_tsuite *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < s[i].n; k++) {
            const rep_tcase *c = &s[i].cases[k];
            if (c->state == REP_T_PASS)
                continue;
            char title[sizeof s[i].name + sizeof c->name + 8];
            snprintf(title, sizeof title, "%s: %s", s[i].name, c->name);
            gh_command(f, "error", c->file, c->line, title, c->detail ? c->detail : c->message);
        }
}

void rep_gh_warning(FILE *f, const char *file, const char *title, const char *message)
{
    gh_command(f, "warning", file, 0, title, message);
}
