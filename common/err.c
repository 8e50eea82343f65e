/* err.c: the error line and the exit codes' meanings. */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>

void cm_err_set(cm_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

const char *cm_exit_meaning(int code)
{
    switch (code) {
#define X(name, value, text)                                                                       \
    case value:                                                                                    \
        return text;
        CM_EXIT_CODES(X)
#undef X
    }
    return "";
}

int cm_exit_of(int rc)
{
    return rc == 0 ? CM_EXIT_OK : rc == CM_ERR_INPUT ? CM_EXIT_BAD_INPUT : CM_EXIT_RUNTIME;
}
