/* A scan that collects fixed-size records on the libuv thread pool and hands
 * them to JavaScript as an array once it is done (a promise): the /proc walks
 * run beside the caller's other work instead of holding its thread. */
#ifndef BPFSCOPE_ASYNC_COLLECT_H
#define BPFSCOPE_ASYNC_COLLECT_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf_read.h"

/* Records gathered by a scan; grown by bs_collect_push, bounded by the scan. */
struct bs_collect {
	size_t rec_size;
	uint8_t *recs;
	uint32_t count, cap;
	int nomem;
};

/* Appends a copy of rec; non-zero (stop the scan) when memory runs out. */
int bs_collect_push(struct bs_collect *c, const void *rec);

/* Runs on the thread pool: fills c, returns 0 or a negative errno. No N-API calls. */
typedef int (*bs_collect_scan)(struct bs_collect *c);
/* Runs on the JS thread: one record as a JS value, or NULL with an exception pending. */
typedef napi_value (*bs_collect_record)(napi_env env, const void *rec);

/* A promise of the array of records; a scan error rejects it as errno named syscall_name. */
napi_value bs_collect_async(napi_env env, const char *name, size_t rec_size, bs_collect_scan scan,
			    bs_collect_record record, const char *syscall_name);

/* Runs on the thread pool: fills out (malloc'd), returns 0 or a negative errno and names the
 * call that failed in *syscall_name. No N-API calls. */
typedef int (*bs_buffer_read)(const void *args, struct bs_buf *out, const char **syscall_name);

/* A promise of the Buffer read fills on the thread pool, given a copy of args (args_size bytes);
 * release(args), if given, runs once it is done, and also when the read cannot be started. */
napi_value bs_buffer_async(napi_env env, const char *name, bs_buffer_read read, const void *args, size_t args_size,
			   void (*release)(void *args));

#endif
