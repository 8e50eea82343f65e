/* test_assert.h: assert_num_equal(actual, expected) compares two numbers
 * exactly (as doubles: integers below 2^53 and the doubles the tests expect)
 * and, when they differ, shows both, which assert_true(a == b) cannot. */
#ifndef RL_TEST_ASSERT_H
#define RL_TEST_ASSERT_H
// clang-format off: cmocka.h needs these four first
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#define assert_num_equal(actual, expected)                                                         \
    do {                                                                                           \
        double rl_a_ = (double)(actual), rl_e_ = (double)(expected);                               \
        if (!(rl_a_ == rl_e_))                                                                     \
            fail_msg("%s is %.17g, expected %s = %.17g", #actual, rl_a_, #expected, rl_e_);        \
    } while (0)

#endif
