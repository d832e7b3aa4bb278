/* Conversion only: the mechanism lives in kern_read.c (BPF streams, tracefs). */
#define _GNU_SOURCE
#include "addon_kern.h"
#include "napi_util.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "kern_read.h"

#define PATH_ARG_MAX 512

static int string_arg(napi_env env, napi_value v, char *out, size_t size)
{
	size_t len;

	return napi_get_value_string_utf8(env, v, out, size, &len) != napi_ok || len >= size - 1;
}

static napi_value buffer_of(napi_env env, struct bs_buf *buf)
{
	napi_value result;
	void *copy;
	napi_status st = napi_create_buffer_copy(env, buf->len, buf->data ? (void *)buf->data : (void *)"", &copy, &result);

	bs_buf_free(buf);
	if (st != napi_ok) {
		napi_throw_error(env, NULL, "cannot create buffer");
		return NULL;
	}
	return result;
}

napi_value bs_napi_prog_stream_read(napi_env env, napi_callback_info cb)
{
	size_t argc = 3;
	napi_value argv[3];
	uint32_t id, stream, max;
	struct bs_buf buf;
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
	    napi_get_value_uint32(env, argv[0], &id) != napi_ok || napi_get_value_uint32(env, argv[1], &stream) != napi_ok ||
	    napi_get_value_uint32(env, argv[2], &max) != napi_ok) {
		napi_throw_type_error(env, NULL, "progStreamRead(progId, streamId, max): bad arguments");
		return NULL;
	}
	err = bs_prog_stream_read(id, stream, max, &buf);
	if (err)
		return bs_throw_errno(env, -err, err == -ENOMEM ? "malloc" : "BPF_PROG_STREAM_READ_BY_FD", id);
	return buffer_of(env, &buf);
}

napi_value bs_napi_tracefs_read_tail(napi_env env, napi_callback_info cb)
{
	size_t argc = 2;
	napi_value argv[2], obj, bytes;
	char path[PATH_ARG_MAX];
	uint32_t limit;
	uint64_t total;
	struct bs_buf buf;
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 2 || string_arg(env, argv[0], path, sizeof(path)) ||
	    napi_get_value_uint32(env, argv[1], &limit) != napi_ok) {
		napi_throw_type_error(env, NULL, "tracefsReadTail(path, limit): bad arguments");
		return NULL;
	}
	err = bs_tracefs_read_tail(path, limit, &buf, &total);
	if (err)
		return bs_throw_errno(env, -err, "read", 0);
	bytes = buffer_of(env, &buf);
	if (!bytes)
		return NULL;
	if (napi_create_object(env, &obj) != napi_ok || napi_set_named_property(env, obj, "bytes", bytes) != napi_ok ||
	    bs_set_double(env, obj, "total", (double)total)) {
		napi_throw_error(env, NULL, "tracefsReadTail: cannot build result");
		return NULL;
	}
	return obj;
}

napi_value bs_napi_trace_pipe_open(napi_env env, napi_callback_info cb)
{
	size_t argc = 1;
	napi_value argv[1];
	char path[PATH_ARG_MAX];
	int fd;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || string_arg(env, argv[0], path, sizeof(path))) {
		napi_throw_type_error(env, NULL, "tracePipeOpen(path): bad arguments");
		return NULL;
	}
	fd = bs_trace_pipe_open(path);
	if (fd < 0)
		return bs_throw_errno(env, -fd, "open", 0);
	return bs_wrap_fd(env, fd, 0);
}

napi_value bs_napi_trace_pipe_read(napi_env env, napi_callback_info cb)
{
	size_t argc = 2;
	napi_value argv[2];
	struct fd_handle *h;
	uint32_t max;
	struct bs_buf buf;
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 2 || napi_get_value_uint32(env, argv[1], &max) != napi_ok) {
		napi_throw_type_error(env, NULL, "tracePipeRead(handle, max): bad arguments");
		return NULL;
	}
	h = bs_unwrap_fd(env, argv[0]);
	if (!h)
		return NULL;
	err = bs_trace_pipe_read(h->fd, max, &buf);
	if (err)
		return bs_throw_errno(env, -err, "read", 0);
	return buffer_of(env, &buf);
}

napi_value bs_napi_map_hash(napi_env env, napi_callback_info cb)
{
	size_t argc = 1;
	napi_value argv[1], result;
	uint8_t hash[BS_MAP_HASH_SIZE];
	uint32_t id;
	void *copy;
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) {
		napi_throw_type_error(env, NULL, "mapHash(mapId): bad arguments");
		return NULL;
	}
	err = bs_map_hash(id, hash);
	if (err)
		return bs_throw_errno(env, -err, "BPF_OBJ_GET_INFO_BY_FD", id);
	if (napi_create_buffer_copy(env, sizeof(hash), hash, &copy, &result) != napi_ok) {
		napi_throw_error(env, NULL, "mapHash: cannot build result");
		return NULL;
	}
	return result;
}

napi_value bs_napi_map_peek(napi_env env, napi_callback_info cb)
{
	size_t argc = 1;
	napi_value argv[1], result;
	const char *syscall_name;
	struct bs_buf value;
	uint32_t id;
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) {
		napi_throw_type_error(env, NULL, "mapPeek(mapId): bad arguments");
		return NULL;
	}
	err = bs_map_peek(id, &value, &syscall_name);
	if (err < 0)
		return bs_throw_errno(env, -err, syscall_name, id);
	if (err == BS_MAP_PEEK_EMPTY) {
		if (napi_get_null(env, &result) != napi_ok) {
			napi_throw_error(env, NULL, "mapPeek: cannot build result");
			return NULL;
		}
		return result;
	}
	return buffer_of(env, &value);
}

napi_value bs_napi_proc_map_pages(napi_env env, napi_callback_info cb)
{
	size_t argc = 3;
	napi_value argv[3], obj, present_value, bytes;
	uint32_t pid, pages;
	uint64_t addr;
	bool lossless;
	uint8_t present[BS_PROC_PAGES_MAX];
	struct bs_buf buf;
	void *copy;
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || napi_get_value_uint32(env, argv[0], &pid) != napi_ok ||
	    napi_get_value_bigint_uint64(env, argv[1], &addr, &lossless) != napi_ok || !lossless || napi_get_value_uint32(env, argv[2], &pages) != napi_ok) {
		napi_throw_type_error(env, NULL, "procMapPages(pid, addr, pages): bad arguments");
		return NULL;
	}
	err = bs_proc_map_pages(pid, addr, pages, present, &buf);
	if (err)
		return bs_throw_errno(env, -err, err == -ENOMEM ? "malloc" : "read", 0);
	bytes = buffer_of(env, &buf);
	if (!bytes)
		return NULL;
	if (napi_create_buffer_copy(env, pages, present, &copy, &present_value) != napi_ok || napi_create_object(env, &obj) != napi_ok ||
	    napi_set_named_property(env, obj, "present", present_value) != napi_ok || napi_set_named_property(env, obj, "bytes", bytes) != napi_ok ||
	    bs_set_u32(env, obj, "pageSize", (uint32_t)sysconf(_SC_PAGESIZE))) {
		napi_throw_error(env, NULL, "procMapPages: cannot build result");
		return NULL;
	}
	return obj;
}
