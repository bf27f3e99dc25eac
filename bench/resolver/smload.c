// smload: socketmap load generator in C (issue 11 benchmark), one thread, epoll, no allocation on the hot path.
// It does what many Postfix smtp processes do to a TLS policy daemon: each connection sends one netstring request
// ("postfix DOMAIN"), waits for the whole reply, then sends the next (Postfix never pipelines a policy lookup).
// The generator shares the machine with the daemon it measures, so it is written to cost as little CPU as possible:
// a multi-core daemon then gets the cores it can use, and a single-core one loses nothing.
//
//   smload --target 127.0.0.1:18461|unix:/path --domains FILE [--connections 100] [--seconds 10] [--warmup 2]
//          [--rate Q] [--name postfix]
//
// Closed loop by default; with --rate each connection paces itself so that all together offer Q queries/s (latency
// below saturation). Prints one line: queries/s, latency percentiles of the timed part (after the warm-up), errors,
// the generator's own CPU seconds and the reply kinds. Exit status 1 when a connection failed or nothing was timed.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAXREPLY 16384
#define MAXKINDS 16

typedef struct {
  int fd;
  size_t next;        // index of the next domain
  uint64_t sent_at;   // ns, 0 = nothing in flight
  uint64_t due;       // paced: when the next request may go
  size_t filled;
  char buf[MAXREPLY];
} conn_t;

static char **requests;
static size_t *request_len;
static size_t nrequests;
static char kinds[MAXKINDS][48];
static uint64_t kind_count[MAXKINDS];
static int nkinds;
static uint64_t *lat;
static size_t nlat, caplat;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

static void load_domains(const char *file, const char *name) {
  FILE *f = fopen(file, "r");
  if (!f) die(file);
  size_t cap = 1024;
  requests = malloc(cap * sizeof *requests);
  request_len = malloc(cap * sizeof *request_len);
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char *d = strtok(line, " \t\r\n");
    if (!d || d[0] == '#') continue;
    char payload[600];
    int plen = snprintf(payload, sizeof payload, "%s %s", name, d);
    if (nrequests == cap) {
      cap *= 2;
      requests = realloc(requests, cap * sizeof *requests);
      request_len = realloc(request_len, cap * sizeof *request_len);
    }
    char *r = malloc((size_t)plen + 16);
    request_len[nrequests] = (size_t)sprintf(r, "%d:%s,", plen, payload);
    requests[nrequests++] = r;
  }
  fclose(f);
  if (nrequests == 0) {
    fprintf(stderr, "smload: no domains in %s\n", file);
    exit(2);
  }
}

