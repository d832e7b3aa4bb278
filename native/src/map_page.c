#define _GNU_SOURCE
#include "map_page.h"

#include <errno.h>
#include <string.h>

#include "bpf_read.h"

int bs_map_page_args(uint32_t key_size, uint32_t value_stride, uint32_t max)
{
	if (!key_size || key_size > BS_MAP_KEY_MAX || value_stride > BS_MAP_STRIDE_MAX || !max)
		return 1;
	return (uint64_t)max * (key_size + value_stride) > BS_AUX_MAX;
}

size_t bs_map_batch_token(uint32_t key_size)
{
	return key_size > 8 ? key_size : 8;
}

int bs_map_page_batch(int fd, const uint8_t *token, uint32_t max, struct bs_map_page *page)
{
	uint32_t count = max;
	int err = bs_map_lookup_batch(fd, token, page->cursor, page->keys, page->values, &count);

	if (err && err != -ENOENT)
		return err;
	page->count = count;
	page->failed = 0;
	page->done = err == -ENOENT;
	return 0;
}

int bs_map_page_next(int fd, const uint8_t *prev, uint32_t key_size, uint32_t value_stride, uint32_t max,
		     struct bs_map_page *page)
{
	uint32_t count = 0, failed = 0;
	int done = 0, err;

	while (count < max) {
		uint8_t *key = page->keys + (size_t)count * key_size;
		uint8_t *value = page->values + (size_t)count * value_stride;

		err = bs_map_next_key(fd, prev, key);
		if (err == -ENOENT) {
			done = 1;
			break;
		}
		if (err)
			return err;
		memcpy(page->cursor, key, key_size);
		prev = page->cursor;
		err = bs_map_lookup(fd, key, value);
		page->errs[count] = -err;
		if (err) {
			memset(value, 0, value_stride);
			failed++;
		}
		count++;
	}
	if (!prev)
		memset(page->cursor, 0, key_size);
	page->count = count;
	page->failed = failed;
	page->done = done;
	return 0;
}
