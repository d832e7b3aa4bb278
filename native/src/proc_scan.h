/* /proc and /sys reads: bpf object owners and whitelisted files. */
#ifndef BPFSCOPE_PROC_SCAN_H
#define BPFSCOPE_PROC_SCAN_H

#include <stdint.h>
#include <sys/types.h>

#include "bpf_read.h"

/* One open fd on a bpf object (or bpf-stats) in some process: the fdinfo
 * text is handed over raw, TypeScript parses it. */
struct bs_owner_fd {
	int32_t pid;
	int32_t fd;
	char comm[17];
	char target[64];
	char fdinfo[1024];
};

#define BS_OWNERS_MAX 262144

/* Calls visit for each bpf fd of each process; stops early when visit
 * returns non-zero. Processes and fds that vanish mid-scan are skipped. */
int bs_scan_owners(int (*visit)(const struct bs_owner_fd *fd, void *ctx), void *ctx);

/* Reads this process's fdinfo for fd into buf (NUL-terminated). */
int bs_self_fdinfo(int fd, char *buf, size_t size);

/* Reads a whole file from the read-only whitelist (kallsyms, BTF, sysctls,
 * cpu lists), at most limit bytes. */
int bs_read_file(const char *path, uint32_t limit, struct bs_buf *out);

#endif
