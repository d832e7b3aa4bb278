/* Conversion only: the mechanism lives in map_digest.c. */
#define _GNU_SOURCE
#include "addon_watch.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "bpf_read.h"
#include "map_digest.h"
#include "napi_util.h"

struct watch {
	uint32_t obj;
	struct bs_map_digest *digest;
};

static void watch_finalize(napi_env env, void *data, void *hint)
{
	struct watch *w = data;

	(void)env;
	(void)hint;
	bs_map_digest_free(&w->digest);
	free(w);
}

static int get_args(napi_env env, napi_callback_info cb, size_t want, napi_value *argv)
{
	size_t argc = want;

	return napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) == napi_ok && argc >= want ? 0 : -1;
}

napi_value bs_napi_map_watch_open(napi_env env, napi_callback_info cb)
{
	napi_value argv[3], obj;
	uint32_t id, key_size, value_stride;
	struct watch *w;
	int err;

	if (get_args(env, cb, 3, argv) || napi_get_value_uint32(env, argv[0], &id) != napi_ok ||
	    napi_get_value_uint32(env, argv[1], &key_size) != napi_ok ||
	    napi_get_value_uint32(env, argv[2], &value_stride) != napi_ok) {
		napi_throw_type_error(env, NULL, "mapWatchOpen(mapId, keySize, valueStride): bad arguments");
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return bs_throw_errno(env, ENOMEM, "malloc", id);
	w->obj = id;
	err = bs_map_digest_new(key_size, value_stride, &w->digest);
	if (err) {
		free(w);
		if (err == -EINVAL) {
			napi_throw_type_error(env, NULL, "mapWatchOpen: key or value size out of range");
			return NULL;
		}
		return bs_throw_errno(env, -err, "malloc", id);
	}
	if (napi_create_object(env, &obj) != napi_ok || napi_wrap(env, obj, w, watch_finalize, NULL, NULL) != napi_ok) {
		watch_finalize(env, w, NULL);
		napi_throw_error(env, NULL, "cannot wrap map watch");
		return NULL;
	}
	return obj;
}

static struct watch *unwrap_watch(napi_env env, napi_value obj)
{
	struct watch *w = NULL;

	if (napi_unwrap(env, obj, (void **)&w) != napi_ok || !w || !w->digest) {
		napi_throw_error(env, "EBADF", "map watch is closed");
		return NULL;
	}
	return w;
}

static napi_value changes_object(napi_env env, const struct bs_map_changes *c)
{
	napi_value obj;

	if (napi_create_object(env, &obj) != napi_ok || bs_set_buffer(env, obj, "keys", c->keys.data, c->keys.len) ||
	    bs_set_buffer(env, obj, "values", c->values.data, c->values.len) || bs_set_u32(env, obj, "count", c->count) ||
	    bs_set_buffer(env, obj, "removed", c->removed.data, c->removed.len) || bs_set_u32(env, obj, "removedCount", c->removed_count) ||
	    bs_set_u32(env, obj, "entries", c->entries) || bs_set_bool(env, obj, "more", c->more) ||
	    bs_set_bool(env, obj, "fresh", c->fresh)) {
		napi_throw_error(env, NULL, "mapWatchDiff: cannot build result");
		return NULL;
	}
	return obj;
}

napi_value bs_napi_map_watch_diff(napi_env env, napi_callback_info cb)
{
	napi_value argv[2], result;
	struct bs_map_changes c;
	struct watch *w;
	uint32_t max;
	int fd, err;

	if (get_args(env, cb, 2, argv)) {
		napi_throw_type_error(env, NULL, "mapWatchDiff(watch, max): bad arguments");
		return NULL;
	}
	w = unwrap_watch(env, argv[0]);
	if (!w)
		return NULL;
	if (napi_get_value_uint32(env, argv[1], &max) != napi_ok || !max) {
		napi_throw_type_error(env, NULL, "mapWatchDiff(watch, max): bad arguments");
		return NULL;
	}
	fd = bs_fd_by_id(BS_MAP, w->obj);
	if (fd == -ENOENT) {
		napi_get_null(env, &result);
		return result;
	}
	if (fd < 0)
		return bs_throw_errno(env, -fd, bs_cmd_name(bs_last_cmd()), w->obj);
	err = bs_map_digest_diff(w->digest, fd, max, &c);
	if (close(fd) && !err)
		err = -errno;
	if (err) {
		bs_map_changes_free(&c);
		if (err == -EINVAL) {
			napi_throw_type_error(env, NULL, "mapWatchDiff: max entries exceed a page");
			return NULL;
		}
		return bs_throw_errno(env, -err, err == -ENOMEM ? "malloc" : bs_cmd_name(bs_last_cmd()), w->obj);
	}
	result = changes_object(env, &c);
	bs_map_changes_free(&c);
	return result;
}

napi_value bs_napi_map_watch_close(napi_env env, napi_callback_info cb)
{
	napi_value argv[1];
	struct watch *w = NULL;

	if (!get_args(env, cb, 1, argv) && napi_unwrap(env, argv[0], (void **)&w) == napi_ok && w)
		bs_map_digest_free(&w->digest);
	return NULL;
}
