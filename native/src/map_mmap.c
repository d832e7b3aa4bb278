#define _GNU_SOURCE
#include "map_mmap.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int bs_map_mmap_copy(int fd, uint32_t page_index, size_t len, uint8_t *out)
{
	long page = sysconf(_SC_PAGESIZE);
	void *mem;

	if (page <= 0)
		return -EINVAL;
	if (!len || len > BS_MMAP_MAX)
		return -EINVAL;
	/* The kernel checks the range against the map's size (EINVAL past it). */
	mem = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)page_index * page);
	if (mem == MAP_FAILED)
		return -errno;
	memcpy(out, mem, len);
	if (munmap(mem, len))
		return -errno;
	return 0;
}
