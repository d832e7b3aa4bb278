/* N-API binding: a file read ahead on the thread pool, piece by piece (addon_read_ahead.c). */
#ifndef BPFSCOPE_ADDON_READ_AHEAD_H
#define BPFSCOPE_ADDON_READ_AHEAD_H

#include <node_api.h>

/* readAhead(fd, pieceBytes, ahead, onPiece(error, piece) -> boolean) -> stop(): reads fd's file
 * (its own duplicate of fd) in pieces of pieceBytes, the last one shorter (empty at the end), and
 * calls onPiece with each in order, or with an error; goes on while onPiece returns true, with at
 * most `ahead` pieces waiting for the JS thread, until stop() is called. */
napi_value bs_napi_read_ahead(napi_env env, napi_callback_info cb);

#endif
