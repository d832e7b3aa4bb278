/* The agent's wire protocol on stdin/stdout (protocol version 2; version 1
 * lacked the live and attachment ops below the clocks line).
 *
 * Stream: the agent first writes the 8-byte magic "BPFSCOPE", then frames.
 * The client writes frames only. Every frame, both directions:
 *
 *   +-----------------+-----------------+------------------+----------------+
 *   | body_len u32 LE | meta_len u32 LE | meta (JSON, UTF-8)| blobs (raw)   |
 *   +-----------------+-----------------+------------------+----------------+
 *                     |<------------------- body_len ------------------------>|
 *
 *   4 <= body_len <= cap, meta_len <= body_len - 4, meta_len <= BS_META_MAX.
 *   meta is one JSON object; when it carries "blobs": [n0, n1, …] the blob
 *   bytes are those lengths back to back and sum to body_len - 4 - meta_len.
 *   Bulk bytes (info structs, bytecode, BTF, map pages) travel as blobs,
 *   never inside JSON.
 *
 * Request:  {"id": n, "op": "progInfo", <args>…, "blobs": [..]}
 * Response: {"id": n, "ok": true, "result": <JSON or null>, "blobs": [..]}
 *           {"id": n, "ok": false, "error": {"code", "message", "errno",
 *                                             "syscall", "id"}}
 * The first frame after the magic is unsolicited: id 0, the handshake
 * ({"agent": "bpfscope-agent", "protocol": 2, kernel, arch, CPUs,
 * capabilities, sysctls, BTF}). Requests are answered in order, one at a
 * time. A frame over the cap, malformed meta or blob lengths that do not add
 * up end the session: the agent answers with id 0 and exits.
 *
 * Ops (mirroring native/src/addon.c; blob order fixed per op):
 *   hello                             → handshake again
 *   listIds {kind, max}               → blobs [u32 LE ids]
 *   progInfo {obj, detail}            → {fdinfo} [info, mapIds, xlated, jited,
 *                                        jitedKsyms, jitedFuncLens, funcInfo,
 *                                        lineInfo, jitedLineInfo, progTags] | null
 *   mapInfo {obj}                     → {fdinfo} [info] | null
 *   linkInfo {obj}                    → {fdinfo} [info, name, addrs, offsets,
 *                                        refCtrOffsets, cookies] | null
 *   btfInfo {obj}                     → {fdinfo} [info, data, name] | null
 *   owners                            → [{pid, fd, comm, target, fdinfo}…]
 *   readFile {path, limit}            → [bytes]
 *   mapOpen {obj}                     → {handle} | null
 *   mapRead {handle, mode: "batch"|"next", keySize, valueStride, max}
 *           blobs [cursor] (optional) → {count, done} [keys, values, cursor]
 *           (keys and values trimmed to count entries)
 *   enableStats                       → {handle}
 *   close {handle}                    → null
 *   clocks                            → {realtimeNs, boottimeNs} (decimal strings)
 *   progInfoAll {max} blobs [u32 LE known ids] (optional)
 *                                     → [packed records] (prog_info_all.h)
 *   progInfoBatch {after, max}        → [packed records] (prog_info_batch.h)
 *   mapInfoBatch {after, max}         → [packed records] (map_info_batch.h)
 *   progArrayBatch {after, max}       → [packed records] (prog_array_batch.h)
 *   ringbufPositions {obj}            → {consumerPos, producerPos (decimal
 *                                        strings), dataSize, mapType} | null
 *   mapMmap {handle, page, length}    → [bytes]
 *   netnsList                         → [{path, inode, pid}…]
 *   rtnlDump {ns|null, kind: 0 links
 *             1 filters, ifindex, parent} → [netlink messages]
 *   netProgQuery {ns|null, ifindex, queryFlags}
 *           blobs [u32 LE attach types] → [query records] (attach_query.h)
 *   cgroupQuery {root} blobs [types]  → [{path, id, attached: n, effective: n}…]
 *                                        [every cgroup's attached then
 *                                        effective records, back to back]
 *   taskFds                           → [{pid, fd, comm, name: n}…]
 *                                        [48-byte attrs, names back to back]
 *   mapWatch {obj, keySize, valueStride} → {watch} (EMFILE past
 *                                        BS_WATCHES_MAX, agent_watch.h)
 *   mapDiff {watch, max}              → {count, removed, entries, more, fresh}
 *                                        [keys, values, removed keys] | null
 *                                        (map_digest.h: only added/changed
 *                                        entries and removed keys since the
 *                                        watch's previous diff)
 *   mapUnwatch {watch}                → null
 *   progStreamRead {obj, stream: 1 stdout | 2 stderr, max}
 *                                     → [bytes] (taken out of the stream:
 *                                        BPF_PROG_STREAM_READ_BY_FD, 6.17)
 *   tracefsRead {path, limit}         → {total} [the last limit bytes of a
 *                                        non-consuming tracefs file]
 *   tracePipeOpen {path}              → {handle} (trace_pipe, non-blocking)
 *   tracePipeRead {handle, max}       → [what the pipe has now: consumed]
 *   procMapPages {pid, addr (decimal string), pages}
 *                                     → {present, pageSize} [a byte per page: 1 present,
 *                                        the present pages back to back] (a
 *                                        range of a bpf-map mmap only: arenas)
 *   mapHash {obj}                     → [the kernel's SHA-256 of a frozen array map, 32 bytes]
 *   mapPeek {obj}                     → {empty} [a queue's or stack's head value, left in
 *                                        place; empty when empty: true]
 * The map watch, stream and tracefs ops were added within protocol 2: a client only ever runs
 * the agent built with it (the remote cache is keyed by the binary's hash).
 * A client and an agent of different protocol versions do not talk: the
 * client closes the session with a message naming both versions.
 */
