#define _GNU_SOURCE
#include "agent_watch.h"

#include <errno.h>
#include <unistd.h>

#include "map_digest.h"

static struct {
	uint32_t token;
	uint32_t obj;
	struct bs_map_digest *digest;
} watches[BS_WATCHES_MAX];
static uint32_t next_token = 1;

static int find(const struct bs_request *req)
{
	uint32_t token;

	if (bs_request_u32(req, "watch", &token) || !token)
		return -1;
	for (int i = 0; i < BS_WATCHES_MAX; i++)
		if (watches[i].token == token)
			return i;
	return -1;
}

int bs_agent_map_watch(const struct bs_request *req, struct reply *r)
{
	uint32_t obj, key_size, value_stride;
	int err;

	if (bs_request_u32(req, "obj", &obj) || bs_request_u32(req, "keySize", &key_size) ||
	    bs_request_u32(req, "valueStride", &value_stride))
		return bs_reply_bad_args(r, "mapWatch(obj, keySize, valueStride): bad arguments");
	for (int i = 0; i < BS_WATCHES_MAX; i++) {
		if (watches[i].token)
			continue;
		err = bs_map_digest_new(key_size, value_stride, &watches[i].digest);
		if (err == -EINVAL)
			return bs_reply_bad_args(r, "mapWatch: key or value size out of range");
		if (err)
			return bs_reply_fail(r, err, "malloc", obj);
		watches[i].token = next_token++;
		watches[i].obj = obj;
		bs_json_raw(&r->meta, "{\"watch\":");
		bs_json_u64(&r->meta, watches[i].token);
		bs_json_raw(&r->meta, "}");
		return 0;
	}
	return bs_reply_fail(r, -EMFILE, "mapWatch", obj);
}

static void changes_meta(struct bs_json *meta, const struct bs_map_changes *c)
{
	bs_json_raw(meta, "{\"count\":");
	bs_json_u64(meta, c->count);
	bs_json_raw(meta, ",\"removed\":");
	bs_json_u64(meta, c->removed_count);
	bs_json_raw(meta, ",\"entries\":");
	bs_json_u64(meta, c->entries);
	bs_json_raw(meta, c->more ? ",\"more\":true" : ",\"more\":false");
	bs_json_raw(meta, c->fresh ? ",\"fresh\":true}" : ",\"fresh\":false}");
}

int bs_agent_map_diff(const struct bs_request *req, struct reply *r, struct bs_buf scratch[3])
{
	struct bs_map_changes c;
	uint32_t max;
	int i = find(req), fd, err;

	if (i < 0)
		return bs_reply_fail(r, -EBADF, "watch", 0);
	if (bs_request_u32(req, "max", &max) || !max)
		return bs_reply_bad_args(r, "mapDiff(watch, max): bad arguments");
	fd = bs_fd_by_id(BS_MAP, watches[i].obj);
	if (fd == -ENOENT) {
		bs_json_raw(&r->meta, "null");
		return 0;
	}
	if (fd < 0)
		return bs_reply_fail_last(r, fd, watches[i].obj);
	err = bs_map_digest_diff(watches[i].digest, fd, max, &c);
	if (close(fd) && !err)
		err = -errno;
	if (err) {
		bs_map_changes_free(&c);
		if (err == -EINVAL)
			return bs_reply_bad_args(r, "mapDiff: max entries exceed a page");
		return err == -ENOMEM ? bs_reply_fail(r, err, "malloc", watches[i].obj)
				      : bs_reply_fail_last(r, err, watches[i].obj);
	}
	changes_meta(&r->meta, &c);
	scratch[0] = c.keys;
	scratch[1] = c.values;
	scratch[2] = c.removed;
	for (int b = 0; b < 3; b++)
		bs_reply_blob(r, scratch[b].data, scratch[b].len);
	return 0;
}

int bs_agent_map_unwatch(const struct bs_request *req, struct reply *r)
{
	int i = find(req);

	if (i >= 0) {
		bs_map_digest_free(&watches[i].digest);
		watches[i].token = 0;
	}
	bs_json_raw(&r->meta, "null");
	return 0;
}
