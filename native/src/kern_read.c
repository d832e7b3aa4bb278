#define _GNU_SOURCE
#include "kern_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

/* union bpf_attr's prog_stream_read member (Linux 6.17), declared by value. */
struct bs_stream_read_attr {
	uint64_t stream_buf;
	uint32_t stream_buf_len;
	uint32_t stream_id;
	uint32_t prog_fd;
};

int bs_prog_stream_read(uint32_t prog_id, uint32_t stream_id, uint32_t max, struct bs_buf *out)
{
	struct bs_stream_read_attr attr;
	long n;
	int fd;

	out->data = NULL;
	out->len = 0;
	if ((stream_id != BS_STREAM_STDOUT && stream_id != BS_STREAM_STDERR) || max == 0 || max > BS_STREAM_READ_MAX)
		return -EINVAL;
	fd = bs_fd_by_id(BS_PROG, prog_id);
	if (fd < 0)
		return fd;
	out->data = malloc(max);
	if (!out->data) {
		close(fd);
		return -ENOMEM;
	}
	memset(&attr, 0, sizeof(attr));
	attr.stream_buf = (uint64_t)(uintptr_t)out->data;
	attr.stream_buf_len = max;
	attr.stream_id = stream_id;
	attr.prog_fd = (uint32_t)fd;
	do {
		n = syscall(__NR_bpf, BS_CMD_PROG_STREAM_READ_BY_FD, &attr, sizeof(attr));
	} while (n < 0 && errno == EINTR);
	n = n < 0 ? -errno : n;
	close(fd);
	if (n < 0) {
		bs_buf_free(out);
		return (int)n;
	}
	out->len = (uint32_t)(n > max ? max : n);
	return 0;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* per_cpu/cpuN/NAME: the directory two levels up is per_cpu and the next is cpu<digits>. */
static int per_cpu_file(const char *path, const char *name)
{
	const char *base = basename_of(path), *cpu;
	size_t dir_len = (size_t)(base - path);
	char dir[64];

	if (strcmp(base, name) != 0 || dir_len < 2 || dir_len > sizeof(dir))
		return 0;
	memcpy(dir, path, dir_len - 1);
	dir[dir_len - 1] = '\0';
	cpu = basename_of(dir);
	if (strncmp(cpu, "cpu", 3) != 0 || !cpu[3] || strspn(cpu + 3, "0123456789") != strlen(cpu + 3))
		return 0;
	return cpu - dir >= 9 && strncmp(cpu - 9, "/per_cpu/", 9) == 0;
}

static int non_consuming(const char *path)
{
	static const char *const names[] = { "trace", "trace_clock", "buffer_size_kb", "buffer_total_size_kb", "tracing_on" };
	const char *base = basename_of(path);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(base, names[i]))
			return 1;
	if (per_cpu_file(path, "stats"))
		return 1;
	/* options/NAME: the option switches, each a "0" or "1". */
	return base - path >= 9 && strncmp(base - 9, "/options/", 9) == 0;
}

/* Opens path only when it is on a tracefs mount. */
static int open_tracefs(const char *path, int flags)
{
	struct statfs fs;
	int fd;

	if (path[0] != '/' || strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//"))
		return -EACCES;
	fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &fs) != 0 || (unsigned long)fs.f_type != BS_TRACEFS_MAGIC) {
		close(fd);
		return -EACCES;
	}
	return fd;
}

int bs_tracefs_read_tail(const char *path, uint32_t limit, struct bs_buf *out, uint64_t *total)
{
	const size_t chunk = 65536;
	/* A ring of limit bytes holding the newest text; start is the oldest byte. */
	uint8_t *ring, *tmp;
	size_t start = 0, used = 0;
	int fd, err = 0;

	out->data = NULL;
	out->len = 0;
	*total = 0;
	if (!non_consuming(path) || limit == 0 || limit > BS_TRACE_TAIL_MAX)
		return -EACCES;
	fd = open_tracefs(path, 0);
	if (fd < 0)
		return fd;
	ring = malloc(limit);
	tmp = malloc(chunk);
	if (!ring || !tmp) {
		free(ring);
		free(tmp);
		close(fd);
		return -ENOMEM;
	}
	while (*total < BS_TRACE_READ_MAX) {
		ssize_t n = read(fd, tmp, chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		*total += (uint64_t)n;
		for (ssize_t i = 0; i < n;) {
			size_t at = (start + used) % limit, room = limit - at, take = (size_t)(n - i);

			if (take > room)
				take = room;
			memcpy(ring + at, tmp + i, take);
			i += (ssize_t)take;
			used += take;
			if (used > limit) {
				start = (start + used - limit) % limit;
				used = limit;
			}
		}
	}
	free(tmp);
	close(fd);
	if (err) {
		free(ring);
		return err;
	}
	out->data = malloc(used ? used : 1);
	if (!out->data) {
		free(ring);
		return -ENOMEM;
	}
	/* Unroll the ring: oldest byte first. */
	size_t first = limit - start < used ? limit - start : used;
	memcpy(out->data, ring + start, first);
	memcpy(out->data + first, ring, used - first);
	out->len = (uint32_t)used;
	free(ring);
	return 0;
}

int bs_trace_pipe_open(const char *path)
{
	if (strcmp(basename_of(path), "trace_pipe") != 0)
		return -EACCES;
	return open_tracefs(path, O_NONBLOCK);
}

int bs_trace_pipe_read(int fd, uint32_t max, struct bs_buf *out)
{
	ssize_t n;

	out->data = NULL;
	out->len = 0;
	if (max == 0 || max > BS_TRACE_TAIL_MAX)
		return -EINVAL;
	out->data = malloc(max);
	if (!out->data)
		return -ENOMEM;
	do {
		n = read(fd, out->data, max);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN) {
		int err = -errno;

		bs_buf_free(out);
		return err;
	}
	out->len = n < 0 ? 0 : (uint32_t)n;
	return 0;
}