static int connect_to(const char *target) {
  int fd;
  if (strncmp(target, "unix:", 5) == 0) {
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, target + 5, sizeof a.sun_path - 1);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die(target);
  } else {
    char host[128];
    strncpy(host, target, sizeof host - 1);
    host[sizeof host - 1] = 0;
    char *colon = strrchr(host, ':');
    if (!colon) {
      fprintf(stderr, "smload: target %s is not HOST:PORT or unix:PATH\n", target);
      exit(2);
    }
    *colon = 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
      fprintf(stderr, "smload: %s is not an IPv4 address\n", host);
      exit(2);
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die(target);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// The reply kind as the C# generator names it: "OK <first word>" or the first word.
static void count_kind(const char *p, size_t n) {
  char k[48];
  size_t i = 0, words = 0, limit = (n >= 3 && memcmp(p, "OK ", 3) == 0) ? 2 : 1;
  for (; i < n && i < sizeof k - 1; i++) {
    if (p[i] == ' ' && ++words == limit) break;
    k[i] = p[i];
  }
  k[i] = 0;
  for (int j = 0; j < nkinds; j++) {
    if (strcmp(kinds[j], k) == 0) {
      kind_count[j]++;
      return;
    }
  }
  if (nkinds < MAXKINDS) {
    strcpy(kinds[nkinds], k);
    kind_count[nkinds++] = 1;
  }
}

// 1 = a whole reply is in the buffer (payload at *p, length *n), 0 = not yet, -1 = bad framing.
static int parse_reply(conn_t *c, const char **p, size_t *n) {
  size_t len = 0, i = 0;
  for (; i < c->filled && c->buf[i] >= '0' && c->buf[i] <= '9'; i++) len = len * 10 + (size_t)(c->buf[i] - '0');
  if (i == c->filled) return 0;
  if (i == 0 || c->buf[i] != ':' || len > MAXREPLY - 16) return -1;
  if (c->filled < i + 1 + len + 1) return 0;
  if (c->buf[i + 1 + len] != ',' || c->filled != i + 2 + len) return -1;
  *p = c->buf + i + 1;
  *n = len;
  return 1;
}

static int send_next(conn_t *c) {
  const char *r = requests[c->next];
  size_t n = request_len[c->next];
  c->next = (c->next + 1) % nrequests;
  c->sent_at = now_ns();
  ssize_t w = send(c->fd, r, n, MSG_NOSIGNAL);
  return w == (ssize_t)n ? 0 : -1; // a request of a few dozen bytes always fits an empty socket buffer
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static double pct(double q) {
  if (nlat == 0) return 0;
  size_t i = (size_t)(q * (double)nlat + 0.999999);
  if (i > 0) i--;
  if (i >= nlat) i = nlat - 1;
  return (double)lat[i] / 1000.0;
}

int main(int argc, char **argv) {
  const char *target = NULL, *domains = NULL, *name = "postfix";
  int connections = 100;
  double seconds = 10, warmup = 2, rate = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--target")) target = argv[i + 1];
    else if (!strcmp(argv[i], "--domains")) domains = argv[i + 1];
    else if (!strcmp(argv[i], "--name")) name = argv[i + 1];
    else if (!strcmp(argv[i], "--connections")) connections = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--warmup")) warmup = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--rate")) rate = atof(argv[i + 1]);
    else {
      fprintf(stderr, "smload: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (!target || !domains || connections < 1 || seconds <= 0) {
    fprintf(stderr, "usage: smload --target ADDR:PORT|unix:PATH --domains FILE [--connections N] [--seconds S] [--warmup S] [--rate Q] [--name MAP]\n");
    return 2;
  }
  load_domains(domains, name);
  caplat = 1 << 20;
  lat = malloc(caplat * sizeof *lat);
  conn_t *cs = calloc((size_t)connections, sizeof *cs);
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  uint64_t interval = rate > 0 ? (uint64_t)((double)connections / rate * 1e9) : 0;
  uint64_t start = now_ns();
  for (int i = 0; i < connections; i++) {
    cs[i].fd = connect_to(target);
    cs[i].next = (size_t)i * 7919 % nrequests;
    cs[i].due = start + interval * (uint64_t)i / (uint64_t)connections;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) < 0) die("epoll_ctl");
  }
  start = now_ns();
  uint64_t timed_from = start + (uint64_t)(warmup * 1e9), end = timed_from + (uint64_t)(seconds * 1e9);
  uint64_t errors = 0;
  int open = connections;
  if (interval == 0) {
    for (int i = 0; i < connections; i++)
      if (send_next(&cs[i]) < 0) die("send");
  }
  struct epoll_event evs[256];
  struct rusage ru0, ru1;
  getrusage(RUSAGE_SELF, &ru0);
  while (open > 0) {
    uint64_t t = now_ns();
    if (t >= end) break;
    uint64_t wake = end; // epoll_pwait2: a nanosecond timeout, so pacing neither spins nor rounds to milliseconds
    if (interval > 0) {
      for (int i = 0; i < connections; i++) {
        conn_t *c = &cs[i];
        if (c->fd < 0 || c->sent_at) continue;
        if (c->due <= t) {
          c->due += interval;
          if (send_next(c) < 0) {
            errors++;
            close(c->fd);
            c->fd = -1;
            open--;
          }
        } else if (c->due < wake) {
          wake = c->due;
        }
      }
    }
    struct timespec timeout = {.tv_sec = (time_t)((wake - t) / 1000000000ull), .tv_nsec = (long)((wake - t) % 1000000000ull)};
    int n = epoll_pwait2(ep, evs, 256, &timeout, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_pwait2");
    }
    for (int k = 0; k < n; k++) {
      conn_t *c = &cs[evs[k].data.u32];
      if (c->fd < 0) continue;
      ssize_t r = recv(c->fd, c->buf + c->filled, MAXREPLY - c->filled, 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      const char *p;
      size_t plen;
      int st = r > 0 ? (c->filled += (size_t)r, parse_reply(c, &p, &plen)) : -1;
      if (st == 0) continue;
      if (st < 0 || !c->sent_at) {
        errors++;
        close(c->fd);
        c->fd = -1;
        open--;
        continue;
      }
      uint64_t t1 = now_ns();
      if (c->sent_at >= timed_from && t1 <= end) {
        if (nlat == caplat) {
          caplat *= 2;
          lat = realloc(lat, caplat * sizeof *lat);
        }
        lat[nlat++] = t1 - c->sent_at;
        count_kind(p, plen);
      }
      c->filled = 0;
      c->sent_at = 0;
      if (interval == 0 && send_next(c) < 0) {
        errors++;
        close(c->fd);
        c->fd = -1;
        open--;
      }
    }
  }
  getrusage(RUSAGE_SELF, &ru1);
  double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
               (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
  qsort(lat, nlat, sizeof *lat, cmp_u64);
  char offered[32];
  if (rate > 0) snprintf(offered, sizeof offered, "%.0f/s", rate);
  else strcpy(offered, "max");
  printf("target=%s connections=%d domains=%zu offered=%s seconds=%.1f queries=%zu rate=%.0f/s p50=%.0fus p90=%.0fus "
         "p99=%.0fus p99.9=%.0fus max=%.0fus errors=%llu generator_cpu=%.1fs replies=",
         target, connections, nrequests, offered, seconds, nlat, (double)nlat / seconds, pct(0.5), pct(0.9), pct(0.99),
         pct(0.999), pct(1.0), (unsigned long long)errors, cpu);
  for (int j = 0; j < nkinds; j++) printf("%s%s:%llu", j ? "," : "", kinds[j], (unsigned long long)kind_count[j]);
  printf("\n");
  for (int i = 0; i < connections; i++)
    if (cs[i].fd >= 0) close(cs[i].fd);
  return errors == 0 && nlat > 0 ? 0 : 1;
}
