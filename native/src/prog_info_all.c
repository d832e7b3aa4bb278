#define _GNU_SOURCE
#include "prog_info_all.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORD_HEAD 8
#define RECORD_MAX (RECORD_HEAD + BS_INFO_MAX)
/* A first guess that fits a few hundred programs without regrowing. */
#define INITIAL_CAPACITY (64u << 10)

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

/* Makes room for one more maximal record; the bound on programs bounds it. */
static int reserve(struct bs_buf *buf, size_t *cap, size_t used)
{
	size_t want = *cap;
	uint8_t *grown;

	if (used + RECORD_MAX <= *cap)
		return 0;
	while (used + RECORD_MAX > want)
		want *= 2;
	grown = realloc(buf->data, want);
	if (!grown)
		return -ENOMEM;
	buf->data = grown;
	*cap = want;
	return 0;
}

int bs_prog_info_all(uint32_t max_progs, struct bs_buf *out)
{
	size_t cap = INITIAL_CAPACITY, used = BS_PROG_INFO_ALL_HEADER;
	uint32_t id = 0, count = 0, truncated = 0;
	uint64_t start;
	int err;

	if (max_progs > BS_PROG_INFO_ALL_MAX)
		max_progs = BS_PROG_INFO_ALL_MAX;
	out->data = malloc(cap);
	out->len = 0;
	if (!out->data)
		return -ENOMEM;
	start = monotonic_ns();
	for (;;) {
		uint32_t info_len = BS_INFO_MAX;
		uint8_t *rec;
		int fd;

		err = bs_next_id(BS_PROG, id, &id);
		if (err == -ENOENT)
			break;
		if (err)
			goto fail;
		if (count == max_progs) {
			truncated = 1;
			break;
		}
		fd = bs_fd_by_id(BS_PROG, id);
		if (fd == -ENOENT)
			continue;
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		err = reserve(out, &cap, used);
		if (err) {
			close(fd);
			goto fail;
		}
		rec = out->data + used;
		/* Zeroed: the kernel rejects a non-zero tail and would follow
		 * non-zero array pointers. */
		memset(rec, 0, RECORD_MAX);
		err = bs_obj_info(fd, rec + RECORD_HEAD, &info_len);
		close(fd);
		if (err == -ENOENT)
			continue;
		if (err)
			goto fail;
		put_u32(rec, id);
		put_u32(rec + 4, info_len);
		used += RECORD_HEAD + ((info_len + 7u) & ~7u);
		count++;
	}
	put_u64(out->data, start);
	put_u64(out->data + 8, monotonic_ns());
	put_u32(out->data + 16, count);
	put_u32(out->data + 20, truncated);
	out->len = (uint32_t)used;
	return 0;
fail:
	bs_buf_free(out);
	return err;
}
