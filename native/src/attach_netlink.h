/* Attachment discovery through rtnetlink and network namespaces: mechanism
 * only. Dumps come back as the kernel's netlink messages, back to back;
 * TypeScript (main/kernel/attach) parses them. */
#ifndef BPFSCOPE_ATTACH_NETLINK_H
#define BPFSCOPE_ATTACH_NETLINK_H

#include <stdint.h>

#include "bpf_read.h"

/* Bound on the bytes of one dump: a host with thousands of interfaces and
 * filters stays well below. */
#define BS_RTNL_MAX (32u << 20)
#define BS_NETNS_MAX 4096
#define BS_NETNS_PATH_MAX 300

enum bs_rtnl_dump {
	BS_RTNL_LINKS = 0,   /* RTM_GETLINK: every interface, with IFLA_XDP */
	BS_RTNL_FILTERS = 1, /* RTM_GETTFILTER: the filters of one ifindex under one parent */
	BS_RTNL_ROUTES = 2,  /* RTM_GETROUTE: every route of every family and table, with RTA_ENCAP */
	BS_RTNL_QDISCS = 3,  /* RTM_GETQDISC: the qdiscs of one ifindex (0: every interface) */
	BS_RTNL_CLASSES = 4, /* RTM_GETTCLASS: the classes of one ifindex */
	BS_RTNL_LAST = BS_RTNL_CLASSES,
};

/* The rtnetlink request a dump kind sends, for error messages: "RTM_GETLINK" … */
const char *bs_rtnl_dump_name(enum bs_rtnl_dump what);

/* Accepts /proc/<pid>/ns/net and /run/netns/<name> (and /var/run/netns/…). */
int bs_netns_path_ok(const char *path);

/* Runs fn(ctx) in a short-lived thread that has joined the network namespace
 * at ns_path; with ns_path NULL, on the calling thread. The caller's own
 * namespace never changes. Returns fn's result or -errno. */
int bs_in_netns(const char *ns_path, int (*fn)(void *ctx), void *ctx);

/* Dumps in the calling thread's network namespace. */
int bs_rtnl_dump(enum bs_rtnl_dump what, int32_t ifindex, uint32_t parent, struct bs_buf *out);

/* One network namespace, seen through a named mount or a process. */
struct bs_netns {
	uint64_t inode;
	int32_t pid; /* 0 for /run/netns entries */
	char path[BS_NETNS_PATH_MAX];
};

/* Each distinct namespace once: named ones first, then by process. */
int bs_scan_netns(int (*visit)(const struct bs_netns *ns, void *ctx), void *ctx);

#endif
