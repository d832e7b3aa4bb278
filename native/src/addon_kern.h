/* N-API bindings of kern_read.h: BPF streams and tracefs reads. */
#ifndef BPFSCOPE_ADDON_KERN_H
#define BPFSCOPE_ADDON_KERN_H

#include <node_api.h>

napi_value bs_napi_prog_stream_read(napi_env env, napi_callback_info cb);
napi_value bs_napi_tracefs_read_tail(napi_env env, napi_callback_info cb);
napi_value bs_napi_trace_pipe_open(napi_env env, napi_callback_info cb);
napi_value bs_napi_trace_pipe_read(napi_env env, napi_callback_info cb);
napi_value bs_napi_proc_map_pages(napi_env env, napi_callback_info cb);
napi_value bs_napi_map_hash(napi_env env, napi_callback_info cb);
/* A queue's or stack's head element (a Buffer), null when it is empty; ENOENT when the map is gone. */
napi_value bs_napi_map_peek(napi_env env, napi_callback_info cb);

#endif
