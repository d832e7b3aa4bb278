/* The bpf_map_info of many maps in one call, packed into one buffer: a caller looking at the
 * shape of every map (which ones are prog arrays or struct_ops) crosses into the kernel's data
 * once per batch, on the thread pool, instead of once per map on its own thread.
 *
 * Packed little-endian layout, decoded in TypeScript (main/kernel/info/map-batch.ts):
 *
 *   header (8 bytes)   u32 record count, u32 1 when the batch stopped at its
 *                      limit (more maps may follow the last id)
 *   record             u32 id, u32 info bytes, then the info, the whole record
 *                      padded to 8 bytes
 */
#ifndef BPFSCOPE_MAP_INFO_BATCH_H
#define BPFSCOPE_MAP_INFO_BATCH_H

#include <stdint.h>

#include "bpf_read.h"

#define BS_MAP_BATCH_HEADER 8
#define BS_MAP_BATCH_RECORD_HEADER 8
/* Ceiling of one batch: the caller asks again after its last id. */
#define BS_MAP_BATCH_MAX 4096u

/* Fills *out (malloc'd, free with bs_buf_free) with the maps whose ids follow
 * after_id, at most max of them (BS_MAP_BATCH_MAX at most). Maps that vanish
 * meanwhile are skipped. */
int bs_map_info_batch(uint32_t after_id, uint32_t max, struct bs_buf *out);

#endif
