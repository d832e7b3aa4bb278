/* bpfscope agent: the read-only core behind framed stdin/stdout (see
 * frame.h). It never listens, never writes to the kernel, and exits when
 * stdin closes; fds it holds (open maps, the stats fd) die with it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent_attach.h"
#include "agent_handles.h"
#include "agent_hello.h"
#include "agent_kern.h"
#include "agent_live.h"
#include "agent_map.h"
#include "agent_reply.h"
#include "agent_watch.h"
#include "bpf_read.h"
#include "frame.h"
#include "proc_scan.h"

#define MAX_OBJECTS_PER_KIND 1000000u
/* Buffers an op may fill for its reply's blobs: the most is a map page's. */
#define SCRATCH_BUFS BS_MAP_PAGE_BLOBS
static int op_list_ids(const struct bs_request *req, struct reply *r, struct bs_buf *scratch)
{
	uint32_t kind, max, id = 0, n = 0;
	int err;

	if (bs_request_u32(req, "kind", &kind) || kind > BS_BTF || bs_request_u32(req, "max", &max) ||
	    max > MAX_OBJECTS_PER_KIND)
		return bs_reply_bad_args(r, "listIds(kind, max): bad arguments");
	scratch->data = malloc((size_t)max * 4 + 4);
	if (!scratch->data)
		return bs_reply_fail(r, -ENOMEM, "malloc", 0);
	while (n < max) {
		err = bs_next_id((enum bs_obj_kind)kind, id, &id);
		if (err == -ENOENT)
			break;
		if (err)
			return bs_reply_fail_last(r, err, 0);
		memcpy(scratch->data + (size_t)n * 4, &id, 4);
		n++;
	}
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, scratch->data, n * 4);
	return 0;
}

/* Opens the object named by "obj": 0 with fd, 1 when it vanished. */
static int open_obj(const struct bs_request *req, struct reply *r, enum bs_obj_kind kind, uint32_t *id, int *fd)
{
	if (bs_request_u32(req, "obj", id))
		return bs_reply_bad_args(r, "obj: bad argument");
	*fd = bs_fd_by_id(kind, *id);
	if (*fd == -ENOENT)
		return 1;
	return *fd < 0 ? bs_reply_fail_last(r, *fd, *id) : 0;
}

static void fdinfo_result(struct reply *r, int fd)
{
	char fdinfo[2048];

	if (bs_self_fdinfo(fd, fdinfo, sizeof(fdinfo)) != 0)
		fdinfo[0] = '\0';
	bs_json_raw(&r->meta, "{");
	bs_json_key(&r->meta, "fdinfo");
	bs_json_str(&r->meta, fdinfo, strlen(fdinfo));
	bs_json_raw(&r->meta, "}");
}

/* The detail structs outlive the handler: their blobs are written after. */
static struct bs_prog_detail prog;
static struct bs_link_detail link_d;
static struct bs_btf_detail btf;
static uint8_t map_info_buf[BS_INFO_MAX];

static int op_prog_info(const struct bs_request *req, struct reply *r)
{
	const struct bs_field *detail = bs_request_field(req, "detail");
	uint32_t id;
	int fd, err = open_obj(req, r, BS_PROG, &id, &fd);

	if (err)
		return err > 0 ? (bs_json_raw(&r->meta, "null"), 0) : err;
	if (!detail || detail->type != BS_F_BOOL) {
		close(fd);
		return bs_reply_bad_args(r, "progInfo(id, detail): bad arguments");
	}
	err = bs_prog_detail(fd, detail->num != 0, &prog);
	if (err) {
		close(fd);
		return err == -ENOENT ? (bs_json_raw(&r->meta, "null"), 0) : bs_reply_fail_last(r, err, id);
	}
	fdinfo_result(r, fd);
	close(fd);
	bs_reply_blob(r, prog.info, prog.info_len);
	for (int i = 0; i < BS_PROG_AUX_COUNT; i++)
		bs_reply_blob(r, prog.aux[i].data, prog.aux[i].len);
	return 0;
}

