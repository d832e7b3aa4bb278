/* Map watches in the agent: per watch a digest of the map's contents
 * (map_digest.h), so each poll sends only added, changed and removed entries.
 * At most BS_WATCHES_MAX live at once; they end on mapUnwatch or when the
 * agent exits (the client disconnected). */
#ifndef BPFSCOPE_AGENT_WATCH_H
#define BPFSCOPE_AGENT_WATCH_H

#include "agent_reply.h"
#include "bpf_read.h"

#define BS_WATCHES_MAX 64

/* mapWatch {obj, keySize, valueStride} -> {watch} */
int bs_agent_map_watch(const struct bs_request *req, struct reply *r);
/* mapDiff {watch, max} -> {count, removed, entries, more, fresh} [keys, values, removed keys] | null
 * (null: the map is gone). The blobs live in scratch[0..2]. */
int bs_agent_map_diff(const struct bs_request *req, struct reply *r, struct bs_buf scratch[3]);
/* mapUnwatch {watch} -> null (unknown watches are ignored). */
int bs_agent_map_unwatch(const struct bs_request *req, struct reply *r);

#endif
