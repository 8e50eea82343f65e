/* test_engine_policy.c: policy files. Every tests/data/policies/bad/ *.json
 * must fail with the message listed for it in bad/EXPECTED (file:line:col:
 * field: message), every file there must be listed, and every good/ *.json
 * (the seeds' policies, the DESIGN.md example, one with every key) and every
 * peer preset (scenarios/policies/peers/, also checked in
 * test_engine_peers.c) must load. Also the accessors and a few parsed values. */
#include "tests/lib/engine_fixture.h"

#include <dirent.h>
#include <stdlib.h>

#include "engine/core/policy.h"
#include "tests/lib/test_assert.h"

#define BAD "tests/data/policies/bad"
#define GOOD "tests/data/policies/good"
#define PEERS "scenarios/policies/peers"

static int is_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static void bad_policies_give_their_messages(void **state)
{
    (void)state;
    FILE *f = fopen(BAD "/EXPECTED", "r");
    assert_non_null(f);
    char line[1024];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        char path[512], want[1200];
        snprintf(path, sizeof path, BAD "/%.400s", line);
        snprintf(want, sizeof want, "%s:%.600s", path, tab + 1);
        rl_policy *p = NULL;
        cm_err err = {{0}};
        if (rl_policy_load(path, &p, &err) == 0) {
            rl_policy_free(p);
            fail_msg("%s loaded but must fail with: %s", path, want);
        }
        assert_null(p);
        if (strcmp(err.msg, want) != 0)
            fail_msg("%s:\n  want %s\n  got  %s", path, want, err.msg);
        checked++;
    }
    fclose(f);
    assert_true(checked >= 15);
}

static void every_bad_file_is_listed(void **state)
{
    (void)state;
    FILE *f = fopen(BAD "/EXPECTED", "r");
    assert_non_null(f);
    static char listed[16384];
    size_t n = fread(listed, 1, sizeof listed - 1, f);
    listed[n] = '\0';
    fclose(f);
    DIR *d = opendir(BAD);
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        if (!is_json(e->d_name))
            continue;
        char key[300];
        snprintf(key, sizeof key, "\n%s\t", e->d_name);
        if (!strstr(listed, key))
            fail_msg("%s/%s has no line in EXPECTED", BAD, e->d_name);
        files++;
    }
    closedir(d);
    assert_true(files >= 15);
}

/* Loads every *.json of dir; their number. */
static int load_all(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        if (!is_json(e->d_name))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        rl_policy *p = NULL;
        cm_err err = {{0}};
        if (rl_policy_load(path, &p, &err) != 0)
            fail_msg("%s", err.msg);
        assert_true(rl_policy_candidate_count(p) >= 1);
        rl_policy_free(p);
        files++;
    }
    closedir(d);
    return files;
}

static void good_policies_load(void **state)
{
    (void)state;
    assert_true(load_all(GOOD) >= 9);
    assert_true(load_all(PEERS) >= 15);
}

static void design_example_values(void **state)
{
    (void)state;
    rl_policy *p;
    cm_err err;
    assert_int_equal(rl_policy_load(GOOD "/design_example.json", &p, &err), 0);
    assert_string_equal(rl_policy_name(p), "seed-003-tier-aware");
    assert_int_equal(rl_policy_candidate_count(p), 1);
    rl_candidate_info c;
    rl_policy_candidate(p, 0, &c);
    assert_string_equal(c.provider, "moonshot");
    assert_string_equal(c.model, "kimi");
    assert_int_equal(c.nkeys, 2);
    assert_string_equal(c.keys[1], "MOONSHOT_KEY_2");
    rl_policy_candidate(p, 5, &c); /* out of range: zeroed */
    assert_null(c.provider);
    assert_int_equal(p->backoff.kind, RL_BACKOFF_EXPONENTIAL);
    assert_num_equal(p->backoff.cap_s, 900);
    assert_int_equal(p->limits.max_attempts, 10); /* default */
    assert_int_equal(rl_backoff_ladder(&p->backoff, 9), 512 * CM_US_PER_S);
    assert_int_equal(rl_backoff_ladder(&p->backoff, 10), 900 * CM_US_PER_S);
    assert_int_equal(rl_backoff_ladder(&p->backoff, 5000), 900 * CM_US_PER_S);
    rl_policy_free(p);
}

