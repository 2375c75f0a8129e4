// Linux calls that Swift's Glibc module does not expose (they need _GNU_SOURCE).
#ifndef KHO_SYSTEM_H
#define KHO_SYSTEM_H

#include <stdint.h>

/// syncfs(2): flush every dirty page of the file system holding `fd`; -1 and errno on failure.
int kho_syncfs(int fd);

/// sync_file_range(2) with SYNC_FILE_RANGE_WRITE: start writing a range to disk without
/// waiting, so the disk works while we go on hashing. Not a durability guarantee (fsync is).
int kho_start_writeback(int fd, int64_t offset, int64_t length);

/// mallopt(3): buffers of `mmap_threshold` bytes and more mapped on their own, at most
/// `arenas` heaps. Does nothing outside glibc.
void kho_tune_allocator(int mmap_threshold, int arenas);


/// openat2(2) with RESOLVE_BENEATH: opens `path` (relative) under the folder `dirfd`, failing
/// with EXDEV when the path — through `..` or any symbolic link — would leave it.
/// Returns -1 with errno ENOSYS on kernels before 5.6 (the caller then checks by other means).
int kho_open_beneath(int dirfd, const char *path, int flags);

#endif
