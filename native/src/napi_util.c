#define _GNU_SOURCE
#include "napi_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_read.h"

napi_value bs_throw_errno(napi_env env, int err, const char *syscall_name, uint32_t id)
{
	napi_value error, msg, code, val;
	char text[256];

	if (id)
		snprintf(text, sizeof(text), "%s (id %u): %s", syscall_name, id, strerror(err));
	else
		snprintf(text, sizeof(text), "%s: %s", syscall_name, strerror(err));
	if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
	    napi_create_string_utf8(env, bs_errno_name(err), NAPI_AUTO_LENGTH, &code) != napi_ok ||
	    napi_create_error(env, code, msg, &error) != napi_ok)
		return NULL;
	if (napi_set_named_property(env, error, "code", code) == napi_ok &&
	    napi_create_int32(env, err, &val) == napi_ok &&
	    napi_set_named_property(env, error, "errno", val) == napi_ok &&
	    napi_create_string_utf8(env, syscall_name, NAPI_AUTO_LENGTH, &val) == napi_ok &&
	    napi_set_named_property(env, error, "syscall", val) == napi_ok && id &&
	    napi_create_uint32(env, id, &val) == napi_ok)
		napi_set_named_property(env, error, "id", val);
	napi_throw(env, error);
	return NULL;
}

static int set(napi_env env, napi_value obj, const char *key, napi_value v)
{
	return napi_set_named_property(env, obj, key, v) == napi_ok ? 0 : -1;
}

int bs_set_buffer(napi_env env, napi_value obj, const char *key, const void *data, size_t len)
{
	napi_value v;
	void *copy;

	return napi_create_buffer_copy(env, len, data ? data : "", &copy, &v) == napi_ok ? set(env, obj, key, v) : -1;
}

static void free_owned(napi_env env, void *data, void *hint)
{
	(void)env;
	(void)hint;
	free(data);
}

napi_status bs_owned_buffer(napi_env env, struct bs_buf *buf, napi_value *out)
{
	napi_status status;
	void *copy;

	if (buf->data && buf->len) {
		status = napi_create_external_buffer(env, buf->len, buf->data, free_owned, NULL, out);
		if (status == napi_ok) {
			buf->data = NULL;
			buf->len = 0;
			return status;
		}
		if (status != napi_no_external_buffers_allowed)
			return status;
	}
	status = napi_create_buffer_copy(env, buf->len, buf->data ? (void *)buf->data : (void *)"", &copy, out);
	bs_buf_free(buf);
	return status;
}

int bs_set_owned_buffer(napi_env env, napi_value obj, const char *key, struct bs_buf *buf)
{
	napi_value v;

	return bs_owned_buffer(env, buf, &v) == napi_ok ? set(env, obj, key, v) : -1;
}

int bs_set_owned_view(napi_env env, napi_value obj, const char *key, struct bs_buf *buf, uint32_t tail)
{
	size_t total = (size_t)buf->len + tail;
	napi_value bytes, view;
	napi_status status;
	void *copy;

	status = napi_create_external_arraybuffer(env, buf->data, total, free_owned, NULL, &bytes);
	if (status == napi_ok) {
		buf->data = NULL;
	} else if (status == napi_no_external_buffers_allowed) {
		status = napi_create_arraybuffer(env, total, &copy, &bytes);
		if (status == napi_ok)
			memcpy(copy, buf->data, total);
	}
	if (status == napi_ok)
		status = napi_create_typedarray(env, napi_uint8_array, buf->len, bytes, 0, &view);
	bs_buf_free(buf);
	return status == napi_ok ? set(env, obj, key, view) : -1;
}

int bs_set_string(napi_env env, napi_value obj, const char *key, const char *s)
{
	napi_value v;

	return napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) == napi_ok ? set(env, obj, key, v) : -1;
}

int bs_set_u32(napi_env env, napi_value obj, const char *key, uint32_t n)
{
	napi_value v;

	return napi_create_uint32(env, n, &v) == napi_ok ? set(env, obj, key, v) : -1;
}

int bs_set_u64(napi_env env, napi_value obj, const char *key, uint64_t n)
{
	napi_value v;

	return napi_create_bigint_uint64(env, n, &v) == napi_ok ? set(env, obj, key, v) : -1;
}

int bs_set_double(napi_env env, napi_value obj, const char *key, double n)
{
	napi_value v;

	return napi_create_double(env, n, &v) == napi_ok ? set(env, obj, key, v) : -1;
}

int bs_set_bool(napi_env env, napi_value obj, const char *key, int b)
{
	napi_value v;

	return napi_get_boolean(env, b != 0, &v) == napi_ok ? set(env, obj, key, v) : -1;
}

static void fd_handle_finalize(napi_env env, void *data, void *hint)
{
	struct fd_handle *h = data;

	(void)env;
	(void)hint;
	if (h->fd >= 0)
		close(h->fd);
	free(h);
}

napi_value bs_wrap_fd(napi_env env, int fd, uint32_t id)
{
	napi_value obj;
	struct fd_handle *h = malloc(sizeof(*h));

	if (!h) {
		close(fd);
		napi_throw_error(env, "ENOMEM", "out of memory");
		return NULL;
	}
	h->fd = fd;
	h->id = id;
	if (napi_create_object(env, &obj) != napi_ok || napi_wrap(env, obj, h, fd_handle_finalize, NULL, NULL) != napi_ok) {
		fd_handle_finalize(env, h, NULL);
		napi_throw_error(env, NULL, "cannot wrap fd handle");
		return NULL;
	}
	return obj;
}

struct fd_handle *bs_unwrap_fd(napi_env env, napi_value obj)
{
	struct fd_handle *h = NULL;

	if (napi_unwrap(env, obj, (void **)&h) != napi_ok || !h || h->fd < 0) {
		napi_throw_error(env, "EBADF", "handle is closed");
		return NULL;
	}
	return h;
}
