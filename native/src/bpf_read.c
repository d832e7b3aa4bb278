#define _GNU_SOURCE
#include "bpf_read.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Commands newer than the 6.1 uapi headers are not needed: every read we do
 * exists since 5.x. BPF_F_RDONLY keeps a map fd from ever writing. */

static __thread int last_cmd = -1;

static long sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	long ret;

	do {
		ret = syscall(__NR_bpf, cmd, attr, size);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		last_cmd = cmd;
		return -errno;
	}
	return ret;
}

int bs_last_cmd(void)
{
	return last_cmd;
}

const char *bs_cmd_name(int cmd)
{
	switch (cmd) {
	case BPF_MAP_LOOKUP_ELEM: return "BPF_MAP_LOOKUP_ELEM";
	case BPF_MAP_GET_NEXT_KEY: return "BPF_MAP_GET_NEXT_KEY";
	case BPF_PROG_GET_NEXT_ID: return "BPF_PROG_GET_NEXT_ID";
	case BPF_MAP_GET_NEXT_ID: return "BPF_MAP_GET_NEXT_ID";
	case BPF_PROG_GET_FD_BY_ID: return "BPF_PROG_GET_FD_BY_ID";
	case BPF_MAP_GET_FD_BY_ID: return "BPF_MAP_GET_FD_BY_ID";
	case BPF_OBJ_GET_INFO_BY_FD: return "BPF_OBJ_GET_INFO_BY_FD";
	case BPF_BTF_GET_FD_BY_ID: return "BPF_BTF_GET_FD_BY_ID";
	case BPF_BTF_GET_NEXT_ID: return "BPF_BTF_GET_NEXT_ID";
	case BPF_MAP_LOOKUP_BATCH: return "BPF_MAP_LOOKUP_BATCH";
	case BPF_LINK_GET_FD_BY_ID: return "BPF_LINK_GET_FD_BY_ID";
	case BPF_LINK_GET_NEXT_ID: return "BPF_LINK_GET_NEXT_ID";
	case BPF_ENABLE_STATS: return "BPF_ENABLE_STATS";
	case BPF_OBJ_GET: return "BPF_OBJ_GET";
	default: return "bpf";
	}
}

const char *bs_errno_name(int err)
{
	switch (err) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case ENOTDIR: return "ENOTDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case ENOTSUP: return "ENOTSUP";
	default: return "EUNKNOWN";
	}
}

void bs_buf_free(struct bs_buf *self)
{
	free(self->data);
	self->data = NULL;
	self->len = 0;
}

/* Buffers this large are filled once by the kernel, page by page: vmlinux's
 * 5.5 MB of BTF took ~1,400 faults, ~15 ms in a VM where one costs ~11 us.
 * In 2 MB pages (where the kernel has transparent huge pages) it takes three. */
#define HUGE_PAGE (2u << 20)

