#define _GNU_SOURCE
#include "agent_live.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_handles.h"
#include "map_mmap.h"
#include "prog_info_all.h"
#include "prog_info_batch.h"
#include "map_info_batch.h"
#include "prog_array_batch.h"
#include "ringbuf_mmap.h"

/* An mmap copy travels in one frame: below the addon's BS_MMAP_MAX. */
#define MMAP_FRAME_MAX (BS_RESPONSE_MAX - (1u << 20))

int bs_agent_prog_info_all(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	uint32_t max;
	int err;

	if (bs_request_u32(req, "max", &max) || max > BS_PROG_INFO_ALL_MAX || req->nblobs > 1 ||
	    (req->nblobs == 1 && req->blob_len[0] % 4 != 0))
		return bs_reply_bad_args(r, "progInfoAll(maxProgs, knownIds?): bad arguments");
	err = bs_prog_info_all(max, req->nblobs ? req->blob[0] : NULL, req->nblobs ? req->blob_len[0] / 4 : 0, out);
	if (err)
		return err == -ENOMEM ? bs_reply_fail(r, err, "malloc", 0) : bs_reply_fail_last(r, err, 0);
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

/* A batch of the objects after an id (max at least 1), read by `read`, as one blob. */
static int id_batch(const struct bs_request *req, struct reply *r, struct bs_buf *out, const char *bad_args,
		    int (*read)(uint32_t after_id, uint32_t max, struct bs_buf *out))
{
	uint32_t after, max;
	int err;

	if (bs_request_u32(req, "after", &after) || bs_request_u32(req, "max", &max) || max == 0)
		return bs_reply_bad_args(r, bad_args);
	err = read(after, max, out);
	if (err)
		return err == -ENOMEM || err == -E2BIG ? bs_reply_fail(r, err, "malloc", 0) : bs_reply_fail_last(r, err, 0);
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

int bs_agent_prog_info_batch(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	return id_batch(req, r, out, "progInfoBatch(afterId, max): bad arguments", bs_prog_info_batch);
}

int bs_agent_map_info_batch(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	return id_batch(req, r, out, "mapInfoBatch(afterId, max): bad arguments", bs_map_info_batch);
}

int bs_agent_prog_array_batch(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	uint32_t after, max;
	int err;

	if (bs_request_u32(req, "after", &after) || bs_request_u32(req, "max", &max) || max == 0 ||
	    max > BS_PROG_ARRAY_BATCH_MAX)
		return bs_reply_bad_args(r, "progArrayBatch(afterId, max): bad arguments");
	err = bs_prog_array_batch(after, max, out);
	if (err)
		return err == -ENOMEM ? bs_reply_fail(r, err, "malloc", 0) : bs_reply_fail_last(r, err, 0);
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

static void u64_string(struct bs_json *j, const char *key, uint64_t n)
{
	char num[24];

	/* Past 2^53 JSON numbers lose digits. */
	snprintf(num, sizeof(num), "%" PRIu64, n);
	bs_json_key(j, key);
	bs_json_str(j, num, strlen(num));
}

int bs_agent_ringbuf_positions(const struct bs_request *req, struct reply *r)
{
	struct bs_ringbuf_positions pos;
	uint32_t id;
	int err;

	if (bs_request_u32(req, "obj", &id))
		return bs_reply_bad_args(r, "ringbufPositions(mapId): bad arguments");
	memset(&pos, 0, sizeof(pos));
	err = bs_ringbuf_positions(id, &pos);
	if (err == -ENOENT) {
		bs_json_raw(&r->meta, "null");
		return 0;
	}
	if (err)
		return bs_reply_fail(r, err, "ringbuf positions", id);
	bs_json_raw(&r->meta, "{");
	u64_string(&r->meta, "consumerPos", pos.consumer_pos);
	u64_string(&r->meta, "producerPos", pos.producer_pos);
	bs_json_key(&r->meta, "dataSize");
	bs_json_u64(&r->meta, pos.data_size);
	bs_json_key(&r->meta, "mapType");
	bs_json_u64(&r->meta, pos.map_type);
	bs_json_raw(&r->meta, "}");
	return 0;
}

int bs_agent_map_mmap(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	uint32_t obj, page, len;
	int fd = bs_handle_fd(req, &obj), err;

	if (fd < 0)
		return bs_reply_fail(r, -EBADF, "handle", 0);
	if (bs_request_u32(req, "page", &page) || bs_request_u32(req, "length", &len) || !len || len > BS_MMAP_MAX)
		return bs_reply_bad_args(r, "mapMmap(handle, pageIndex, length): bad arguments");
	if (len > MMAP_FRAME_MAX)
		return bs_reply_bad_args(r, "mapMmap: length exceeds what one agent frame carries");
	out->data = malloc(len);
	if (!out->data)
		return bs_reply_fail(r, -ENOMEM, "malloc", obj);
	out->len = len;
	err = bs_map_mmap_copy(fd, page, len, out->data);
	if (err)
		return bs_reply_fail(r, err, "mmap", obj);
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}
