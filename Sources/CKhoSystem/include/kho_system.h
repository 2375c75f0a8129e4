// Linux calls that Swift's Glibc module does not expose (they need _GNU_SOURCE).
#ifndef KHO_SYSTEM_H
#define KHO_SYSTEM_H

#include <stdint.h>

/// syncfs(2): flush every dirty page of the file system holding `fd`; -1 and errno on failure.
int kho_syncfs(int fd);

/// sync_file_range(2) with SYNC_FILE_RANGE_WRITE: start writing a range to disk without
/// waiting, so the disk works while we go on hashing. Not a durability guarantee (fsync is).
int kho_start_writeback(int fd, int64_t offset, int64_t length);

#endif

/// openat2(2) with RESOLVE_BENEATH: opens `path` (relative) under the folder `dirfd`, failing
/// with EXDEV when the path — through `..` or any symbolic link — would leave it.
/// Returns -1 with errno ENOSYS on kernels before 5.6 (the caller then checks by other means).
int kho_open_beneath(int dirfd, const char *path, int flags);