/* Zeroed memory for len bytes, in huge pages where the kernel gives them. */
static uint8_t *alloc_big(uint64_t len)
{
	size_t room = ((size_t)len + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	void *data;

	if (posix_memalign(&data, HUGE_PAGE, room) != 0)
		return NULL;
	/* Advice only: without transparent huge pages the kernel refuses it, and
	 * the buffer works the same in small pages; its answer changes nothing. */
	(void)madvise(data, room, MADV_HUGEPAGE);
	memset(data, 0, len);
	return data;
}

static int bs_buf_alloc(struct bs_buf *self, uint64_t len, uint64_t limit)
{
	if (len > limit)
		return -E2BIG;
	self->len = (uint32_t)len;
	self->data = len >= 2 * HUGE_PAGE ? alloc_big(len) : calloc(1, len ? len : 1);
	return self->data ? 0 : -ENOMEM;
}

int bs_next_id(enum bs_obj_kind kind, uint32_t start, uint32_t *next)
{
	static const int cmds[] = { BPF_PROG_GET_NEXT_ID, BPF_MAP_GET_NEXT_ID,
				    BPF_LINK_GET_NEXT_ID, BPF_BTF_GET_NEXT_ID };
	union bpf_attr attr;
	long ret;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = start;
	ret = sys_bpf(cmds[kind], &attr, sizeof(attr));
	if (ret < 0)
		return (int)ret;
	*next = attr.next_id;
	return 0;
}

int bs_fd_by_id(enum bs_obj_kind kind, uint32_t id)
{
	static const int cmds[] = { BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID,
				    BPF_LINK_GET_FD_BY_ID, BPF_BTF_GET_FD_BY_ID };
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	switch (kind) {
	case BS_PROG: attr.prog_id = id; break;
	case BS_MAP:
		/* Not BPF_F_RDONLY: the kernel refuses mmap and some reads on
		 * such fds; we never issue a write command on it. */
		attr.map_id = id;
		break;
	case BS_LINK: attr.link_id = id; break;
	case BS_BTF: attr.btf_id = id; break;
	}
	return (int)sys_bpf(cmds[kind], &attr, sizeof(attr));
}

int bs_open_next(enum bs_obj_kind kind, uint32_t *id)
{
	/* Ids only grow: the walk ends at the last one. */
	for (;;) {
		int err = bs_next_id(kind, *id, id), fd;

		if (err)
			return err;
		fd = bs_fd_by_id(kind, *id);
		if (fd != -ENOENT)
			return fd;
	}
}

int bs_open_next_info(enum bs_obj_kind kind, uint32_t *id, uint8_t *info, uint32_t *info_len)
{
	uint32_t room = *info_len;

	for (;;) {
		int fd = bs_open_next(kind, id), err;

		if (fd < 0)
			return fd;
		memset(info, 0, room);
		*info_len = room;
		err = bs_obj_info(fd, info, info_len);
		if (!err)
			return fd;
		close(fd);
		if (err != -ENOENT)
			return err;
	}
}

const char *bs_obj_kind_name(enum bs_obj_kind kind)
{
	static const char *const names[] = { "prog", "map", "link", "btf" };

	return names[kind];
}

int bs_anon_kind(const char *target, enum bs_obj_kind *kind)
{
	/* A link's file is "bpf_link" as created, "bpf-link" as reopened (by id or from its pin). */
	static const struct {
		const char *target;
		enum bs_obj_kind kind;
	} kinds[] = { { "anon_inode:bpf-prog", BS_PROG }, { "anon_inode:bpf-map", BS_MAP },
		      { "anon_inode:bpf_link", BS_LINK }, { "anon_inode:bpf-link", BS_LINK },
		      { "anon_inode:btf", BS_BTF } };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(target, kinds[i].target)) {
			*kind = kinds[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

/* The kind of BPF object fd refers to; -EINVAL for a file of none, or a BTF
 * object (only programs, maps and links can be pinned). */
static int fd_kind(int fd, enum bs_obj_kind *kind)
{
	char link[32], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (bs_anon_kind(target, kind) || *kind == BS_BTF)
		return -EINVAL;
	return 0;
}

int bs_pinned_object(const char *path, enum bs_obj_kind *kind, uint32_t *id)
{
	uint8_t info[BS_INFO_MAX];
	uint32_t len = sizeof(info);
	union bpf_attr attr;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (uint64_t)(uintptr_t)path;
	fd = (int)sys_bpf(BPF_OBJ_GET, &attr, sizeof(attr));
	if (fd < 0)
		return fd;
	err = fd_kind(fd, kind);
	if (!err) {
		memset(info, 0, sizeof(info));
		err = bs_obj_info(fd, info, &len);
	}
	close(fd);
	if (err)
		return err;
	/* Every info struct (prog, map, link) starts with its type, then its id. */
	if (len < 8)
		return -EINVAL;
	memcpy(id, info + 4, sizeof(*id));
	return 0;
}

int bs_obj_info(int fd, uint8_t *info, uint32_t *info_len)
{
	union bpf_attr attr;
	long ret;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = *info_len;
	attr.info.info = (uint64_t)(uintptr_t)info;
	ret = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
	if (ret < 0)
		return (int)ret;
	*info_len = attr.info.info_len;
	return 0;
}

struct prog_aux_field {
	size_t count_off;	/* u32 element count (or byte length) */
	size_t rec_size_off;	/* u32 record size, or 0 for a fixed size */
	uint32_t fixed_size;
	size_t ptr_off;
};

#define PI_OFF(f) offsetof(struct bpf_prog_info, f)

static const struct prog_aux_field prog_aux_fields[BS_PROG_AUX_COUNT] = {
	[BS_PROG_MAP_IDS] = { PI_OFF(nr_map_ids), 0, 4, PI_OFF(map_ids) },
	[BS_PROG_XLATED] = { PI_OFF(xlated_prog_len), 0, 1, PI_OFF(xlated_prog_insns) },
	[BS_PROG_JITED] = { PI_OFF(jited_prog_len), 0, 1, PI_OFF(jited_prog_insns) },
	[BS_PROG_JITED_KSYMS] = { PI_OFF(nr_jited_ksyms), 0, 8, PI_OFF(jited_ksyms) },
	[BS_PROG_JITED_FUNC_LENS] = { PI_OFF(nr_jited_func_lens), 0, 4, PI_OFF(jited_func_lens) },
	[BS_PROG_FUNC_INFO] = { PI_OFF(nr_func_info), PI_OFF(func_info_rec_size), 0, PI_OFF(func_info) },
	[BS_PROG_LINE_INFO] = { PI_OFF(nr_line_info), PI_OFF(line_info_rec_size), 0, PI_OFF(line_info) },
	[BS_PROG_JITED_LINE_INFO] = { PI_OFF(nr_jited_line_info), PI_OFF(jited_line_info_rec_size), 0,
				      PI_OFF(jited_line_info) },
	[BS_PROG_TAGS] = { PI_OFF(nr_prog_tags), 0, BPF_TAG_SIZE, PI_OFF(prog_tags) },
};

static uint32_t get_u32(const uint8_t *info, size_t off)
{
	uint32_t v;

	memcpy(&v, info + off, sizeof(v));
	return v;
}

static void put_u32(uint8_t *info, size_t off, uint32_t v)
{
	memcpy(info + off, &v, sizeof(v));
}

static void put_ptr(uint8_t *info, size_t off, const void *p)
{
	uint64_t v = (uint64_t)(uintptr_t)p;

	memcpy(info + off, &v, sizeof(v));
}

void bs_prog_detail_free(struct bs_prog_detail *self)
{
	for (int i = 0; i < BS_PROG_AUX_COUNT; i++)
		bs_buf_free(&self->aux[i]);
}

/* First pass of a two-pass query: the info as the kernel writes it with every
 * pointer and count zero, which tells how large the second pass's buffers are. */
static int first_pass(int fd, uint8_t info[BS_INFO_MAX], uint32_t *info_len)
{
	memset(info, 0, BS_INFO_MAX);
	*info_len = BS_INFO_MAX;
	return bs_obj_info(fd, info, info_len);
}

int bs_prog_detail(int fd, int detail, struct bs_prog_detail *out)
{
	uint8_t query[BS_INFO_MAX];
	uint32_t len;
	int err;

	memset(out, 0, sizeof(*out));
	err = first_pass(fd, out->info, &out->info_len);
	if (err)
		return err;
	len = out->info_len;

	/* Second pass: hand the kernel buffers sized by the first pass's
	 * counts; every other count stays zero so it fills nothing else. */
	memset(query, 0, sizeof(query));
	int wanted = 0;
	for (int i = 0; i < BS_PROG_AUX_COUNT; i++) {
		const struct prog_aux_field *f = &prog_aux_fields[i];
		if (!detail && i != BS_PROG_MAP_IDS)
			continue;
		if (f->ptr_off + 8 > len)
			continue;
		uint32_t count = get_u32(out->info, f->count_off);
		uint32_t rec = f->rec_size_off ? get_u32(out->info, f->rec_size_off) : f->fixed_size;
		if (!count || !rec)
			continue;
		err = bs_buf_alloc(&out->aux[i], (uint64_t)count * rec, BS_AUX_MAX);
		if (err)
			goto fail;
		put_u32(query, f->count_off, count);
		if (f->rec_size_off)
			put_u32(query, f->rec_size_off, rec);
		put_ptr(query, f->ptr_off, out->aux[i].data);
		wanted = 1;
	}
	if (!wanted)
		return 0;
	len = out->info_len;
	err = bs_obj_info(fd, query, &len);
	if (err)
		goto fail;
	/* The kernel may report fewer bytes than asked (e.g. no jited image when
	 * kptr_restrict hides it): trust its second-pass counts. */
	for (int i = 0; i < BS_PROG_AUX_COUNT; i++) {
		const struct prog_aux_field *f = &prog_aux_fields[i];
		if (!out->aux[i].data)
			continue;
		uint32_t count = get_u32(query, f->count_off);
		uint32_t rec = f->rec_size_off ? get_u32(query, f->rec_size_off) : f->fixed_size;
		uint64_t bytes = (uint64_t)count * rec;
		if (bytes < out->aux[i].len)
			out->aux[i].len = (uint32_t)bytes;
	}
	return 0;
fail:
	bs_prog_detail_free(out);
	return err;
}

/* bpf_link_info: type, id, prog_id, then a union at offset 16. Offsets of
 * the members the kernel fills through user pointers, by link type. Declared
 * by value because the installed uapi headers predate several link kinds. */
enum {
	LINK_RAW_TRACEPOINT = 1,
	LINK_ITER = 4,
	LINK_PERF_EVENT = 7,
	LINK_KPROBE_MULTI = 8,
	LINK_UPROBE_MULTI = 12,
};
#define LINK_UNION 16u

void bs_link_detail_free(struct bs_link_detail *self)
{
	for (int i = 0; i < BS_LINK_AUX_COUNT; i++)
		bs_buf_free(&self->aux[i]);
}

/* Offsets of the pointers a second link pass hands the kernel. */
struct link_ptrs {
	size_t offs[4];
	int n;
};

static void link_ptr(struct link_ptrs *ptrs, uint8_t *query, size_t off, const void *p)
{
	put_ptr(query, off, p);
	if (ptrs->n < 4)
		ptrs->offs[ptrs->n++] = off;
}

static int link_name_pass(struct bs_link_detail *out, uint8_t *query, struct link_ptrs *ptrs, size_t ptr_off,
			  size_t len_off)
{
	uint32_t want = get_u32(out->info, len_off);
	int err;

	if (!want)
		return 0;
	err = bs_buf_alloc(&out->aux[BS_LINK_NAME], want, BS_NAME_MAX);
	if (err)
		return err;
	link_ptr(ptrs, query, ptr_off, out->aux[BS_LINK_NAME].data);
	put_u32(query, len_off, want);
	return 1;
}

static int link_array(struct bs_link_detail *out, uint8_t *query, struct link_ptrs *ptrs, int aux,
		      size_t ptr_off, uint32_t count, uint32_t elem)
{
	int err = bs_buf_alloc(&out->aux[aux], (uint64_t)count * elem, BS_AUX_MAX);

	if (err)
		return err;
	link_ptr(ptrs, query, ptr_off, out->aux[aux].data);
	return 1;
}

int bs_link_detail(int fd, struct bs_link_detail *out)
{
	uint8_t query[BS_INFO_MAX];
	uint32_t len;
	struct link_ptrs ptrs = { .n = 0 };
	int err, wanted = 0;

	memset(out, 0, sizeof(*out));
	err = first_pass(fd, out->info, &out->info_len);
	if (err)
		return err;
	len = out->info_len;
	memset(query, 0, sizeof(query));

	uint32_t type = get_u32(out->info, 0);
	switch (type) {
	case LINK_RAW_TRACEPOINT:
	case LINK_ITER:
		wanted = link_name_pass(out, query, &ptrs, LINK_UNION, LINK_UNION + 8);
		break;
	case LINK_PERF_EVENT: {
		/* perf_event: u32 type, pad, then a union whose uprobe, kprobe and
		 * tracepoint variants all start with (name ptr, u32 name_len). */
		uint32_t event_type = get_u32(out->info, LINK_UNION);
		put_u32(query, LINK_UNION, event_type);
		if (event_type >= 1 && event_type <= 5)
			wanted = link_name_pass(out, query, &ptrs, LINK_UNION + 8, LINK_UNION + 16);
		break;
	}
	case LINK_KPROBE_MULTI: {
		/* addrs ptr, u32 count, u32 flags, u64 missed, cookies ptr (6.9+) */
		uint32_t count = get_u32(out->info, LINK_UNION + 8);
		if (!count)
			break;
		put_u32(query, LINK_UNION + 8, count);
		wanted = link_array(out, query, &ptrs, BS_LINK_ADDRS, LINK_UNION, count, 8);
		if (wanted > 0 && len >= LINK_UNION + 32)
			wanted = link_array(out, query, &ptrs, BS_LINK_COOKIES, LINK_UNION + 24, count, 8);
		break;
	}
	case LINK_UPROBE_MULTI: {
		/* path, offsets, ref_ctr_offsets, cookies ptrs, u32 path_size,
		 * u32 count, flags, pid */
		uint32_t count = get_u32(out->info, LINK_UNION + 36);
		wanted = link_array(out, query, &ptrs, BS_LINK_NAME, LINK_UNION, BS_NAME_MAX, 1);
		if (wanted > 0)
			put_u32(query, LINK_UNION + 32, BS_NAME_MAX);
		if (wanted > 0 && count) {
			put_u32(query, LINK_UNION + 36, count);
			wanted = link_array(out, query, &ptrs, BS_LINK_OFFSETS, LINK_UNION + 8, count, 8);
			if (wanted > 0)
				wanted = link_array(out, query, &ptrs, BS_LINK_REF_CTR_OFFSETS, LINK_UNION + 16, count, 8);
			if (wanted > 0)
				wanted = link_array(out, query, &ptrs, BS_LINK_COOKIES, LINK_UNION + 24, count, 8);
		}
		break;
	}
	default:
		break;
	}
	if (wanted < 0) {
		err = wanted;
		goto fail;
	}
	if (!wanted)
		return 0;
	len = out->info_len;
	err = bs_obj_info(fd, query, &len);
	if (err)
		goto fail;
	/* Keep the second pass's view: it carries the filled lengths. The
	 * pointers we handed over are our own addresses, meaningless to anyone
	 * else: zero them so every transport returns the same bytes. */
	for (int i = 0; i < ptrs.n; i++)
		memset(query + ptrs.offs[i], 0, 8);
	memcpy(out->info, query, len < BS_INFO_MAX ? len : BS_INFO_MAX);
	return 0;
fail:
	bs_link_detail_free(out);
	return err;
}

void bs_btf_detail_free(struct bs_btf_detail *self)
{
	bs_buf_free(&self->data);
	bs_buf_free(&self->name);
}

int bs_btf_detail(int fd, struct bs_btf_detail *out)
{
	struct bpf_btf_info query;
	uint32_t len = sizeof(query);
	int err;

	memset(out, 0, sizeof(*out));
	memset(&query, 0, sizeof(query));
	err = bs_obj_info(fd, (uint8_t *)&query, &len);
	if (err)
		return err;
	err = bs_buf_alloc(&out->data, (uint64_t)query.btf_size + BS_BTF_ZERO_TAIL, BS_BTF_MAX);
	if (!err) {
		out->data.len = query.btf_size;
		err = bs_buf_alloc(&out->name, query.name_len ? query.name_len + 1 : 1, BS_NAME_MAX);
	}
	if (err)
		goto fail;
	uint32_t btf_size = query.btf_size;
	memset(&query, 0, sizeof(query));
	query.btf = (uint64_t)(uintptr_t)out->data.data;
	query.btf_size = btf_size;
	query.name = (uint64_t)(uintptr_t)out->name.data;
	query.name_len = out->name.len;
	len = sizeof(query);
	err = bs_obj_info(fd, (uint8_t *)&query, &len);
	if (err)
		goto fail;
	/* Our own buffer addresses mean nothing to the reader: zero them. */
	query.btf = 0;
	query.name = 0;
	memcpy(out->info, &query, len);
	out->info_len = len;
	/* A BTF object never changes size, but do not trust a larger report. */
	if (query.btf_size < out->data.len)
		out->data.len = query.btf_size;
	return 0;
fail:
	bs_btf_detail_free(out);
	return err;
}

int bs_map_lookup_batch(int fd, const uint8_t *in_batch, uint8_t *out_batch,
			uint8_t *keys, uint8_t *values, uint32_t *count)
{
	union bpf_attr attr;
	long ret;

	memset(&attr, 0, sizeof(attr));
	attr.batch.map_fd = (uint32_t)fd;
	attr.batch.in_batch = (uint64_t)(uintptr_t)in_batch;
	attr.batch.out_batch = (uint64_t)(uintptr_t)out_batch;
	attr.batch.keys = (uint64_t)(uintptr_t)keys;
	attr.batch.values = (uint64_t)(uintptr_t)values;
	attr.batch.count = *count;
	ret = sys_bpf(BPF_MAP_LOOKUP_BATCH, &attr, sizeof(attr));
	/* ENOENT means the last batch: count still holds what was copied. */
	*count = attr.batch.count;
	return ret < 0 ? (int)ret : 0;
}

int bs_map_next_key(int fd, const uint8_t *key, uint8_t *next_key)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.next_key = (uint64_t)(uintptr_t)next_key;
	return (int)sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr, sizeof(attr));
}

int bs_map_lookup(int fd, const uint8_t *key, uint8_t *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	return (int)sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
}

int bs_enable_stats(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	return (int)sys_bpf(BPF_ENABLE_STATS, &attr, sizeof(attr));
}
