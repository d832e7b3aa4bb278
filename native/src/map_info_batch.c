#include "map_info_batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORD_MAX (BS_MAP_BATCH_RECORD_HEADER + BS_INFO_MAX)

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

int bs_map_info_batch(uint32_t after_id, uint32_t max, struct bs_buf *out)
{
	uint32_t id = after_id, count = 0, more = 0;
	int err;

	if (max > BS_MAP_BATCH_MAX)
		max = BS_MAP_BATCH_MAX;
	/* Every record fits: at most max * 520 bytes, about 2 MB. */
	out->data = malloc(BS_MAP_BATCH_HEADER + (size_t)max * RECORD_MAX);
	out->len = BS_MAP_BATCH_HEADER;
	if (!out->data)
		return -ENOMEM;
	for (;;) {
		uint8_t *rec = out->data + out->len;
		uint32_t len = BS_INFO_MAX;
		int fd;

		if (count == max) {
			more = 1;
			break;
		}
		fd = bs_open_next_info(BS_MAP, &id, rec + BS_MAP_BATCH_RECORD_HEADER, &len);
		if (fd == -ENOENT)
			break;
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		close(fd);
		put_u32(rec, id);
		put_u32(rec + 4, len);
		out->len += (BS_MAP_BATCH_RECORD_HEADER + len + 7) & ~7u;
		count++;
	}
	put_u32(out->data, count);
	put_u32(out->data + 4, more);
	return 0;
fail:
	bs_buf_free(out);
	return err;
}
