/* Conversion only: the mechanism lives in prog_info_all.c and ringbuf_mmap.c. */
#define _GNU_SOURCE
#include "addon_live.h"
#include "napi_util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "async_collect.h"
#include "bpf_read.h"
#include "prog_info_all.h"
#include "prog_info_batch.h"
#include "map_info_batch.h"
#include "prog_array_batch.h"
#include "ringbuf_mmap.h"

/* A Node-style error: code ('ENOENT'), errno, syscall and object id. */
static napi_value one_u32_arg(napi_env env, napi_callback_info cb, const char *usage, uint32_t *out)
{
	size_t argc = 1;
	napi_value argv[1];

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
	    napi_get_value_uint32(env, argv[0], out) != napi_ok) {
		napi_throw_type_error(env, NULL, usage);
		return NULL;
	}
	return argv[0];
}

napi_value bs_napi_prog_info_all(napi_env env, napi_callback_info cb)
{
	size_t argc = 2, known_len = 0;
	napi_value argv[2], result;
	const uint8_t *known = NULL;
	napi_valuetype hint_type = napi_undefined;
	struct bs_buf buf;
	uint32_t max_progs;
	void *copy;
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
	    napi_get_value_uint32(env, argv[0], &max_progs) != napi_ok ||
	    (argc > 1 && napi_typeof(env, argv[1], &hint_type) != napi_ok) ||
	    (hint_type != napi_undefined &&
	     (napi_get_buffer_info(env, argv[1], (void **)&known, &known_len) != napi_ok || known_len % 4 != 0))) {
		napi_throw_type_error(env, NULL, "progInfoAll(maxProgs, knownIds?): bad arguments");
		return NULL;
	}
	err = bs_prog_info_all(max_progs, known, (uint32_t)(known_len / 4), &buf);
	if (err)
		return bs_throw_errno(env, -err, err == -ENOMEM ? "malloc" : bs_cmd_name(bs_last_cmd()), 0);
	napi_status status = napi_create_buffer_copy(env, buf.len, buf.data, &copy, &result);
	bs_buf_free(&buf);
	if (status != napi_ok) {
		napi_throw_error(env, NULL, "progInfoAll: cannot create buffer");
		return NULL;
	}
	return result;
}

/* The objects after an id, at most max of them, and what reads them into one buffer. */
struct id_batch_args {
	uint32_t after_id, max;
	int (*read)(uint32_t after_id, uint32_t max, struct bs_buf *out);
};

static int read_id_batch(const void *args, struct bs_buf *out, const char **syscall_name)
{
	const struct id_batch_args *a = args;
	int err = a->read(a->after_id, a->max, out);

	if (err)
		*syscall_name = err == -ENOMEM || err == -E2BIG ? "malloc" : bs_cmd_name(bs_last_cmd());
	return err;
}

/* name(afterId, max), max at least 1: read on the thread pool, resolving to its buffer. */
static napi_value id_batch_async(napi_env env, napi_callback_info cb, const char *name, const char *bad_args,
				 int (*read)(uint32_t after_id, uint32_t max, struct bs_buf *out))
{
	size_t argc = 2;
	napi_value argv[2];
	struct id_batch_args a = { .read = read };

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
	    napi_get_value_uint32(env, argv[0], &a.after_id) != napi_ok || napi_get_value_uint32(env, argv[1], &a.max) != napi_ok || a.max == 0) {
		napi_throw_type_error(env, NULL, bad_args);
		return NULL;
	}
	return bs_buffer_async(env, name, read_id_batch, &a, sizeof(a), NULL);
}

napi_value bs_napi_prog_info_batch(napi_env env, napi_callback_info cb)
{
	return id_batch_async(env, cb, "progInfoBatch", "progInfoBatch(afterId, max): bad arguments", bs_prog_info_batch);
}

napi_value bs_napi_map_info_batch(napi_env env, napi_callback_info cb)
{
	return id_batch_async(env, cb, "mapInfoBatch", "mapInfoBatch(afterId, max): bad arguments", bs_map_info_batch);
}

struct prog_array_batch_args {
	uint32_t after_id, max;
};

static int read_prog_array_batch(const void *args, struct bs_buf *out, const char **syscall_name)
{
	const struct prog_array_batch_args *a = args;
	int err = bs_prog_array_batch(a->after_id, a->max, out);

	if (err)
		*syscall_name = err == -ENOMEM ? "malloc" : bs_cmd_name(bs_last_cmd());
	return err;
}

napi_value bs_napi_prog_array_batch(napi_env env, napi_callback_info cb)
{
	size_t argc = 2;
	napi_value argv[2];
	struct prog_array_batch_args a;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
	    napi_get_value_uint32(env, argv[0], &a.after_id) != napi_ok || napi_get_value_uint32(env, argv[1], &a.max) != napi_ok ||
	    a.max == 0 || a.max > BS_PROG_ARRAY_BATCH_MAX) {
		napi_throw_type_error(env, NULL, "progArrayBatch(afterId, max): bad arguments");
		return NULL;
	}
	return bs_buffer_async(env, "progArrayBatch", read_prog_array_batch, &a, sizeof(a), NULL);
}

napi_value bs_napi_ringbuf_positions(napi_env env, napi_callback_info cb)
{
	struct bs_ringbuf_positions pos;
	napi_value obj, v;
	uint32_t id;
	int err;

	if (!one_u32_arg(env, cb, "ringbufPositions(mapId): bad arguments", &id))
		return NULL;
	memset(&pos, 0, sizeof(pos));
	err = bs_ringbuf_positions(id, &pos);
	if (err == -ENOENT) {
		if (napi_get_null(env, &v) != napi_ok)
			return NULL;
		return v;
	}
	if (err)
		return bs_throw_errno(env, -err, "ringbuf positions", id);
	if (napi_create_object(env, &obj) != napi_ok ||
	    bs_set_u64(env, obj, "consumerPos", pos.consumer_pos) || bs_set_u64(env, obj, "producerPos", pos.producer_pos) ||
	    bs_set_u32(env, obj, "dataSize", pos.data_size) || bs_set_u32(env, obj, "mapType", pos.map_type)) {
		napi_throw_error(env, NULL, "ringbufPositions: cannot build result");
		return NULL;
	}
	return obj;
}
