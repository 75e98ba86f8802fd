/* SPDX-License-Identifier: MIT */
/*
 * errname.h - an errno value as every tool names it: glibc's name for it
 * ("ENOENT", strerrorname_np), or "E" and the number for one glibc has no
 * name for (a newer kernel's, or a number that is no errno at all).
 */
#ifndef IOR_ERRNAME_H
#define IOR_ERRNAME_H

/* Room for "E4294967295" and the NUL. */
#define ERRNO_NAME_LEN 16

/*
 * The name of e, or buf holding "E<e>": a result other than buf is a name
 * glibc knows (strace-like text shows "E?" for the others).
 */
const char *errno_name(unsigned e, char buf[ERRNO_NAME_LEN]);

#endif /* IOR_ERRNAME_H */