static int op_map_info(const struct bs_request *req, struct reply *r)
{
	uint32_t id, len = BS_INFO_MAX;
	int fd, err = open_obj(req, r, BS_MAP, &id, &fd);

	if (err)
		return err > 0 ? (bs_json_raw(&r->meta, "null"), 0) : err;
	memset(map_info_buf, 0, sizeof(map_info_buf));
	err = bs_obj_info(fd, map_info_buf, &len);
	if (err) {
		close(fd);
		return bs_reply_fail_last(r, err, id);
	}
	fdinfo_result(r, fd);
	close(fd);
	bs_reply_blob(r, map_info_buf, len);
	return 0;
}

static int op_link_info(const struct bs_request *req, struct reply *r)
{
	uint32_t id;
	int fd, err = open_obj(req, r, BS_LINK, &id, &fd);

	if (err)
		return err > 0 ? (bs_json_raw(&r->meta, "null"), 0) : err;
	err = bs_link_detail(fd, &link_d);
	if (err) {
		close(fd);
		return bs_reply_fail_last(r, err, id);
	}
	fdinfo_result(r, fd);
	close(fd);
	bs_reply_blob(r, link_d.info, link_d.info_len);
	for (int i = 0; i < BS_LINK_AUX_COUNT; i++)
		bs_reply_blob(r, link_d.aux[i].data, link_d.aux[i].len);
	return 0;
}

static int op_btf_info(const struct bs_request *req, struct reply *r)
{
	uint32_t id;
	int fd, err = open_obj(req, r, BS_BTF, &id, &fd);

	if (err)
		return err > 0 ? (bs_json_raw(&r->meta, "null"), 0) : err;
	err = bs_btf_detail(fd, &btf);
	if (err) {
		close(fd);
		return bs_reply_fail_last(r, err, id);
	}
	fdinfo_result(r, fd);
	close(fd);
	bs_reply_blob(r, btf.info, btf.info_len);
	bs_reply_blob(r, btf.data.data, btf.data.len);
	bs_reply_blob(r, btf.name.data, btf.name.len);
	return 0;
}

static int visit_owner(const struct bs_owner_fd *rec, void *opaque)
{
	struct bs_json *j = opaque;

	bs_json_raw(j, j->text[j->len - 1] == '[' ? "{" : ",{");
	bs_json_key(j, "pid");
	bs_json_u64(j, (uint32_t)rec->pid);
	bs_json_key(j, "fd");
	bs_json_u64(j, (uint32_t)rec->fd);
	bs_json_key(j, "comm");
	bs_json_str(j, rec->comm, strlen(rec->comm));
	bs_json_key(j, "target");
	bs_json_str(j, rec->target, strlen(rec->target));
	bs_json_key(j, "fdinfo");
	bs_json_str(j, rec->fdinfo, strlen(rec->fdinfo));
	bs_json_raw(j, "}");
	return j->failed;
}

static int op_owners(struct reply *r)
{
	int err;

	bs_json_raw(&r->meta, "[");
	err = bs_scan_owners(visit_owner, &r->meta);
	if (err)
		return bs_reply_fail(r, err, "opendir /proc", 0);
	bs_json_raw(&r->meta, "]");
	return 0;
}

static int op_read_file(const struct bs_request *req, struct reply *r, struct bs_buf *scratch)
{
	const struct bs_field *path = bs_request_field(req, "path");
	uint32_t limit;
	int err;

	if (!path || path->type != BS_F_STR || bs_request_u32(req, "limit", &limit) || limit > BS_RESPONSE_MAX / 2)
		return bs_reply_bad_args(r, "readFile(path, limit): bad arguments");
	err = bs_read_file(path->str, limit, scratch);
	if (err)
		return bs_reply_fail(r, err, "read", 0);
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, scratch->data, scratch->len);
	return 0;
}

static int op_pinned_object(const struct bs_request *req, struct reply *r)
{
	const struct bs_field *path = bs_request_field(req, "path");
	const char *name;
	enum bs_obj_kind kind;
	uint32_t id;
	int err;

	if (!path || path->type != BS_F_STR)
		return bs_reply_bad_args(r, "pinnedObject(path): bad arguments");
	err = bs_pinned_object(path->str, &kind, &id);
	if (err)
		return bs_reply_fail_last(r, err, 0);
	name = bs_obj_kind_name(kind);
	bs_json_raw(&r->meta, "{");
	bs_json_key(&r->meta, "kind");
	bs_json_str(&r->meta, name, strlen(name));
	bs_json_key(&r->meta, "id");
	bs_json_u64(&r->meta, id);
	bs_json_raw(&r->meta, "}");
	return 0;
}

