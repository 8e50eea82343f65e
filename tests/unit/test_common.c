/* test_common.c: common/: RNG determinism, timer heap order, JSON positions
 * and schema errors, key ids, saturating time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/attempt_id.h"
#include "common/heap.h"
#include "common/io/fdlimit.h"
#include "common/io/file.h"
#include "common/jsonpos.h"
#include "common/keyid.h"
#include "common/rng.h"
#include "common/timeu.h"
#include "common/utf8.h"
#include "tests/lib/test_assert.h"

/* The soft open-file limit goes up to the hard one, at most 65,536. */
static void fd_limit_is_raised_to_the_hard_limit(void **state)
{
    (void)state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_max <= 64)
        skip(); /* nothing to raise here */
    rl.rlim_cur = 64;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    cm_raise_fd_limit();
    struct rlimit now;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
    assert_num_equal(now.rlim_cur, (rl.rlim_max > 65536 ? 65536 : rl.rlim_max));
}

/* Attempt ids: never 0, one per (task, attempt), and the header text both
 * ways; anything but TASK/ATTEMPT is refused. */
static void attempt_ids_and_their_text(void **state)
{
    (void)state;
    static const uint32_t tasks[] = {0, 1, 7, 4294967294u};
    static const uint32_t attempts[] = {1, 2, 4294967295u};
    char text[CM_ATTEMPT_TEXT_MAX];
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 3; j++) {
            uint64_t id = cm_attempt_id(tasks[i], attempts[j]), back = 0;
            assert_true(id != 0);
            assert_true(id != cm_attempt_id(tasks[i], attempts[j] - 1));
            cm_attempt_format(id, text);
            assert_int_equal(cm_attempt_parse(text, &back), 0);
            assert_num_equal(back, id);
        }
    cm_attempt_format(cm_attempt_id(12, 3), text);
    assert_string_equal(text, "12/3");
    cm_attempt_format(cm_attempt_id(4294967294u, 4294967295u), text);
    assert_string_equal(text, "4294967294/4294967295");
    static const char *const bad[] = {"",
                                      "/",
                                      "1",
                                      "1/",
                                      "/1",
                                      "1/0",
                                      "-1/1",
                                      "1/-1",
                                      " 1/1",
                                      "1/1 ",
                                      "1 /1",
                                      "1/1/1",
                                      "x/1",
                                      "4294967295/1",
                                      "1/4294967296",
                                      "99999999999/1",
                                      "1/00000000001",
                                      "+1/1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t id = 42;
        assert_int_equal(cm_attempt_parse(bad[i], &id), -1);
        assert_num_equal(id, 42);
    }
    uint64_t id = 0;
    assert_int_equal(cm_attempt_parse(NULL, &id), -1);
}

static void rng_same_seed_same_stream(void **state)
{
    (void)state;
    cm_rng a, b, c;
    cm_rng_seed(&a, 42);
    cm_rng_seed(&b, 42);
    cm_rng_seed(&c, 43);
    int differs = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = cm_rng_next(&a), y = cm_rng_next(&b), z = cm_rng_next(&c);
        assert_int_equal(x, y);
        differs |= x != z;
    }
    assert_true(differs);
}

static void rng_uniform_mean_and_bounds(void **state)
{
    (void)state;
    cm_rng r;
    cm_rng_seed(&r, 7);
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        double u = cm_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
    }
    assert_true(sum / 100000 > 0.49 && sum / 100000 < 0.51);
    assert_false(cm_rng_chance(&r, 0.0));
    assert_true(cm_rng_chance(&r, 1.0));
}

static void rng_fork_streams_differ(void **state)
{
    (void)state;
    cm_rng p, a, b, a2;
    cm_rng_seed(&p, 1);
    cm_rng_fork(&p, 0, &a);
    cm_rng_fork(&p, 1, &b);
    cm_rng_fork(&p, 0, &a2);
    assert_int_not_equal(cm_rng_next(&a), cm_rng_next(&b));
    cm_rng_fork(&p, 0, &a);
    assert_int_equal(cm_rng_next(&a), cm_rng_next(&a2));
}

