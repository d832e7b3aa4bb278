/* What a program listing needs of each program, many programs in one call:
 * the info struct, its map ids and its fdinfo text, packed into one buffer
 * so a listing of thousands crosses into the kernel's data once per batch
 * instead of building a JavaScript object per program.
 *
 * Packed little-endian layout, decoded in TypeScript (main/kernel/info/prog-batch.ts):
 *
 *   header (8 bytes)   u32 record count, u32 1 when the batch stopped at its
 *                      limit (more programs may follow the last id)
 *   record             u32 id, u32 info bytes, u32 map id bytes, u32 fdinfo bytes,
 *                      then the info, the map ids (u32 each) and the fdinfo
 *                      text (no NUL), the whole record padded to 8 bytes
 */
#ifndef BPFSCOPE_PROG_INFO_BATCH_H
#define BPFSCOPE_PROG_INFO_BATCH_H

#include <stdint.h>

#include "bpf_read.h"

#define BS_PROG_BATCH_HEADER 8
#define BS_PROG_BATCH_RECORD_HEADER 16
/* Ceilings of one batch: the caller asks again after its last id. */
#define BS_PROG_BATCH_MAX 4096u
#define BS_PROG_BATCH_BYTES (16u << 20)

/* Fills *out (malloc'd, free with bs_buf_free) with the programs whose ids
 * follow after_id, at most max of them (BS_PROG_BATCH_MAX at most) and
 * BS_PROG_BATCH_BYTES in all. Programs that vanish meanwhile are skipped. */
int bs_prog_info_batch(uint32_t after_id, uint32_t max, struct bs_buf *out);

#endif
