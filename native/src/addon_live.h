/* N-API functions of the live layer: the stats sample of every program and
 * ring buffer positions. Registered by addon.c. */
#ifndef BPFSCOPE_ADDON_LIVE_H
#define BPFSCOPE_ADDON_LIVE_H

#include <node_api.h>

/* progInfoAll(maxProgs, knownIds?: Uint32Array) -> Buffer (layout and hints in prog_info_all.h) */
napi_value bs_napi_prog_info_all(napi_env env, napi_callback_info cb);
/* progInfoBatch(afterId, max) -> Promise<Buffer>, read on the thread pool (layout in prog_info_batch.h) */
napi_value bs_napi_prog_info_batch(napi_env env, napi_callback_info cb);
/* mapInfoBatch(afterId, max) -> Promise<Buffer>, read on the thread pool (layout in map_info_batch.h) */
napi_value bs_napi_map_info_batch(napi_env env, napi_callback_info cb);
/* progArrayBatch(afterId, max) -> Promise<Buffer>: every prog_array's slots, read on the thread pool
 * (layout in prog_array_batch.h) */
napi_value bs_napi_prog_array_batch(napi_env env, napi_callback_info cb);
/* ringbufPositions(mapId) -> { consumerPos, producerPos, dataSize, mapType } | null */
napi_value bs_napi_ringbuf_positions(napi_env env, napi_callback_info cb);

#endif
