#define _GNU_SOURCE
#include "attach_query.h"
#include "proc_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Commands and flags by value: the 6.1 uapi headers lack the newer fields. */
#define CMD_PROG_QUERY 16
#define CMD_TASK_FD_QUERY 20
#define QUERY_EFFECTIVE 1u

/* union bpf_attr's query, as of Linux 6.6 (link arrays and revision). */
struct query_attr {
	uint32_t target;
	uint32_t attach_type;
	uint32_t query_flags;
	uint32_t attach_flags;
	uint64_t prog_ids;
	uint32_t prog_cnt;
	uint32_t pad;
	uint64_t prog_attach_flags;
	uint64_t link_ids;
	uint64_t link_attach_flags;
	uint64_t revision;
};

struct task_fd_attr {
	uint32_t pid;
	uint32_t fd;
	uint32_t flags;
	uint32_t buf_len;
	uint64_t buf;
	uint32_t prog_id;
	uint32_t fd_type;
	uint64_t probe_offset;
	uint64_t probe_addr;
};

_Static_assert(sizeof(struct task_fd_attr) == sizeof(((struct bs_task_fd *)0)->attr), "task_fd_query size");

static int sys_bpf(int cmd, void *attr, unsigned int size)
{
	long ret;

	do {
		ret = syscall(__NR_bpf, cmd, attr, size);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : (int)ret;
}

static int append(struct bs_buf *out, const void *data, size_t len)
{
	if ((size_t)out->len + len > BS_AUX_MAX)
		return -EFBIG;
	uint8_t *grown = realloc(out->data, out->len + len);
	if (!grown)
		return -ENOMEM;
	out->data = grown;
	memcpy(out->data + out->len, data, len);
	out->len += (uint32_t)len;
	return 0;
}

/* Second pass: fills the arrays for cnt programs. Kernels before 6.6 refuse
 * the link arrays (EINVAL on a non-zero tail), so they are dropped then. */
static int query_arrays(struct query_attr *a, uint32_t cnt, uint32_t *arrays)
{
	int err;

	for (int with_links = 1; with_links >= 0; with_links--) {
		struct query_attr try = *a;
		memset(arrays, 0, sizeof(uint32_t) * 4 * cnt);
		try.prog_cnt = cnt;
		try.prog_ids = (uintptr_t)arrays;
		try.prog_attach_flags = (a->query_flags & QUERY_EFFECTIVE) ? 0 : (uintptr_t)(arrays + cnt);
		try.link_ids = with_links ? (uintptr_t)(arrays + 2 * cnt) : 0;
		try.link_attach_flags = with_links ? (uintptr_t)(arrays + 3 * cnt) : 0;
		err = sys_bpf(CMD_PROG_QUERY, &try, sizeof(try));
		if (err != -EINVAL || !with_links) {
			try.prog_ids = try.prog_attach_flags = try.link_ids = try.link_attach_flags = 0;
			*a = try;
			return err;
		}
	}
	return -EINVAL;
}

static int query_one(uint32_t target, uint32_t type, uint32_t query_flags, struct bs_buf *out)
{
	struct query_attr a;
	struct bs_query_record rec;
	uint32_t *arrays = NULL, cap = 0;
	int err;

	memset(&a, 0, sizeof(a));
	a.target = target;
	a.attach_type = type;
	a.query_flags = query_flags;
	err = sys_bpf(CMD_PROG_QUERY, &a, sizeof(a));
	/* The count can grow between the passes: ENOSPC, count again (bounded). */
	for (int attempt = 0; !err && a.prog_cnt && attempt < 3; attempt++) {
		uint32_t cnt = a.prog_cnt > BS_QUERY_PROGS_MAX ? BS_QUERY_PROGS_MAX : a.prog_cnt;
		free(arrays);
		arrays = malloc(sizeof(uint32_t) * 4 * cnt);
		if (!arrays)
			return -ENOMEM;
		cap = cnt;
		err = query_arrays(&a, cnt, arrays);
		if (err != -ENOSPC || cnt == BS_QUERY_PROGS_MAX)
			break;
		err = 0;
	}
	if (err == -ENOSPC)
		err = 0; /* more than BS_QUERY_PROGS_MAX: keep the first ones */
	memset(&rec, 0, sizeof(rec));
	rec.attach_type = type;
	rec.query_flags = query_flags;
	rec.error = -err;
	if (!err) {
		rec.attach_flags = a.attach_flags;
		rec.prog_cnt = a.prog_cnt < cap ? a.prog_cnt : cap;
		rec.revision = a.revision;
	}
	err = append(out, &rec, sizeof(rec));
	if (!err && rec.prog_cnt) {
		/* The four arrays sit cap apart; the record packs them prog_cnt apart. */
		for (int i = 0; !err && i < 4; i++)
			err = append(out, arrays + (size_t)i * cap, sizeof(uint32_t) * rec.prog_cnt);
	}
	free(arrays);
	return err;
}

int bs_prog_query(uint32_t target, const uint32_t *types, uint32_t ntypes, uint32_t query_flags, struct bs_buf *out)
{
	int err = 0;

	for (uint32_t i = 0; !err && i < ntypes; i++)
		err = query_one(target, types[i], query_flags, out);
	if (err)
		bs_buf_free(out);
	return err;
}

struct walk_frame {
	DIR *dir;
	size_t path_len;
};

int bs_walk_cgroups(const char *root, int (*visit)(const char *path, uint64_t id, int fd, void *ctx), void *ctx)
{
	struct walk_frame stack[BS_CGROUP_DEPTH_MAX];
	char path[4096];
	uint32_t seen = 0;
	int depth = 0, stop = 0;
	struct stat st;
	int fd;

	if (root[0] != '/' || strstr(root, "/..") || strlen(root) >= sizeof(path))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s", root);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0)
		stop = visit(path, (uint64_t)st.st_ino, fd, ctx);
	stack[0].dir = fdopendir(fd);
	if (!stack[0].dir) {
		close(fd);
		return -errno;
	}
	stack[0].path_len = strlen(path);
	while (depth >= 0 && !stop) {
		struct walk_frame *top = &stack[depth];
		struct dirent *ent = readdir(top->dir);
		if (!ent) {
			closedir(top->dir);
			depth--;
			continue;
		}
		if (ent->d_type != DT_DIR || ent->d_name[0] == '.' || ++seen > BS_CGROUPS_MAX)
			continue;
		path[top->path_len] = '\0';
		if (snprintf(path + top->path_len, sizeof(path) - top->path_len, "/%s", ent->d_name) >=
		    (int)(sizeof(path) - top->path_len))
			continue;
		fd = openat(dirfd(top->dir), ent->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue; /* removed meanwhile */
		if (fstat(fd, &st) == 0)
			stop = visit(path, (uint64_t)st.st_ino, fd, ctx);
		if (stop || depth + 1 >= BS_CGROUP_DEPTH_MAX) {
			close(fd);
			continue;
		}
		DIR *child = fdopendir(fd);
		if (!child) {
			close(fd);
			continue;
		}
		stack[++depth] = (struct walk_frame){ child, strlen(path) };
	}
	while (depth >= 0)
		closedir(stack[depth--].dir);
	return 0;
}

static int holds_program(const char *target)
{
	enum bs_obj_kind kind;

	return strcmp(target, "anon_inode:[perf_event]") == 0 || (bs_anon_kind(target, &kind) == 0 && kind == BS_LINK);
}

/* 0: recorded or skipped; 1: visit asked to stop; <0: the scan must end. */
static int query_fd(int pid, int fd, struct bs_task_fd *rec, int (*visit)(const struct bs_task_fd *, void *),
		    void *ctx)
{
	struct task_fd_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.pid = (uint32_t)pid;
	a.fd = (uint32_t)fd;
	a.buf = (uintptr_t)rec->name;
	a.buf_len = sizeof(rec->name);
	rec->name[0] = '\0';
	err = sys_bpf(CMD_TASK_FD_QUERY, &a, sizeof(a));
	if (err == -EPERM || err == -EACCES)
		return err;
	/* The kernel answers EOPNOTSUPP for a perf event whose program is of
	 * type perf_event (bpf_get_perf_event_info): there is one, unnamed. */
	if (err && err != -ENOSPC && err != -EOPNOTSUPP)
		return 0; /* no program behind it, or gone */
	rec->error = err == -EOPNOTSUPP ? EOPNOTSUPP : 0;
	if (rec->error)
		rec->name[0] = '\0';
	rec->name[sizeof(rec->name) - 1] = '\0';
	a.buf = 0;
	rec->pid = pid;
	rec->fd = fd;
	memcpy(rec->attr, &a, sizeof(a));
	return visit(rec, ctx) ? 1 : 0;
}

static int scan_task(int pid, struct bs_task_fd *rec, uint32_t *budget,
		     int (*visit)(const struct bs_task_fd *, void *), void *ctx)
{
	char target[64];
	struct dirent *ent;
	int have_comm = 0, result = 0;
	DIR *dir = bs_open_fd_dir(pid);

	if (!dir)
		return 0;
	while (!result && *budget && (ent = readdir(dir)) != NULL) {
		if (!bs_all_digits(ent->d_name))
			continue;
		ssize_t n = readlinkat(dirfd(dir), ent->d_name, target, sizeof(target) - 1);
		/* EACCES: the process's fds are closed to us (ptrace access), all of them alike. */
		if (n < 0 && errno == EACCES)
			break;
		if (n < 0)
			continue;
		target[n] = '\0';
		if (!holds_program(target))
			continue;
		if (!have_comm) {
			bs_read_comm(pid, rec->comm);
			have_comm = 1;
		}
		(*budget)--;
		result = query_fd(pid, atoi(ent->d_name), rec, visit, ctx);
	}
	closedir(dir);
	return result;
}

int bs_scan_task_fds(int (*visit)(const struct bs_task_fd *rec, void *ctx), void *ctx)
{
	uint32_t budget = BS_OWNERS_MAX_FDS;
	struct bs_task_fd *rec = malloc(sizeof(*rec));
	struct dirent *ent;
	DIR *proc;
	int result = 0;

	if (!rec)
		return -ENOMEM;
	proc = opendir("/proc");
	if (!proc) {
		free(rec);
		return -errno;
	}
	while (!result && budget && (ent = readdir(proc)) != NULL)
		if (bs_all_digits(ent->d_name))
			result = scan_task(atoi(ent->d_name), rec, &budget, visit, ctx);
	closedir(proc);
	free(rec);
	return result < 0 ? result : 0;
}
