/* Conversion only: the mechanism lives in prog_info_all.c and ringbuf_mmap.c. */
#define _GNU_SOURCE
#include "addon_live.h"
#include "napi_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_read.h"
#include "prog_info_all.h"
#include "prog_info_batch.h"
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

/* One progInfoBatch call: read on the thread pool, handed over as a Buffer. */
struct prog_batch_work {
	napi_async_work work;
	napi_deferred deferred;
	uint32_t after_id, max;
	struct bs_buf buf;
	int err;
	const char *syscall_name;
};

static void prog_batch_execute(napi_env env, void *data)
{
	struct prog_batch_work *w = data;

	(void)env;
	w->err = bs_prog_info_batch(w->after_id, w->max, &w->buf);
	if (w->err)
		w->syscall_name = w->err == -ENOMEM || w->err == -E2BIG ? "malloc" : bs_cmd_name(bs_last_cmd());
}

static napi_value prog_batch_result(napi_env env, napi_status status, struct prog_batch_work *w)
{
	napi_value result;
	void *copy;

	if (status != napi_ok) {
		napi_throw_error(env, NULL, "progInfoBatch: the read was not run");
		return NULL;
	}
	if (w->err)
		return bs_throw_errno(env, -w->err, w->syscall_name, 0);
	/* A copy: Electron's V8 refuses Buffers over memory it did not allocate. */
	if (napi_create_buffer_copy(env, w->buf.len, w->buf.data, &copy, &result) != napi_ok) {
		napi_throw_error(env, NULL, "progInfoBatch: cannot create buffer");
		return NULL;
	}
	return result;
}

static void prog_batch_complete(napi_env env, napi_status status, void *data)
{
	struct prog_batch_work *w = data;
	napi_value result = prog_batch_result(env, status, w);
	napi_value error;

	if (result)
		napi_resolve_deferred(env, w->deferred, result);
	else if (napi_get_and_clear_last_exception(env, &error) == napi_ok)
		napi_reject_deferred(env, w->deferred, error);
	napi_delete_async_work(env, w->work);
	bs_buf_free(&w->buf);
	free(w);
}

napi_value bs_napi_prog_info_batch(napi_env env, napi_callback_info cb)
{
	size_t argc = 2;
	napi_value argv[2], name, promise;
	struct prog_batch_work *w;
	uint32_t after_id, max;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
	    napi_get_value_uint32(env, argv[0], &after_id) != napi_ok || napi_get_value_uint32(env, argv[1], &max) != napi_ok) {
		napi_throw_type_error(env, NULL, "progInfoBatch(afterId, max): bad arguments");
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		napi_throw_error(env, "ENOMEM", "out of memory");
		return NULL;
	}
	w->after_id = after_id;
	w->max = max;
	if (napi_create_string_utf8(env, "progInfoBatch", NAPI_AUTO_LENGTH, &name) != napi_ok ||
	    napi_create_async_work(env, NULL, name, prog_batch_execute, prog_batch_complete, w, &w->work) != napi_ok) {
		free(w);
		napi_throw_error(env, NULL, "progInfoBatch: napi call failed");
		return NULL;
	}
	if (napi_create_promise(env, &w->deferred, &promise) != napi_ok) {
		napi_delete_async_work(env, w->work);
		free(w);
		napi_throw_error(env, NULL, "progInfoBatch: napi call failed");
		return NULL;
	}
	if (napi_queue_async_work(env, w->work) != napi_ok)
		/* complete() never runs for unqueued work: settle the promise here. */
		prog_batch_complete(env, napi_generic_failure, w);
	return promise;
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
