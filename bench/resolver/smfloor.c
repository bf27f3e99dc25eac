// smfloor: the floor of the socketmap benchmark (issue 11). A socketmap "daemon" that does no work at all: every
// well-formed netstring request gets the same constant reply, written with one send per read. It is epoll-driven, in
// C, with one thread per core, each with its own SO_REUSEPORT listener. What it reaches with the same load generator
// on the same machine is what the kernel and the hardware allow any daemon there; a real daemon can only be slower.
//
//   smfloor --listen 127.0.0.1:PORT|unix:/path [--threads N]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF 4096
static const char PAYLOAD[] = "OK secure match=mail.loc servername=hostname"; // what a cached enforce answer is
static char REPLY[128];
static size_t reply_len;
static const char *listen_at;
static int unix_fd = -1; // a Unix socket cannot be shared with SO_REUSEPORT: one listener, every thread accepts on it

typedef struct {
  int fd;
  size_t filled;
  char buf[BUF];
} conn_t;

static int tcp_listener(void) {
  char host[128];
  strncpy(host, listen_at, sizeof host - 1);
  host[sizeof host - 1] = 0;
  char *colon = strrchr(host, ':');
  if (!colon) exit(2);
  *colon = 0;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
  inet_pton(AF_INET, host, &a.sin_addr);
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 512) < 0) {
    perror(listen_at);
    exit(2);
  }
  return fd;
}

static void *serve(void *arg) {
  (void)arg;
  int lfd = unix_fd >= 0 ? unix_fd : tcp_listener();
  int ep = epoll_create1(0);
  struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
  struct epoll_event evs[256];
  char out[BUF * 2];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int k = 0; k < n; k++) {
      conn_t *c = evs[k].data.ptr;
      if (!c) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) continue;
        int one = 1;
        if (unix_fd < 0) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = calloc(1, sizeof *c);
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        continue;
      }
      ssize_t r = recv(c->fd, c->buf + c->filled, BUF - c->filled, 0);
      if (r < 0 && errno == EAGAIN) continue;
      if (r <= 0) {
        close(c->fd);
        free(c);
        continue;
      }
      c->filled += (size_t)r;
      size_t off = 0, outn = 0;
      int bad = 0;
      for (;;) { // every complete netstring in the buffer gets the constant reply
        size_t len = 0, i = off;
        for (; i < c->filled && c->buf[i] >= '0' && c->buf[i] <= '9'; i++) len = len * 10 + (size_t)(c->buf[i] - '0');
        if (i == c->filled) break;
        if (i == off || c->buf[i] != ':' || len > 1024) { bad = 1; break; }
        if (c->filled < i + 2 + len) break;
        if (c->buf[i + 1 + len] != ',') { bad = 1; break; }
        if (outn + reply_len > sizeof out) break;
        memcpy(out + outn, REPLY, reply_len);
        outn += reply_len;
        off = i + 2 + len;
      }
      if (outn) send(c->fd, out, outn, MSG_NOSIGNAL);
      memmove(c->buf, c->buf + off, c->filled - off);
      c->filled -= off;
      if (bad) {
        close(c->fd);
        free(c);
      }
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--listen")) listen_at = argv[i + 1];
    else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
  }
  if (!listen_at || threads < 1) {
    fprintf(stderr, "usage: smfloor --listen ADDR:PORT|unix:PATH [--threads N]\n");
    return 2;
  }
  reply_len = (size_t)snprintf(REPLY, sizeof REPLY, "%zu:%s,", sizeof PAYLOAD - 1, PAYLOAD);
  if (strncmp(listen_at, "unix:", 5) == 0) {
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, listen_at + 5, sizeof a.sun_path - 1);
    unlink(a.sun_path);
    unix_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (bind(unix_fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(unix_fd, 512) < 0) {
      perror(listen_at);
      return 2;
    }
  }
  pthread_t t;
  for (int i = 1; i < threads; i++) pthread_create(&t, NULL, serve, NULL);
  serve(NULL);
  return 0;
}
