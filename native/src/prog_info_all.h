/* The info struct of every loaded program, read in one pass: what a run
 * statistics sample needs, without auxiliary arrays or fdinfo.
 *
 * Packed little-endian layout, decoded in TypeScript (main/kernel/live):
 *
 *   header (24 bytes)  u64 monotonic ns before the walk
 *                      u64 monotonic ns after the walk
 *                      u32 record count, u32 1 when the walk stopped at max_progs
 *   records            u32 id, u32 info_len, info_len bytes of bpf_prog_info,
 *                      zero padding to the next multiple of 8
 */
#ifndef BPFSCOPE_PROG_INFO_ALL_H
#define BPFSCOPE_PROG_INFO_ALL_H

#include <stdint.h>

#include "bpf_read.h"

#define BS_PROG_INFO_ALL_HEADER 24
/* Ceiling on programs in one walk; the buffer never grows past it. */
#define BS_PROG_INFO_ALL_MAX 1000000u

/* Fills *out (malloc'd, free with bs_buf_free) with at most max_progs
 * records. Programs that vanish during the walk are skipped. */
int bs_prog_info_all(uint32_t max_progs, struct bs_buf *out);

#endif
