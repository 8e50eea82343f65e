/* runner_tools.c: helpers of bench/runner.sh (make bench).
 *   runner_tools rusage CMD [ARG...]  runs CMD, prints "maxrss_kb user_us sys_us status"
 *                                     from wait4 (the child's own peak RSS and CPU)
 *   runner_tools timer N              the platform's floor for delay fidelity: N sleeps
 *                                     of 5..50 ms on a timerfd in epoll (as the runner
 *                                     sleeps), prints "p50_us p99_us" of the lateness */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int rusage_of(char **argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return 3;
    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) != pid)
        return 3;
    long long user = (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
    long long sys = (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
    printf("%ld %lld %lld %d\n", ru.ru_maxrss, user, sys, WIFEXITED(st) ? WEXITSTATUS(st) : 128);
    return 0;
}

static int timer_floor(long n)
{
    if (n < 1 || n > 100000)
        return 2;
    prctl(PR_SET_TIMERSLACK, 1UL);
    int ep = epoll_create1(0), tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = tfd};
    int64_t *late = malloc((size_t)n * sizeof *late);
    if (ep < 0 || tfd < 0 || !late || epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) != 0)
        return 3;
    for (long i = 0; i < n; i++) {
        int64_t at = now_us() + 5000 + (i % 10) * 5000;
        struct itimerspec its;
        memset(&its, 0, sizeof its);
        its.it_value.tv_sec = at / 1000000;
        its.it_value.tv_nsec = (long)(at % 1000000) * 1000;
        timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
        struct epoll_event got;
        uint64_t ticks;
        if (epoll_wait(ep, &got, 1, 1000) == 1 && read(tfd, &ticks, sizeof ticks) < 0)
            return 3;
        late[i] = now_us() - at;
    }
    qsort(late, (size_t)n, sizeof *late, cmp_i64);
    printf("%lld %lld\n", (long long)late[n / 2], (long long)late[(n * 99 + 99) / 100 - 1]);
    free(late);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "rusage") == 0)
        return rusage_of(argv + 2);
    if (argc == 3 && strcmp(argv[1], "timer") == 0)
        return timer_floor(strtol(argv[2], NULL, 10));
    fprintf(stderr, "usage: runner_tools rusage CMD [ARG...] | runner_tools timer N\n");
    return 2;
}
