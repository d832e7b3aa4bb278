#define _GNU_SOURCE
#include "agent_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct page_args {
	int batch;
	const uint8_t *cursor;
	uint32_t cursor_len, key_size, value_stride, max_count;
};

/* The addon's bounds, so both transports accept and refuse the same pages. */
static int page_args(const struct bs_request *req, struct page_args *a)
{
	const struct bs_field *mode = bs_request_field(req, "mode");

	if (!mode || mode->type != BS_F_STR || (strcmp(mode->str, "batch") && strcmp(mode->str, "next")))
		return 1;
	a->batch = !strcmp(mode->str, "batch");
	a->cursor = req->nblobs ? req->blob[0] : NULL;
	a->cursor_len = req->nblobs ? req->blob_len[0] : 0;
	if (bs_request_u32(req, "keySize", &a->key_size) || bs_request_u32(req, "valueStride", &a->value_stride) ||
	    bs_request_u32(req, "max", &a->max_count))
		return 1;
	if (!a->key_size || a->key_size > 65536 || a->value_stride > (1u << 24) || !a->max_count ||
	    (uint64_t)a->max_count * (a->key_size + a->value_stride) > BS_AUX_MAX)
		return 1;
	return !a->batch && a->cursor && a->cursor_len != a->key_size;
}

static int alloc_page(struct bs_buf page[3], const struct page_args *a, size_t cursor_size)
{
	page[0].data = malloc((size_t)a->max_count * a->key_size);
	page[1].data = malloc((size_t)a->max_count * a->value_stride + 1);
	page[2].data = calloc(1, cursor_size);
	page[2].len = (uint32_t)cursor_size;
	return page[0].data && page[1].data && page[2].data ? 0 : -ENOMEM;
}

static void page_meta(struct bs_json *meta, const struct page_args *a, struct bs_buf page[3], uint32_t count,
		      int done)
{
	page[0].len = count * a->key_size;
	page[1].len = count * a->value_stride;
	bs_json_raw(meta, "{\"count\":");
	bs_json_u64(meta, count);
	bs_json_raw(meta, done ? ",\"done\":true}" : ",\"done\":false}");
}

static int read_batch(int fd, const struct page_args *a, struct bs_json *meta, struct bs_buf page[3])
{
	/* The batch token is a bucket index (u32) for hash maps and a key for
	 * arrays: room for either. */
	size_t token = a->key_size > 8 ? a->key_size : 8;
	uint32_t count = a->max_count;
	int err = alloc_page(page, a, token);

	if (err)
		return err;
	err = bs_map_lookup_batch(fd, a->cursor, page[2].data, page[0].data, page[1].data, &count);
	if (err && err != -ENOENT)
		return err;
	page_meta(meta, a, page, count, err == -ENOENT);
	return 0;
}

/* Keys deleted between next_key and lookup are skipped. */
static int read_next(int fd, const struct page_args *a, struct bs_json *meta, struct bs_buf page[3])
{
	const uint8_t *prev = a->cursor;
	uint32_t count = 0;
	int done = 0, err = alloc_page(page, a, a->key_size);

	if (err)
		return err;
	while (count < a->max_count) {
		uint8_t *key = page[0].data + (size_t)count * a->key_size;
		err = bs_map_next_key(fd, prev, key);
		if (err == -ENOENT) {
			done = 1;
			break;
		}
		if (err)
			return err;
		memcpy(page[2].data, key, a->key_size);
		prev = page[2].data;
		err = bs_map_lookup(fd, key, page[1].data + (size_t)count * a->value_stride);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		count++;
	}
	/* With no cursor and no key read, the cursor stays zeroed as in the addon. */
	page_meta(meta, a, page, count, done);
	return 0;
}

int bs_agent_map_read(int fd, const struct bs_request *req, struct bs_json *meta, struct bs_buf page[3])
{
	struct page_args a;

	if (page_args(req, &a))
		return 1;
	return a.batch ? read_batch(fd, &a, meta, page) : read_next(fd, &a, meta, page);
}