#ifndef BPFSCOPE_FRAME_H
#define BPFSCOPE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define BS_PROTOCOL_VERSION 2
#define BS_MAGIC "BPFSCOPE"
#define BS_MAGIC_LEN 8
/* Requests are small: ids, a path, at most one cursor. */
#define BS_REQUEST_MAX (1u << 20)
/* Largest response: a detailed program or a 64 MiB map page plus room. */
#define BS_RESPONSE_MAX (160u << 20)
/* JSON metadata bound (an owners list on a busy host is the largest). */
#define BS_META_MAX (32u << 20)
#define BS_BLOBS_MAX 16

/* A growable JSON text, bounded by BS_META_MAX; failed appends stick. */
struct bs_json {
	char *text;
	size_t len, cap;
	int failed;
};

void bs_json_init(struct bs_json *self);
void bs_json_free(struct bs_json *self);
void bs_json_raw(struct bs_json *self, const char *text);
void bs_json_str(struct bs_json *self, const char *s, size_t len);
void bs_json_key(struct bs_json *self, const char *key);
void bs_json_u64(struct bs_json *self, uint64_t n);
void bs_json_i64(struct bs_json *self, int64_t n);
void bs_json_double(struct bs_json *self, double d);

/* A parsed request: a flat JSON object of scalars, plus its blobs. */
#define BS_REQ_FIELDS 16
#define BS_REQ_STR_MAX 512

enum bs_field_type { BS_F_NUM, BS_F_BOOL, BS_F_NULL, BS_F_STR };

struct bs_field {
	char key[32];
	enum bs_field_type type;
	double num;
	char str[BS_REQ_STR_MAX];
};

struct bs_request {
	struct bs_field fields[BS_REQ_FIELDS];
	unsigned nfields;
	const uint8_t *blob[BS_BLOBS_MAX];
	uint32_t blob_len[BS_BLOBS_MAX];
	unsigned nblobs;
};

/* Parses one frame body (after body_len). 0 or -EINVAL / -E2BIG. */
int bs_request_parse(const uint8_t *body, uint32_t body_len, struct bs_request *out);
const struct bs_field *bs_request_field(const struct bs_request *self, const char *key);
/* 0 when key is a non-negative integer that fits in u32. */
int bs_request_u32(const struct bs_request *self, const char *key, uint32_t *out);

/* Reads one frame body into buf (at most cap bytes). 1 on clean EOF before
 * a frame, 0 on success, -errno or -E2BIG (over cap) / -EPIPE (EOF inside). */
int bs_frame_read(int fd, uint8_t *buf, uint32_t cap, uint32_t *body_len);

/* Writes a frame: meta then blobs, all of it or -errno. */
int bs_frame_write(int fd, const char *meta, size_t meta_len, const uint8_t *const *blobs,
		   const uint32_t *blob_lens, unsigned nblobs);

int bs_write_all(int fd, const void *data, size_t len);

#endif
