#define _GNU_SOURCE
#include "napi_error.h"

#include <stdio.h>
#include <string.h>

#include "bpf_read.h"

napi_value bs_throw_errno(napi_env env, int err, const char *syscall_name, uint32_t id)
{
	napi_value error, msg, code, val;
	char text[256];

	if (id)
		snprintf(text, sizeof(text), "%s (id %u): %s", syscall_name, id, strerror(err));
	else
		snprintf(text, sizeof(text), "%s: %s", syscall_name, strerror(err));
	if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
	    napi_create_string_utf8(env, bs_errno_name(err), NAPI_AUTO_LENGTH, &code) != napi_ok ||
	    napi_create_error(env, code, msg, &error) != napi_ok)
		return NULL;
	if (napi_set_named_property(env, error, "code", code) == napi_ok &&
	    napi_create_int32(env, err, &val) == napi_ok &&
	    napi_set_named_property(env, error, "errno", val) == napi_ok &&
	    napi_create_string_utf8(env, syscall_name, NAPI_AUTO_LENGTH, &val) == napi_ok &&
	    napi_set_named_property(env, error, "syscall", val) == napi_ok && id &&
	    napi_create_uint32(env, id, &val) == napi_ok)
		napi_set_named_property(env, error, "id", val);
	napi_throw(env, error);
	return NULL;
}
