/* errno as a Node-style error: code ('ENOENT'), errno, syscall and object id. */
#ifndef BPFSCOPE_NAPI_ERROR_H
#define BPFSCOPE_NAPI_ERROR_H

#include <node_api.h>
#include <stdint.h>

/* Throws and returns NULL, for `return bs_throw_errno(...)`. id 0: no object. */
napi_value bs_throw_errno(napi_env env, int err, const char *syscall_name, uint32_t id);

#endif