static void heap_pops_in_time_then_insertion_order(void **state)
{
    (void)state;
    cm_heap h;
    cm_heap_init(&h);
    int64_t times[] = {50, 10, 30, 10, 40, 20, 10};
    int ids[7];
    for (int i = 0; i < 7; i++) {
        ids[i] = i;
        assert_int_equal(cm_heap_push(&h, times[i], &ids[i]), 0);
    }
    int expect[] = {1, 3, 6, 5, 2, 4, 0};
    cm_timer t;
    for (int i = 0; i < 7; i++) {
        assert_true(cm_heap_pop(&h, &t));
        assert_int_equal(*(int *)t.data, expect[i]);
    }
    assert_false(cm_heap_pop(&h, &t));
    cm_heap_free(&h);
}

static void heap_random_order_is_sorted(void **state)
{
    (void)state;
    cm_heap h;
    cm_heap_init(&h);
    cm_rng r;
    cm_rng_seed(&r, 9);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(cm_heap_push(&h, (int64_t)(cm_rng_next(&r) % 1000), NULL), 0);
    cm_timer prev = {INT64_MIN, 0, NULL}, t;
    while (cm_heap_pop(&h, &t)) {
        assert_true(t.at > prev.at || (t.at == prev.at && t.seq > prev.seq));
        prev = t;
    }
    cm_heap_free(&h);
}

static const char doc_text[] = "{\n"
                               "  \"kind\": \"policy\",\n"
                               "  \"backoff\": {\n"
                               "    \"factor\": -2,\n"
                               "    \"mystery\": 1\n"
                               "  },\n"
                               "  \"list\": [1, \"two\", {\"x\": true}]\n"
                               "}\n";

static void json_positions_point_at_values(void **state)
{
    (void)state;
    cm_err err;
    cm_json *doc = cm_json_parse("p.json", doc_text, strlen(doc_text), &err);
    assert_non_null(doc);
    const cJSON *root = cm_json_root(doc);
    int line, col;
    cm_json_pos(doc, cJSON_GetObjectItem(root, "kind"), &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 11);
    const cJSON *backoff = cJSON_GetObjectItem(root, "backoff");
    cm_json_pos(doc, cJSON_GetObjectItem(backoff, "factor"), &line, &col);
    assert_int_equal(line, 4);
    assert_int_equal(col, 15);
    const cJSON *x =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "list"), 2), "x");
    cm_json_pos(doc, x, &line, &col);
    assert_int_equal(line, 7);
    assert_int_equal(col, 28);
    cm_json_free(doc);
}

/* A refused value is printed exactly enough to be outside the range it
 * missed: %g printed 1000001 as "1e+06", inside 1..1000000. */
static void json_range_errors_print_the_value_exactly(void **state)
{
    (void)state;
    static const char text[] = "{\"n\": 1000001, \"x\": 1000000.5, \"y\": 0.1}";
    cm_err err;
    cm_json *doc = cm_json_parse("r.json", text, strlen(text), &err);
    assert_non_null(doc);
    const cJSON *root = cm_json_root(doc);
    int64_t i = 0;
    double d = 0;
    assert_int_equal(cm_json_get_int(doc, root, NULL, "n", true, 1, 1000000, &i, &err), -1);
    assert_string_equal(err.msg, "r.json:1:7: n: must be between 1 and 1000000 (got 1000001)");
    assert_int_equal(cm_json_get_number(doc, root, NULL, "x", true, 0, 1e6, &d, &err), -1);
    assert_string_equal(err.msg, "r.json:1:21: x: must be between 0 and 1000000 (got 1000000.5)");
    assert_int_equal(cm_json_get_number(doc, root, NULL, "y", true, 0.25, 3153600000.0, &d, &err),
                     -1);
    assert_string_equal(err.msg, "r.json:1:37: y: must be between 0.25 and 3153600000 (got 0.1)");
    cm_json_free(doc);
}

/* What cJSON lets through but a trace could not carry is refused at its
 * line:col: invalid UTF-8, raw control characters in strings, \u0000 (which
 * would cut a C string short). A BOM is skipped and positions count after it. */
/* cm_utf8_len: the length of each valid character, 0 for each kind of
 * invalid one, and 0 when n cuts a valid character short. */
