/* N-API binding of the read-only core. TypeScript validates arguments and
 * decodes every byte returned; this file converts and nothing more. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addon_kern.h"
#include "addon_read_ahead.h"
#include "addon_live.h"
#include "addon_watch.h"
#include "async_collect.h"
#include "attach_addon.h"
#include "bpf_read.h"
#include "map_mmap.h"
#include "map_page.h"
#include "napi_util.h"
#include "proc_scan.h"

#define NODE_API_CALL(env, call)                                                   \
	do {                                                                       \
		napi_status status_ = (call);                                      \
		if (status_ != napi_ok) {                                          \
			const napi_extended_error_info *info_ = NULL;              \
			napi_get_last_error_info((env), &info_);                   \
			bool pending_;                                             \
			napi_is_exception_pending((env), &pending_);               \
			if (!pending_)                                             \
				napi_throw_error((env), NULL,                      \
						 info_ && info_->error_message     \
							 ? info_->error_message    \
							 : "napi call failed");    \
			return NULL;                                               \
		}                                                                  \
	} while (0)

static napi_value throw_last(napi_env env, int negerr, uint32_t id)
{
	return bs_throw_errno(env, -negerr, bs_cmd_name(bs_last_cmd()), id);
}

static napi_value null_value(napi_env env)
{
	napi_value v;
	NODE_API_CALL(env, napi_get_null(env, &v));
	return v;
}

static int get_u32_arg(napi_env env, napi_value v, uint32_t *out)
{
	return napi_get_value_uint32(env, v, out) == napi_ok ? 0 : -1;
}

/* Opens an object by id. Returns 0 and the fd, 1 when it vanished, or -1
 * with an exception pending. */
static int open_obj(napi_env env, enum bs_obj_kind kind, uint32_t id, int *fd)
{
	*fd = bs_fd_by_id(kind, id);
	if (*fd == -ENOENT)
		return 1;
	if (*fd < 0) {
		throw_last(env, *fd, id);
		return -1;
	}
	return 0;
}

static napi_value fdinfo_object(napi_env env, int fd, const uint8_t *info, uint32_t info_len)
{
	char fdinfo[2048];
	napi_value obj;

	if (bs_self_fdinfo(fd, fdinfo, sizeof(fdinfo)) != 0)
		fdinfo[0] = '\0';
	NODE_API_CALL(env, napi_create_object(env, &obj));
	if (bs_set_buffer(env, obj, "info", info, info_len) || bs_set_string(env, obj, "fdinfo", fdinfo))
		return NULL;
	return obj;
}

static napi_value next_id(napi_env env, napi_callback_info cb)
{
	size_t argc = 2;
	napi_value argv[2], result;
	uint32_t kind, start, next = 0;
	int err;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc < 2 || get_u32_arg(env, argv[0], &kind) || get_u32_arg(env, argv[1], &start) || kind > BS_BTF) {
		napi_throw_type_error(env, NULL, "nextId(kind, start): bad arguments");
		return NULL;
	}
	err = bs_next_id((enum bs_obj_kind)kind, start, &next);
	if (err == -ENOENT)
		next = 0;
	else if (err)
		return throw_last(env, err, 0);
	NODE_API_CALL(env, napi_create_uint32(env, next, &result));
	return result;
}

static const char *const prog_aux_names[BS_PROG_AUX_COUNT] = {
	[BS_PROG_MAP_IDS] = "mapIds",
	[BS_PROG_XLATED] = "xlated",
	[BS_PROG_JITED] = "jited",
	[BS_PROG_JITED_KSYMS] = "jitedKsyms",
	[BS_PROG_JITED_FUNC_LENS] = "jitedFuncLens",
	[BS_PROG_FUNC_INFO] = "funcInfo",
	[BS_PROG_LINE_INFO] = "lineInfo",
	[BS_PROG_JITED_LINE_INFO] = "jitedLineInfo",
	[BS_PROG_TAGS] = "progTags",
};

