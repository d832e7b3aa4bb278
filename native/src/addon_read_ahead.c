/* readAhead: a file read piece after piece on a thread of the pool, each piece handed to a
 * JavaScript callback in file order, the next pieces read while JavaScript is busy elsewhere.
 * Reading a piece only when JavaScript had taken the last one left the reading thread idle
 * while a command loaded its code, and /proc/kallsyms (formatted by the kernel as it is read)
 * took three times as long to read as on its own. At most `ahead` pieces wait for JavaScript;
 * the reading stops at the end of the file, at an error, once the callback returns false, or
 * when the stop function readAhead returns is called: at once, even where the reading thread
 * waits for room (an exit joins the thread pool, and waited forever on a reading nobody took).
 * The reading thread waits for room on a condition of its own, which stop() signals: N-API's
 * blocking call has no way to be woken but an abort, after which the function may be freed
 * under a thread still calling it. */
#define _GNU_SOURCE
#include "addon_read_ahead.h"
#include "napi_util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
	/* Set on the JS thread when the callback declines more or stop() is called; read by the reading thread. */
	int stop;
	/* Pieces JavaScript has taken, counted under lock; room signalled with each, and on stop(). */
	pthread_mutex_t lock;
	pthread_cond_t room;
	uint64_t taken;
	/* The work's completion, the threadsafe function's finalizer and the stop function's
	 * finalizer each release one. */
	int holders;
};

/* On the JS thread: wakes the reading thread, waiting for room or about to. */
static void signal_room(struct read_ahead *r, bool piece_taken)
{
	pthread_mutex_lock(&r->lock);
	if (piece_taken)
		r->taken++;
	pthread_cond_signal(&r->room);
	pthread_mutex_unlock(&r->lock);
}

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
	if (r->fd >= 0)
		close(r->fd);
	pthread_cond_destroy(&r->room);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* The finalizer of the threadsafe function and of the stop function: each lets go of its hold. */
static void finalize_hold(napi_env env, void *data, void *hint)
{
	(void)hint;
	release(env, data);
}

/* stop(): on the JS thread, ends the reading now; pieces not yet delivered are freed. */
static napi_value stop_reading(napi_env env, napi_callback_info cb)
{
	struct read_ahead *r;

	if (napi_get_cb_info(env, cb, NULL, NULL, NULL, (void **)&r) != napi_ok)
		return NULL;
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	signal_room(r, false);
	return NULL;
}

/* On the JS thread: callback(error, piece) for one piece; env is NULL while the runtime tears down. */
static void deliver(napi_env env, napi_value callback, void *context, void *data)
{
	struct read_ahead *r = context;
	struct piece *p = data;
	napi_value args[2], undefined, result;
	bool more = false;
	int err = p ? p->err : -ENOMEM;

	if (env && !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE) && napi_get_undefined(env, &undefined) == napi_ok) {
		args[0] = undefined;
		args[1] = undefined;
		if (err) {
			bs_throw_errno(env, -err, err == -ENOMEM ? "malloc" : "read", 0);
			napi_get_and_clear_last_exception(env, &args[0]);
		} else if (bs_owned_buffer(env, &p->buf, &args[1]) != napi_ok) {
			napi_throw_error(env, NULL, "readAhead: cannot create buffer");
			napi_get_and_clear_last_exception(env, &args[0]);
		}
		if (napi_call_function(env, undefined, callback, 2, args, &result) == napi_ok)
			napi_get_value_bool(env, result, &more);
	}
	if (!more)
		__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	signal_room(r, true);
	if (p) {
		bs_buf_free(&p->buf);
		free(p);
	}
}

static bool stopped(struct read_ahead *r)
{
	return __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE);
}

/* On the pool: hands p over once JavaScript has room for it; false when stopped first or the
 * function refuses it (p is then the caller's). */
static bool hand_over(struct read_ahead *r, struct piece *p)
{
	napi_status status;
	uint64_t seen;

	pthread_mutex_lock(&r->lock);
	seen = r->taken;
	pthread_mutex_unlock(&r->lock);
	while ((status = napi_call_threadsafe_function(r->tsfn, p, napi_tsfn_nonblocking)) == napi_queue_full) {
		pthread_mutex_lock(&r->lock);
		while (r->taken == seen && !stopped(r))
			pthread_cond_wait(&r->room, &r->lock);
		seen = r->taken;
		pthread_mutex_unlock(&r->lock);
		if (stopped(r))
			return false;
	}
	return status == napi_ok;
}

/* On the pool: reads and hands over pieces until the end, an error, or a stop. */
static void pump(napi_env env, void *data)
{
	struct read_ahead *r = data;
	int last = 0;

	(void)env;
	while (!last && !stopped(r)) {
		struct piece *p = calloc(1, sizeof(*p));

		if (p)
			p->err = bs_read_full(r->fd, r->piece_bytes, &p->buf);
		last = !p || p->err != 0 || p->buf.len < r->piece_bytes;
		if (!hand_over(r, p)) {
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
	struct read_ahead *r = data;

	(void)status;
	/* The file goes as soon as the reading ends: r itself may live on with the stop function. */
	close(r->fd);
	r->fd = -1;
	release(env, r);
}

napi_value bs_napi_read_ahead(napi_env env, napi_callback_info cb)
{
	size_t argc = 4;
	napi_value argv[4], resource, stop;
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
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		close(r->fd);
		free(r);
		napi_throw_error(env, NULL, "readAhead: pthread_mutex_init failed");
		return NULL;
	}
	if (pthread_cond_init(&r->room, NULL) != 0) {
		pthread_mutex_destroy(&r->lock);
		close(r->fd);
		free(r);
		napi_throw_error(env, NULL, "readAhead: pthread_cond_init failed");
		return NULL;
	}
	r->holders = 1;
	if (napi_create_string_utf8(env, "readAhead", NAPI_AUTO_LENGTH, &resource) != napi_ok ||
	    napi_create_threadsafe_function(env, argv[3], NULL, resource, ahead, 1, r, finalize_hold, r, deliver, &r->tsfn) != napi_ok) {
		release(env, r);
		napi_throw_error(env, NULL, "readAhead: napi call failed");
		return NULL;
	}
	/* From here the finalizer releases r too, once the reading thread lets the function go. */
	r->holders = 2;
	if (napi_create_async_work(env, NULL, resource, pump, pump_done, r, &r->work) != napi_ok) {
		napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
		release(env, r);
		napi_throw_error(env, NULL, "readAhead: napi call failed");
		return NULL;
	}
	/* The stop function holds r while it lives: it may be called after the reading has ended. */
	if (napi_create_function(env, "stop", NAPI_AUTO_LENGTH, stop_reading, r, &stop) != napi_ok ||
	    napi_add_finalizer(env, stop, r, finalize_hold, NULL, NULL) != napi_ok) {
		napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
		release(env, r);
		napi_throw_error(env, NULL, "readAhead: napi call failed");
		return NULL;
	}
	r->holders = 3;
	if (napi_queue_async_work(env, r->work) != napi_ok) {
		/* No reading to complete: its hold goes now, the stop function's with it. */
		r->holders = 2;
		napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
		napi_throw_error(env, NULL, "readAhead: napi call failed");
		return NULL;
	}
	return stop;
}