static void utf8_lengths(void **state)
{
    (void)state;
    assert_int_equal(cm_utf8_len("a", 1), 1);
    assert_int_equal(cm_utf8_len("\xc3\xa9", 2), 2);
    assert_int_equal(cm_utf8_len("\xe2\x82\xac", 3), 3);
    assert_int_equal(cm_utf8_len("\xf0\x9f\x98\x80", 4), 4);
    assert_int_equal(cm_utf8_len("\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
    const char *bad[] = {"\xff",
                         "\xc0\x80",
                         "\xc1\xbf",
                         "\xe0\x80\x80",
                         "\xed\xa0\x80",
                         "\xf0\x80\x80\x80",
                         "\xf4\x90\x80\x80",
                         "\xf5\x80\x80\x80",
                         "\xe2\x82",
                         "\x80",
                         "\xe2\x28\xa1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (cm_utf8_len(bad[i], strlen(bad[i])) != 0)
            fail_msg("bad case %zu read as valid", i);
    assert_int_equal(cm_utf8_len("\xe2\x82\xac", 2), 0); /* cut short by n */
}

static void json_text_refused_where_cjson_is_lenient(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"{\"n\": \"a\xff\"}", "t.json:1:9: invalid UTF-8"},
        {"{\"n\":\n \"\x80\"}", "t.json:2:3: invalid UTF-8"},           /* lone continuation */
        {"{\"n\": \"\xc0\x80\"}", "t.json:1:8: invalid UTF-8"},         /* overlong NUL */
        {"{\"n\": \"\xed\xa0\x80\"}", "t.json:1:8: invalid UTF-8"},     /* a surrogate */
        {"{\"n\": \"\xf4\x90\x80\x80\"}", "t.json:1:8: invalid UTF-8"}, /* above U+10FFFF */
        {"{\"n\": \"\xe2\x82\"}", "t.json:1:8: invalid UTF-8"},         /* cut short */
        {"{\"n\": \"a\tb\"}", "t.json:1:9: a control character in a string"},
        {"{\"n\": \"a\\u0000b\"}", "t.json:1:9: \\u0000 in a string"},
        {"\xef\xbb\xbf{\n \"n\": 5 x}", "t.json:2:9: JSON syntax error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cm_err err = {{0}};
        cm_json *doc = cm_json_parse("t.json", cases[i].text, strlen(cases[i].text), &err);
        if (doc)
            fail_msg("case %zu parsed", i);
        if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
            fail_msg("case %zu: got '%s', want '%s...'", i, err.msg, cases[i].msg);
    }
    /* Valid UTF-8 of every length, an escaped backslash before "u0000", a BOM. */
    static const char good[] =
        "\xef\xbb\xbf{\"n\": \"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \\\\u0000\",\n"
        " \"m\": 5}";
    cm_err err = {{0}};
    cm_json *doc = cm_json_parse("g.json", good, strlen(good), &err);
    if (!doc)
        fail_msg("%s", err.msg);
    const cJSON *m = cJSON_GetObjectItem(cm_json_root(doc), "m");
    int line = 0, col = 0;
    cm_json_pos(doc, m, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 7);
    cm_json_free(doc);
}

static void json_schema_errors_name_file_line_col_field(void **state)
{
    (void)state;
    cm_err err;
    cm_json *doc = cm_json_parse("p.json", doc_text, strlen(doc_text), &err);
    assert_non_null(doc);
    const cJSON *backoff = cJSON_GetObjectItem(cm_json_root(doc), "backoff");
    double factor = 0;
    assert_int_equal(
        cm_json_get_number(doc, backoff, "backoff", "factor", true, 0.0, 100.0, &factor, &err), -1);
    assert_string_equal(err.msg, "p.json:4:15: backoff.factor: must be between 0 and 100 (got -2)");
    static const char *const allowed[] = {"factor", NULL};
    assert_int_equal(cm_json_check_keys(doc, backoff, "backoff", allowed, &err), -1);
    assert_string_equal(err.msg, "p.json:5:16: backoff.mystery: unknown field");
    const char *s = NULL;
    assert_int_equal(cm_json_get_string(doc, backoff, "backoff", "name", true, 10, &s, &err), -1);
    assert_string_equal(err.msg, "p.json:3:14: backoff.name: required field is missing");
    static const char *const kinds[] = {"scenario", "expect", NULL};
    int k = -1;
    assert_int_equal(cm_json_get_enum(doc, cm_json_root(doc), NULL, "kind", true, kinds, &k, &err),
                     -1);
    assert_string_equal(err.msg, "p.json:2:11: kind: \"policy\" is not one of: scenario, expect");
    cm_json_free(doc);
}

static void json_syntax_error_has_position(void **state)
{
    (void)state;
    cm_err err;
    const char *bad = "{\n  \"a\": 1,\n  \"b\": [1, 2,, 3]\n}";
    assert_null(cm_json_parse("bad.json", bad, strlen(bad), &err));
    assert_non_null(strstr(err.msg, "bad.json:3:"));
    assert_non_null(strstr(err.msg, "JSON syntax error"));
    const char *trailing = "{} {}";
    assert_null(cm_json_parse("t.json", trailing, strlen(trailing), &err));
    assert_non_null(strstr(err.msg, "t.json:1:4:"));
    assert_null(cm_json_load("/nonexistent/x.json", &err));
    assert_non_null(strstr(err.msg, "/nonexistent/x.json: cannot open"));
}

/* text: `open` n times, then `close` n times, NUL-terminated (caller frees). */
static char *nested(const char *open, const char *close, size_t n)
{
    size_t a = strlen(open), b = strlen(close);
    char *t = malloc(n * (a + b) + 1);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++) {
        memcpy(t + i * a, open, a);
        memcpy(t + n * a + i * b, close, b);
    }
    t[n * (a + b)] = '\0';
    return t;
}

/* cJSON refuses more than 1000 levels (CJSON_NESTING_LIMIT) with no word of
 * why; the loader names the limit at the first bracket past it. */
static void json_nesting_past_the_limit_is_named(void **state)
{
    (void)state;
    cm_err err = {{0}};
    char *ok = nested("[", "]", CM_JSON_MAX_DEPTH);
    cm_json *doc = cm_json_parse("t.json", ok, strlen(ok), &err);
    if (!doc)
        fail_msg("%s", err.msg);
    cm_json_free(doc);
    free(ok);
    char *deep = nested("[", "]", CM_JSON_MAX_DEPTH + 1);
    assert_null(cm_json_parse("t.json", deep, strlen(deep), &err));
    assert_string_equal(err.msg, "t.json:1:1001: JSON nested deeper than 1000 levels");
    free(deep);
    char *objects = nested("{\"a\":\n", "}", CM_JSON_MAX_DEPTH + 5);
    assert_null(cm_json_parse("o.json", objects, strlen(objects), &err));
    assert_string_equal(err.msg, "o.json:1001:1: JSON nested deeper than 1000 levels");
    free(objects);
    const char *in_string = "{\"a\": \"[[[[[[[[[[\"}"; /* brackets in a string nest nothing */
    assert_non_null(doc = cm_json_parse("s.json", in_string, strlen(in_string), &err));
    cm_json_free(doc);
}

/* "[0,0,...]": 1 + n values. */
static char *zeros(size_t n)
{
    char *t = malloc(2 * n + 2);
    assert_non_null(t);
    t[0] = '[';
    for (size_t i = 0; i < n; i++) {
        t[1 + 2 * i] = '0';
        t[2 + 2 * i] = ',';
    }
    t[2 * n] = ']';
    t[2 * n + 1] = '\0';
    return t;
}

/* A document of more values than any real file holds is refused before
 * cJSON builds a node per value (7 million numbers took 1.67 GB), at the
 * first value past the limit. Members count one value each, their keys
 * none; commas in strings count nothing. */
static void json_values_past_the_limit_are_refused(void **state)
{
    (void)state;
    cm_err err = {{0}};
    char *ok = zeros(CM_JSON_MAX_VALUES - 1);
    cm_json *doc = cm_json_parse("t.json", ok, strlen(ok), &err);
    if (!doc)
        fail_msg("%s", err.msg);
    cm_json_free(doc);
    free(ok);
    char *many = zeros(CM_JSON_MAX_VALUES);
    assert_null(cm_json_parse("t.json", many, strlen(many), &err));
    assert_string_equal(err.msg, "t.json:1:2000000: more than 1000000 values (the limit)");
    free(many);
    const char *small = "{\"a\": [1, {\"b\": \"x,y,z\"}], \"c\": {}, \"d\": []}";
    assert_non_null(doc = cm_json_parse("s.json", small, strlen(small), &err));
    cm_json_free(doc);
}

/* An unknown key close to an allowed one (edit distance at most 2 and at
 * most a third of the length; a swap of two letters is one edit) names it. */
static void json_unknown_field_suggests_the_closest_key(void **state)
{
    (void)state;
    static const char *const allowed[] = {"name", "max_attempts", "tolerance", "id", NULL};
    static const struct {
        const char *key, *msg;
    } cases[] = {
        {"max_attempt",
         "k.json:1:17: x.max_attempt: unknown field; did you mean \"max_attempts\"?"},
        {"nmae", "k.json:1:10: x.nmae: unknown field; did you mean \"name\"?"},
        {"tolerence", "k.json:1:15: x.tolerence: unknown field; did you mean \"tolerance\"?"},
        {"Name", "k.json:1:10: x.Name: unknown field; did you mean \"name\"?"},
        {"mystery", "k.json:1:13: x.mystery: unknown field"},
        {"di", "k.json:1:8: x.di: unknown field"}, /* one edit in two letters is too much */
        {"xyz", "k.json:1:9: x.xyz: unknown field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[100];
        snprintf(text, sizeof text, "{\"%s\": 1}", cases[i].key);
        cm_err err = {{0}};
        cm_json *doc = cm_json_parse("k.json", text, strlen(text), &err);
        assert_non_null(doc);
        assert_int_equal(cm_json_check_keys(doc, cm_json_root(doc), "x", allowed, &err), -1);
        if (strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, err.msg, cases[i].msg);
        cm_json_free(doc);
    }
}

/* The common slips in hand-written JSON are named where they are: a
 * trailing comma (at the comma), a missing comma (where it belongs), a
 * comment. Other syntax errors stay a bare "JSON syntax error". */
static void json_syntax_errors_name_common_slips(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"{\"a\": 1,\n}", "s.json:1:8: JSON syntax error: trailing comma before '}'"},
        {"{\"a\": [1, 2, ]}", "s.json:1:12: JSON syntax error: trailing comma before ']'"},
        {"{\"a\": \"x\",}\n", "s.json:1:10: JSON syntax error: trailing comma before '}'"},
        {"{\"a\": 1,\n}\n\n", "s.json:1:8: JSON syntax error: trailing comma before '}'"},
        {"{\"a\": 1\n \"b\": 2}",
         "s.json:1:8: JSON syntax error: expected ',' or '}' after a member: a comma is missing?"},
        {"{\"a\": {\"b\": \"x\"} \"c\": true}",
         "s.json:1:17: JSON syntax error: expected ',' or '}' after a member: a comma is "
         "missing?"},
        {"[1, 2 3]",
         "s.json:1:6: JSON syntax error: expected ',' or ']' after an item: a comma is missing?"},
        {"{\"a\": 1, // why\n\"b\": 2}", "s.json:1:10: JSON syntax error: JSON has no comments"},
        {"/* head */ {}", "s.json:1:1: JSON syntax error: JSON has no comments"},
        {"{\"a\": [1, \"//\" /* x */]}", "s.json:1:16: JSON syntax error: JSON has no comments"},
        {"{\"a\" 1}", "s.json:1:6: JSON syntax error"},          /* a missing colon: no hint */
        {"{\"n\": 5 x}", "s.json:1:9: JSON syntax error"},       /* not a value: no hint */
        {"{\"a\": [1,, 2]}", "s.json:1:10: JSON syntax error"},  /* a doubled comma */
        {"{\"a\": \"x, }\" ", "s.json:1:13: JSON syntax error"}, /* in a string: no hint */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cm_err err = {{0}};
        cm_json *doc = cm_json_parse("s.json", cases[i].text, strlen(cases[i].text), &err);
        if (doc)
            fail_msg("case %zu parsed", i);
        if (strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, err.msg, cases[i].msg);
    }
}