static napi_value prog_info(napi_env env, napi_callback_info cb)
{
	size_t argc = 2;
	napi_value argv[2], obj;
	uint32_t id;
	bool detail = false;
	struct bs_prog_detail d;
	int fd, err;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc < 2 || get_u32_arg(env, argv[0], &id) || napi_get_value_bool(env, argv[1], &detail) != napi_ok) {
		napi_throw_type_error(env, NULL, "progInfo(id, detail): bad arguments");
		return NULL;
	}
	err = open_obj(env, BS_PROG, id, &fd);
	if (err)
		return err > 0 ? null_value(env) : NULL;
	err = bs_prog_detail(fd, detail, &d);
	if (err) {
		close(fd);
		return err == -ENOENT ? null_value(env) : throw_last(env, err, id);
	}
	obj = fdinfo_object(env, fd, d.info, d.info_len);
	close(fd);
	/* Empty arrays are left out (JS fills them in): a list of 1,000 programs made
	 * 8,000 empty Buffers, most of its garbage. */
	for (int i = 0; obj && i < BS_PROG_AUX_COUNT; i++)
		if (d.aux[i].len && bs_set_buffer(env, obj, prog_aux_names[i], d.aux[i].data, d.aux[i].len))
			obj = NULL;
	bs_prog_detail_free(&d);
	return obj;
}

/* mapInfo(id, withFdinfo = true): {info, fdinfo}; without fdinfo, {info} and
 * one file read less per map (a listing checks the shape of thousands). */
static napi_value map_info(napi_env env, napi_callback_info cb)
{
	size_t argc = 2;
	napi_value argv[2], obj;
	uint8_t info[BS_INFO_MAX];
	uint32_t id, len = BS_INFO_MAX;
	bool with_fdinfo = true;
	int fd, err;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc < 1 || get_u32_arg(env, argv[0], &id) ||
	    (argc >= 2 && napi_get_value_bool(env, argv[1], &with_fdinfo) != napi_ok)) {
		napi_throw_type_error(env, NULL, "mapInfo(id, withFdinfo): bad arguments");
		return NULL;
	}
	err = open_obj(env, BS_MAP, id, &fd);
	if (err)
		return err > 0 ? null_value(env) : NULL;
	memset(info, 0, sizeof(info));
	err = bs_obj_info(fd, info, &len);
	if (err) {
		close(fd);
		return throw_last(env, err, id);
	}
	if (with_fdinfo) {
		obj = fdinfo_object(env, fd, info, len);
	} else if (napi_create_object(env, &obj) != napi_ok || bs_set_buffer(env, obj, "info", info, len)) {
		obj = NULL;
	}
	close(fd);
	return obj;
}

static const char *const link_aux_names[BS_LINK_AUX_COUNT] = {
	[BS_LINK_NAME] = "name",
	[BS_LINK_ADDRS] = "addrs",
	[BS_LINK_OFFSETS] = "offsets",
	[BS_LINK_REF_CTR_OFFSETS] = "refCtrOffsets",
	[BS_LINK_COOKIES] = "cookies",
};

static napi_value link_info(napi_env env, napi_callback_info cb)
{
	size_t argc = 1;
	napi_value argv[1], obj;
	struct bs_link_detail d;
	uint32_t id;
	int fd, err;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc < 1 || get_u32_arg(env, argv[0], &id)) {
		napi_throw_type_error(env, NULL, "linkInfo(id): bad arguments");
		return NULL;
	}
	err = open_obj(env, BS_LINK, id, &fd);
	if (err)
		return err > 0 ? null_value(env) : NULL;
	err = bs_link_detail(fd, &d);
	if (err) {
		close(fd);
		return throw_last(env, err, id);
	}
	obj = fdinfo_object(env, fd, d.info, d.info_len);
	close(fd);
	for (int i = 0; obj && i < BS_LINK_AUX_COUNT; i++)
		if (bs_set_buffer(env, obj, link_aux_names[i], d.aux[i].data, d.aux[i].len))
			obj = NULL;
	bs_link_detail_free(&d);
	return obj;
}

