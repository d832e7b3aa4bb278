/* readAhead: a file read piece after piece on a thread of the pool, each piece handed to a
 * JavaScript callback in file order, the next pieces read while JavaScript is busy elsewhere.
 * Reading a piece only when JavaScript had taken the last one left the reading thread idle
 * while a command loaded its code, and /proc/kallsyms (formatted by the kernel as it is read)
 * took three times as long to read as on its own. At most `ahead` pieces wait for JavaScript;
 * the reading stops at the end of the file, at an error, or once the callback returns false. */
#define _GNU_SOURCE
#include "addon_read_ahead.h"
#include "napi_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "kern_read.h"

#define READ_AHEAD_MAX_PIECES 64u

struct read_ahead {
	int fd;
	uint32_t piece_bytes;
	napi_threadsafe_function tsfn;
	napi_async_work work;
	/* Set on the JS thread when the callback declines more; read by the reading thread. */
	int stop;
	/* The work's completion and the threadsafe function's finalizer each release one. */
	int holders;
};

/* What the reading thread hands over: a piece (len 0 at the end of the file) or an errno; none
 * at all (NULL) when it could not allocate one. */
struct piece {
	struct bs_buf buf;
	int err;
};

static void release(napi_env env, struct read_ahead *r)
{
	if (--r->holders > 0)
		return;
	if (r->work)
		napi_delete_async_work(env, r->work);
	close(r->fd);
	free(r);
}

static void finalize_tsfn(napi_env env, void *data, void *hint)
{
	(void)hint;
	release(env, data);
}

/* On the JS thread: callback(error, piece) for one piece; env is NULL while the runtime tears down. */
static void deliver(napi_env env, napi_value callback, void *context, void *data)
{
	struct read_ahead *r = context;
	struct piece *p = data;
	napi_value args[2], undefined, result;
	bool more = false;
	int err = p ? p->err : -ENOMEM;
	void *copy;

	if (env && !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE) && napi_get_undefined(env, &undefined) == napi_ok) {
		args[0] = undefined;
		args[1] = undefined;
		if (err) {
			bs_throw_errno(env, -err, err == -ENOMEM ? "malloc" : "read", 0);
			napi_get_and_clear_last_exception(env, &args[0]);
		} else if (napi_create_buffer_copy(env, p->buf.len, p->buf.data ? (void *)p->buf.data : (void *)"", &copy, &args[1]) != napi_ok) {
			napi_throw_error(env, NULL, "readAhead: cannot create buffer");
			napi_get_and_clear_last_exception(env, &args[0]);
		}
		if (napi_call_function(env, undefined, callback, 2, args, &result) == napi_ok)
			napi_get_value_bool(env, result, &more);
	}
	if (!more)
		__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	if (p) {
		bs_buf_free(&p->buf);
		free(p);
	}
}

/* On the pool: reads and hands over pieces until the end, an error, or a stop. */
static void pump(napi_env env, void *data)
{
	struct read_ahead *r = data;
	int last = 0;

	(void)env;
	while (!last && !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		struct piece *p = calloc(1, sizeof(*p));

		if (p)
			p->err = bs_read_full(r->fd, r->piece_bytes, &p->buf);
		last = !p || p->err != 0 || p->buf.len < r->piece_bytes;
		if (napi_call_threadsafe_function(r->tsfn, p, napi_tsfn_blocking) != napi_ok) {
			if (p) {
				bs_buf_free(&p->buf);
				free(p);
			}
			break;
		}
	}
	napi_release_threadsafe_function(r->tsfn, napi_tsfn_release);
}

static void pump_done(napi_env env, napi_status status, void *data)
{
	(void)status;
	release(env, data);
}

napi_value bs_napi_read_ahead(napi_env env, napi_callback_info cb)
{
	size_t argc = 4;
	napi_value argv[4], resource;
	napi_valuetype callback_type;
	struct read_ahead *r;
	uint32_t ahead;
	int32_t fd;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 4 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
	    napi_typeof(env, argv[3], &callback_type) != napi_ok || callback_type != napi_function || fd < 0) {
		napi_throw_type_error(env, NULL, "readAhead(fd, pieceBytes, ahead, onPiece): bad arguments");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return bs_throw_errno(env, ENOMEM, "malloc", 0);
	if (napi_get_value_uint32(env, argv[1], &r->piece_bytes) != napi_ok || napi_get_value_uint32(env, argv[2], &ahead) != napi_ok ||
	    r->piece_bytes == 0 || r->piece_bytes > BS_READ_FULL_MAX || ahead == 0 || ahead > READ_AHEAD_MAX_PIECES) {
		free(r);
		napi_throw_type_error(env, NULL, "readAhead(fd, pieceBytes, ahead, onPiece): bad arguments");
		return NULL;
	}
	r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (r->fd < 0) {
		int err = errno;

		free(r);
		return bs_throw_errno(env, err, "fcntl", 0);
	}
	r->holders = 1;
	if (napi_create_string_utf8(env, "readAhead", NAPI_AUTO_LENGTH, &resource) != napi_ok ||
	    napi_create_threadsafe_function(env, argv[3], NULL, resource, ahead, 1, r, finalize_tsfn, r, deliver, &r->tsfn) != napi_ok) {
		release(env, r);
		napi_throw_error(env, NULL, "readAhead: napi call failed");
		return NULL;
	}
	/* From here the finalizer releases r too, once the reading thread lets the function go. */
	r->holders = 2;
	if (napi_create_async_work(env, NULL, resource, pump, pump_done, r, &r->work) != napi_ok || napi_queue_async_work(env, r->work) != napi_ok) {
		napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
		release(env, r);
		napi_throw_error(env, NULL, "readAhead: napi call failed");
		return NULL;
	}
	return NULL;
}