static void json_duplicate_key_is_an_error(void **state)
{
    (void)state;
    cm_err err;
    const char *dup = "{\"a\": 1, \"a\": 2}";
    cm_json *doc = cm_json_parse("d.json", dup, strlen(dup), &err);
    assert_non_null(doc);
    static const char *const allowed[] = {"a", NULL};
    assert_int_equal(cm_json_check_keys(doc, cm_json_root(doc), NULL, allowed, &err), -1);
    assert_string_equal(err.msg, "d.json:1:15: a: duplicate field");
    cm_json_free(doc);
}

static void keyid_is_short_stable_and_hides_the_key(void **state)
{
    (void)state;
    char a[CM_KEYID_LEN], b[CM_KEYID_LEN], c[CM_KEYID_LEN];
    cm_keyid("sk-test-secret-1", a);
    cm_keyid("sk-test-secret-1", b);
    cm_keyid("sk-test-secret-2", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 10);
    assert_null(strstr(a, "secret"));
    cm_keyid(NULL, a);
    assert_string_equal(a, "k-none");
}

static void time_conversions_saturate(void **state)
{
    (void)state;
    assert_int_equal(cm_us_from_s(1.5), 1500000);
    assert_int_equal(cm_us_from_s(1e300), CM_US_MAX);
    assert_int_equal(cm_us_from_s(-1e300), -CM_US_MAX);
    assert_int_equal(cm_us_from_s(NAN), 0);
    assert_int_equal(cm_us_add(CM_US_MAX, 5), CM_US_MAX);
    assert_int_equal(cm_us_add(10, -4), 6);
}