static napi_value btf_info(napi_env env, napi_callback_info cb)
{
	size_t argc = 1;
	napi_value argv[1], obj;
	struct bs_btf_detail d;
	uint32_t id;
	int fd, err;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc < 1 || get_u32_arg(env, argv[0], &id)) {
		napi_throw_type_error(env, NULL, "btfInfo(id): bad arguments");
		return NULL;
	}
	err = open_obj(env, BS_BTF, id, &fd);
	if (err)
		return err > 0 ? null_value(env) : NULL;
	err = bs_btf_detail(fd, &d);
	if (err) {
		close(fd);
		return throw_last(env, err, id);
	}
	obj = fdinfo_object(env, fd, d.info, d.info_len);
	close(fd);
	/* vmlinux's BTF is MBs: handed over, not copied again, with its zero tail. */
	if (obj && (bs_set_owned_view(env, obj, "data", &d.data, BS_BTF_ZERO_TAIL) ||
		    bs_set_u32(env, obj, "zeroTail", BS_BTF_ZERO_TAIL) ||
		    bs_set_buffer(env, obj, "name", d.name.data, d.name.len)))
		obj = NULL;
	bs_btf_detail_free(&d);
	return obj;
}

/* owners(): a promise of every bpf fd in every process, the /proc walk (a
 * readlink per open fd on the machine) run on the thread pool. */
static int collect_owner(const struct bs_owner_fd *rec, void *c)
{
	return bs_collect_push(c, rec);
}

static int scan_owners(struct bs_collect *c)
{
	return bs_scan_owners(collect_owner, c);
}

static napi_value owner_object(napi_env env, const void *data)
{
	const struct bs_owner_fd *rec = data;
	napi_value obj;

	NODE_API_CALL(env, napi_create_object(env, &obj));
	if (bs_set_u32(env, obj, "pid", (uint32_t)rec->pid) || bs_set_u32(env, obj, "fd", (uint32_t)rec->fd) ||
	    bs_set_string(env, obj, "comm", rec->comm) || bs_set_string(env, obj, "target", rec->target) ||
	    bs_set_string(env, obj, "fdinfo", rec->fdinfo))
		return NULL;
	return obj;
}

static napi_value owners(napi_env env, napi_callback_info cb)
{
	(void)cb;
	return bs_collect_async(env, "owners", sizeof(struct bs_owner_fd), scan_owners, owner_object, "opendir /proc");
}

static napi_value read_file(napi_env env, napi_callback_info cb)
{
	size_t argc = 2, len;
	napi_value argv[2], result;
	char path[512];
	uint32_t limit;
	struct bs_buf buf;
	void *copy;
	int err;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc < 2 || napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &len) != napi_ok ||
	    len >= sizeof(path) - 1 || get_u32_arg(env, argv[1], &limit)) {
		napi_throw_type_error(env, NULL, "readFile(path, limit): bad arguments");
		return NULL;
	}
	err = bs_read_file(path, limit, &buf);
	if (err)
		return bs_throw_errno(env, -err, "read", 0);
	napi_status st = napi_create_buffer_copy(env, buf.len, buf.data ? (void *)buf.data : (void *)"", &copy, &result);
	bs_buf_free(&buf);
	NODE_API_CALL(env, st);
	return result;
}

static napi_value map_open(napi_env env, napi_callback_info cb)
{
	size_t argc = 1;
	napi_value argv[1];
	uint32_t id;
	int fd, err;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc < 1 || get_u32_arg(env, argv[0], &id)) {
		napi_throw_type_error(env, NULL, "mapOpen(id): bad arguments");
		return NULL;
	}
	err = open_obj(env, BS_MAP, id, &fd);
	if (err)
		return err > 0 ? null_value(env) : NULL;
	return bs_wrap_fd(env, fd, id);
}

static napi_value handle_close(napi_env env, napi_callback_info cb)
{
	size_t argc = 1;
	napi_value argv[1];
	struct fd_handle *h = NULL;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc >= 1 && napi_unwrap(env, argv[0], (void **)&h) == napi_ok && h && h->fd >= 0) {
		close(h->fd);
		h->fd = -1;
	}
	return NULL;
}

struct page_args {
	struct fd_handle *h;
	uint8_t *cursor;
	size_t cursor_len;
	uint32_t key_size, value_stride, max_count;
};

