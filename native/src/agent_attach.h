/* Agent ops for attachment discovery (the addon's attach_addon.c): network
 * namespaces, rtnetlink dumps, BPF_PROG_QUERY on namespaces, interfaces and
 * cgroups, BPF_TASK_FD_QUERY. Attach types travel as blob 0 (u32 LE each). */
#ifndef BPFSCOPE_AGENT_ATTACH_H
#define BPFSCOPE_AGENT_ATTACH_H

#include "agent_reply.h"
#include "bpf_read.h"

/* netnsList → [{path, inode, pid}] */
int bs_agent_netns_list(struct reply *r);
/* rtnlDump {ns|null, kind 0 links / 1 filters / 2 routes / 3 qdiscs / 4 classes, ifindex, parent} → [messages] */
int bs_agent_rtnl_dump(const struct bs_request *req, struct reply *r, struct bs_buf *out);
/* netProgQuery {ns|null, ifindex, queryFlags} [types] → [records] */
int bs_agent_net_prog_query(const struct bs_request *req, struct reply *r, struct bs_buf *out);
/* cgroupQuery {root} [types] → [{path, id, attached: n, effective: n}]
 * [each cgroup's attached then effective records, back to back] */
int bs_agent_cgroup_query(const struct bs_request *req, struct reply *r, struct bs_buf scratch[3]);
/* taskFds → [{pid, fd, comm, name: n}] [48-byte attrs back to back, names back to back] */
int bs_agent_task_fds(struct reply *r, struct bs_buf scratch[3]);

#endif
