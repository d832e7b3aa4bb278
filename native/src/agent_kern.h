/* Agent ops of kern_read.h: BPF streams and tracefs reads. */
#ifndef BPFSCOPE_AGENT_KERN_H
#define BPFSCOPE_AGENT_KERN_H

#include "agent_reply.h"
#include "bpf_read.h"

int bs_agent_prog_stream_read(const struct bs_request *req, struct reply *r, struct bs_buf *out);
int bs_agent_tracefs_read(const struct bs_request *req, struct reply *r, struct bs_buf *out);
int bs_agent_trace_pipe_open(const struct bs_request *req, struct reply *r);
int bs_agent_trace_pipe_read(const struct bs_request *req, struct reply *r, struct bs_buf *out);
int bs_agent_map_hash(const struct bs_request *req, struct reply *r, struct bs_buf *out);
int bs_agent_map_peek(const struct bs_request *req, struct reply *r, struct bs_buf *out);
int bs_agent_proc_map_pages(const struct bs_request *req, struct reply *r, struct bs_buf scratch[3]);

#endif
