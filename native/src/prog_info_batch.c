#define _GNU_SOURCE
#include "prog_info_batch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_scan.h"


/* A kernel's fdinfo of a program is a few hundred bytes. */
#define FDINFO_MAX 2048
/* A first guess that fits a few hundred programs without regrowing. */
#define INITIAL_BYTES (256u << 10)

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static size_t padded(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Room for need more bytes; 1 when that would pass the batch's ceiling. */
static int reserve(struct bs_buf *buf, size_t *cap, size_t need)
{
	size_t want = *cap;
	uint8_t *grown;

	if (buf->len + need <= *cap)
		return 0;
	if (buf->len + need > BS_PROG_BATCH_BYTES)
		return 1;
	while (want < buf->len + need)
		want *= 2;
	if (want > BS_PROG_BATCH_BYTES)
		want = BS_PROG_BATCH_BYTES;
	grown = realloc(buf->data, want);
	if (!grown)
		return -ENOMEM;
	buf->data = grown;
	*cap = want;
	return 0;
}

/* The fdinfo text of fd, read through the batch's open /proc/self/fdinfo
 * (a lookup of one name instead of a walk of the whole path); empty when it
 * cannot be read. Returns its length. */
static size_t read_fdinfo(int fdinfo_dir, int fd, char *buf, size_t size)
{
	char name[16];
	ssize_t n;
	int file;

	buf[0] = '\0';
	snprintf(name, sizeof(name), "%d", fd);
	file = openat(fdinfo_dir, name, O_RDONLY | O_CLOEXEC);
	if (file < 0)
		return 0;
	n = bs_read_proc_text(file, buf, size);
	close(file);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

/* Appends one program's record; 1 when it does not fit the batch. */
static int put_program(struct bs_buf *out, size_t *cap, uint32_t id, int fd, int fdinfo_dir)
{
	struct bs_prog_detail d;
	const struct bs_buf *map_ids;
	char fdinfo[FDINFO_MAX];
	size_t fdinfo_len, size;
	uint8_t *rec;
	int err;

	err = bs_prog_detail(fd, 0, &d);
	if (err)
		return err;
	fdinfo_len = read_fdinfo(fdinfo_dir, fd, fdinfo, sizeof(fdinfo));
	map_ids = &d.aux[BS_PROG_MAP_IDS];
	size = padded(BS_PROG_BATCH_RECORD_HEADER + d.info_len + map_ids->len + fdinfo_len);
	err = reserve(out, cap, size);
	if (err == 0) {
		rec = out->data + out->len;
		memset(rec, 0, size);
		put_u32(rec, id);
		put_u32(rec + 4, d.info_len);
		put_u32(rec + 8, map_ids->len);
		put_u32(rec + 12, (uint32_t)fdinfo_len);
		rec += BS_PROG_BATCH_RECORD_HEADER;
		memcpy(rec, d.info, d.info_len);
		if (map_ids->len)
			memcpy(rec + d.info_len, map_ids->data, map_ids->len);
		memcpy(rec + d.info_len + map_ids->len, fdinfo, fdinfo_len);
		out->len += (uint32_t)size;
	}
	bs_prog_detail_free(&d);
	return err;
}

int bs_prog_info_batch(uint32_t after_id, uint32_t max, struct bs_buf *out)
{
	uint32_t id = after_id, count = 0, more = 0;
	size_t cap = INITIAL_BYTES;
	int fdinfo_dir, err;

	if (max > BS_PROG_BATCH_MAX)
		max = BS_PROG_BATCH_MAX;
	fdinfo_dir = open("/proc/self/fdinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdinfo_dir < 0)
		return -errno;
	out->data = malloc(cap);
	out->len = BS_PROG_BATCH_HEADER;
	if (!out->data) {
		close(fdinfo_dir);
		return -ENOMEM;
	}
	for (;;) {
		int fd;

		if (count == max) {
			more = 1;
			break;
		}
		fd = bs_open_next(BS_PROG, &id);
		if (fd == -ENOENT)
			break;
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		err = put_program(out, &cap, id, fd, fdinfo_dir);
		close(fd);
		if (err == -ENOENT)
			continue;
		if (err == 1 && count == 0) {
			err = -E2BIG;
			goto fail;
		}
		if (err == 1) {
			more = 1;
			break;
		}
		if (err)
			goto fail;
		count++;
	}
	close(fdinfo_dir);
	put_u32(out->data, count);
	put_u32(out->data + 4, more);
	return 0;
fail:
	close(fdinfo_dir);
	bs_buf_free(out);
	return err;
}
