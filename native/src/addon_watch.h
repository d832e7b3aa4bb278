/* N-API functions of map watches: a digest per watch (map_digest.h), so a
 * poll hands JavaScript only what changed. Registered by addon.c. */
#ifndef BPFSCOPE_ADDON_WATCH_H
#define BPFSCOPE_ADDON_WATCH_H

#include <node_api.h>

/* mapWatchOpen(mapId, keySize, valueStride) -> watch (freed by mapWatchClose or when collected) */
napi_value bs_napi_map_watch_open(napi_env env, napi_callback_info cb);
/* mapWatchDiff(watch, max) -> {keys, values, count, removed, removedCount, entries, more, fresh} | null */
napi_value bs_napi_map_watch_diff(napi_env env, napi_callback_info cb);
/* mapWatchClose(watch) */
napi_value bs_napi_map_watch_close(napi_env env, napi_callback_info cb);

#endif
