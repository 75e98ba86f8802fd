/* SPDX-License-Identifier: MIT */
#include "errname.h"

#include <stdio.h>
#include <string.h>

const char *
errno_name(unsigned e, char buf[ERRNO_NAME_LEN])
{
	const char *n = strerrorname_np((int)e);

	if (n != NULL)
		return n;
	snprintf(buf, ERRNO_NAME_LEN, "E%u", e);
	return buf;
}
