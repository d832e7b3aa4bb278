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
	napi_value result = collect_result(env, status, w);
	napi_value error;

	if (result)
		napi_resolve_deferred(env, w->deferred, result);
	else if (napi_get_and_clear_last_exception(env, &error) == napi_ok)
		napi_reject_deferred(env, w->deferred, error);
	napi_delete_async_work(env, w->work);
	free(w->c.recs);
	free(w);
}

napi_value bs_collect_async(napi_env env, const char *name, size_t rec_size, bs_collect_scan scan,
			    bs_collect_record record, const char *syscall_name)
{
	struct collect_work *w = calloc(1, sizeof(*w));
	napi_value resource, promise;

	if (!w) {
		napi_throw_error(env, "ENOMEM", "out of memory");
		return NULL;
	}
	w->scan = scan;
	w->record = record;
	w->syscall_name = syscall_name;
	w->c.rec_size = rec_size;
	if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource) != napi_ok ||
	    napi_create_async_work(env, NULL, resource, collect_execute, collect_complete, w, &w->work) != napi_ok) {
		free(w);
		napi_throw_error(env, NULL, "async scan: napi call failed");
		return NULL;
	}
	if (napi_create_promise(env, &w->deferred, &promise) != napi_ok) {
		napi_delete_async_work(env, w->work);
		free(w);
		napi_throw_error(env, NULL, "async scan: napi call failed");
		return NULL;
	}
	if (napi_queue_async_work(env, w->work) != napi_ok)
		/* complete() never runs for unqueued work: settle the promise here. */
		collect_complete(env, napi_generic_failure, w);
	return promise;
}