static int get_page_args(napi_env env, napi_callback_info cb, struct page_args *a)
{
	size_t argc = 5;
	napi_value argv[5];
	napi_valuetype t;
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 5)
		goto bad;
	a->h = bs_unwrap_fd(env, argv[0]);
	if (!a->h)
		return -1;
	a->cursor = NULL;
	a->cursor_len = 0;
	if (napi_typeof(env, argv[1], &t) != napi_ok)
		goto bad;
	if (t != napi_null && t != napi_undefined &&
	    napi_get_buffer_info(env, argv[1], (void **)&a->cursor, &a->cursor_len) != napi_ok)
		goto bad;
	if (get_u32_arg(env, argv[2], &a->key_size) || get_u32_arg(env, argv[3], &a->value_stride) ||
	    get_u32_arg(env, argv[4], &a->max_count) || bs_map_page_args(a->key_size, a->value_stride, a->max_count))
		goto bad;
	err = bs_map_page_fits(a->h->fd, a->key_size, a->value_stride);
	if (err == -EINVAL) {
		napi_throw_type_error(env, NULL, "map page: keySize or valueStride does not fit the map's entries");
		return -1;
	}
	if (err) {
		throw_last(env, err, a->h->id);
		return -1;
	}
	return 0;
bad:
	napi_throw_type_error(env, NULL, "map page: bad arguments");
	return -1;
}

/* Fresh key and value buffers for a page of at most max_count entries. */
static napi_status page_buffers(napi_env env, const struct page_args *a, napi_value *keys, napi_value *values,
				struct bs_map_page *p)
{
	napi_status status;

	status = napi_create_buffer(env, (size_t)a->max_count * a->key_size, (void **)&p->keys, keys);
	if (status != napi_ok)
		return status;
	return napi_create_buffer(env, (size_t)a->max_count * a->value_stride, (void **)&p->values, values);
}

/* {keys, values, count, cursor, done[, errors]}: errors, an int32 errno per entry, only when a lookup failed. */
static napi_value page_result(napi_env env, napi_value keys, napi_value values, napi_value cursor,
			      const struct bs_map_page *p)
{
	napi_value obj, v;

	NODE_API_CALL(env, napi_create_object(env, &obj));
	NODE_API_CALL(env, napi_set_named_property(env, obj, "keys", keys));
	NODE_API_CALL(env, napi_set_named_property(env, obj, "values", values));
	NODE_API_CALL(env, napi_create_uint32(env, p->count, &v));
	NODE_API_CALL(env, napi_set_named_property(env, obj, "count", v));
	NODE_API_CALL(env, napi_set_named_property(env, obj, "cursor", cursor));
	NODE_API_CALL(env, napi_get_boolean(env, p->done, &v));
	NODE_API_CALL(env, napi_set_named_property(env, obj, "done", v));
	if (p->failed && bs_set_buffer(env, obj, "errors", p->errs, (size_t)p->count * sizeof(int32_t)))
		return NULL;
	return obj;
}

/* mapLookupBatch(handle, cursor|null, keySize, valueStride, maxCount) */
static napi_value map_lookup_batch(napi_env env, napi_callback_info cb)
{
	struct page_args a;
	struct bs_map_page p = { 0 };
	napi_value keys, values, cursor;
	size_t token;
	int err;

	if (get_page_args(env, cb, &a))
		return NULL;
	token = bs_map_batch_token(a.key_size);
	NODE_API_CALL(env, page_buffers(env, &a, &keys, &values, &p));
	NODE_API_CALL(env, napi_create_buffer(env, token, (void **)&p.cursor, &cursor));
	memset(p.cursor, 0, token);
	err = bs_map_page_batch(a.h->fd, a.cursor, a.max_count, &p);
	if (err)
		return throw_last(env, err, a.h->id);
	return page_result(env, keys, values, cursor, &p);
}

/* mapLookupBatchAsync(handle, cursor|null, keySize, valueStride, maxCount[, keys, values]):
 * mapLookupBatch on the libuv thread pool, resolving to the same page, so the
 * caller formats one page while the kernel copies the next. The read uses a
 * dup of the handle's fd: closing the handle meanwhile cannot hand the read an
 * fd that has been reused for something else. Given keys and values (Buffers
 * of an earlier page the caller is done with), the page is read into them:
 * fresh memory costs a page fault per 4 KiB on the kernel's first write to it,
 * 10 us each on a paravirtualized VM, 120 ms for a dump of 44 MB of values. */
struct batch_work {
	napi_async_work work;
	napi_deferred deferred;
	napi_ref keys, values, cursor;
	struct bs_map_page page;
	const uint8_t *in_batch;
	int fd;
	uint32_t id, max;
	int err;
	const char *syscall_name;
	uint8_t in_copy[];
};

