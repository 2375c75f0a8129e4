#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "kho_system.h"

int kho_syncfs(int fd) {
#ifdef __linux__
    return syncfs(fd);
#else
    sync();
    return 0;
#endif
}

int kho_start_writeback(int fd, int64_t offset, int64_t length) {
#ifdef __linux__
    return sync_file_range(fd, (off64_t)offset, (off64_t)length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}