static int op_map_open(const struct bs_request *req, struct reply *r)
{
	uint32_t id;
	int fd, err = open_obj(req, r, BS_MAP, &id, &fd);

	if (err)
		return err > 0 ? (bs_json_raw(&r->meta, "null"), 0) : err;
	return bs_handle_add(r, fd, id);
}

static int op_map_read(const struct bs_request *req, struct reply *r, struct bs_buf page[BS_MAP_PAGE_BLOBS])
{
	uint32_t obj;
	int fd = bs_handle_fd(req, &obj), err;

	if (fd < 0)
		return bs_reply_fail(r, -EBADF, "handle", 0);
	err = bs_agent_map_read(fd, req, &r->meta, page);
	if (err > 0)
		return bs_reply_bad_args(r, "map page: bad arguments");
	if (err == -ENOMEM)
		return bs_reply_fail(r, err, "malloc", obj);
	if (err)
		return bs_reply_fail_last(r, err, obj);
	for (int i = 0; i < BS_MAP_PAGE_BLOBS; i++)
		bs_reply_blob(r, page[i].data, page[i].len);
	return 0;
}

static int op_close(const struct bs_request *req, struct reply *r)
{
	bs_handle_close(req);
	bs_json_raw(&r->meta, "null");
	return 0;
}

static int op_enable_stats(struct reply *r)
{
	int fd = bs_enable_stats();

	return fd < 0 ? bs_reply_fail_last(r, fd, 0) : bs_handle_add(r, fd, 0);
}

static int op_clocks(struct reply *r)
{
	struct timespec real, boot;
	char num[24];

	if (clock_gettime(CLOCK_REALTIME, &real) || clock_gettime(CLOCK_BOOTTIME, &boot))
		return bs_reply_fail(r, -errno, "clock_gettime", 0);
	/* Nanoseconds as decimal strings: past 2^53, JSON numbers lose digits. */
	snprintf(num, sizeof(num), "%lld", (long long)real.tv_sec * 1000000000 + real.tv_nsec);
	bs_json_raw(&r->meta, "{\"realtimeNs\":");
	bs_json_str(&r->meta, num, strlen(num));
	snprintf(num, sizeof(num), "%lld", (long long)boot.tv_sec * 1000000000 + boot.tv_nsec);
	bs_json_raw(&r->meta, ",\"boottimeNs\":");
	bs_json_str(&r->meta, num, strlen(num));
	bs_json_raw(&r->meta, "}");
	return 0;
}

