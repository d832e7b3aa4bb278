#define _GNU_SOURCE
#include "agent_kern.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_handles.h"
#include "kern_read.h"

/* The object id trace_pipe handles carry: no BPF object has it, so a map or stats handle is refused. */
#define TRACE_PIPE_OBJ UINT32_MAX

int bs_agent_prog_stream_read(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	uint32_t id, stream, max;
	int err;

	if (bs_request_u32(req, "obj", &id) || bs_request_u32(req, "stream", &stream) || bs_request_u32(req, "max", &max))
		return bs_reply_bad_args(r, "progStreamRead(progId, streamId, max): bad arguments");
	err = bs_prog_stream_read(id, stream, max, out);
	if (err)
		return bs_reply_fail(r, err, err == -ENOMEM ? "malloc" : "BPF_PROG_STREAM_READ_BY_FD", id);
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

int bs_agent_tracefs_read(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	const struct bs_field *path = bs_request_field(req, "path");
	uint32_t limit;
	uint64_t total;
	char num[24];
	int err;

	if (!path || path->type != BS_F_STR || bs_request_u32(req, "limit", &limit))
		return bs_reply_bad_args(r, "tracefsRead(path, limit): bad arguments");
	err = bs_tracefs_read_tail(path->str, limit, out, &total);
	if (err)
		return bs_reply_fail(r, err, "read", 0);
	snprintf(num, sizeof(num), "%" PRIu64, total);
	bs_json_raw(&r->meta, "{\"total\":");
	bs_json_raw(&r->meta, num);
	bs_json_raw(&r->meta, "}");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

int bs_agent_trace_pipe_open(const struct bs_request *req, struct reply *r)
{
	const struct bs_field *path = bs_request_field(req, "path");
	int fd;

	if (!path || path->type != BS_F_STR)
		return bs_reply_bad_args(r, "tracePipeOpen(path): bad arguments");
	fd = bs_trace_pipe_open(path->str);
	if (fd < 0)
		return bs_reply_fail(r, fd, "open", 0);
	return bs_handle_add(r, fd, TRACE_PIPE_OBJ);
}

int bs_agent_trace_pipe_read(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	uint32_t obj = 0, max;
	int fd = bs_handle_fd(req, &obj), err;

	if (bs_request_u32(req, "max", &max))
		return bs_reply_bad_args(r, "tracePipeRead(handle, max): bad arguments");
	if (fd < 0 || obj != TRACE_PIPE_OBJ)
		return bs_reply_fail(r, -EBADF, "handle", 0);
	err = bs_trace_pipe_read(fd, max, out);
	if (err)
		return bs_reply_fail(r, err, "read", 0);
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

int bs_agent_map_hash(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	uint32_t id;
	int err;

	if (bs_request_u32(req, "obj", &id))
		return bs_reply_bad_args(r, "mapHash(mapId): bad arguments");
	/* The reply goes out after this returns: the hash lives in the scratch buffer. */
	out->data = malloc(BS_MAP_HASH_SIZE);
	if (!out->data)
		return bs_reply_fail(r, -ENOMEM, "malloc", id);
	err = bs_map_hash(id, out->data);
	if (err)
		return bs_reply_fail(r, err, "BPF_OBJ_GET_INFO_BY_FD", id);
	out->len = BS_MAP_HASH_SIZE;
	bs_json_raw(&r->meta, "null");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

int bs_agent_map_peek(const struct bs_request *req, struct reply *r, struct bs_buf *out)
{
	const char *syscall_name;
	uint32_t id;
	int err;

	if (bs_request_u32(req, "obj", &id))
		return bs_reply_bad_args(r, "mapPeek(mapId): bad arguments");
	/* The reply goes out after this returns: the value lives in the scratch buffer. */
	err = bs_map_peek(id, out, &syscall_name);
	if (err < 0)
		return bs_reply_fail(r, err, syscall_name, id);
	bs_json_raw(&r->meta, err == BS_MAP_PEEK_EMPTY ? "{\"empty\":true}" : "{\"empty\":false}");
	bs_reply_blob(r, out->data, out->len);
	return 0;
}

int bs_agent_proc_map_pages(const struct bs_request *req, struct reply *r, struct bs_buf scratch[3])
{
	const struct bs_field *addr_field = bs_request_field(req, "addr");
	uint8_t present[BS_PROC_PAGES_MAX];
	uint32_t pid, pages, count = 0;
	unsigned long long addr;
	char *end;
	int err;

	/* The address as a decimal string: past 2^53 a JSON number loses digits. */
	if (bs_request_u32(req, "pid", &pid) || bs_request_u32(req, "pages", &pages) || pages == 0 || pages > BS_PROC_PAGES_MAX || !addr_field ||
	    addr_field->type != BS_F_STR || (errno = 0, addr = strtoull(addr_field->str, &end, 10), errno || *end || end == addr_field->str))
		return bs_reply_bad_args(r, "procMapPages(pid, addr, pages): bad arguments");
	err = bs_proc_map_pages(pid, (uint64_t)addr, pages, present, &scratch[0]);
	if (err)
		return bs_reply_fail(r, err, err == -ENOMEM ? "malloc" : "read", 0);
	/* The reply goes out after this returns: the bitmap lives in a scratch buffer, not on this stack. */
	scratch[1].data = malloc(pages);
	if (!scratch[1].data)
		return bs_reply_fail(r, -ENOMEM, "malloc", 0);
	memcpy(scratch[1].data, present, pages);
	scratch[1].len = pages;
	for (uint32_t i = 0; i < pages; i++)
		count += present[i];
	bs_json_raw(&r->meta, "{\"present\":");
	bs_json_u64(&r->meta, count);
	bs_json_raw(&r->meta, ",\"pageSize\":");
	bs_json_u64(&r->meta, (uint64_t)sysconf(_SC_PAGESIZE));
	bs_json_raw(&r->meta, "}");
	bs_reply_blob(r, scratch[1].data, scratch[1].len);
	bs_reply_blob(r, scratch[0].data, scratch[0].len);
	return 0;
}
