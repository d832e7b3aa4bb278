#define _GNU_SOURCE
#include "proc_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const read_whitelist[] = {
	"/proc/kallsyms",
	"/proc/sys/kernel/",
	"/proc/sys/net/core/bpf_",
	"/sys/kernel/btf/",
	"/sys/devices/system/cpu/possible",
	"/sys/devices/system/cpu/online",
	"/proc/version",
	"/proc/self/status",
	"/sys/kernel/security/lsm",
	"/sys/kernel/security/lockdown",
	"/proc/mounts",
	"/proc/uptime",
	/* The kernel's helper documentation, shown beside our own one-line descriptions. */
	"/usr/include/linux/bpf.h",
	"/usr/share/man/man7/bpf-helpers.7.gz",
};

/* Per-process files that say who an owner is and what it maps: /proc/<pid>/<name>. */
static const char *const pid_files[] = { "cmdline", "cgroup", "maps", "comm" };

/* After /proc/<pid>/: the rest of the path, or NULL. */
static const char *after_pid(const char *path)
{
	const char *p = path + strlen("/proc/");

	if (strncmp(path, "/proc/", strlen("/proc/")) != 0 || *p < '1' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '/' ? p + 1 : NULL;
}

static int pid_file(const char *path)
{
	const char *p = after_pid(path);

	if (!p)
		return 0;
	for (size_t i = 0; i < sizeof(pid_files) / sizeof(pid_files[0]); i++)
		if (strcmp(p, pid_files[i]) == 0)
			return 1;
	return 0;
}

static int hex_digits(const char **p)
{
	const char *start = *p;

	while ((**p >= '0' && **p <= '9') || (**p >= 'a' && **p <= 'f'))
		(*p)++;
	return *p > start;
}

/*
 * /proc/<pid>/map_files/<start>-<end>: a file a process has mapped, for the symbols of its
 * stack frames. Only ELF files are read this way (checked on the open file).
 */
static int mapped_file(const char *path)
{
	const char *p = after_pid(path);

	if (!p || strncmp(p, "map_files/", strlen("map_files/")) != 0)
		return 0;
	p += strlen("map_files/");
	if (!hex_digits(&p) || *p++ != '-' || !hex_digits(&p))
		return 0;
	return *p == '\0';
}

static int is_elf(int fd)
{
	unsigned char magic[4];

	return pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) && magic[0] == 0x7f && magic[1] == 'E' &&
	       magic[2] == 'L' && magic[3] == 'F';
}

static int whitelisted(const char *path)
{
	if (strstr(path, "/../") || strstr(path, "/./"))
		return 0;
	if (pid_file(path) || mapped_file(path))
		return 1;
	for (size_t i = 0; i < sizeof(read_whitelist) / sizeof(read_whitelist[0]); i++) {
		size_t n = strlen(read_whitelist[i]);
		if (strncmp(path, read_whitelist[i], n) == 0)
			return 1;
	}
	return 0;
}

ssize_t bs_read_proc_text(int fd, char *buf, size_t size)
{
	size_t total = 0;

	while (total + 1 < size) {
		size_t offered = size - 1 - total;
		ssize_t n = read(fd, buf + total, offered);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		total += (size_t)n;
		if ((size_t)n < offered)
			break;
	}
	buf[total] = '\0';
	return (ssize_t)total;
}

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = bs_read_proc_text(fd, buf, size);
	close(fd);
	return n;
}

int bs_self_fdinfo(int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = read_small(path, buf, size);
	return n < 0 ? (int)n : 0;
}

