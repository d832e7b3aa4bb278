#include "async_collect.h"

#include <stdlib.h>
#include <string.h>

#include "napi_util.h"

struct collect_work {
	napi_async_work work;
	napi_deferred deferred;
	bs_collect_scan scan;
	bs_collect_record record;
	const char *syscall_name;
	struct bs_collect c;
	int err;
};

/* Resolves the promise with result, or rejects it with the pending exception when result is NULL. */
static void settle(napi_env env, napi_deferred deferred, napi_value result)
{
	napi_value error;

	if (result)
		napi_resolve_deferred(env, deferred, result);
	else if (napi_get_and_clear_last_exception(env, &error) == napi_ok)
		napi_reject_deferred(env, deferred, error);
}

/* Queues work for w (execute on the thread pool, then complete on the JS thread) and returns the
 * promise complete() settles; NULL with an exception pending when N-API refuses, w then left to
 * the caller to free. */
static napi_value queue_promised(napi_env env, const char *name, napi_async_execute_callback execute,
				 napi_async_complete_callback complete, void *w, napi_async_work *work, napi_deferred *deferred)
{
	napi_value resource, promise;

	if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource) != napi_ok ||
	    napi_create_async_work(env, NULL, resource, execute, complete, w, work) != napi_ok)
		goto fail;
	if (napi_create_promise(env, deferred, &promise) != napi_ok) {
		napi_delete_async_work(env, *work);
		goto fail;
	}
	if (napi_queue_async_work(env, *work) != napi_ok)
		/* complete() never runs for unqueued work: settle the promise here. */
		complete(env, napi_generic_failure, w);
	return promise;
fail:
	napi_throw_error(env, NULL, "async work: napi call failed");
	return NULL;
}

int bs_collect_push(struct bs_collect *c, const void *rec)
{
	if (c->count == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 64;
		uint8_t *grown = cap > c->cap ? realloc(c->recs, (size_t)cap * c->rec_size) : NULL;

		if (!grown) {
			c->nomem = 1;
			return 1;
		}
		c->recs = grown;
		c->cap = cap;
	}
	memcpy(c->recs + (size_t)c->count * c->rec_size, rec, c->rec_size);
	c->count++;
	return 0;
}

static void collect_execute(napi_env env, void *data)
{
	struct collect_work *w = data;

	(void)env;
	w->err = w->scan(&w->c);
}

static napi_value collect_result(napi_env env, napi_status status, struct collect_work *w)
{
	napi_value array, value;

	if (status != napi_ok) {
		napi_throw_error(env, NULL, "the scan was not run");
		return NULL;
	}
	if (w->err)
		return bs_throw_errno(env, -w->err, w->syscall_name, 0);
	if (w->c.nomem) {
		napi_throw_error(env, "ENOMEM", "out of memory");
		return NULL;
	}
	if (napi_create_array_with_length(env, w->c.count, &array) != napi_ok)
		return NULL;
	for (uint32_t i = 0; i < w->c.count; i++) {
		value = w->record(env, w->c.recs + (size_t)i * w->c.rec_size);
		if (!value || napi_set_element(env, array, i, value) != napi_ok)
			return NULL;
	}
	return array;
}

static void collect_complete(napi_env env, napi_status status, void *data)
{
	struct collect_work *w = data;

	settle(env, w->deferred, collect_result(env, status, w));
	napi_delete_async_work(env, w->work);
	free(w->c.recs);
	free(w);
}

napi_value bs_collect_async(napi_env env, const char *name, size_t rec_size, bs_collect_scan scan,
			    bs_collect_record record, const char *syscall_name)
{
	struct collect_work *w = calloc(1, sizeof(*w));
	napi_value promise;

	if (!w) {
		napi_throw_error(env, "ENOMEM", "out of memory");
		return NULL;
	}
	w->scan = scan;
	w->record = record;
	w->syscall_name = syscall_name;
	w->c.rec_size = rec_size;
	promise = queue_promised(env, name, collect_execute, collect_complete, w, &w->work, &w->deferred);
	if (!promise)
		free(w);
	return promise;
}

struct buffer_work {
	napi_async_work work;
	napi_deferred deferred;
	bs_buffer_read read;
	void (*release)(void *args);
	struct bs_buf buf;
	int err;
	const char *syscall_name;
	uint8_t args[];
};

static void buffer_execute(napi_env env, void *data)
{
	struct buffer_work *w = data;

	(void)env;
	w->err = w->read(w->args, &w->buf, &w->syscall_name);
}

static napi_value buffer_result(napi_env env, napi_status status, struct buffer_work *w)
{
	napi_value result;

	if (status != napi_ok) {
		napi_throw_error(env, NULL, "the read was not run");
		return NULL;
	}
	if (w->err)
		return bs_throw_errno(env, -w->err, w->syscall_name, 0);
	if (bs_owned_buffer(env, &w->buf, &result) != napi_ok) {
		napi_throw_error(env, NULL, "cannot create buffer");
		return NULL;
	}
	return result;
}

static void buffer_free(struct buffer_work *w)
{
	if (w->release)
		w->release(w->args);
	bs_buf_free(&w->buf);
	free(w);
}

static void buffer_complete(napi_env env, napi_status status, void *data)
{
	struct buffer_work *w = data;

	settle(env, w->deferred, buffer_result(env, status, w));
	napi_delete_async_work(env, w->work);
	buffer_free(w);
}

napi_value bs_buffer_async(napi_env env, const char *name, bs_buffer_read read, const void *args, size_t args_size,
			   void (*release)(void *args))
{
	struct buffer_work *w = calloc(1, sizeof(*w) + args_size);
	napi_value promise;

	if (!w) {
		if (release)
			release((void *)args);
		napi_throw_error(env, "ENOMEM", "out of memory");
		return NULL;
	}
	w->read = read;
	w->release = release;
	memcpy(w->args, args, args_size);
	promise = queue_promised(env, name, buffer_execute, buffer_complete, w, &w->work, &w->deferred);
	if (!promise)
		buffer_free(w);
	return promise;
}
