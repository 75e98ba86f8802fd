/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <stdbool.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sockname.h"

static const char *
inet_proto(int socktype, int family)
{
	bool v6 = family == AF_INET6;

	switch (socktype) {
	case SOCK_STREAM: return v6 ? "tcp6" : "tcp";
	case SOCK_DGRAM: return v6 ? "udp6" : "udp";
	case SOCK_RAW: return v6 ? "raw6" : "raw";
	case SOCK_SEQPACKET: return v6 ? "seqpacket6" : "seqpacket";
	default: return v6 ? "inet6" : "inet";
	}
}

size_t
sockname_format(char buf[SOCKNAME_MAX], const void *addr, size_t len,
		int socktype)
{
	sa_family_t family;
	char ip[INET6_ADDRSTRLEN];
	int n;

	if (len < sizeof(family))
		return 0;
	memcpy(&family, addr, sizeof(family));
	switch (family) {
	case AF_UNSPEC:
		return 0;       /* connect's "dissolve the association" */
	case AF_INET: {
		struct sockaddr_in in = { 0 };

		memcpy(&in, addr, len < sizeof(in) ? len : sizeof(in));
		inet_ntop(AF_INET, &in.sin_addr, ip, sizeof(ip));
		n = snprintf(buf, SOCKNAME_MAX, "%s:%s:%u",
			     inet_proto(socktype, family), ip,
			     ntohs(in.sin_port));
		break;
	}
	case AF_INET6: {
		struct sockaddr_in6 in6 = { 0 };

		memcpy(&in6, addr, len < sizeof(in6) ? len : sizeof(in6));
		inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof(ip));
		n = snprintf(buf, SOCKNAME_MAX, "%s:[%s]:%u",
			     inet_proto(socktype, family), ip,
			     ntohs(in6.sin6_port));
		break;
	}
	case AF_UNIX: {
		const char *path = (const char *)addr +
				   offsetof(struct sockaddr_un, sun_path);
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);

		if (plen > sizeof(((struct sockaddr_un *)0)->sun_path))
			plen = sizeof(((struct sockaddr_un *)0)->sun_path);
		memcpy(buf, "unix:", 5);
		if (plen > 0 && path[0] == '\0') {
			/*
			 * abstract: the name is the bytes after the NUL, NULs
			 * inside it too, but not the NULs that pad it (a name
			 * bound with the whole sun_path): /proc/net/unix
			 * cannot tell those from '@', ior names it without.
			 */
			while (plen > 1 && path[plen - 1] == '\0')
				plen--;
			buf[5] = '@';
			memcpy(buf + 6, path + 1, plen - 1);
			n = 6 + plen - 1;
		} else {
			/* a path ends at its NUL, or at len */
			plen = strnlen(path, plen);
			memcpy(buf + 5, path, plen);
			n = 5 + plen;
		}
		buf[n] = '\0';
		break;
	}
	case AF_NETLINK: {
		struct sockaddr_nl nl = { 0 };

		memcpy(&nl, addr, len < sizeof(nl) ? len : sizeof(nl));
		n = snprintf(buf, SOCKNAME_MAX, "netlink:%u", nl.nl_pid);
		break;
	}
	default:
		n = snprintf(buf, SOCKNAME_MAX, "socket:family %u", family);
		break;
	}
	return n < 0 ? 0 : (size_t)n < SOCKNAME_MAX ? (size_t)n :
	       SOCKNAME_MAX - 1;
}
