#define _GNU_SOURCE
#include "agent_reply.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf_read.h"

void bs_reply_blob(struct reply *r, const void *data, uint32_t len)
{
	r->blob[r->nblobs] = data;
	r->blob_len[r->nblobs++] = len;
}

int bs_reply_fail(struct reply *r, int negerr, const char *syscall, uint32_t obj)
{
	r->err = -negerr;
	r->syscall = syscall;
	r->obj = obj;
	return -1;
}

int bs_reply_fail_last(struct reply *r, int negerr, uint32_t obj)
{
	return bs_reply_fail(r, negerr, bs_cmd_name(bs_last_cmd()), obj);
}

int bs_reply_bad_args(struct reply *r, const char *message)
{
	r->err = EINVAL;
	r->message = message;
	return -1;
}

/* Writes the reply for request id; -errno when stdout is gone. */
int bs_reply_send(uint64_t id, int ok, struct reply *r)
{
	struct bs_json out;
	char text[320];
	const char *code;
	int err;

	bs_json_init(&out);
	bs_json_raw(&out, "{\"id\":");
	bs_json_u64(&out, id);
	if (ok && !r->meta.failed) {
		bs_json_raw(&out, ",\"ok\":true,\"result\":");
		bs_json_raw(&out, r->meta.text ? r->meta.text : "null");
		bs_json_raw(&out, ",\"blobs\":[");
		for (unsigned i = 0; i < r->nblobs; i++) {
			if (i)
				bs_json_raw(&out, ",");
			bs_json_u64(&out, r->blob_len[i]);
		}
		bs_json_raw(&out, "]}");
	} else {
		if (ok) {
			r->err = E2BIG;
			r->message = "reply metadata too large";
		}
		r->nblobs = 0;
		if (r->message)
			snprintf(text, sizeof(text), "%s", r->message);
		else if (r->obj)
			snprintf(text, sizeof(text), "%s (id %u): %s", r->syscall, r->obj, strerror(r->err));
		else
			snprintf(text, sizeof(text), "%s: %s", r->syscall, strerror(r->err));
		bs_json_raw(&out, ",\"ok\":false,\"error\":{");
		bs_json_key(&out, "code");
		code = r->code ? r->code : bs_errno_name(r->err);
		bs_json_str(&out, code, strlen(code));
		bs_json_key(&out, "errno");
		bs_json_u64(&out, (uint32_t)r->err);
		bs_json_key(&out, "message");
		bs_json_str(&out, text, strlen(text));
		if (r->syscall && !r->message) {
			bs_json_key(&out, "syscall");
			bs_json_str(&out, r->syscall, strlen(r->syscall));
		}
		if (r->obj) {
			bs_json_key(&out, "id");
			bs_json_u64(&out, r->obj);
		}
		bs_json_raw(&out, "}}");
	}
	err = out.failed ? -ENOMEM : bs_frame_write(STDOUT_FILENO, out.text, out.len, r->blob, r->blob_len, r->nblobs);
	if (err == -E2BIG) {
		struct reply big = { .err = E2BIG, .message = "reply exceeds the frame cap" };
		bs_json_free(&out);
		return bs_reply_send(id, 0, &big);
	}
	bs_json_free(&out);
	return err;
}

