/* SPDX-License-Identifier: MIT */
/* version.c - see version.h. */
#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "version.h"

void
version_exit(const char *tool)
{
	printf("%s (ior) %s\n", tool, IOR_VERSION);
	exit(output_close(stdout, "<stdout>", 0));
}
