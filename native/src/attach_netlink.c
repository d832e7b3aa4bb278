#define _GNU_SOURCE
#include "attach_netlink.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECV_BUF (64u << 10)

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int named_netns_ok(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	const char *name = path + n;

	return strncmp(path, dir, n) == 0 && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

int bs_netns_path_ok(const char *path)
{
	static const char proc[] = "/proc/", tail[] = "/ns/net";
	size_t len = strlen(path), tlen = sizeof(tail) - 1, plen = sizeof(proc) - 1;

	if (len >= BS_NETNS_PATH_MAX)
		return 0;
	if (named_netns_ok(path, "/run/netns/") || named_netns_ok(path, "/var/run/netns/"))
		return 1;
	return len > plen + tlen && strncmp(path, proc, plen) == 0 && strcmp(path + len - tlen, tail) == 0 &&
	       all_digits(path + plen, len - plen - tlen);
}

struct netns_job {
	const char *path;
	int (*fn)(void *ctx);
	void *ctx;
	int result;
};

static void *netns_thread(void *opaque)
{
	struct netns_job *job = opaque;
	int fd = open(job->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		job->result = -errno;
		return NULL;
	}
	/* setns(CLONE_NEWNET) moves only this thread, which ends right after. */
	if (setns(fd, CLONE_NEWNET) < 0) {
		job->result = -errno;
		close(fd);
		return NULL;
	}
	close(fd);
	job->result = job->fn(job->ctx);
	return NULL;
}

int bs_in_netns(const char *ns_path, int (*fn)(void *ctx), void *ctx)
{
	struct netns_job job = { ns_path, fn, ctx, 0 };
	pthread_t thread;
	int err;

	if (!ns_path)
		return fn(ctx);
	if (!bs_netns_path_ok(ns_path))
		return -EACCES;
	err = pthread_create(&thread, NULL, netns_thread, &job);
	if (err)
		return -err;
	err = pthread_join(thread, NULL);
	if (err)
		return -err;
	return job.result;
}

static int append(struct bs_buf *out, size_t *cap, const void *data, size_t len)
{
	if ((size_t)out->len + len > BS_RTNL_MAX)
		return -EFBIG;
	if ((size_t)out->len + len > *cap) {
		size_t next = *cap ? *cap * 2 : RECV_BUF;
		while (next < (size_t)out->len + len)
			next *= 2;
		uint8_t *grown = realloc(out->data, next);
		if (!grown)
			return -ENOMEM;
		out->data = grown;
		*cap = next;
	}
	memcpy(out->data + out->len, data, len);
	out->len += (uint32_t)len;
	return 0;
}

const char *bs_rtnl_dump_name(enum bs_rtnl_dump what)
{
	static const char *const names[] = { "RTM_GETLINK", "RTM_GETTFILTER", "RTM_GETROUTE", "RTM_GETQDISC",
					     "RTM_GETTCLASS" };

	return (unsigned)what <= BS_RTNL_LAST ? names[what] : "rtnetlink dump";
}

static int send_request(int sock, enum bs_rtnl_dump what, int32_t ifindex, uint32_t parent)
{
	static const uint16_t types[] = { RTM_GETLINK, RTM_GETTFILTER, RTM_GETROUTE, RTM_GETQDISC, RTM_GETTCLASS };
	struct {
		struct nlmsghdr nh;
		union {
			struct ifinfomsg ifi;
			struct tcmsg tc;
			struct rtmsg rt;
		} body;
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t body;

	if ((unsigned)what > BS_RTNL_LAST)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	switch (what) {
	case BS_RTNL_LINKS:
		body = sizeof(req.body.ifi);
		req.body.ifi.ifi_family = AF_UNSPEC;
		break;
	case BS_RTNL_ROUTES:
		/* AF_UNSPEC: every family (IPv4, IPv6, MPLS) and every table. */
		body = sizeof(req.body.rt);
		req.body.rt.rtm_family = AF_UNSPEC;
		break;
	default:
		body = sizeof(req.body.tc);
		req.body.tc.tcm_family = AF_UNSPEC;
		req.body.tc.tcm_ifindex = ifindex;
		req.body.tc.tcm_parent = parent;
		break;
	}
	req.nh.nlmsg_len = NLMSG_LENGTH(body);
	req.nh.nlmsg_type = types[what];
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	if (sendto(sock, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/* Appends one datagram's messages; returns 1 at the end of the dump. */
static int take_datagram(const uint8_t *buf, size_t len, struct bs_buf *out, size_t *cap)
{
	const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;
	int rest = (int)len, err;

	for (; NLMSG_OK(nh, rest); nh = NLMSG_NEXT(nh, rest)) {
		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			return e->error ? e->error : 1;
		}
		err = append(out, cap, nh, nh->nlmsg_len);
		if (err)
			return err;
	}
	return 0;
}

int bs_rtnl_dump(enum bs_rtnl_dump what, int32_t ifindex, uint32_t parent, struct bs_buf *out)
{
	size_t cap = 0;
	uint8_t *buf;
	int sock, err;

	out->data = NULL;
	out->len = 0;
	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sock < 0)
		return -errno;
	buf = malloc(RECV_BUF);
	if (!buf) {
		close(sock);
		return -ENOMEM;
	}
	err = send_request(sock, what, ifindex, parent);
	/* Each pass either ends the dump or grows out, which append() bounds. */
	while (!err) {
		ssize_t n = recv(sock, buf, RECV_BUF, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
		} else if (n == 0) {
			err = -EBADMSG;
		} else {
			err = take_datagram(buf, (size_t)n, out, &cap);
		}
	}
	free(buf);
	close(sock);
	if (err < 0) {
		bs_buf_free(out);
		return err;
	}
	return 0;
}

struct seen_netns {
	uint64_t inodes[BS_NETNS_MAX];
	uint32_t count;
};

/* 1: new and recorded; 0: seen already or no room. */
static int remember(struct seen_netns *seen, uint64_t inode)
{
	for (uint32_t i = 0; i < seen->count; i++)
		if (seen->inodes[i] == inode)
			return 0;
	if (seen->count == BS_NETNS_MAX)
		return 0;
	seen->inodes[seen->count++] = inode;
	return 1;
}

static int visit_path(struct seen_netns *seen, const char *path, int32_t pid,
		      int (*visit)(const struct bs_netns *, void *), void *ctx)
{
	struct bs_netns ns;
	struct stat st;

	if (stat(path, &st) < 0 || !remember(seen, (uint64_t)st.st_ino))
		return 0;
	ns.inode = (uint64_t)st.st_ino;
	ns.pid = pid;
	snprintf(ns.path, sizeof(ns.path), "%s", path);
	return visit(&ns, ctx);
}

static int scan_dir(struct seen_netns *seen, const char *dir, int by_pid,
		    int (*visit)(const struct bs_netns *, void *), void *ctx)
{
	char path[BS_NETNS_PATH_MAX];
	struct dirent *ent;
	DIR *d = opendir(dir);
	int stop = 0;

	if (!d)
		return 0;
	while (!stop && seen->count < BS_NETNS_MAX && (ent = readdir(d)) != NULL) {
		size_t n = strlen(ent->d_name);
		if (ent->d_name[0] == '.' || (by_pid && !all_digits(ent->d_name, n)))
			continue;
		if (snprintf(path, sizeof(path), by_pid ? "%s%s/ns/net" : "%s%s", dir, ent->d_name) >= (int)sizeof(path))
			continue;
		stop = visit_path(seen, path, by_pid ? atoi(ent->d_name) : 0, visit, ctx);
	}
	closedir(d);
	return stop;
}

int bs_scan_netns(int (*visit)(const struct bs_netns *ns, void *ctx), void *ctx)
{
	struct seen_netns *seen = calloc(1, sizeof(*seen));
	char self[64];

	if (!seen)
		return -ENOMEM;
	/* Our own namespace first, so it is reported as the host's. */
	snprintf(self, sizeof(self), "/proc/%d/ns/net", (int)getpid());
	if (!visit_path(seen, self, (int32_t)getpid(), visit, ctx) &&
	    !scan_dir(seen, "/run/netns/", 0, visit, ctx))
		scan_dir(seen, "/proc/", 1, visit, ctx);
	free(seen);
	return 0;
}
