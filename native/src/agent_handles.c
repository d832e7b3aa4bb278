#include "agent_handles.h"

#include <errno.h>
#include <unistd.h>

static struct {
	uint32_t handle;
	int fd;
	uint32_t obj;
} handles[BS_HANDLES_MAX];
static uint32_t next_handle = 1;

int bs_handle_add(struct reply *r, int fd, uint32_t obj)
{
	for (int i = 0; i < BS_HANDLES_MAX; i++)
		if (!handles[i].handle) {
			handles[i].handle = next_handle++;
			handles[i].fd = fd;
			handles[i].obj = obj;
			bs_json_raw(&r->meta, "{\"handle\":");
			bs_json_u64(&r->meta, handles[i].handle);
			bs_json_raw(&r->meta, "}");
			return 0;
		}
	close(fd);
	return bs_reply_fail(r, -EMFILE, "handle", obj);
}

static int find(const struct bs_request *req)
{
	uint32_t h;

	if (bs_request_u32(req, "handle", &h) || !h)
		return -1;
	for (int i = 0; i < BS_HANDLES_MAX; i++)
		if (handles[i].handle == h)
			return i;
	return -1;
}

int bs_handle_fd(const struct bs_request *req, uint32_t *obj)
{
	int i = find(req);

	if (i < 0)
		return -1;
	*obj = handles[i].obj;
	return handles[i].fd;
}

void bs_handle_close(const struct bs_request *req)
{
	int i = find(req);

	if (i >= 0) {
		close(handles[i].fd);
		handles[i].handle = 0;
	}
}
