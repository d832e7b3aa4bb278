#include "prog_array_batch.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIRST_CAP (64u << 10)
#define SLOT_BYTES 8u

/* The batch as it grows, up to BS_PROG_ARRAY_BATCH_BYTES. */
struct batch {
	uint8_t *data;
	uint32_t len, cap;
};

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t pad8(uint32_t n)
{
	return (n + 7) & ~7u;
}

/* Room for need more bytes: 0, -E2BIG past the batch's ceiling, -ENOMEM. */
static int reserve(struct batch *b, uint32_t need)
{
	uint32_t cap = b->cap;
	uint8_t *grown;

	if (need > BS_PROG_ARRAY_BATCH_BYTES - b->len)
		return -E2BIG;
	if (b->len + need <= cap)
		return 0;
	while (cap < b->len + need)
		cap = cap > BS_PROG_ARRAY_BATCH_BYTES / 2 ? BS_PROG_ARRAY_BATCH_BYTES : cap * 2;
	grown = realloc(b->data, cap);
	if (!grown)
		return -ENOMEM;
	b->data = grown;
	b->cap = cap;
	return 0;
}

/* Appends the filled slots of the prog_array fd. An array's keys are the indexes below
 * max_entries, each looked up directly (next-key would only count up to them). 0, or
 * BS_PROG_ARRAY_PARTIAL when a lookup failed other than on an empty slot, or -E2BIG when the
 * batch is full, or -ENOMEM. */
static int append_slots(struct batch *b, int fd, uint32_t max_entries, uint32_t *count)
{
	for (uint32_t key = 0; key < max_entries; key++) {
		uint32_t value;
		int err = bs_map_lookup(fd, (const uint8_t *)&key, (uint8_t *)&value);

		if (err == -ENOENT)
			continue;
		if (err)
			return BS_PROG_ARRAY_PARTIAL;
		err = reserve(b, SLOT_BYTES);
		if (err)
			return err;
		put_u32(b->data + b->len, key);
		put_u32(b->data + b->len + 4, value);
		b->len += SLOT_BYTES;
		(*count)++;
	}
	return 0;
}

/* Appends fd's record when it is a prog_array of u32 slots. 0, or -E2BIG when it does not
 * fit (nothing appended), -ENOMEM, or 1 when the batch filled up within its slots. */
static int append_array(struct batch *b, uint32_t id, int fd, const uint8_t *info, uint32_t info_len)
{
	struct bpf_map_info shape;
	uint32_t at = b->len, slots_at, count = 0;
	int err;

	memset(&shape, 0, sizeof(shape));
	memcpy(&shape, info, info_len < sizeof(shape) ? info_len : sizeof(shape));
	if (shape.type != BPF_MAP_TYPE_PROG_ARRAY || shape.key_size != 4 || shape.value_size != 4)
		return 0;
	err = reserve(b, BS_PROG_ARRAY_RECORD_HEADER + pad8(info_len));
	if (err)
		return err;
	memset(b->data + at, 0, BS_PROG_ARRAY_RECORD_HEADER + pad8(info_len));
	memcpy(b->data + at + BS_PROG_ARRAY_RECORD_HEADER, info, info_len);
	slots_at = at + BS_PROG_ARRAY_RECORD_HEADER + pad8(info_len);
	b->len = slots_at;
	err = append_slots(b, fd, shape.max_entries, &count);
	if (err == -ENOMEM)
		return err;
	put_u32(b->data + at, id);
	put_u32(b->data + at + 4, info_len);
	if (err) {
		/* Read another way: the slots a partial walk found are dropped. */
		b->len = slots_at;
		count = 0;
		put_u32(b->data + at + 12, BS_PROG_ARRAY_PARTIAL);
	}
	put_u32(b->data + at + 8, count);
	return err == -E2BIG ? 1 : 0;
}

int bs_prog_array_batch(uint32_t after_id, uint32_t max, struct bs_buf *out)
{
	struct batch b = { .len = BS_PROG_ARRAY_BATCH_HEADER, .cap = FIRST_CAP };
	uint32_t id = after_id, last = after_id, count = 0, walked = 0, more = 0;
	int err;

	out->data = NULL;
	out->len = 0;
	if (!max || max > BS_PROG_ARRAY_BATCH_MAX)
		return -EINVAL;
	b.data = malloc(b.cap);
	if (!b.data)
		return -ENOMEM;
	for (;;) {
		uint8_t info[BS_INFO_MAX];
		uint32_t info_len = sizeof(info), start;
		int fd;

		if (walked == max) {
			more = 1;
			break;
		}
		fd = bs_open_next_info(BS_MAP, &id, info, &info_len);
		if (fd == -ENOENT)
			break;
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		start = b.len;
		err = append_array(&b, id, fd, info, info_len);
		close(fd);
		if (err == -E2BIG) {
			/* This map starts the next batch. */
			more = 1;
			break;
		}
		if (err < 0)
			goto fail;
		walked++;
		last = id;
		if (b.len != start)
			count++;
		if (err == 1) {
			more = 1;
			break;
		}
	}
	put_u32(b.data, count);
	put_u32(b.data + 4, walked);
	put_u32(b.data + 8, last);
	put_u32(b.data + 12, more);
	out->data = b.data;
	out->len = b.len;
	return 0;
fail:
	free(b.data);
	return err;
}