int bs_read_file(const char *path, uint32_t limit, struct bs_buf *out)
{
	size_t cap = 65536, len = 0;
	int fd, err = 0;

	out->data = NULL;
	out->len = 0;
	if (!whitelisted(path))
		return -EACCES;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (mapped_file(path) && !is_elf(fd)) {
		close(fd);
		return -EACCES;
	}
	/* /proc files report size 0: read until EOF, growing up to limit. */
	out->data = malloc(cap);
	if (!out->data) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= limit) {
				err = -EFBIG;
				break;
			}
			size_t next = cap * 2 > limit ? limit : cap * 2;
			uint8_t *grown = realloc(out->data, next);
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			out->data = grown;
			cap = next;
		}
		ssize_t n = read(fd, out->data + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (err) {
		bs_buf_free(out);
		return err;
	}
	out->len = (uint32_t)len;
	return 0;
}

int bs_all_digits(const char *name)
{
	if (!*name)
		return 0;
	for (; *name; name++)
		if (*name < '0' || *name > '9')
			return 0;
	return 1;
}

/* bpf fds are anon inodes named bpf-map, bpf-prog, bpf_link (bpf-link reopened), bpf-stats
 * (and btf for BTF objects). */
static int is_bpf_target(const char *target)
{
	static const char prefix[] = "anon_inode:";
	if (strncmp(target, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	target += sizeof(prefix) - 1;
	return strncmp(target, "bpf", 3) == 0 || strcmp(target, "btf") == 0;
}

void bs_read_comm(int pid, char comm[17])
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	n = read_small(path, comm, 17);
	if (n <= 0) {
		comm[0] = '\0';
		return;
	}
	if (comm[n - 1] == '\n')
		comm[n - 1] = '\0';
}

DIR *bs_open_fd_dir(int pid)
{
	char path[64];
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	dir = fdopendir(fd);
	if (!dir)
		close(fd);
	return dir;
}

/*
 * A BPF object fd of the scanning process itself (`self`): the reads it has under way on other threads
 * (an info batch, a map page), not a hold on the object, which would otherwise be drawn as
 * held by bpfscope. Its other BPF fds (a BPF_ENABLE_STATS fd) are real holds and stay.
 */
static int is_own_read(int self, const char *target)
{
	enum bs_obj_kind kind;

	return self && bs_anon_kind(target, &kind) == 0;
}

static int scan_process(int pid, int (*visit)(const struct bs_owner_fd *, void *), void *ctx,
			uint32_t *budget)
{
	struct bs_owner_fd rec;
	struct dirent *ent;
	DIR *dir = bs_open_fd_dir(pid);
	int stop = 0, have_comm = 0, self = pid == getpid();

	if (!dir)
		return 0;
	while (!stop && *budget && (ent = readdir(dir)) != NULL) {
		char link[300];
		ssize_t n;

		if (!bs_all_digits(ent->d_name))
			continue;
		n = readlinkat(dirfd(dir), ent->d_name, rec.target, sizeof(rec.target) - 1);
		/* EACCES: the process's fds are closed to us (ptrace access), all of them alike. */
		if (n < 0 && errno == EACCES)
			break;
		if (n < 0)
			continue;
		rec.target[n] = '\0';
		if (!is_bpf_target(rec.target) || is_own_read(self, rec.target))
			continue;
		rec.pid = pid;
		rec.fd = atoi(ent->d_name);
		if (!have_comm) {
			bs_read_comm(pid, rec.comm);
			have_comm = 1;
		}
		snprintf(link, sizeof(link), "/proc/%d/fdinfo/%s", pid, ent->d_name);
		if (read_small(link, rec.fdinfo, sizeof(rec.fdinfo)) < 0)
			continue;
		(*budget)--;
		stop = visit(&rec, ctx);
	}
	closedir(dir);
	return stop;
}

int bs_scan_owners(int (*visit)(const struct bs_owner_fd *fd, void *ctx), void *ctx)
{
	uint32_t budget = BS_OWNERS_MAX;
	struct dirent *ent;
	DIR *proc = opendir("/proc");

	if (!proc)
		return -errno;
	while ((ent = readdir(proc)) != NULL && budget) {
		if (!bs_all_digits(ent->d_name))
			continue;
		if (scan_process(atoi(ent->d_name), visit, ctx, &budget))
			break;
	}
	closedir(proc);
	return 0;
}
