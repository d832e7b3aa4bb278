#define _GNU_SOURCE
#include "agent_attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach_netlink.h"
#include "attach_query.h"

#define TYPES_MAX 128

/* Appends to a blob, bounded so one reply stays inside a frame. */
static int append(struct bs_buf *out, const void *data, size_t len)
{
	uint8_t *grown;

	if ((size_t)out->len + len > BS_AUX_MAX)
		return -E2BIG;
	if (!len)
		return 0;
	grown = realloc(out->data, out->len + len);
	if (!grown)
		return -ENOMEM;
	memcpy(grown + out->len, data, len);
	out->data = grown;
	out->len += (uint32_t)len;
	return 0;
}

/* "ns": a namespace path, or null/absent for the agent's own. -1 when bad. */
static int ns_arg(const struct bs_request *req, const char **ns)
{
	const struct bs_field *f = bs_request_field(req, "ns");

	*ns = NULL;
	if (!f || f->type == BS_F_NULL)
		return 0;
	if (f->type != BS_F_STR || strlen(f->str) >= BS_NETNS_PATH_MAX)
		return -1;
	*ns = f->str;
	return 0;
}

/* Blob 0 as attach types. -1 when missing or malformed. */
static int types_arg(const struct bs_request *req, uint32_t *types, uint32_t *n)
{
	if (req->nblobs != 1 || req->blob_len[0] % 4 || req->blob_len[0] / 4 > TYPES_MAX)
		return -1;
	*n = req->blob_len[0] / 4;
	memcpy(types, req->blob[0], req->blob_len[0]);
	return 0;
}

static int visit_netns(const struct bs_netns *ns, void *opaque)
{
	struct bs_json *j = opaque;

	bs_json_raw(j, j->text[j->len - 1] == '[' ? "{" : ",{");
	bs_json_key(j, "path");
	bs_json_str(j, ns->path, strlen(ns->path));
	bs_json_key(j, "inode");
	bs_json_u64(j, ns->inode);
	bs_json_key(j, "pid");
	bs_json_i64(j, ns->pid);
	bs_json_raw(j, "}");
	return j->failed;
}

int bs_agent_netns_list(struct reply *r)
{
	int err;

	bs_json_raw(&r->meta, "[");
	err = bs_scan_netns(visit_netns, &r->meta);
	if (err)
		return bs_reply_fail(r, err, "scan netns", 0);
	bs_json_raw(&r->meta, "]");
	return 0;
}

struct dump_job {
	enum bs_rtnl_dump what;
	int32_t ifindex;
	uint32_t parent;
	struct bs_buf *out;
};

static int run_dump(void *opaque)
{
	struct dump_job *job = opaque;
	return bs_rtnl_dump(job->what, job->ifindex, job->parent, job->out);
}