static void batch_work_free(napi_env env, struct batch_work *w)
{
	if (w->keys)
		napi_delete_reference(env, w->keys);
	if (w->values)
		napi_delete_reference(env, w->values);
	if (w->cursor)
		napi_delete_reference(env, w->cursor);
	if (w->work)
		napi_delete_async_work(env, w->work);
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

static void batch_work_execute(napi_env env, void *data)
{
	struct batch_work *w = data;

	(void)env;
	w->err = bs_map_page_batch(w->fd, w->in_batch, w->max, &w->page);
	if (w->err)
		w->syscall_name = bs_cmd_name(bs_last_cmd());
}

static napi_value batch_work_result(napi_env env, napi_status status, struct batch_work *w)
{
	napi_value keys, values, cursor;

	if (status != napi_ok) {
		napi_throw_error(env, NULL, "map page: the read was not run");
		return NULL;
	}
	if (w->err)
		return bs_throw_errno(env, -w->err, w->syscall_name, w->id);
	NODE_API_CALL(env, napi_get_reference_value(env, w->keys, &keys));
	NODE_API_CALL(env, napi_get_reference_value(env, w->values, &values));
	NODE_API_CALL(env, napi_get_reference_value(env, w->cursor, &cursor));
	return page_result(env, keys, values, cursor, &w->page);
}

static void batch_work_complete(napi_env env, napi_status status, void *data)
{
	struct batch_work *w = data;
	napi_value result = batch_work_result(env, status, w);
	napi_value error;

	if (result)
		napi_resolve_deferred(env, w->deferred, result);
	else if (napi_get_and_clear_last_exception(env, &error) == napi_ok)
		napi_reject_deferred(env, w->deferred, error);
	batch_work_free(env, w);
}

/* The caller's keys and values buffers (arguments 6 and 7) for a page of a's entries:
 * 1 with both taken, 0 when not given, -1 with an exception pending when unusable. */
static int page_buffers_given(napi_env env, napi_callback_info cb, const struct page_args *a, napi_value *keys,
			      napi_value *values, struct bs_map_page *p)
{
	size_t argc = 7, keys_len, values_len;
	napi_value argv[7];
	napi_valuetype t;
	bool is_keys, is_values;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok)
		goto bad;
	if (argc < 6 || (napi_typeof(env, argv[5], &t) == napi_ok && (t == napi_undefined || t == napi_null)))
		return 0;
	if (argc < 7 || napi_is_buffer(env, argv[5], &is_keys) != napi_ok || napi_is_buffer(env, argv[6], &is_values) != napi_ok ||
	    !is_keys || !is_values)
		goto bad;
	if (napi_get_buffer_info(env, argv[5], (void **)&p->keys, &keys_len) != napi_ok ||
	    napi_get_buffer_info(env, argv[6], (void **)&p->values, &values_len) != napi_ok)
		goto bad;
	if (keys_len < (size_t)a->max_count * a->key_size || values_len < (size_t)a->max_count * a->value_stride) {
		napi_throw_range_error(env, NULL, "map page: keys or values buffer smaller than maxCount entries");
		return -1;
	}
	*keys = argv[5];
	*values = argv[6];
	return 1;
bad:
	napi_throw_type_error(env, NULL, "map page: keys and values must both be Buffers");
	return -1;
}

