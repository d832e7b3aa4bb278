/* Ring buffer positions read through a read-only mapping of the map's two
 * position pages. The data pages are never mapped and consumer_pos is never
 * written: the owner's records are left alone. */
#ifndef BPFSCOPE_RINGBUF_MMAP_H
#define BPFSCOPE_RINGBUF_MMAP_H

#include <stdint.h>

struct bs_ringbuf_positions {
	uint64_t consumer_pos;
	uint64_t producer_pos;
	/* Data area size in bytes (the map's max_entries). */
	uint32_t data_size;
	uint32_t map_type;
};

/* 0 on success; -ENOENT when the map vanished; -EINVAL when it is not a
 * ring buffer (kernel or user). */
int bs_ringbuf_positions(uint32_t id, struct bs_ringbuf_positions *out);

#endif
