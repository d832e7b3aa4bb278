#define _GNU_SOURCE
#include "kern_read.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "proc_scan.h"

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

int bs_read_full(int fd, uint32_t max, struct bs_buf *out)
{
	ssize_t n;

	out->data = NULL;
	out->len = 0;
	if (max == 0 || max > BS_READ_FULL_MAX)
		return -EINVAL;
	out->data = malloc(max);
	if (!out->data)
		return -ENOMEM;
	while (out->len < max) {
		n = read(fd, out->data + out->len, max - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			bs_buf_free(out);
			return err;
		}
		if (n == 0)
			break;
		out->len += (uint32_t)n;
	}
	return 0;
}

/* Whether the maps text of a process has a line "START-END PERMS OFF DEV INODE anon_inode:bpf-map"
 * covering [addr, end). */
static int bpf_map_mapping(const char *maps, uint64_t addr, uint64_t end)
{
	static const char name[] = " anon_inode:bpf-map";
	const char *line = maps;

	while (*line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		uint64_t start, stop;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &start, &stop) == 2 && start <= addr && end <= stop)
			return len >= sizeof(name) - 1 && memcmp(line + len - (sizeof(name) - 1), name, sizeof(name) - 1) == 0;
		if (!eol)
			break;
		line = eol + 1;
	}
	return 0;
}

int bs_proc_map_pages(uint32_t pid, uint64_t addr, uint32_t pages, uint8_t *present, struct bs_buf *out)
{
	long page_size = sysconf(_SC_PAGESIZE);
	char path[64];
	struct bs_buf maps;
	uint64_t *entries;
	uint32_t count = 0;
	int pagemap, mem, err = 0;

	out->data = NULL;
	out->len = 0;
	if (page_size <= 0 || pid == 0 || pages == 0 || pages > BS_PROC_PAGES_MAX || addr % (uint64_t)page_size ||
	    addr > UINT64_MAX - (uint64_t)pages * (uint64_t)page_size)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	err = bs_read_file(path, 64u << 20, &maps);
	if (err)
		return err;
	err = bpf_map_mapping((const char *)maps.data, addr, addr + (uint64_t)pages * (uint64_t)page_size) ? 0 : -EACCES;
	bs_buf_free(&maps);
	if (err)
		return err;
	entries = calloc(pages, sizeof(*entries));
	out->data = malloc((size_t)pages * (size_t)page_size);
	if (!entries || !out->data) {
		free(entries);
		bs_buf_free(out);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "/proc/%u/pagemap", pid);
	pagemap = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	mem = pagemap < 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	if (pagemap < 0 || mem < 0) {
		err = -errno;
		goto out;
	}
	/* One 64-bit entry per page; bit 63: present in the process's page tables. */
	if (pread(pagemap, entries, pages * sizeof(*entries), (off_t)(addr / (uint64_t)page_size * sizeof(*entries))) != (ssize_t)(pages * sizeof(*entries))) {
		err = errno ? -errno : -EIO;
		goto out;
	}
	for (uint32_t i = 0; i < pages; i++) {
		present[i] = (uint8_t)(entries[i] >> 63);
		if (!present[i])
			continue;
		/* Present now: the copy finds the page mapped and faults nothing in (unless a program
		 * frees it between the two reads: a window of microseconds, in which an arena without
		 * BPF_F_SEGV_ON_FAULT hands the reader a fresh zeroed page). */
		if (pread(mem, out->data + (size_t)count * (size_t)page_size, (size_t)page_size, (off_t)(addr + (uint64_t)i * (uint64_t)page_size)) != page_size) {
			/* Unmapped meanwhile (the program freed it): not present after all. */
			present[i] = 0;
			continue;
		}
		count++;
	}
	out->len = count * (uint32_t)page_size;
out:
	if (pagemap >= 0)
		close(pagemap);
	if (mem >= 0)
		close(mem);
	free(entries);
	if (err)
		bs_buf_free(out);
	return err;
}

/* struct bpf_map_info's hash (u64 at 88) and hash_size (u32 at 96), Linux 6.18: declared by value,
 * the uapi headers here being 6.1's. An older kernel refuses the non-zero tail with E2BIG. */
#define MAP_INFO_HASH_OFF 88
#define MAP_INFO_HASH_SIZE_OFF 96
#define MAP_INFO_6_18_SIZE 104

int bs_map_hash(uint32_t map_id, uint8_t out[BS_MAP_HASH_SIZE])
{
	uint64_t info[MAP_INFO_6_18_SIZE / sizeof(uint64_t)];
	uint64_t hash_ptr = (uint64_t)(uintptr_t)out;
	uint32_t hash_size = BS_MAP_HASH_SIZE, info_len = sizeof(info);
	int fd, err;

	memset(info, 0, sizeof(info));
	memcpy((uint8_t *)info + MAP_INFO_HASH_OFF, &hash_ptr, sizeof(hash_ptr));
	memcpy((uint8_t *)info + MAP_INFO_HASH_SIZE_OFF, &hash_size, sizeof(hash_size));
	fd = bs_fd_by_id(BS_MAP, map_id);
	if (fd < 0)
		return fd;
	err = bs_obj_info(fd, (uint8_t *)info, &info_len);
	close(fd);
	return err;
}

int bs_map_peek(uint32_t map_id, struct bs_buf *out, const char **syscall_name)
{
	struct bpf_map_info info;
	uint32_t info_len = sizeof(info);
	int fd, err;

	out->data = NULL;
	out->len = 0;
	*syscall_name = "BPF_MAP_GET_FD_BY_ID";
	fd = bs_fd_by_id(BS_MAP, map_id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	*syscall_name = "BPF_OBJ_GET_INFO_BY_FD";
	err = bs_obj_info(fd, (uint8_t *)&info, &info_len);
	if (err)
		goto out;
	*syscall_name = "peek";
	if (info.type != BPF_MAP_TYPE_QUEUE && info.type != BPF_MAP_TYPE_STACK) {
		err = -EINVAL;
		goto out;
	}
	/* The kernel refuses a queue or stack of value_size 0 at creation; a 0 here is not one. */
	if (!info.value_size || info.value_size > BS_AUX_MAX) {
		err = info.value_size ? -E2BIG : -EINVAL;
		goto out;
	}
	*syscall_name = "malloc";
	out->data = malloc(info.value_size);
	if (!out->data) {
		err = -ENOMEM;
		goto out;
	}
	*syscall_name = "BPF_MAP_LOOKUP_ELEM";
	err = bs_map_lookup(fd, NULL, out->data);
	if (err == -ENOENT) {
		bs_buf_free(out);
		err = BS_MAP_PEEK_EMPTY;
	} else if (err) {
		bs_buf_free(out);
	} else {
		out->len = info.value_size;
	}
out:
	close(fd);
	return err;
}
