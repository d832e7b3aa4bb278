/* Open fds the client refers to by handle: maps being read, the stats fd.
 * They live until the client closes them or the agent exits. */
#ifndef BPFSCOPE_AGENT_HANDLES_H
#define BPFSCOPE_AGENT_HANDLES_H

#include <stdint.h>

#include "agent_reply.h"

#define BS_HANDLES_MAX 4096

/* Takes ownership of fd and answers {"handle": n}; EMFILE when full. */
int bs_handle_add(struct reply *r, int fd, uint32_t obj);
/* The fd behind the request's "handle" field, or -1; *obj gets its object id. */
int bs_handle_fd(const struct bs_request *req, uint32_t *obj);
/* Closes the request's handle if it is open (closing twice is harmless). */
void bs_handle_close(const struct bs_request *req);

#endif
