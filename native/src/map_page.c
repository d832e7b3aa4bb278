#define _GNU_SOURCE
#include "map_page.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_read.h"

#define POSSIBLE_CPUS_PATH "/sys/devices/system/cpu/possible"

/* CPUs in a list such as "0-1" or "0,2-5\n"; 0 when it is not one. */
static uint32_t count_cpu_list(const char *list)
{
	uint32_t count = 0;
	char *end;

	while (*list && *list != '\n') {
		unsigned long first = strtoul(list, &end, 10), last = first;

		if (end == list)
			return 0;
		if (*end == '-') {
			list = end + 1;
			last = strtoul(list, &end, 10);
			if (end == list || last < first)
				return 0;
		}
		count += (uint32_t)(last - first + 1);
		list = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end && *end != '\n')
			return 0;
	}
	return count;
}

/* The kernel's num_possible_cpus(), read once; 0 when it cannot be read. */
static uint32_t possible_cpus(void)
{
	static uint32_t cached;
	uint32_t cpus = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	char list[256];
	ssize_t len;
	int fd;

	if (cpus)
		return cpus;
	fd = open(POSSIBLE_CPUS_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, list, sizeof(list) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	list[len] = 0;
	cpus = count_cpu_list(list);
	__atomic_store_n(&cached, cpus, __ATOMIC_RELAXED);
	return cpus;
}

static int per_cpu_values(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

int bs_map_page_fits(int fd, uint32_t key_size, uint32_t value_stride)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	uint64_t need;
	int err;

	memset(&info, 0, sizeof(info));
	err = bs_obj_info(fd, (uint8_t *)&info, &len);
	if (err)
		return err;
	if (info.key_size != key_size)
		return -EINVAL;
	need = info.value_size;
	if (per_cpu_values(info.type)) {
		uint32_t cpus = possible_cpus();

		if (!cpus)
			return -EINVAL;
		need = (((uint64_t)info.value_size + 7) & ~(uint64_t)7) * cpus;
	}
	return value_stride < need ? -EINVAL : 0;
}

int bs_map_page_args(uint32_t key_size, uint32_t value_stride, uint32_t max)
{
	if (!key_size || key_size > BS_MAP_KEY_MAX || value_stride > BS_MAP_STRIDE_MAX || !max)
		return 1;
	return (uint64_t)max * (key_size + value_stride) > BS_AUX_MAX;
}

size_t bs_map_batch_token(uint32_t key_size)
{
	return key_size > 8 ? key_size : 8;
}

int bs_map_page_batch(int fd, const uint8_t *token, uint32_t max, struct bs_map_page *page)
{
	uint32_t count = max;
	int err = bs_map_lookup_batch(fd, token, page->cursor, page->keys, page->values, &count);

	if (err && err != -ENOENT)
		return err;
	page->count = count;
	page->failed = 0;
	page->done = err == -ENOENT;
	return 0;
}

int bs_map_page_next(int fd, const uint8_t *prev, uint32_t key_size, uint32_t value_stride, uint32_t max,
		     struct bs_map_page *page)
{
	uint32_t count = 0, failed = 0;
	int done = 0, err;

	while (count < max) {
		uint8_t *key = page->keys + (size_t)count * key_size;
		uint8_t *value = page->values + (size_t)count * value_stride;

		err = bs_map_next_key(fd, prev, key);
		if (err == -ENOENT) {
			done = 1;
			break;
		}
		if (err)
			return err;
		memcpy(page->cursor, key, key_size);
		prev = page->cursor;
		err = bs_map_lookup(fd, key, value);
		page->errs[count] = -err;
		if (err) {
			memset(value, 0, value_stride);
			failed++;
		}
		count++;
	}
	if (!prev)
		memset(page->cursor, 0, key_size);
	page->count = count;
	page->failed = failed;
	page->done = done;
	return 0;
}
