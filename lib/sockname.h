/* SPDX-License-Identifier: MIT */
/*
 * sockname.h - the name ior gives a socket: its address, as a person
 * reads it, prefixed with its protocol.
 *
 *	tcp:10.0.0.1:443	udp:127.0.0.53:53	raw:10.0.0.1
 *	tcp6:[::1]:80		udp6:[fe80::1]:546
 *	unix:/run/x.sock	unix:@name (abstract: the leading NUL as @, the
 *				NULs that pad it left out)
 *	unix: (an unnamed unix socket)
 *	netlink:PID		socket:family N (any other family)
 *
 * A struct sockaddr says the family, not tcp or udp: the socket's type
 * (SOCK_STREAM, SOCK_DGRAM, SOCK_RAW ...) decides; an unknown type (0)
 * gives "inet:" and "inet6:".  The name is bytes (a unix path may hold
 * any byte but NUL): callers escape it on output like any path.
 */
#ifndef IOR_SOCKNAME_H
#define IOR_SOCKNAME_H

#include <stddef.h>

/* The longest name sockname_format() makes, with its NUL. */
#define SOCKNAME_MAX 160

/*
 * Write the name of the len bytes of sockaddr at addr, for a socket of
 * type socktype, to buf (SOCKNAME_MAX bytes); return its length, or 0
 * when addr is too short to have a family or its family is AF_UNSPEC.
 * The result is NUL-terminated but may hold NUL bytes of an abstract unix
 * name before its length.
 */
size_t sockname_format(char buf[SOCKNAME_MAX], const void *addr, size_t len,
		       int socktype);

#endif /* IOR_SOCKNAME_H */
