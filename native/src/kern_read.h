/* Reads of what newer kernels keep about programs, outside bpf_*_info: a program's BPF
 * streams (BPF_PROG_STREAM_READ_BY_FD, Linux 6.17) and the kernel trace log in tracefs.
 *
 * Read-only, with one caveat each that the caller must say to the user: reading a stream
 * takes its bytes out of it (the kernel keeps no copy), and reading trace_pipe consumes
 * the trace buffer for every reader. The tracefs reads here open only the listed files of
 * a tracefs mount, never for writing; the one that consumes has its own function.
 */
#ifndef BPFSCOPE_KERN_READ_H
#define BPFSCOPE_KERN_READ_H

#include <stdint.h>

#include "bpf_read.h"

/* enum bpf_cmd: BPF_PROG_STREAM_READ_BY_FD is 37 (Linux 6.17); Debian's 6.1 uapi lacks it. */
#define BS_CMD_PROG_STREAM_READ_BY_FD 37
/* enum bpf_stream_id (Linux 6.17). */
#define BS_STREAM_STDOUT 1
#define BS_STREAM_STDERR 2
/* The kernel caps a stream at 100,000 bytes (BPF_STREAM_MAX_CAPACITY): one read can drain it. */
#define BS_STREAM_READ_MAX (1u << 20)
/* statfs f_type of tracefs (include/uapi/linux/magic.h). */
#define BS_TRACEFS_MAGIC 0x74726163
/* A non-consuming read of a trace file stops after this many bytes: a busy writer keeps the
 * kernel's iterator going, and the caller wants the tail anyway. */
#define BS_TRACE_READ_MAX (1u << 30)
#define BS_TRACE_TAIL_MAX (64u << 20)

/* Takes up to max bytes out of stream stream_id (1 stdout, 2 stderr) of program prog_id. */
int bs_prog_stream_read(uint32_t prog_id, uint32_t stream_id, uint32_t max, struct bs_buf *out);

/* The last limit bytes of a non-consuming tracefs file (trace, per_cpu/cpuN/trace and
 * stats, trace_clock, buffer sizes, tracing_on, options/NAME); *total is how many bytes
 * it held (more than out->len when the head was left out). -EACCES for any other file. */
int bs_tracefs_read_tail(const char *path, uint32_t limit, struct bs_buf *out, uint64_t *total);

/* Opens a tracefs trace_pipe for non-blocking reads (the caller keeps the fd: text the
 * kernel formatted but could not hand over lives in the open file until the next read). */
int bs_trace_pipe_open(const char *path);
/* What the pipe has now, up to max bytes; an empty buffer when it has nothing. */
int bs_trace_pipe_read(int fd, uint32_t max, struct bs_buf *out);

/* Largest piece bs_read_full reads in one call. */
#define BS_READ_FULL_MAX (1u << 20)
/* The next max bytes of a file (fewer at its end, none past it), however few each read()
 * hands out: /proc/kallsyms gives a page per read(). */
int bs_read_full(int fd, uint32_t max, struct bs_buf *out);

/* Pages read from another process at most per call (arena pages through the process mapping them). */
#define BS_PROC_PAGES_MAX 256

/* What a process holding a BPF map mmapped sees of it, without faulting anything in: for each
 * of `pages` pages from addr, whether it is present in that process (/proc/PID/pagemap), and
 * the present pages' bytes back to back (/proc/PID/mem). Only a range inside one mapping of a
 * BPF map (anon_inode:bpf-map in /proc/PID/maps) is read; anything else is -EACCES. */
int bs_proc_map_pages(uint32_t pid, uint64_t addr, uint32_t pages, uint8_t *present, struct bs_buf *out);

/* SHA-256 of a map's contents as the kernel computes it (Linux 6.18: frozen arrays only; a signed
 * loader checks its data map by it), asked through bpf_map_info's hash/hash_size. */
#define BS_MAP_HASH_SIZE 32
int bs_map_hash(uint32_t map_id, uint8_t out[BS_MAP_HASH_SIZE]);

/* The head element of a queue or stack map, left in place: BPF_MAP_LOOKUP_ELEM without a key is
 * the kernel's peek on these types (pop would be BPF_MAP_LOOKUP_AND_DELETE_ELEM, never issued).
 * out gets the map's value_size bytes, sized from the map's own info so the kernel never writes
 * past it; BS_MAP_PEEK_EMPTY when the map holds nothing. -EINVAL for any other map type (a
 * lookup without a key means something else there), -E2BIG for a value over BS_AUX_MAX; *syscall_name
 * says which step failed (a bpf command, "malloc", or "peek" for those two refusals). */
#define BS_MAP_PEEK_EMPTY 1
int bs_map_peek(uint32_t map_id, struct bs_buf *out, const char **syscall_name);

#endif
