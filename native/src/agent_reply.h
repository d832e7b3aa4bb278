/* Replies of the agent: what a handler fills in, and how it is framed. */
#ifndef BPFSCOPE_AGENT_REPLY_H
#define BPFSCOPE_AGENT_REPLY_H

#include <stdint.h>

#include "frame.h"

struct reply {
	struct bs_json meta;
	const uint8_t *blob[BS_BLOBS_MAX];
	uint32_t blob_len[BS_BLOBS_MAX];
	unsigned nblobs;
	/* Set on failure: positive errno, the failing call, the object id. */
	int err;
	const char *syscall;
	uint32_t obj;
	const char *message;
	/* Our own code (EPROTO, …) instead of the errno name. */
	const char *code;
};

void bs_reply_blob(struct reply *r, const void *data, uint32_t len);
/* Record a failure (negerr: -errno) and return -1 for the handler to return. */
int bs_reply_fail(struct reply *r, int negerr, const char *syscall, uint32_t obj);
int bs_reply_fail_last(struct reply *r, int negerr, uint32_t obj);
int bs_reply_bad_args(struct reply *r, const char *message);
/* Writes the reply to request id (ok: success, else r's error); -errno when
 * stdout is gone. */
int bs_reply_send(uint64_t id, int ok, struct reply *r);

#endif
