/* fdlimit.h: raising the process's open-file limit, for the two programs
 * that hold thousands of sockets at once (retrylab run, mockserver). */
#ifndef CM_FDLIMIT_H
#define CM_FDLIMIT_H

/* Raises the soft RLIMIT_NOFILE to the hard limit, at most 65,536: one
 * socket per transfer in flight or hanging connection needs more than the
 * usual 1,024. Does nothing when it cannot (the run then meets EMFILE as a
 * transport error, not a crash). */
void cm_raise_fd_limit(void);

#endif
