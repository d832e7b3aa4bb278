/* Read-only attachment queries: BPF_PROG_QUERY on cgroups, network
 * namespaces and interfaces, and BPF_TASK_FD_QUERY on every process's
 * perf-event and link fds. Results are the kernel's bytes; TypeScript
 * (main/kernel/attach) decodes them. */
#ifndef BPFSCOPE_ATTACH_QUERY_H
#define BPFSCOPE_ATTACH_QUERY_H

#include <stdint.h>

#include "bpf_read.h"

/* The kernel allows 64 programs per cgroup hook; tcx and netkit have no
 * fixed limit, so a generous bound. */
#define BS_QUERY_PROGS_MAX 4096
#define BS_CGROUPS_MAX 65536
#define BS_CGROUP_DEPTH_MAX 64
#define BS_OWNERS_MAX_FDS 262144

/* One query's result, appended to a buffer as this header followed by
 * prog_cnt u32 of each of prog_ids, prog_attach_flags, link_ids and
 * link_attach_flags (zeros where the kernel has none). Host byte order. */
struct bs_query_record {
	uint32_t attach_type;
	uint32_t query_flags;
	int32_t error; /* positive errno: the kernel refused this type here */
	uint32_t attach_flags;
	uint32_t prog_cnt;
	uint32_t reserved;
	uint64_t revision; /* Linux 6.6 */
};

/* BPF_PROG_QUERY on target (an fd, or an ifindex for tcx/netkit), for each
 * attach type with query_flags; one record per type appended to out. */
int bs_prog_query(uint32_t target, const uint32_t *types, uint32_t ntypes, uint32_t query_flags, struct bs_buf *out);

/* Walks the cgroup v2 tree under root (depth and count bounded), calling
 * visit with each cgroup's path, inode (its cgroup id) and an open fd. */
int bs_walk_cgroups(const char *root, int (*visit)(const char *path, uint64_t id, int fd, void *ctx), void *ctx);

/* One perf-event or link fd with a program behind it. */
struct bs_task_fd {
	int32_t pid;
	int32_t fd;
	/* 0, or EOPNOTSUPP: a perf event running a perf_event program, which
	 * BPF_TASK_FD_QUERY does not describe (attr then holds only pid and fd). */
	int32_t error;
	char comm[17];
	/* union bpf_attr's task_fd_query as the kernel left it (48 bytes), the
	 * buffer pointer zeroed; name is the probe/tracepoint/file name. */
	uint8_t attr[48];
	char name[4096];
};

/* BPF_TASK_FD_QUERY on every anon_inode:[perf_event] and bpf_link fd of
 * every process. Fds without a program are skipped, perf events running a
 * perf_event program are kept with error EOPNOTSUPP; EPERM stops the scan. */
int bs_scan_task_fds(int (*visit)(const struct bs_task_fd *rec, void *ctx), void *ctx);

#endif