static int dispatch(const char *op, const struct bs_request *req, struct reply *r, struct bs_buf scratch[SCRATCH_BUFS])
{
	if (!strcmp(op, "hello")) return bs_agent_hello(&r->meta), 0;
	if (!strcmp(op, "listIds")) return op_list_ids(req, r, &scratch[0]);
	if (!strcmp(op, "progInfo")) return op_prog_info(req, r);
	if (!strcmp(op, "mapInfo")) return op_map_info(req, r);
	if (!strcmp(op, "linkInfo")) return op_link_info(req, r);
	if (!strcmp(op, "btfInfo")) return op_btf_info(req, r);
	if (!strcmp(op, "owners")) return op_owners(r);
	if (!strcmp(op, "readFile")) return op_read_file(req, r, &scratch[0]);
	if (!strcmp(op, "pinnedObject")) return op_pinned_object(req, r);
	if (!strcmp(op, "mapOpen")) return op_map_open(req, r);
	if (!strcmp(op, "mapRead")) return op_map_read(req, r, scratch);
	if (!strcmp(op, "close")) return op_close(req, r);
	if (!strcmp(op, "enableStats")) return op_enable_stats(r);
	if (!strcmp(op, "clocks")) return op_clocks(r);
	if (!strcmp(op, "progInfoAll")) return bs_agent_prog_info_all(req, r, &scratch[0]);
	if (!strcmp(op, "progInfoBatch")) return bs_agent_prog_info_batch(req, r, &scratch[0]);
	if (!strcmp(op, "mapInfoBatch")) return bs_agent_map_info_batch(req, r, &scratch[0]);
	if (!strcmp(op, "progArrayBatch")) return bs_agent_prog_array_batch(req, r, &scratch[0]);
	if (!strcmp(op, "ringbufPositions")) return bs_agent_ringbuf_positions(req, r);
	if (!strcmp(op, "mapMmap")) return bs_agent_map_mmap(req, r, &scratch[0]);
	if (!strcmp(op, "netnsList")) return bs_agent_netns_list(r);
	if (!strcmp(op, "rtnlDump")) return bs_agent_rtnl_dump(req, r, &scratch[0]);
	if (!strcmp(op, "netProgQuery")) return bs_agent_net_prog_query(req, r, &scratch[0]);
	if (!strcmp(op, "cgroupQuery")) return bs_agent_cgroup_query(req, r, scratch);
	if (!strcmp(op, "taskFds")) return bs_agent_task_fds(r, scratch);
	if (!strcmp(op, "mapWatch")) return bs_agent_map_watch(req, r);
	if (!strcmp(op, "mapDiff")) return bs_agent_map_diff(req, r, scratch);
	if (!strcmp(op, "mapUnwatch")) return bs_agent_map_unwatch(req, r);
	if (!strcmp(op, "progStreamRead")) return bs_agent_prog_stream_read(req, r, &scratch[0]);
	if (!strcmp(op, "tracefsRead")) return bs_agent_tracefs_read(req, r, &scratch[0]);
	if (!strcmp(op, "tracePipeOpen")) return bs_agent_trace_pipe_open(req, r);
	if (!strcmp(op, "tracePipeRead")) return bs_agent_trace_pipe_read(req, r, &scratch[0]);
	if (!strcmp(op, "procMapPages")) return bs_agent_proc_map_pages(req, r, scratch);
	if (!strcmp(op, "mapHash")) return bs_agent_map_hash(req, r, &scratch[0]);
	if (!strcmp(op, "mapPeek")) return bs_agent_map_peek(req, r, &scratch[0]);
	return bs_reply_bad_args(r, "unknown op");
}

static void fatal_protocol(const char *message)
{
	struct reply r = { .err = EPROTO, .message = message, .code = "EPROTO" };
	bs_reply_send(0, 0, &r);
	exit(2);
}

int main(int argc, char **argv)
{
	uint8_t *body = malloc(BS_REQUEST_MAX);
	struct bs_request req;
	struct reply hello = { 0 };

	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("bpfscope-agent %s protocol %d\n", BS_AGENT_VERSION, BS_PROTOCOL_VERSION);
		return 0;
	}
	if (!body)
		return 1;
	/* A closed stdout shows up as EPIPE from write, and we exit then. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return 1;
	if (bs_write_all(STDOUT_FILENO, BS_MAGIC, BS_MAGIC_LEN))
		return 1;
	bs_agent_hello(&hello.meta);
	if (bs_reply_send(0, 1, &hello))
		return 1;
	bs_json_free(&hello.meta);
	for (;;) {
		struct reply r = { 0 };
		struct bs_buf scratch[SCRATCH_BUFS] = { { 0 } };
		uint32_t len;
		const struct bs_field *id, *op;
		int err = bs_frame_read(STDIN_FILENO, body, BS_REQUEST_MAX, &len);

		if (err == 1)
			return 0;
		if (err == -E2BIG)
			fatal_protocol("request frame exceeds the cap");
		if (err)
			fatal_protocol(err == -EPIPE ? "truncated request frame" : "bad request frame");
		if (bs_request_parse(body, len, &req))
			fatal_protocol("malformed request metadata");
		id = bs_request_field(&req, "id");
		op = bs_request_field(&req, "op");
		if (!id || id->type != BS_F_NUM || id->num < 1 || id->num > 9007199254740991.0 || !op ||
		    op->type != BS_F_STR)
			fatal_protocol("request without id or op");
		err = dispatch(op->str, &req, &r, scratch);
		err = bs_reply_send((uint64_t)id->num, err == 0, &r);
		bs_json_free(&r.meta);
		for (int i = 0; i < SCRATCH_BUFS; i++)
			bs_buf_free(&scratch[i]);
		bs_prog_detail_free(&prog);
		bs_link_detail_free(&link_d);
		bs_btf_detail_free(&btf);
		if (err)
			return err == -EPIPE ? 0 : 1;
	}
}
