#define _GNU_SOURCE
#include "ringbuf_mmap.h"

#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpf_read.h"

/* By value: the 6.1 uapi headers do not name the user ring buffer. */
#define BS_MAP_TYPE_RINGBUF 27
#define BS_MAP_TYPE_USER_RINGBUF 31

/* Page 0 of the mapping holds consumer_pos, page 1 producer_pos (both at
 * offset 0 of their page), then the data pages follow twice over. */
static int read_position(int fd, long page_size, off_t page, uint64_t *pos)
{
	void *addr = mmap(NULL, (size_t)page_size, PROT_READ, MAP_SHARED, fd, page * page_size);

	if (addr == MAP_FAILED)
		return -errno;
	/* Acquire pairs with the producer's release store of the position. */
	*pos = __atomic_load_n((const uint64_t *)addr, __ATOMIC_ACQUIRE);
	if (munmap(addr, (size_t)page_size))
		return -errno;
	return 0;
}

int bs_ringbuf_positions(uint32_t id, struct bs_ringbuf_positions *out)
{
	struct bpf_map_info info;
	uint32_t info_len = sizeof(info);
	long page_size = sysconf(_SC_PAGESIZE);
	int fd, err;

	if (page_size <= 0)
		return -EINVAL;
	/* Opened without BPF_F_RDONLY: the kernel refuses mmap on such fds.
	 * The mapping itself is PROT_READ. */
	fd = bs_fd_by_id(BS_MAP, id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	err = bs_obj_info(fd, (uint8_t *)&info, &info_len);
	if (!err && info.type != BS_MAP_TYPE_RINGBUF && info.type != BS_MAP_TYPE_USER_RINGBUF)
		err = -EINVAL;
	if (!err)
		err = read_position(fd, page_size, 0, &out->consumer_pos);
	if (!err)
		err = read_position(fd, page_size, 1, &out->producer_pos);
	out->data_size = info.max_entries;
	out->map_type = info.type;
	close(fd);
	return err;
}
