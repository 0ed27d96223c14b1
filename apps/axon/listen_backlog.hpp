// The listen backlog of `axon serve`'s HTTP socket. cpp-httplib 0.11 (Debian 12's) listens
// with a backlog of 5 and has no setting for it: when more clients than that connect at
// once (64 load-generator clients starting together), the kernel's accept queue overflows
// and some of those connections lose their first request (measured: 0-24 of ~6000
// requests in 2 s runs at 64 clients, none once widened). Linux lets a process call
// listen() again on a listening socket to change its backlog; this does that.
#pragma once

namespace axon::app {

/// Calls listen(fd, SOMAXCONN) on this process's listening TCP sockets bound to `port`
/// (found among its open descriptors, /proc/self/fd); returns how many it widened.
int widen_listen_backlog(int port);

} // namespace axon::app
