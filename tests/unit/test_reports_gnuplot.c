/* test_reports_gnuplot.c: reports/gnuplot: label quoting, finding gnuplot on
 * PATH, and running scripts as child processes several at a time (a failing
 * script is reported by name; the others still finish). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reports/gnuplot.h"

static char tmp_dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/rl-test-gnuplot-XXXXXX");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static long file_size(const char *name)
{
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void quote_doubles_quotes_and_drops_control_characters(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rep_gp_quote(f, "it's a\nlabel");
    fputc('|', f);
    rep_gp_quote(f, NULL);
    fclose(f);
    assert_string_equal(buf, "'it''s a label'|''");
    free(buf);
}

static void available_follows_path(void **state)
{
    (void)state;
    char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", tmp_dir, 1);
    assert_false(rep_gp_available());
    write_file("gnuplot", "#!/bin/sh\nexit 0\n");
    char path[400];
    snprintf(path, sizeof path, "%s/gnuplot", tmp_dir);
    chmod(path, 0755);
    assert_true(rep_gp_available());
    remove(path);
    if (saved)
        setenv("PATH", saved, 1);
    free(saved);
}

static void run_all_reports_the_failing_script(void **state)
{
    (void)state;
    if (!rep_gp_available())
        skip();
    for (int i = 0; i < 4; i++) {
        char name[32], text[200];
        snprintf(name, sizeof name, "ok%d.gp", i);
        snprintf(text, sizeof text, "set terminal svg size 200,100\nset output 'ok%d.svg'\n"
                                    "plot x*%d notitle\n", i, i + 1);
        write_file(name, text);
    }
    write_file("broken.gp", "set terminal svg\nset output 'broken.svg'\nplot [[[ nonsense\n");
    const char *good[] = {"ok0", "ok1", "ok2", "ok3"};
    char msg[1024] = "";
    assert_int_equal(rep_gp_run_all(tmp_dir, good, 4, 3, msg, sizeof msg), 0);
    for (int i = 0; i < 4; i++) {
        char svg[32];
        snprintf(svg, sizeof svg, "ok%d.svg", i);
        assert_true(file_size(svg) > 100);
    }
    const char *mixed[] = {"ok0", "broken", "ok1", "ok2"};
    assert_int_equal(rep_gp_run_all(tmp_dir, mixed, 4, 2, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "gnuplot broken.gp failed"));
    assert_non_null(strstr(msg, "gnuplot.log"));
    assert_true(file_size("gnuplot.log") > 0);
    assert_int_equal(rep_gp_run(tmp_dir, "ok3", msg, sizeof msg), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quote_doubles_quotes_and_drops_control_characters),
        cmocka_unit_test(available_follows_path),
        cmocka_unit_test(run_all_reports_the_failing_script),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
