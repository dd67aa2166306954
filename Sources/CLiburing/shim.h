#ifndef CLIBURING_SHIM_H
#define CLIBURING_SHIM_H

// liburing's header pulls in kernel and libc headers whose modules clash with
// Glibc's unless these are imported first (fd_set / fds_bits redefinitions).
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/select.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <time.h>

#include <liburing.h>

#endif
