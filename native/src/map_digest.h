/* The changed entries of a map since the previous read, for live watches.
 * Shared by the addon (local) and the agent (remote), so a watch sends only
 * what changed instead of the whole map on every poll.
 *
 * A digest remembers, per key, a 64-bit hash of the value last reported: an
 * open-addressing table (linear probing, load <= 1/2) of key bytes, value
 * hash and the pass that last saw the key. It also keeps the last pass's
 * entries as read: an entry read again at the same position with the same
 * bytes is unchanged, so a quiet map costs a comparison per entry rather
 * than a hash and a table probe. Its memory follows the map's current
 * entries (the table grows with them and shrinks when rebuilt after
 * removals), never its max_entries. A change that leaves the 64-bit hash
 * equal goes unseen; the hash is a chain of bijections per 8-byte word, so
 * any change confined to one word is always seen.
 */
#ifndef BPFSCOPE_MAP_DIGEST_H
#define BPFSCOPE_MAP_DIGEST_H

#include <stdint.h>

#include "bpf_read.h"

struct bs_map_digest;

struct bs_map_changes {
	/* Added and changed entries: keys back to back, values value_stride apart. */
	struct bs_buf keys;
	struct bs_buf values;
	uint32_t count;
	/* Keys that were in the digest and are no longer in the map. */
	struct bs_buf removed;
	uint32_t removed_count;
	/* Distinct keys read in this pass. */
	uint32_t entries;
	/* 1: the max was reached; what was left out is reported by the next call. */
	int more;
	/* 1: the digest was empty before this pass (every entry is reported). */
	int fresh;
};

/* -EINVAL for sizes the read paths refuse, -ENOMEM. */
int bs_map_digest_new(uint32_t key_size, uint32_t value_stride, struct bs_map_digest **out);
/* Frees and clears the caller's pointer. */
void bs_map_digest_free(struct bs_map_digest **self);
uint32_t bs_map_digest_key_size(const struct bs_map_digest *self);
uint32_t bs_map_digest_value_stride(const struct bs_map_digest *self);

/* Reads the whole map behind fd (BPF_MAP_LOOKUP_BATCH, falling back to
 * next-key + lookup), reports at most max added, changed and removed entries
 * together, and updates the digest with what it reported. 0, or -errno of the
 * failing bpf command (bs_last_cmd) or -ENOMEM; out is freed by
 * bs_map_changes_free either way. */
int bs_map_digest_diff(struct bs_map_digest *self, int fd, uint32_t max, struct bs_map_changes *out);
void bs_map_changes_free(struct bs_map_changes *self);

#endif
