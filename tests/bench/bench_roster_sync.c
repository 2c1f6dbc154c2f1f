/*
 * The roster at scale, hub to kiosk: the hub imports a generated roster of ROWS elders (valid ID
 * numbers, about half with QR tokens, a fifth with meal cards); a freshly enrolled kiosk then does
 * a full roster sync with zc_sync_round; CHANGED rows are changed on the hub; and the kiosk does a
 * delta sync. Each is timed; the syncs also count the bytes on the wire, both ways, headers and
 * all, with a counting TCP relay between the kiosk and the hub (on loopback, so it adds a copy and
 * little time).
 * usage: bench_roster_sync WORK_DIR DB [ROWS] [CHANGED]   (ROWS defaults to 1,000,000)
 */
#include "hubbench.h"

#include "zc/sync.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    DEFAULT_ROWS = 1000000,
    DEFAULT_CHANGED = 1000,
    RELAY_BUF = 65536,
    LISTEN_BACKLOG = 16,
    CLOSE_WAIT_S = 10, /* the kiosk closes its connections when a round ends */
    BYTES_PER_MB = 1000000,
};

static const char PROG[] = "bench_roster_sync";
static const char USAGE[] = "bench_roster_sync WORK_DIR DB [ROWS] [CHANGED]";

/* ---- a TCP relay that counts what passes ---- */

typedef struct relay {
    int listen_fd;
    uint16_t port;
    struct sockaddr_in upstream;
    pthread_t acceptor;
    atomic_llong to_hub, from_hub; /* bytes */
    pthread_mutex_t mu;
    pthread_cond_t closed;
    int live; /* connections being relayed */
} relay;

typedef struct pair {
    relay *r;
    int fd[2]; /* kiosk side, hub side */
} pair;

/* Writes all of buf; false when the peer is gone. */
static bool write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        buf += w;
        n -= (size_t)w;
    }
    return true;
}

static void *relay_pair(void *arg)
{
    pair *p = arg;
    char *buf = malloc(RELAY_BUF);
    struct pollfd fds[2] = {{.fd = p->fd[0], .events = POLLIN}, {.fd = p->fd[1], .events = POLLIN}};
    bool open = buf != NULL;
    while (open) {
        if (poll(fds, 2, -1) < 0) {
            open = errno == EINTR;
            continue;
        }
        for (int side = 0; side < 2 && open; side++) {
            if (!(fds[side].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = recv(p->fd[side], buf, RELAY_BUF, 0);
            /* Either end closing ends the connection: HTTP clients and servers close whole. */
            open = n > 0 && write_all(p->fd[1 - side], buf, (size_t)n);
            if (open)
                atomic_fetch_add(side == 0 ? &p->r->to_hub : &p->r->from_hub, (long long)n);
        }
    }
    free(buf);
    close(p->fd[0]);
    close(p->fd[1]);
    pthread_mutex_lock(&p->r->mu);
    p->r->live--;
    pthread_cond_broadcast(&p->r->closed);
    pthread_mutex_unlock(&p->r->mu);
    free(p);
    return NULL;
}

static void *accept_loop(void *arg)
{
    relay *r = arg;
    for (;;) {
        int fd = accept(r->listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL; /* the listening socket was shut down: relay_stop */
        }
        pair *p = malloc(sizeof *p);
        int up = socket(AF_INET, SOCK_STREAM, 0);
        pthread_t t;
        if (!p || up < 0 || connect(up, (struct sockaddr *)&r->upstream, sizeof r->upstream)) {
            bench_die(PROG, "relay", "cannot reach the hub");
        }
        *p = (pair){.r = r, .fd = {fd, up}};
        pthread_mutex_lock(&r->mu);
        r->live++;
        pthread_mutex_unlock(&r->mu);
        if (pthread_create(&t, NULL, relay_pair, p) || pthread_detach(t))
            bench_die(PROG, "relay", "cannot start a thread");
    }
}

static void relay_start(relay *r, uint16_t hub_port)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->closed, NULL);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    r->upstream = a;
    r->upstream.sin_port = htons(hub_port);
    socklen_t len = sizeof a;
    r->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (r->listen_fd < 0 || bind(r->listen_fd, (struct sockaddr *)&a, sizeof a) ||
        listen(r->listen_fd, LISTEN_BACKLOG) ||
        getsockname(r->listen_fd, (struct sockaddr *)&a, &len))
        bench_die(PROG, "relay", strerror(errno));
    r->port = ntohs(a.sin_port);
    if (pthread_create(&r->acceptor, NULL, accept_loop, r))
        bench_die(PROG, "relay", "cannot start a thread");
}

/* The bytes both ways since the last call, once every connection has closed. */
static void relay_take(relay *r, long long *to_hub, long long *from_hub)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += CLOSE_WAIT_S;
    pthread_mutex_lock(&r->mu);
    while (r->live > 0)
        if (pthread_cond_timedwait(&r->closed, &r->mu, &until) == ETIMEDOUT)
            bench_die(PROG, "relay", "the kiosk kept a connection open after its round");
    pthread_mutex_unlock(&r->mu);
    *to_hub = atomic_exchange(&r->to_hub, 0);
    *from_hub = atomic_exchange(&r->from_hub, 0);
}

