/* N-API binding of the attachment mechanism: converts arguments and results,
 * nothing more. TypeScript validates arguments and decodes every byte. */
#define _GNU_SOURCE
#include "attach_addon.h"
#include "async_collect.h"
#include "napi_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach_netlink.h"
#include "attach_query.h"

#define MAX_TYPES 128

static napi_value bad_args(napi_env env, const char *usage)
{
	napi_throw_type_error(env, NULL, usage);
	return NULL;
}

static napi_value take_buffer(napi_env env, struct bs_buf *buf)
{
	napi_value v;
	void *copy;
	napi_status st = napi_create_buffer_copy(env, buf->len, buf->data ? (void *)buf->data : (void *)"", &copy, &v);
	bs_buf_free(buf);
	return st == napi_ok ? v : NULL;
}

/* A string argument, or NULL for null/undefined. Returns -1 when bad. */
static int get_path(napi_env env, napi_value v, char *out, size_t size, const char **path)
{
	napi_valuetype t;
	size_t len;

	*path = NULL;
	if (napi_typeof(env, v, &t) != napi_ok)
		return -1;
	if (t == napi_null || t == napi_undefined)
		return 0;
	if (napi_get_value_string_utf8(env, v, out, size, &len) != napi_ok || len >= size - 1)
		return -1;
	*path = out;
	return 0;
}

static int get_types(napi_env env, napi_value v, uint32_t *types, uint32_t *n)
{
	bool is_array;
	uint32_t len;

	if (napi_is_array(env, v, &is_array) != napi_ok || !is_array || napi_get_array_length(env, v, &len) != napi_ok ||
	    len > MAX_TYPES)
		return -1;
	for (uint32_t i = 0; i < len; i++) {
		napi_value e;
		if (napi_get_element(env, v, i, &e) != napi_ok || napi_get_value_uint32(env, e, &types[i]) != napi_ok)
			return -1;
	}
	*n = len;
	return 0;
}

struct netns_list {
	napi_env env;
	napi_value array;
	uint32_t count;
	int failed;
};

static int visit_netns(const struct bs_netns *ns, void *opaque)
{
	struct netns_list *l = opaque;
	napi_value obj;

	if (napi_create_object(l->env, &obj) != napi_ok || bs_set_string(l->env, obj, "path", ns->path) ||
	    bs_set_double(l->env, obj, "inode", (double)ns->inode) || bs_set_double(l->env, obj, "pid", ns->pid) ||
	    napi_set_element(l->env, l->array, l->count++, obj) != napi_ok)
		l->failed = 1;
	return l->failed;
}

/* netnsList(): [{path, inode, pid}], this process's namespace first. */
static napi_value netns_list(napi_env env, napi_callback_info cb)
{
	struct netns_list l = { env, NULL, 0, 0 };
	int err;

	(void)cb;
	if (napi_create_array(env, &l.array) != napi_ok)
		return NULL;
	err = bs_scan_netns(visit_netns, &l);
	if (err)
		return bs_throw_errno(env, -err, "scan netns", 0);
	return l.failed ? NULL : l.array;
}

struct dump_job {
	enum bs_rtnl_dump what;
	int32_t ifindex;
	uint32_t parent;
	struct bs_buf out;
};

static int run_dump(void *opaque)
{
	struct dump_job *job = opaque;
	return bs_rtnl_dump(job->what, job->ifindex, job->parent, &job->out);
}

/* rtnlDump(nsPath|null, what, ifindex, parent): the dump's netlink messages. */
static napi_value rtnl_dump(napi_env env, napi_callback_info cb)
{
	size_t argc = 4;
	napi_value argv[4];
	char buf[BS_NETNS_PATH_MAX];
	const char *ns;
	uint32_t what, ifindex;
	struct dump_job job = { 0 };
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
	    get_path(env, argv[0], buf, sizeof(buf), &ns) || napi_get_value_uint32(env, argv[1], &what) != napi_ok ||
	    what > BS_RTNL_LAST || napi_get_value_uint32(env, argv[2], &ifindex) != napi_ok ||
	    napi_get_value_uint32(env, argv[3], &job.parent) != napi_ok || ifindex > INT32_MAX)
		return bad_args(env, "rtnlDump(nsPath, what, ifindex, parent): bad arguments");
	job.what = (enum bs_rtnl_dump)what;
	job.ifindex = (int32_t)ifindex;
	err = bs_in_netns(ns, run_dump, &job);
	if (err) {
		bs_buf_free(&job.out);
		return bs_throw_errno(env, -err, bs_rtnl_dump_name(job.what), 0);
	}
	return take_buffer(env, &job.out);
}

struct query_job {
	const char *ns;
	uint32_t ifindex;
	const uint32_t *types;
	uint32_t ntypes, flags;
	struct bs_buf out;
};

static int run_query(void *opaque)
{
	struct query_job *job = opaque;
	int fd, err;

	if (job->ifindex)
		return bs_prog_query(job->ifindex, job->types, job->ntypes, job->flags, &job->out);
	/* The thread is in the namespace already: its own ns file is the target. */
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = bs_prog_query((uint32_t)fd, job->types, job->ntypes, job->flags, &job->out);
	close(fd);
	return err;
}

/* netProgQuery(nsPath|null, ifindex, types, queryFlags): query records for
 * the namespace itself (ifindex 0: flow_dissector, sk_lookup, netfilter…)
 * or one of its interfaces (tcx, netkit). */
