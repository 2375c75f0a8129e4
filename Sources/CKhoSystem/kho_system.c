#define _GNU_SOURCE
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
