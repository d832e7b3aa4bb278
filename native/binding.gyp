{
  "targets": [
    {
      "target_name": "bpfscope",
      "sources": ["src/addon.c", "src/napi_util.c", "src/bpf_read.c", "src/map_page.c", "src/proc_scan.c", "src/map_mmap.c", "src/addon_live.c", "src/prog_info_all.c", "src/prog_info_batch.c", "src/map_info_batch.c", "src/prog_array_batch.c", "src/ringbuf_mmap.c", "src/map_digest.c", "src/addon_watch.c", "src/async_collect.c",
                  "src/attach_addon.c", "src/attach_netlink.c", "src/attach_query.c", "src/kern_read.c", "src/addon_kern.c", "src/addon_read_ahead.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-std=gnu11", "-O2"],
      "cflags!": ["-fno-exceptions"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
