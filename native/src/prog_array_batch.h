/* Every prog_array map's tail-call slots in one call: show prog looks for the arrays that jump
 * to a program, and read one map at a time that was ~120 trips into the kernel's data from the
 * JS thread (open, info, a page of next-key + lookup, close each). One batch is one trip
 * through the thread pool, or one frame from the agent.
 *
 * Walks the maps with ids after after_id; a map of type prog_array with 4-byte keys and values
 * gets a record, the other maps are only counted. A prog_array's keys are the indexes below its
 * max_entries: each is looked up (an empty slot is ENOENT) without GET_NEXT_KEY, half the
 * syscalls of a next-key walk for the same slots. Packed little-endian layout, decoded in
 * TypeScript (main/kernel/attach/prog-array-batch.ts):
 *
 *   header (16 bytes)  u32 record count, u32 maps walked (every map whose info was read),
 *                      u32 id of the last map walked, u32 1 when the batch stopped at its
 *                      limit (more maps may follow that id)
 *   record             u32 map id, u32 info bytes, u32 slot count, u32 flags,
 *                      then the info padded to 8 bytes,
 *                      then slot count x (u32 index, u32 prog id), in index order
 *
 * flags bit 0 (BS_PROG_ARRAY_PARTIAL): the slots were not all read (a lookup failed other than
 * on an empty slot, or the batch's buffer filled up); the record then holds no slots, and the
 * caller reads that map another way.
 */
#ifndef BPFSCOPE_PROG_ARRAY_BATCH_H
#define BPFSCOPE_PROG_ARRAY_BATCH_H

#include <stdint.h>

#include "bpf_read.h"

#define BS_PROG_ARRAY_BATCH_HEADER 16
#define BS_PROG_ARRAY_RECORD_HEADER 16
#define BS_PROG_ARRAY_PARTIAL 1u
/* Ceiling of maps walked by one batch: the caller asks again after the last id walked. */
#define BS_PROG_ARRAY_BATCH_MAX 4096u
/* Ceiling of one batch's bytes (a million filled slots); a map whose slots would pass it is
 * left partial and ends the batch. */
#define BS_PROG_ARRAY_BATCH_BYTES (8u << 20)

/* Fills *out (malloc'd, free with bs_buf_free) from the maps whose ids follow after_id, at
 * most max of them walked (1 to BS_PROG_ARRAY_BATCH_MAX, else -EINVAL). Maps that vanish
 * meanwhile are skipped. */
int bs_prog_array_batch(uint32_t after_id, uint32_t max, struct bs_buf *out);

#endif
