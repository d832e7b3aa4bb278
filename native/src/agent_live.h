/* Agent ops for live views: one-pass run-stats samples, ring buffer
 * positions and mmap snapshots (the addon's addon_live.c and mapMmap). */
#ifndef BPFSCOPE_AGENT_LIVE_H
#define BPFSCOPE_AGENT_LIVE_H

#include "agent_reply.h"
#include "bpf_read.h"

/* progInfoAll {max} blobs [u32 LE known ids] (optional) → [packed records] (prog_info_all.h) */
int bs_agent_prog_info_all(const struct bs_request *req, struct reply *r, struct bs_buf *out);
/* progInfoBatch {after, max} → [packed records] (prog_info_batch.h) */
int bs_agent_prog_info_batch(const struct bs_request *req, struct reply *r, struct bs_buf *out);
/* mapInfoBatch {after, max} → [packed records] (map_info_batch.h) */
int bs_agent_map_info_batch(const struct bs_request *req, struct reply *r, struct bs_buf *out);
/* progArrayBatch {after, max} → [packed records] (prog_array_batch.h) */
int bs_agent_prog_array_batch(const struct bs_request *req, struct reply *r, struct bs_buf *out);
/* ringbufPositions {obj} → {consumerPos, producerPos (decimal strings), dataSize, mapType} | null */
int bs_agent_ringbuf_positions(const struct bs_request *req, struct reply *r);
/* mapMmap {handle, page, length} → [bytes] */
int bs_agent_map_mmap(const struct bs_request *req, struct reply *r, struct bs_buf *out);

#endif
