/* Shared N-API glue of the binding files: errno as a Node-style error (code
 * 'ENOENT', errno, syscall, object id), and setters for result properties. */
#ifndef BPFSCOPE_NAPI_UTIL_H
#define BPFSCOPE_NAPI_UTIL_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf_read.h"

/* Throws and returns NULL, for `return bs_throw_errno(...)`. id 0: no object. */
napi_value bs_throw_errno(napi_env env, int err, const char *syscall_name, uint32_t id);

/* *out: a Buffer over buf's memory, which it takes (buf is left empty); a copy where the
 * runtime refuses memory it did not allocate (Electron's V8 sandbox). No copy on the JS thread,
 * nor new pages for one: the reading thread already touched buf's. */
napi_status bs_owned_buffer(napi_env env, struct bs_buf *buf, napi_value *out);

/* Each sets obj[key]; 0 on success, -1 with the N-API failure left pending. */
int bs_set_buffer(napi_env env, napi_value obj, const char *key, const void *data, size_t len);
/* Hands buf's bytes to JS without a copy (freed when collected; buf is left empty), or copies
 * them where the runtime refuses outside memory (Electron's V8 sandbox). */
int bs_set_owned_buffer(napi_env env, napi_value obj, const char *key, struct bs_buf *buf);
/* As bs_set_owned_buffer, for memory that runs `tail` bytes past buf->len: a Uint8Array of
 * buf->len bytes over an ArrayBuffer that holds the tail too, for readers that use it. */
int bs_set_owned_view(napi_env env, napi_value obj, const char *key, struct bs_buf *buf, uint32_t tail);
int bs_set_string(napi_env env, napi_value obj, const char *key, const char *s);
int bs_set_u32(napi_env env, napi_value obj, const char *key, uint32_t n);
int bs_set_u64(napi_env env, napi_value obj, const char *key, uint64_t n);
int bs_set_double(napi_env env, napi_value obj, const char *key, double n);
int bs_set_bool(napi_env env, napi_value obj, const char *key, int b);

/* An fd held by a JS object; closed explicitly (addon close()) or when collected. */
struct fd_handle {
	int fd;
	uint32_t id;
};

/* Wraps fd (taking ownership) in a new object; NULL with an error pending. */
napi_value bs_wrap_fd(napi_env env, int fd, uint32_t id);
/* The handle behind obj, or NULL with EBADF pending when it is closed. */
struct fd_handle *bs_unwrap_fd(napi_env env, napi_value obj);

#endif
