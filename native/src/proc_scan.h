/* /proc and /sys reads: bpf object owners and whitelisted files. */
#ifndef BPFSCOPE_PROC_SCAN_H
#define BPFSCOPE_PROC_SCAN_H

#include <dirent.h>
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

/* Opens /proc/PID/fd for readdir: readlinkat(dirfd(dir), entry) then costs one path
 * lookup instead of four (/proc, PID, fd, N), most of a scan's cost. NULL when the
 * process is gone or hidden. */
DIR *bs_open_fd_dir(int pid);

/* Whether a /proc entry's name is all digits: a pid, or an fd number. */
int bs_all_digits(const char *name);

/* The process's comm without its newline; empty when it is gone. */
void bs_read_comm(int pid, char comm[17]);

/* The text of an open procfs file (fdinfo, comm) into buf, NUL-terminated; its
 * length, or -errno. A read that fills less than it was offered has had all of
 * it: procfs hands a seq_file's text over whole while it fits, and the read that
 * would only say so is one syscall per file. */
ssize_t bs_read_proc_text(int fd, char *buf, size_t size);

/* Reads this process's fdinfo for fd into buf (NUL-terminated). */
int bs_self_fdinfo(int fd, char *buf, size_t size);

/* Reads a whole file from the read-only whitelist (kallsyms, BTF, sysctls,
 * cpu lists), at most limit bytes. */
int bs_read_file(const char *path, uint32_t limit, struct bs_buf *out);

#endif
