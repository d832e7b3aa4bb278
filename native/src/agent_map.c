#define _GNU_SOURCE
#include "agent_map.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_page.h"

struct page_args {
	int batch;
	const uint8_t *cursor;
	uint32_t cursor_len, key_size, value_stride, max_count;
};

/* The addon's bounds (bs_map_page_args), so both transports accept and refuse the same pages. */
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
	if (bs_map_page_args(a->key_size, a->value_stride, a->max_count))
		return 1;
	if (a->cursor && a->cursor_len != (a->batch ? bs_map_batch_token(a->key_size) : a->key_size))
		return 1;
	return 0;
}

static int alloc_page(struct bs_buf page[BS_MAP_PAGE_BLOBS], const struct page_args *a)
{
	size_t cursor_size = a->batch ? bs_map_batch_token(a->key_size) : a->key_size;

	page[0].data = malloc((size_t)a->max_count * a->key_size);
	page[1].data = malloc((size_t)a->max_count * a->value_stride + 1);
	page[2].data = calloc(1, cursor_size);
	page[2].len = (uint32_t)cursor_size;
	page[3].data = a->batch ? NULL : malloc((size_t)a->max_count * sizeof(int32_t));
	if (!page[0].data || !page[1].data || !page[2].data || (!a->batch && !page[3].data))
		return -ENOMEM;
	return 0;
}

int bs_agent_map_read(int fd, const struct bs_request *req, struct bs_json *meta, struct bs_buf page[BS_MAP_PAGE_BLOBS])
{
	struct page_args a;
	struct bs_map_page p;
	int err;

	if (page_args(req, &a))
		return 1;
	err = bs_map_page_fits(fd, a.key_size, a.value_stride);
	if (err == -EINVAL)
		return 1;
	if (err)
		return err;
	err = alloc_page(page, &a);
	if (err)
		return err;
	p = (struct bs_map_page){ .keys = page[0].data, .values = page[1].data, .errs = (int32_t *)page[3].data, .cursor = page[2].data };
	err = a.batch ? bs_map_page_batch(fd, a.cursor, a.max_count, &p)
		      : bs_map_page_next(fd, a.cursor, a.key_size, a.value_stride, a.max_count, &p);
	if (err)
		return err;
	page[0].len = p.count * a.key_size;
	page[1].len = p.count * a.value_stride;
	/* Lookup errors travel only when some lookup failed: an int32 (little-endian) per entry. */
	page[3].len = p.failed ? p.count * (uint32_t)sizeof(int32_t) : 0;
	for (uint32_t i = 0; p.failed && i < p.count; i++)
		p.errs[i] = (int32_t)htole32((uint32_t)p.errs[i]);
	bs_json_raw(meta, "{\"count\":");
	bs_json_u64(meta, p.count);
	bs_json_raw(meta, p.done ? ",\"done\":true}" : ",\"done\":false}");
	return 0;
}
