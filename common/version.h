/* version.h: the version both programs print for --version, and the commit
 * they were built from (CM_COMMIT, written by the Makefile into
 * build/gen/commit.h; "unknown" outside a git checkout). */
#ifndef CM_VERSION_H
#define CM_VERSION_H

#define CM_VERSION "0.4.0"

#endif
