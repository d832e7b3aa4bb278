/* N-API functions of the attachment queries (attach_netlink, attach_query). */
#ifndef BPFSCOPE_ATTACH_ADDON_H
#define BPFSCOPE_ATTACH_ADDON_H

#include <node_api.h>

/* Adds netnsList, rtnlDump, netProgQuery, cgroupQuery and taskFds to exports. */
napi_status bs_attach_register(napi_env env, napi_value exports);

#endif