static void everything_values(void **state)
{
    (void)state;
    rl_policy *p;
    cm_err err;
    assert_int_equal(rl_policy_load(GOOD "/everything.json", &p, &err), 0);
    assert_int_equal(p->backoff.kind, RL_BACKOFF_LIST);
    assert_int_equal(p->backoff.nwaits, 3);
    assert_int_equal(p->retry_after.max, 60 * CM_US_PER_S);
    assert_false(p->retry_after.max_inclusive);
    assert_int_equal(p->retry_after.above, RL_RA_ABOVE_ROTATE);
    assert_true(p->tiers.from_tokens);
    assert_int_equal(p->tiers.n, 2);
    assert_int_equal(p->tiers.t[1].up_to, -1);
    assert_true(p->rotation.wait_backoff);
    assert_int_equal(p->rotation.nfallbacks[0], 1);
    assert_int_equal(p->cooldown.max, 600 * CM_US_PER_S);
    assert_true(p->breaker.enabled);
    assert_int_equal(p->budget.kind, RL_BUDGET_RATIO);
    assert_int_equal(p->limits.deadline, 600 * CM_US_PER_S);
    assert_int_equal(p->task_retry.max, 2);
    assert_false(p->classify.x_should_retry);
    assert_true(p->classify.body_rules);
    assert_int_equal(p->nladders, 2);
    assert_false(p->backoff.cap_after_jitter);
    assert_int_equal(p->retry_after.nstatuses, 2);
    assert_int_equal(p->retry_after.nfrom, 3);
    assert_int_equal(p->retry_after.combine, RL_RA_COMBINE_BOUNDED);
    assert_int_equal(p->retry_after.ladder_after, RL_RA_THEN_RESET);
    assert_int_equal(p->retry_after.past, RL_RA_PAST_IMMEDIATE);
    assert_false(p->retry_after.plain_read);
    assert_true(p->retry_after.clock_dates);
    assert_int_equal(rl_policy_body_reads(p), RL_BODY_RULES | RL_BODY_MESSAGE | RL_BODY_RETRY_INFO);
    assert_int_equal(rl_classify_outcome(&p->classify, 503, RL_TE_NONE, -1, NULL),
                     RL_DECIDE_ROTATE);
    assert_int_equal(rl_classify_outcome(&p->classify, 200, RL_TE_NONE, -1, NULL),
                     RL_DECIDE_SUCCESS);
    assert_int_equal(rl_classify_outcome(&p->classify, 0, RL_TE_RESET, -1, NULL), RL_DECIDE_ROTATE);
    assert_int_equal(rl_classify_outcome(&p->classify, 418, RL_TE_NONE, 1, NULL), RL_DECIDE_FAIL);
    rl_policy_free(p);
}

static void from_json_and_missing_file(void **state)
{
    (void)state;
    cm_err err;
    rl_policy *p = (rl_policy *)1;
    assert_int_equal(rl_policy_load("tests/data/policies/no-such-file.json", &p, &err), -1);
    assert_null(p);
    assert_non_null(strstr(err.msg, "no-such-file.json"));
    const char *t = "{\"kind\":\"policy\",\"name\":\"n\",\"candidates\":[{\"provider\":\"p\","
                    "\"model\":\"m\"}],\"limits\":{\"deadline_s\":\"soon\"}}";
    cm_json *doc = cm_json_parse("inline.json", t, strlen(t), &err);
    assert_non_null(doc);
    assert_int_equal(rl_policy_from_json(doc, &p, &err), -1);
    assert_string_equal(err.msg, "inline.json:1:96: limits.deadline_s: must be a number");
    cm_json_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_policies_give_their_messages),
        cmocka_unit_test(every_bad_file_is_listed),
        cmocka_unit_test(good_policies_load),
        cmocka_unit_test(design_example_values),
        cmocka_unit_test(everything_values),
        cmocka_unit_test(from_json_and_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