static napi_value map_lookup_batch_async(napi_env env, napi_callback_info cb)
{
	struct page_args a;
	struct batch_work *w;
	napi_value keys, values, cursor, name, promise;
	size_t token;
	int given;

	if (get_page_args(env, cb, &a))
		return NULL;
	token = bs_map_batch_token(a.key_size);
	if (a.cursor && a.cursor_len != token) {
		napi_throw_type_error(env, NULL, "map page: cursor is not a batch token");
		return NULL;
	}
	w = calloc(1, sizeof(*w) + token);
	if (!w) {
		napi_throw_error(env, "ENOMEM", "out of memory");
		return NULL;
	}
	given = page_buffers_given(env, cb, &a, &keys, &values, &w->page);
	if (given < 0) {
		free(w);
		return NULL;
	}
	w->fd = fcntl(a.h->fd, F_DUPFD_CLOEXEC, 0);
	if (w->fd < 0) {
		free(w);
		return bs_throw_errno(env, errno, "fcntl", a.h->id);
	}
	w->id = a.h->id;
	w->max = a.max_count;
	if (a.cursor) {
		memcpy(w->in_copy, a.cursor, token);
		w->in_batch = w->in_copy;
	}
	if ((!given && page_buffers(env, &a, &keys, &values, &w->page) != napi_ok) ||
	    napi_create_buffer(env, token, (void **)&w->page.cursor, &cursor) != napi_ok ||
	    napi_create_reference(env, keys, 1, &w->keys) != napi_ok ||
	    napi_create_reference(env, values, 1, &w->values) != napi_ok ||
	    napi_create_reference(env, cursor, 1, &w->cursor) != napi_ok ||
	    napi_create_string_utf8(env, "mapLookupBatchAsync", NAPI_AUTO_LENGTH, &name) != napi_ok ||
	    napi_create_async_work(env, NULL, name, batch_work_execute, batch_work_complete, w, &w->work) != napi_ok ||
	    napi_create_promise(env, &w->deferred, &promise) != napi_ok)
		goto fail;
	memset(w->page.cursor, 0, token);
	if (napi_queue_async_work(env, w->work) == napi_ok)
		return promise;
	/* complete() never runs for unqueued work: settle the promise here. */
	batch_work_complete(env, napi_generic_failure, w);
	return promise;
fail:
	batch_work_free(env, w);
	bool pending = false;
	napi_is_exception_pending(env, &pending);
	if (!pending)
		napi_throw_error(env, NULL, "map page: napi call failed");
	return NULL;
}

/* mapNextPage(handle, lastKey|null, keySize, valueStride, maxCount): the
 * fallback for maps without batch support; each key's lookup error, if any, is
 * in the page's errors. */
static napi_value map_next_page(napi_env env, napi_callback_info cb)
{
	struct page_args a;
	struct bs_map_page p = { 0 };
	napi_value keys, values, cursor, result;
	int err;

	if (get_page_args(env, cb, &a))
		return NULL;
	if (a.cursor && a.cursor_len != a.key_size) {
		napi_throw_type_error(env, NULL, "map page: cursor is not a key");
		return NULL;
	}
	NODE_API_CALL(env, page_buffers(env, &a, &keys, &values, &p));
	NODE_API_CALL(env, napi_create_buffer(env, a.key_size, (void **)&p.cursor, &cursor));
	p.errs = malloc((size_t)a.max_count * sizeof(int32_t));
	if (!p.errs) {
		napi_throw_error(env, "ENOMEM", "out of memory");
		return NULL;
	}
	err = bs_map_page_next(a.h->fd, a.cursor, a.key_size, a.value_stride, a.max_count, &p);
	result = err ? throw_last(env, err, a.h->id) : page_result(env, keys, values, cursor, &p);
	free(p.errs);
	return result;
}

/* mapMmap(handle, pageIndex, length): a copy of mmapable map memory. */
static napi_value map_mmap(napi_env env, napi_callback_info cb)
{
	size_t argc = 3;
	napi_value argv[3], result;
	struct fd_handle *h;
	uint32_t page_index, len;
	uint8_t *data;
	int err;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc < 3)
		goto bad;
	h = bs_unwrap_fd(env, argv[0]);
	if (!h)
		return NULL;
	if (get_u32_arg(env, argv[1], &page_index) || get_u32_arg(env, argv[2], &len) || !len || len > BS_MMAP_MAX)
		goto bad;
	NODE_API_CALL(env, napi_create_buffer(env, len, (void **)&data, &result));
	err = bs_map_mmap_copy(h->fd, page_index, len, data);
	if (err)
		return bs_throw_errno(env, -err, "mmap", h->id);
	return result;
bad:
	napi_throw_type_error(env, NULL, "mapMmap(handle, pageIndex, length): bad arguments");
	return NULL;
}

static napi_value enable_stats(napi_env env, napi_callback_info cb)
{
	int fd;

	(void)cb;
	fd = bs_enable_stats();
	if (fd < 0)
		return throw_last(env, fd, 0);
	return bs_wrap_fd(env, fd, 0);
}