int bs_agent_rtnl_dump(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	struct dump_job job = { .out = out };
	const char *ns;
	uint32_t kind, ifindex;
	int err;

	if (ns_arg(req, &ns) || bs_request_u32(req, "kind", &kind) || kind > BS_RTNL_LAST ||
	    bs_request_u32(req, "ifindex", &ifindex) || ifindex > INT32_MAX || bs_request_u32(req, "parent", &job.parent))
		return bs_reply_bad_args(r, "rtnlDump(nsPath, what, ifindex, parent): bad arguments");
	job.what = (enum bs_rtnl_dump)kind;
	job.ifindex = (int32_t)ifindex;
	err = bs_in_netns(ns, run_dump, &job);
	if (err)
		return bs_reply_fail(r, err, bs_rtnl_dump_name(job.what), 0);
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

struct query_job {
	uint32_t ifindex, ntypes, flags;
	const uint32_t *types;
	struct bs_buf *out;
};

static int run_query(void *opaque)
{
	struct query_job *job = opaque;
	int fd, err;

	if (job->ifindex)
		return bs_prog_query(job->ifindex, job->types, job->ntypes, job->flags, job->out);
	/* The thread is in the namespace already: its own ns file is the target. */
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = bs_prog_query((uint32_t)fd, job->types, job->ntypes, job->flags, job->out);
	close(fd);
	return err;
}

int bs_agent_net_prog_query(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	uint32_t types[TYPES_MAX];
	struct query_job job = { .types = types, .out = out };
	const char *ns;
	int err;

	if (ns_arg(req, &ns) || bs_request_u32(req, "ifindex", &job.ifindex) ||
	    bs_request_u32(req, "queryFlags", &job.flags) || types_arg(req, types, &job.ntypes))
		return bs_reply_bad_args(r, "netProgQuery(nsPath, ifindex, types, queryFlags): bad arguments");
	err = bs_in_netns(ns, run_query, &job);
	if (err)
		return bs_reply_fail(r, err, "BPF_PROG_QUERY", 0);
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

struct cgroup_walk {
	struct bs_json *meta;
	struct bs_buf *records;
	const uint32_t *types;
	uint32_t ntypes;
	int err;
};

static int visit_cgroup(const char *path, uint64_t id, int fd, void *opaque)
{
	struct cgroup_walk *w = opaque;
	struct bs_buf attached = { 0 }, effective = { 0 };
	struct bs_json *j = w->meta;

	w->err = bs_prog_query((uint32_t)fd, w->types, w->ntypes, 0, &attached);
	if (!w->err)
		w->err = bs_prog_query((uint32_t)fd, w->types, w->ntypes, 1 /* BPF_F_QUERY_EFFECTIVE */, &effective);
	if (!w->err)
		w->err = append(w->records, attached.data, attached.len);
	if (!w->err)
		w->err = append(w->records, effective.data, effective.len);
	if (!w->err) {
		bs_json_raw(j, j->text[j->len - 1] == '[' ? "{" : ",{");
		bs_json_key(j, "path");
		bs_json_str(j, path, strlen(path));
		bs_json_key(j, "id");
		bs_json_u64(j, id);
		bs_json_key(j, "attached");
		bs_json_u64(j, attached.len);
		bs_json_key(j, "effective");
		bs_json_u64(j, effective.len);
		bs_json_raw(j, "}");
		if (j->failed)
			w->err = -E2BIG;
	}
	bs_buf_free(&attached);
	bs_buf_free(&effective);
	return w->err != 0;
}

int bs_agent_cgroup_query(const struct bs_request *req, struct reply *r, struct bs_buf scratch[3])
{
	const struct bs_field *root = bs_request_field(req, "root");
	uint32_t types[TYPES_MAX];
	struct cgroup_walk w = { .meta = &r->meta, .records = &scratch[0], .types = types };
	int err;

	if (!root || root->type != BS_F_STR || types_arg(req, types, &w.ntypes))
		return bs_reply_bad_args(r, "cgroupQuery(root, types): bad arguments");
	bs_json_raw(&r->meta, "[");
	err = bs_walk_cgroups(root->str, visit_cgroup, &w);
	if (!err)
		err = w.err;
	if (err)
		return bs_reply_fail(r, err, err == -ENOMEM || err == -E2BIG ? "cgroup walk" : "BPF_PROG_QUERY", 0);
	bs_json_raw(&r->meta, "]");
	bs_reply_blob(r, scratch[0].data, scratch[0].len);
	return 0;
}

struct task_list {
	struct bs_json *meta;
	struct bs_buf *attrs, *names;
	int err;
};

static int visit_task_fd(const struct bs_task_fd *rec, void *opaque)
{
	struct task_list *l = opaque;
	struct bs_json *j = l->meta;
	size_t name_len = strnlen(rec->name, sizeof(rec->name));

	l->err = append(l->attrs, rec->attr, sizeof(rec->attr));
	if (!l->err)
		l->err = append(l->names, rec->name, name_len);
	if (l->err)
		return 1;
	bs_json_raw(j, j->text[j->len - 1] == '[' ? "{" : ",{");
	bs_json_key(j, "pid");
	bs_json_i64(j, rec->pid);
	bs_json_key(j, "fd");
	bs_json_i64(j, rec->fd);
	bs_json_key(j, "error");
	bs_json_i64(j, rec->error);
	bs_json_key(j, "comm");
	bs_json_str(j, rec->comm, strnlen(rec->comm, sizeof(rec->comm)));
	bs_json_key(j, "name");
	bs_json_u64(j, name_len);
	bs_json_raw(j, "}");
	if (j->failed)
		l->err = -E2BIG;
	return l->err != 0;
}

int bs_agent_task_fds(struct reply *r, struct bs_buf scratch[3])
{
	struct task_list l = { .meta = &r->meta, .attrs = &scratch[0], .names = &scratch[1] };
	int err;

	bs_json_raw(&r->meta, "[");
	err = bs_scan_task_fds(visit_task_fd, &l);
	if (!err)
		err = l.err;
	if (err)
		return bs_reply_fail(r, err, err == -ENOMEM || err == -E2BIG ? "task fd scan" : "BPF_TASK_FD_QUERY", 0);
	bs_json_raw(&r->meta, "]");
	bs_reply_blob(r, scratch[0].data, scratch[0].len);
	bs_reply_blob(r, scratch[1].data, scratch[1].len);
	return 0;
}
