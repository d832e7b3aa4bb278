/* Read-only bpf() mechanism shared by the N-API addon and the agent.
 *
 * Every function returns 0 (or a count) on success and -errno on failure.
 * Nothing here knows struct layouts beyond what the two-pass info queries
 * need to hand the kernel its output buffers; decoding happens in TypeScript.
 */
#ifndef BPFSCOPE_BPF_READ_H
#define BPFSCOPE_BPF_READ_H

#include <stddef.h>
#include <stdint.h>

enum bs_obj_kind { BS_PROG = 0, BS_MAP = 1, BS_LINK = 2, BS_BTF = 3 };

/* Room for the info struct of any kernel: the kernel writes at most its own
 * size and requires the tail past it to be zero. */
#define BS_INFO_MAX 512
/* Largest auxiliary array we accept from the kernel (1 M insns of 8 bytes
 * is the verifier's ceiling for xlated code; jited code is bounded alike). */
#define BS_AUX_MAX (64u << 20)
#define BS_NAME_MAX 4096
#define BS_BTF_MAX (256u << 20)

struct bs_buf {
	uint8_t *data;
	uint32_t len;
};

void bs_buf_free(struct bs_buf *self);

const char *bs_cmd_name(int cmd);

/* "ENOENT" for ENOENT; portable to libcs without strerrorname_np. */
const char *bs_errno_name(int err);

/* The bpf command of the last failed call on this thread, for error reports. */
int bs_last_cmd(void);

int bs_next_id(enum bs_obj_kind kind, uint32_t start, uint32_t *next);
int bs_fd_by_id(enum bs_obj_kind kind, uint32_t id);
/* An fd of the first object of kind whose id follows *id, and *id set to it; -ENOENT past the
 * last. Objects that vanish between the two calls are skipped. */
int bs_open_next(enum bs_obj_kind kind, uint32_t *id);
/* bs_open_next for an object whose info could be read: its fd, with *info_len bytes of info
 * (zeroed past them, up to the room *info_len gave); objects that vanish before their info is
 * read are skipped. -ENOENT after the last one, or -errno. */
int bs_open_next_info(enum bs_obj_kind kind, uint32_t *id, uint8_t *info, uint32_t *info_len);
/* info_len: in, the buffer size; out, what the kernel wrote. */
int bs_obj_info(int fd, uint8_t *info, uint32_t *info_len);
/* The kind's name as the JS side spells it: "prog", "map", "link", "btf". */
const char *bs_obj_kind_name(enum bs_obj_kind kind);
/* The kind of BPF object an fd's link target ("anon_inode:bpf-map" …) names; -EINVAL for none. */
int bs_anon_kind(const char *target, enum bs_obj_kind *kind);
/* The kind (prog, map or link) and id of the object pinned at path in a bpffs; -errno as
 * BPF_OBJ_GET fails (ENOENT: nothing there), -EINVAL for a pin of another kind. */
int bs_pinned_object(const char *path, enum bs_obj_kind *kind, uint32_t *id);

/* Program info with auxiliary arrays. With detail == 0 only map ids are
 * fetched (what a listing needs); with detail != 0 everything. */
enum bs_prog_aux {
	BS_PROG_MAP_IDS,
	BS_PROG_XLATED,
	BS_PROG_JITED,
	BS_PROG_JITED_KSYMS,
	BS_PROG_JITED_FUNC_LENS,
	BS_PROG_FUNC_INFO,
	BS_PROG_LINE_INFO,
	BS_PROG_JITED_LINE_INFO,
	BS_PROG_TAGS,
	BS_PROG_AUX_COUNT
};

struct bs_prog_detail {
	uint8_t info[BS_INFO_MAX];
	uint32_t info_len;
	struct bs_buf aux[BS_PROG_AUX_COUNT];
};

int bs_prog_detail(int fd, int detail, struct bs_prog_detail *out);
void bs_prog_detail_free(struct bs_prog_detail *self);

enum bs_link_aux {
	BS_LINK_NAME,
	BS_LINK_ADDRS,
	BS_LINK_OFFSETS,
	BS_LINK_REF_CTR_OFFSETS,
	BS_LINK_COOKIES,
	BS_LINK_AUX_COUNT
};

struct bs_link_detail {
	uint8_t info[BS_INFO_MAX];
	uint32_t info_len;
	struct bs_buf aux[BS_LINK_AUX_COUNT];
};

int bs_link_detail(int fd, struct bs_link_detail *out);
void bs_link_detail_free(struct bs_link_detail *self);

/* Zero bytes kept past a BTF blob's end (data.len), in the same allocation:
 * room for a type record of zeros at the next 4-byte boundary, the void
 * type's, so a printer reads the blob's records in place instead of copying
 * them after one (main/kernel/btf/records.ts). */
#define BS_BTF_ZERO_TAIL 16

/* BTF object info plus its raw blob (BS_BTF_ZERO_TAIL zero bytes follow it) and name. */
struct bs_btf_detail {
	uint8_t info[BS_INFO_MAX];
	uint32_t info_len;
	struct bs_buf data;
	struct bs_buf name;
};

int bs_btf_detail(int fd, struct bs_btf_detail *out);
void bs_btf_detail_free(struct bs_btf_detail *self);

/* Map reads. Values are laid out value_stride bytes apart; the caller knows
 * the stride (per-CPU maps: round_up(value_size, 8) * possible CPUs). */
int bs_map_lookup_batch(int fd, const uint8_t *in_batch, uint8_t *out_batch,
			uint8_t *keys, uint8_t *values, uint32_t *count);
int bs_map_next_key(int fd, const uint8_t *key, uint8_t *next_key);
int bs_map_lookup(int fd, const uint8_t *key, uint8_t *value);

/* Turns run-time statistics on for as long as the returned fd stays open. */
int bs_enable_stats(void);

#endif
