/* err.h: the one error convention of retrylab. A function that can fail
 * returns 0 (or a result) on success and -1 (or NULL) on failure, and
 * fills the caller's cm_err with one line that names the place: a file
 * ("FILE:LINE:COL: FIELD: MESSAGE"), a flag or a path. Exit codes of both
 * programs come from one list, CM_EXIT_CODES. */
#ifndef CM_ERR_H
#define CM_ERR_H

typedef struct cm_err {
    char msg[512];
} cm_err;

/* Formats into err->msg (printf-style, cut to fit); err may be NULL. */
void cm_err_set(cm_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The process exit codes (a contract: README and every --help list them). */
#define CM_EXIT_CODES(X)                                                                           \
    X(OK, 0, "done; every check held")                                                             \
    X(CHECK_FAILED, 1, "a check fell short")                                                       \
    X(BAD_INPUT, 2, "bad input (the message names file:line:col or the flag)")                     \
    X(RUNTIME, 3, "runtime failure (a server unreachable, a folder not writable)")

typedef enum cm_exit {
#define X(name, code, text) CM_EXIT_##name = code,
    CM_EXIT_CODES(X)
#undef X
} cm_exit;

/* What exit code `code` means, for --help texts; "" for others. */
const char *cm_exit_meaning(int code);

/* Returns of a function that tells bad input from a failure to run. */
#define CM_ERR_RUNTIME (-1) /* out of memory, I/O, a server unreachable: exit 3 */
#define CM_ERR_INPUT (-2)   /* the input is wrong (the message says where): exit 2 */

/* The exit code for such a return: 0 for 0, 2 for CM_ERR_INPUT, 3 else. */
int cm_exit_of(int rc);

#endif
