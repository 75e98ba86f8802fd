/* SPDX-License-Identifier: MIT */
/*
 * version.h - the one version of the ior tools, and their --version.
 *
 * Every tool answers --version the same way, "TOOL (ior) VERSION", so a
 * script or a bug report can tell which build it ran; the number lives here
 * only.  The option has no short letter: VERSION_OPT is outside the range
 * of a character, so it can never collide with a tool's short options.
 */
#ifndef IOR_VERSION_H
#define IOR_VERSION_H

#define IOR_VERSION "0.9.0"

/* getopt_long's value for --version; put VERSION_LONGOPT in longopts. */
#define VERSION_OPT 0x100
#define VERSION_LONGOPT { "version", no_argument, NULL, VERSION_OPT }

/* Print "TOOL (ior) VERSION" on stdout and exit 0 (1 if it cannot). */
_Noreturn void version_exit(const char *tool);

#endif /* IOR_VERSION_H */
