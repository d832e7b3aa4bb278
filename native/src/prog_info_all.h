/* The run statistics of every loaded program, read in one pass: one fixed-size
 * record per program with only the fields a live sample needs, so the caller
 * (1000 programs every second) reads numbers at fixed offsets instead of
 * decoding whole bpf_prog_info structs.
 *
 * Packed little-endian layout, decoded in TypeScript (main/kernel/live):
 *
 *   header (32 bytes)  u64 monotonic ns before the walk
 *                      u64 monotonic ns after the walk
 *                      u32 record count, u32 1 when the walk stopped at max_progs
 *                      u32 record size (64), u32 zero
 *   record (64 bytes)  +0  u32 id              +4  u32 type
 *                      +8  u64 run_time_ns     +16 u64 run_cnt
 *                      +24 u64 recursion_misses
 *                      +32 u32 verified_insns  +36 u32 fields the kernel wrote
 *                      +40 u8 tag[8]           +48 char name[16]
 *
 * "Fields the kernel wrote" (older kernels write a shorter bpf_prog_info):
 * bit 0 run_time_ns and run_cnt (Linux 5.1), bit 1 recursion_misses (5.12),
 * bit 2 verified_insns (5.16); absent fields are zero.
 */
#ifndef BPFSCOPE_PROG_INFO_ALL_H
#define BPFSCOPE_PROG_INFO_ALL_H

#include <stdint.h>

#include "bpf_read.h"

#define BS_PROG_STATS_HEADER 32
#define BS_PROG_STATS_RECORD 64
#define BS_PROG_STATS_RUN_TIME (1u << 0)
#define BS_PROG_STATS_RECURSION_MISSES (1u << 1)
#define BS_PROG_STATS_VERIFIED_INSNS (1u << 2)
/* Ceiling on programs in one walk; the buffer never grows past it. */
#define BS_PROG_INFO_ALL_MAX 1000000u

/* Fills *out (malloc'd, free with bs_buf_free) with at most max_progs
 * records. Programs that vanish during the walk are skipped.
 *
 * known (nknown u32 LE ids, ascending, may be NULL) are the ids of an earlier
 * walk: those are opened directly and the id walk starts after the last of
 * them, one syscall less per program. The kernel hands out program ids in
 * increasing order, so every program loaded since has a larger id; only when
 * its ids wrap around (after 2^31 loads) can a new one be smaller, which is
 * why callers walk without hints now and then. Ids not above the one before
 * are ignored. */
int bs_prog_info_all(uint32_t max_progs, const uint8_t *known, uint32_t nknown, struct bs_buf *out);

#endif
