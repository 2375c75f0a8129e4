// Linux calls that Swift's Glibc module does not expose (they need _GNU_SOURCE).
#ifndef KHO_SYSTEM_H
#define KHO_SYSTEM_H

/// syncfs(2): flush every dirty page of the file system holding `fd`; -1 and errno on failure.
int kho_syncfs(int fd);

#endif