/* pinnedObject(path): { kind: 'prog' | 'map' | 'link', id } of the object pinned at path. */
static napi_value pinned_object(napi_env env, napi_callback_info cb)
{
	size_t argc = 1, len;
	napi_value argv[1], obj, v;
	char path[4096];
	enum bs_obj_kind kind;
	uint32_t id;
	int err;

	NODE_API_CALL(env, napi_get_cb_info(env, cb, &argc, argv, NULL, NULL));
	if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &len) != napi_ok || len >= sizeof(path) - 1) {
		napi_throw_type_error(env, NULL, "pinnedObject(path): bad arguments");
		return NULL;
	}
	err = bs_pinned_object(path, &kind, &id);
	if (err)
		return bs_throw_errno(env, -err, bs_cmd_name(bs_last_cmd()), 0);
	NODE_API_CALL(env, napi_create_object(env, &obj));
	NODE_API_CALL(env, napi_create_string_utf8(env, bs_obj_kind_name(kind), NAPI_AUTO_LENGTH, &v));
	NODE_API_CALL(env, napi_set_named_property(env, obj, "kind", v));
	NODE_API_CALL(env, napi_create_uint32(env, id, &v));
	NODE_API_CALL(env, napi_set_named_property(env, obj, "id", v));
	return obj;
}

/* Wall-clock and boot-clock nanoseconds read back to back: load times are boot
 * clock, and converting them the way bpftool does needs both. */
static napi_value clocks(napi_env env, napi_callback_info cb)
{
	struct timespec real, boot;
	napi_value obj, v;

	(void)cb;
	if (clock_gettime(CLOCK_REALTIME, &real) || clock_gettime(CLOCK_BOOTTIME, &boot))
		return bs_throw_errno(env, errno, "clock_gettime", 0);
	NODE_API_CALL(env, napi_create_object(env, &obj));
	NODE_API_CALL(env, napi_create_bigint_int64(env, (int64_t)real.tv_sec * 1000000000 + real.tv_nsec, &v));
	NODE_API_CALL(env, napi_set_named_property(env, obj, "realtimeNs", v));
	NODE_API_CALL(env, napi_create_bigint_int64(env, (int64_t)boot.tv_sec * 1000000000 + boot.tv_nsec, &v));
	NODE_API_CALL(env, napi_set_named_property(env, obj, "boottimeNs", v));
	return obj;
}

static napi_value init(napi_env env, napi_value exports)
{
	static const struct {
		const char *name;
		napi_callback fn;
	} fns[] = {
		{ "nextId", next_id },	       { "progInfo", prog_info },     { "mapInfo", map_info },
		{ "linkInfo", link_info },     { "btfInfo", btf_info },	      { "owners", owners },
		{ "readFile", read_file },     { "mapOpen", map_open },	      { "close", handle_close },
		{ "mapLookupBatch", map_lookup_batch }, { "mapNextPage", map_next_page },
		{ "mapLookupBatchAsync", map_lookup_batch_async },
		{ "mapMmap", map_mmap },
		{ "enableStats", enable_stats }, { "clocks", clocks }, { "pinnedObject", pinned_object },
		{ "progInfoAll", bs_napi_prog_info_all }, { "progInfoBatch", bs_napi_prog_info_batch }, { "mapInfoBatch", bs_napi_map_info_batch }, { "ringbufPositions", bs_napi_ringbuf_positions },
		{ "progArrayBatch", bs_napi_prog_array_batch },
		{ "mapWatchOpen", bs_napi_map_watch_open }, { "mapWatchDiff", bs_napi_map_watch_diff },
		{ "mapWatchClose", bs_napi_map_watch_close },
		{ "progStreamRead", bs_napi_prog_stream_read }, { "tracefsReadTail", bs_napi_tracefs_read_tail },
		{ "readAhead", bs_napi_read_ahead }, { "tracePipeOpen", bs_napi_trace_pipe_open }, { "tracePipeRead", bs_napi_trace_pipe_read },
		{ "procMapPages", bs_napi_proc_map_pages }, { "mapHash", bs_napi_map_hash },
		{ "mapPeek", bs_napi_map_peek },
	};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		napi_value fn;
		NODE_API_CALL(env, napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn));
		NODE_API_CALL(env, napi_set_named_property(env, exports, fns[i].name, fn));
	}
	NODE_API_CALL(env, bs_attach_register(env, exports));
	return exports;
}

NAPI_MODULE_INIT()
{
	return init(env, exports);
}
