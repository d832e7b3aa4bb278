#define _GNU_SOURCE
#include "agent_hello.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bpf_read.h"
#include "proc_scan.h"

/* A small file's first line, trailing newline cut; "" when unreadable. */
static void first_line(const char *path, char *out, size_t size)
{
	struct bs_buf buf;

	out[0] = '\0';
	if (bs_read_file(path, 65536, &buf) != 0)
		return;
	size_t n = 0;
	while (n < buf.len && n + 1 < size && buf.data[n] != '\n')
		n++;
	memcpy(out, buf.data, n);
	out[n] = '\0';
	bs_buf_free(&buf);
}

/* A sysctl as an integer, -1 when unreadable. */
static long sysctl_int(const char *path)
{
	char line[64];
	char *end;
	long v;

	first_line(path, line, sizeof(line));
	if (!line[0])
		return -1;
	v = strtol(line, &end, 10);
	return end == line ? -1 : v;
}

/* "CapEff:\t000001ffffffffff" from /proc/self/status. */
static void cap_eff(char *out, size_t size)
{
	struct bs_buf buf;
	static const char tag[] = "\nCapEff:\t";

	out[0] = '\0';
	if (bs_read_file("/proc/self/status", 1 << 20, &buf) != 0)
		return;
	const uint8_t *hit = memmem(buf.data, buf.len, tag, sizeof(tag) - 1);
	if (hit) {
		const uint8_t *p = hit + sizeof(tag) - 1, *end = buf.data + buf.len;
		size_t n = 0;
		while (p + n < end && p[n] != '\n' && n + 1 < size)
			n++;
		memcpy(out, p, n);
		out[n] = '\0';
	}
	bs_buf_free(&buf);
}

static void key_str(struct bs_json *j, const char *key, const char *value)
{
	bs_json_key(j, key);
	bs_json_str(j, value, strlen(value));
}

void bs_agent_hello(struct bs_json *j)
{
	struct utsname uts;
	char line[256];
	uint32_t next = 0;
	int probe;

	bs_json_raw(j, "{");
	key_str(j, "agent", "bpfscope-agent");
	bs_json_key(j, "protocol");
	bs_json_u64(j, BS_PROTOCOL_VERSION);
	key_str(j, "version", BS_AGENT_VERSION);
	if (uname(&uts) == 0) {
		key_str(j, "kernel", uts.release);
		key_str(j, "arch", uts.machine);
		key_str(j, "hostname", uts.nodename);
	}
	first_line("/sys/devices/system/cpu/online", line, sizeof(line));
	key_str(j, "cpusOnline", line);
	first_line("/sys/devices/system/cpu/possible", line, sizeof(line));
	key_str(j, "cpusPossible", line);
	cap_eff(line, sizeof(line));
	key_str(j, "capEff", line);
	bs_json_key(j, "uid");
	bs_json_u64(j, getuid());
	bs_json_key(j, "euid");
	bs_json_u64(j, geteuid());
	bs_json_key(j, "pid");
	bs_json_u64(j, (uint32_t)getpid());
	key_str(j, "sudoUser", getenv("SUDO_USER") ? getenv("SUDO_USER") : "");
	bs_json_key(j, "bpfStatsEnabled");
	bs_json_i64(j, sysctl_int("/proc/sys/kernel/bpf_stats_enabled"));
	bs_json_key(j, "kptrRestrict");
	bs_json_i64(j, sysctl_int("/proc/sys/kernel/kptr_restrict"));
	bs_json_key(j, "unprivilegedBpfDisabled");
	bs_json_i64(j, sysctl_int("/proc/sys/kernel/unprivileged_bpf_disabled"));
	bs_json_key(j, "btf");
	bs_json_raw(j, access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? "true" : "false");
	/* Whether bpf() answers at all: "ok", or the errno name (ENOSYS: no
	 * BPF in this kernel; EPERM: no capability). */
	probe = bs_next_id(BS_PROG, 0, &next);
	key_str(j, "bpf", probe == 0 || probe == -ENOENT ? "ok" : bs_errno_name(-probe));
	bs_json_raw(j, "}");
}
