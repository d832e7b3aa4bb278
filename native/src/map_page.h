/* One page of a map read, shared by the addon and the agent: BPF_MAP_LOOKUP_BATCH, or
 * next-key + lookup for maps without batch support. Next-key reads keep every key the
 * kernel walks to, with the lookup's errno where the lookup failed (an XSK map refuses
 * every lookup, an empty devmap slot has no entry): what to print for those is decided in
 * TypeScript, as bpftool's dump decides per map type. Buffers belong to the caller. */
#ifndef BPFSCOPE_MAP_PAGE_H
#define BPFSCOPE_MAP_PAGE_H

#include <stddef.h>
#include <stdint.h>

/* The caller's bounds on a page, checked by bs_map_page_args. */
#define BS_MAP_KEY_MAX 65536u
#define BS_MAP_STRIDE_MAX (1u << 24)

struct bs_map_page {
	uint8_t *keys;	 /* max * key_size */
	uint8_t *values; /* max * value_stride */
	int32_t *errs;	 /* next-key reads: max entries, 0 or the lookup's errno */
	uint8_t *cursor; /* batch: bs_map_batch_token(key_size) bytes; next-key: key_size */
	uint32_t count;	 /* entries read */
	uint32_t failed; /* of which the lookup failed (next-key reads) */
	int done;
};

/* 0 when key_size, value_stride and max describe a page within BS_AUX_MAX, else 1. */
int bs_map_page_args(uint32_t key_size, uint32_t value_stride, uint32_t max);

/* 0 when pages of key_size keys and values value_stride apart hold what the kernel writes for
 * the map behind fd, -EINVAL when they do not (the kernel would write past the page's
 * buffers), or the -errno of reading the map's info. A per-CPU value is round_up(value_size,
 * 8) bytes per possible CPU. */
int bs_map_page_fits(int fd, uint32_t key_size, uint32_t value_stride);

/* Bytes of a batch token: a bucket index (u32) for hash maps, a key for arrays. */
size_t bs_map_batch_token(uint32_t key_size);

/* One batch from `token` (NULL: the start): 0, or -errno. */
int bs_map_page_batch(int fd, const uint8_t *token, uint32_t max, struct bs_map_page *page);

/* Up to max keys after `prev` (NULL: the first), each looked up: 0, or -errno when walking
 * the keys failed. The cursor ends as the last key walked to (zeroed when there is none). */
int bs_map_page_next(int fd, const uint8_t *prev, uint32_t key_size, uint32_t value_stride, uint32_t max,
		     struct bs_map_page *page);

#endif
