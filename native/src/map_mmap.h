/* Read-only snapshots of mmapable map memory: BPF_F_MMAPABLE arrays (.data,
 * .bss, .rodata) and the ring buffer's position pages. The mapping exists only
 * for the duration of the copy; nothing is ever mapped writable. */
#ifndef BPFSCOPE_MAP_MMAP_H
#define BPFSCOPE_MAP_MMAP_H

#include <stddef.h>
#include <stdint.h>

/* Largest snapshot we copy in one call (a 1 M-entry array of 64-byte values). */
#define BS_MMAP_MAX (256u << 20)

/* Maps `len` bytes of the map behind `fd` starting at page `page_index`
 * PROT_READ, copies them to `out` (len bytes) and unmaps. The fd must come from
 * BPF_MAP_GET_FD_BY_ID without BPF_F_RDONLY. Returns 0 or -errno. */
int bs_map_mmap_copy(int fd, uint32_t page_index, size_t len, uint8_t *out);

#endif