/* Inputs that are not regular files are refused before any read, so a FIFO
 * never blocks a loader; a file past the limit is refused, not cut. */
static void file_read_refuses_what_is_not_a_regular_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/rl-file-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64], big[64];
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    snprintf(big, sizeof big, "%s/big", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    char *buf = NULL;
    size_t n = 0;
    cm_err err;
    assert_int_equal(cm_file_read(fifo, 100, &buf, &n, &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file (a FIFO)"));
    assert_null(cm_file_open(fifo, &err));
    assert_non_null(strstr(err.msg, "a FIFO"));
    assert_int_equal(cm_file_read(dir, 100, &buf, &n, &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file (a directory)"));
    assert_int_equal(cm_file_read("/dev/zero", 100, &buf, &n, &err), -1);
    assert_non_null(strstr(err.msg, "a character device"));
    FILE *f = fopen(big, "w");
    assert_non_null(f);
    for (int i = 0; i < 3 << 20; i++)
        fputc('x', f);
    fclose(f);
    assert_int_equal(cm_file_read(big, 2 << 20, &buf, &n, &err), -1);
    assert_non_null(strstr(err.msg, "file too large (limit 2 MiB)"));
    assert_int_equal(cm_file_read(big, 4 << 20, &buf, &n, &err), 0);
    assert_int_equal(n, 3 << 20);
    assert_int_equal(buf[n], '\0');
    free(buf);
    unlink(fifo);
    unlink(big);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rng_same_seed_same_stream),
        cmocka_unit_test(rng_uniform_mean_and_bounds),
        cmocka_unit_test(rng_fork_streams_differ),
        cmocka_unit_test(attempt_ids_and_their_text),
        cmocka_unit_test(fd_limit_is_raised_to_the_hard_limit),
        cmocka_unit_test(heap_pops_in_time_then_insertion_order),
        cmocka_unit_test(heap_random_order_is_sorted),
        cmocka_unit_test(json_positions_point_at_values),
        cmocka_unit_test(json_schema_errors_name_file_line_col_field),
        cmocka_unit_test(json_range_errors_print_the_value_exactly),
        cmocka_unit_test(json_text_refused_where_cjson_is_lenient),
        cmocka_unit_test(utf8_lengths),
        cmocka_unit_test(json_syntax_error_has_position),
        cmocka_unit_test(json_duplicate_key_is_an_error),
        cmocka_unit_test(json_unknown_field_suggests_the_closest_key),
        cmocka_unit_test(json_syntax_errors_name_common_slips),
        cmocka_unit_test(json_nesting_past_the_limit_is_named),
        cmocka_unit_test(json_values_past_the_limit_are_refused),
        cmocka_unit_test(keyid_is_short_stable_and_hides_the_key),
        cmocka_unit_test(time_conversions_saturate),
        cmocka_unit_test(file_read_refuses_what_is_not_a_regular_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