static napi_value net_prog_query(napi_env env, napi_callback_info cb)
{
	size_t argc = 4;
	napi_value argv[4];
	char buf[BS_NETNS_PATH_MAX];
	uint32_t types[MAX_TYPES];
	struct query_job job = { 0 };
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
	    get_path(env, argv[0], buf, sizeof(buf), &job.ns) ||
	    napi_get_value_uint32(env, argv[1], &job.ifindex) != napi_ok || get_types(env, argv[2], types, &job.ntypes) ||
	    napi_get_value_uint32(env, argv[3], &job.flags) != napi_ok)
		return bad_args(env, "netProgQuery(nsPath, ifindex, types, queryFlags): bad arguments");
	job.types = types;
	err = bs_in_netns(job.ns, run_query, &job);
	if (err) {
		bs_buf_free(&job.out);
		return bs_throw_errno(env, -err, "BPF_PROG_QUERY", 0);
	}
	return take_buffer(env, &job.out);
}

struct cgroup_walk {
	napi_env env;
	napi_value array;
	const uint32_t *types;
	uint32_t ntypes, count;
	int err;
};

static int visit_cgroup(const char *path, uint64_t id, int fd, void *opaque)
{
	struct cgroup_walk *w = opaque;
	struct bs_buf attached = { 0 }, effective = { 0 };
	napi_value obj;

	w->err = bs_prog_query((uint32_t)fd, w->types, w->ntypes, 0, &attached);
	if (!w->err)
		w->err = bs_prog_query((uint32_t)fd, w->types, w->ntypes, 1 /* BPF_F_QUERY_EFFECTIVE */, &effective);
	if (!w->err && (napi_create_object(w->env, &obj) != napi_ok || bs_set_string(w->env, obj, "path", path) ||
			bs_set_double(w->env, obj, "id", (double)id) ||
			bs_set_buffer(w->env, obj, "attached", attached.data, attached.len) ||
			bs_set_buffer(w->env, obj, "effective", effective.data, effective.len) ||
			napi_set_element(w->env, w->array, w->count++, obj) != napi_ok))
		w->err = -ENOMEM;
	bs_buf_free(&attached);
	bs_buf_free(&effective);
	return w->err != 0;
}

/* cgroupQuery(root, types): [{path, id, attached, effective}] for every
 * cgroup under root, each with query records for every type. */
static napi_value cgroup_query(napi_env env, napi_callback_info cb)
{
	size_t argc = 2, len;
	napi_value argv[2];
	char root[4096];
	uint32_t types[MAX_TYPES];
	struct cgroup_walk w = { env, NULL, types, 0, 0, 0 };
	int err;

	if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
	    napi_get_value_string_utf8(env, argv[0], root, sizeof(root), &len) != napi_ok || len >= sizeof(root) - 1 ||
	    get_types(env, argv[1], types, &w.ntypes))
		return bad_args(env, "cgroupQuery(root, types): bad arguments");
	if (napi_create_array(env, &w.array) != napi_ok)
		return NULL;
	err = bs_walk_cgroups(root, visit_cgroup, &w);
	if (!err)
		err = w.err;
	if (err)
		return bs_throw_errno(env, -err, err == -ENOMEM ? "cgroup walk" : "BPF_PROG_QUERY", 0);
	return w.array;
}

static int collect_task_fd(const struct bs_task_fd *rec, void *c)
{
	return bs_collect_push(c, rec);
}

static int scan_task_fds(struct bs_collect *c)
{
	return bs_scan_task_fds(collect_task_fd, c);
}

static napi_value task_fd_object(napi_env env, const void *data)
{
	const struct bs_task_fd *rec = data;
	napi_value obj;

	/* error only when there is one, as the agent sends it. */
	if (napi_create_object(env, &obj) != napi_ok || bs_set_double(env, obj, "pid", rec->pid) ||
	    bs_set_double(env, obj, "fd", rec->fd) || (rec->error && bs_set_double(env, obj, "error", rec->error)) ||
	    bs_set_string(env, obj, "comm", rec->comm) || bs_set_buffer(env, obj, "attr", rec->attr, sizeof(rec->attr)) ||
	    bs_set_buffer(env, obj, "name", rec->name, strlen(rec->name)))
		return NULL;
	return obj;
}

/* taskFds(): a promise of [{pid, fd, error (only when not 0), comm, attr,
 * name}] for every fd with a program, the /proc walk run on the thread pool. */
static napi_value task_fds(napi_env env, napi_callback_info cb)
{
	(void)cb;
	return bs_collect_async(env, "taskFds", sizeof(struct bs_task_fd), scan_task_fds, task_fd_object, "BPF_TASK_FD_QUERY");
}

napi_status bs_attach_register(napi_env env, napi_value exports)
{
	static const struct {
		const char *name;
		napi_callback fn;
	} fns[] = {
		{ "netnsList", netns_list },	     { "rtnlDump", rtnl_dump }, { "netProgQuery", net_prog_query },
		{ "cgroupQuery", cgroup_query }, { "taskFds", task_fds },
	};
	napi_status st = napi_ok;

	for (size_t i = 0; st == napi_ok && i < sizeof(fns) / sizeof(fns[0]); i++) {
		napi_value fn;
		st = napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn);
		if (st == napi_ok)
			st = napi_set_named_property(env, exports, fns[i].name, fn);
	}
	return st;
}
