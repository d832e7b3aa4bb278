#define _GNU_SOURCE
#include "prog_info_all.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define END_OF(f) (offsetof(struct bpf_prog_info, f) + sizeof(((struct bpf_prog_info *)0)->f))
/* Ask for no more than the last field we read: the kernel copies less, and
 * checks no tail of ours for zeros. */
#define INFO_WANTED END_OF(verified_insns)
/* A first guess that fits a thousand programs without regrowing. */
#define INITIAL_RECORDS 1024u
/* Program fds held at once before closing them together: a syscall costs
 * about as much as the bpf() work per program, and close_range() closes a
 * run of consecutive fds in one. */
#define FD_BATCH 128

_Static_assert(INFO_WANTED <= BS_INFO_MAX, "info buffer");

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid timespec. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

struct fd_batch {
	int fds[FD_BATCH];
	int count;
};

static void sort_fds(int *fds, int count)
{
	for (int i = 1; i < count; i++) {
		int fd = fds[i], j = i;

		for (; j > 0 && fds[j - 1] > fd; j--)
			fds[j] = fds[j - 1];
		fds[j] = fd;
	}
}

/* Closes every fd of the batch. Each run of consecutive numbers is closed
 * with one close_range(): every number in such a run is an fd of ours (we
 * hold them all open), so no other thread's fd can be inside it. */
static void close_batch(struct fd_batch *self)
{
	int i = 0;

	sort_fds(self->fds, self->count);
	while (i < self->count) {
		int first = self->fds[i], j = i + 1;

		while (j < self->count && self->fds[j] == self->fds[j - 1] + 1)
			j++;
		/* Before Linux 5.9 (ENOSYS), or a run of one: plain close(). */
		if (j - i == 1 || syscall(__NR_close_range, (unsigned int)first, (unsigned int)self->fds[j - 1], 0u) != 0) {
			for (int k = i; k < j; k++)
				close(self->fds[k]);
		}
		i = j;
	}
	self->count = 0;
}

static void hold_fd(struct fd_batch *self, int fd)
{
	self->fds[self->count++] = fd;
	if (self->count == FD_BATCH)
		close_batch(self);
}

/* Makes room for one more record; max_progs bounds the size. */
static int reserve(struct bs_buf *buf, uint32_t *records, uint32_t count)
{
	uint32_t want = *records * 2;
	uint8_t *grown;

	if (count < *records)
		return 0;
	grown = realloc(buf->data, BS_PROG_STATS_HEADER + (size_t)want * BS_PROG_STATS_RECORD);
	if (!grown)
		return -ENOMEM;
	buf->data = grown;
	*records = want;
	return 0;
}

static void put_record(uint8_t *rec, uint32_t id, const struct bpf_prog_info *info, uint32_t info_len)
{
	uint32_t fields = 0;

	memset(rec, 0, BS_PROG_STATS_RECORD);
	put_u32(rec, id);
	put_u32(rec + 4, info->type);
	/* The struct was zeroed before the call, so a field the kernel did not
	 * write reads as zero; the bits say which ones it did write. */
	if (info_len >= END_OF(run_cnt))
		fields |= BS_PROG_STATS_RUN_TIME;
	if (info_len >= END_OF(recursion_misses))
		fields |= BS_PROG_STATS_RECURSION_MISSES;
	if (info_len >= END_OF(verified_insns))
		fields |= BS_PROG_STATS_VERIFIED_INSNS;
	put_u64(rec + 8, info->run_time_ns);
	put_u64(rec + 16, info->run_cnt);
	put_u64(rec + 24, info->recursion_misses);
	put_u32(rec + 32, info->verified_insns);
	put_u32(rec + 36, fields);
	memcpy(rec + 40, info->tag, sizeof(info->tag));
	memcpy(rec + 48, info->name, sizeof(info->name));
}

/* The next id to read: the next hint above the last id, else the kernel's
 * next id. 0 with -ENOENT at the end. */
static int next_prog_id(const uint8_t *known, uint32_t nknown, uint32_t *hint, uint32_t *id)
{
	while (*hint < nknown) {
		uint32_t k;

		memcpy(&k, known + (size_t)*hint * 4, sizeof(k));
		(*hint)++;
		if (k > *id) {
			*id = k;
			return 0;
		}
	}
	return bs_next_id(BS_PROG, *id, id);
}

int bs_prog_info_all(uint32_t max_progs, const uint8_t *known, uint32_t nknown, struct bs_buf *out)
{
	uint32_t id = 0, count = 0, truncated = 0, records, hint = 0;
	struct fd_batch held = { .count = 0 };
	uint64_t start;
	int err;

	if (max_progs > BS_PROG_INFO_ALL_MAX)
		max_progs = BS_PROG_INFO_ALL_MAX;
	if (nknown > BS_PROG_INFO_ALL_MAX)
		nknown = BS_PROG_INFO_ALL_MAX;
	records = max_progs < INITIAL_RECORDS ? (max_progs ? max_progs : 1) : INITIAL_RECORDS;
	out->data = malloc(BS_PROG_STATS_HEADER + (size_t)records * BS_PROG_STATS_RECORD);
	out->len = 0;
	if (!out->data)
		return -ENOMEM;
	start = monotonic_ns();
	for (;;) {
		/* Zeroed: the kernel would follow non-zero array pointers. */
		struct bpf_prog_info info = { 0 };
		uint32_t info_len = INFO_WANTED;
		int fd;

		err = next_prog_id(known, nknown, &hint, &id);
		if (err == -ENOENT)
			break;
		if (err)
			goto fail;
		if (count == max_progs) {
			truncated = 1;
			break;
		}
		fd = bs_fd_by_id(BS_PROG, id);
		if (fd == -EMFILE && held.count > 0) {
			close_batch(&held);
			fd = bs_fd_by_id(BS_PROG, id);
		}
		if (fd == -ENOENT)
			continue;
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		err = bs_obj_info(fd, (uint8_t *)&info, &info_len);
		hold_fd(&held, fd);
		if (err == -ENOENT)
			continue;
		if (err)
			goto fail;
		err = reserve(out, &records, count);
		if (err)
			goto fail;
		put_record(out->data + BS_PROG_STATS_HEADER + (size_t)count * BS_PROG_STATS_RECORD, id, &info, info_len);
		count++;
	}
	close_batch(&held);
	put_u64(out->data, start);
	put_u64(out->data + 8, monotonic_ns());
	put_u32(out->data + 16, count);
	put_u32(out->data + 20, truncated);
	put_u32(out->data + 24, BS_PROG_STATS_RECORD);
	put_u32(out->data + 28, 0);
	out->len = (uint32_t)(BS_PROG_STATS_HEADER + (size_t)count * BS_PROG_STATS_RECORD);
	return 0;
fail:
	close_batch(&held);
	bs_buf_free(out);
	return err;
}
