/* Map pages for the agent: the same two read modes as the addon (map_page.h), trimmed to
 * what was read. */
#ifndef BPFSCOPE_AGENT_MAP_H
#define BPFSCOPE_AGENT_MAP_H

#include "bpf_read.h"
#include "frame.h"

/* Blobs of a mapRead reply: keys, values, cursor, lookup errors (empty when none failed). */
#define BS_MAP_PAGE_BLOBS 4

/* Reads one page per the request's mode/keySize/valueStride/max and its optional cursor
 * blob into page[0] keys, page[1] values, page[2] cursor, page[3] errors, and appends
 * {count, done} to meta. 0 on success, 1 for bad arguments, -errno when a bpf command failed. */
int bs_agent_map_read(int fd, const struct bs_request *req, struct bs_json *meta, struct bs_buf page[BS_MAP_PAGE_BLOBS]);

#endif