static void relay_stop(relay *r)
{
    long long up, down;
    relay_take(r, &up, &down);
    shutdown(r->listen_fd, SHUT_RDWR);
    pthread_join(r->acceptor, NULL);
    close(r->listen_fd);
    pthread_cond_destroy(&r->closed);
    pthread_mutex_destroy(&r->mu);
}

/* ---- the benchmark ---- */

static double seconds_since(int64_t t0)
{
    return (double)(bench_now_ns() - t0) / BENCH_NS_PER_S;
}

static double import(hb_hub *h, const char *csv, size_t len, zc_hub_roster_stats *st)
{
    zc_diag d = {{0}, 0};
    int64_t t0 = bench_now_ns();
    if (zc_hub_roster_import(h->hub, csv, len, false, st, NULL, &d))
        bench_die(PROG, "roster import", d.msg);
    return seconds_since(t0);
}

static void sync_round(const hb_hub *h, relay *r, zc_datadir *dd, const char *what, int64_t rows)
{
    zc_sync_result res;
    zc_diag d = {{0}, 0};
    int64_t t0 = bench_now_ns();
    if (zc_sync_round(dd, NULL, &res, &d))
        bench_die(PROG, what, d.msg);
    double s = seconds_since(t0);
    long long up, down;
    relay_take(r, &up, &down);
    if (res.roster_rows != rows) {
        fprintf(stderr, "%s: %s brought %lld rows, not %lld\n", PROG, what,
                (long long)res.roster_rows, (long long)rows);
        bench_die(PROG, what, "the kiosk is not in step with the hub");
    }
    printf("%s %-10s %lld rows in %.2f s (%.0f rows/s); %.2f MB from the hub, %.3f MB to it "
           "(%.0f bytes a row)\n",
           h->backend, what, (long long)rows, s, (double)rows / s, (double)down / BYTES_PER_MB,
           (double)up / BYTES_PER_MB, rows ? (double)(down + up) / (double)rows : 0.0);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        bench_die(PROG, "usage", USAGE);
    int rows = argc > 3 ? bench_parse_count(PROG, USAGE, "ROWS", argv[3]) : DEFAULT_ROWS;
    int changed = argc > 4 ? bench_parse_count(PROG, USAGE, "CHANGED", argv[4]) : DEFAULT_CHANGED;
    if (changed > rows)
        changed = rows;
    if (curl_global_init(CURL_GLOBAL_DEFAULT))
        bench_die(PROG, "libcurl", "cannot initialise");
    hb_hub h;
    hb_hub_open(&h, PROG, argv[1], argv[2], "roster", 0);

    size_t len;
    char *csv = hb_roster_csv(PROG, 0, (uint64_t)rows, 1, 0, &len);
    zc_hub_roster_stats st;
    double s = import(&h, csv, len, &st);
    free(csv);
    if (st.added != rows)
        bench_die(PROG, "roster import", "not every row was added");
    printf("%s hub import %d rows (%.1f MB of CSV) in %.2f s (%.0f rows/s)\n", h.backend, rows,
           (double)len / BYTES_PER_MB, s, rows / s);

    relay r;
    relay_start(&r, zc_hubhttp_port(h.http));
    char base[HB_BASE_MAX], dir[BENCH_PATH_MAX], code[ZC_HUB_CODE_MAX];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)r.port);
    snprintf(dir, sizeof dir, "%s/kiosk-XXXXXX", argv[1]);
    zc_diag d = {{0}, 0};
    zc_datadir *dd;
    if (!mkdtemp(dir))
        bench_die(PROG, dir, "cannot make the kiosk's directory");
    if (zc_hub_enrol_code_new(h.hub, HB_CANTEEN, code, NULL, &d) ||
        zc_sync_enrol(dir, base, code, &d) || zc_datadir_open(dir, &dd, &d))
        bench_die(PROG, "enrolling a kiosk", d.msg);
    long long up, down;
    relay_take(&r, &up, &down); /* enrolment is not part of the sync */

    sync_round(&h, &r, dd, "full sync", rows);

    /* Every (rows / changed)th elder gets another name: changes spread over the whole roster. */
    csv = hb_roster_csv(PROG, 0, (uint64_t)changed, (uint64_t)(rows / changed), 1, &len);
    s = import(&h, csv, len, &st);
    free(csv);
    if (st.updated != changed)
        bench_die(PROG, "changing rows", "not every row changed");
    printf("%s hub change  %d rows in %.3f s\n", h.backend, changed, s);

    sync_round(&h, &r, dd, "delta sync", changed);

    zc_datadir_close(dd);
    relay_stop(&r);
    hb_hub_close(&h);
    curl_global_cleanup();
    return 0;
}
