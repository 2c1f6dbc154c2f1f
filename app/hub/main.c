/*
 * zhucan-hub: the canteen network's server (the kiosks' /v1 API, the console's API and files)
 * and, as `zhucan-hub admin`, its administrators' command line. A thin main over libzchub.
 *
 * The server runs until SIGINT or SIGTERM, then finishes the requests in flight and exits 0. It
 * logs one line per request to stderr (method, path, status, milliseconds).
 */
#include "hubadmin.h"

#include "zc/hub.h"
#include "zc/hubhttp.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ZC_WEB_DIR_DEFAULT
#define ZC_WEB_DIR_DEFAULT "/usr/share/zhucan/web"
#endif

enum { THREADS_MAX = 256 };

static void print_usage(FILE *f)
{
    fprintf(f, "usage:\n"
               "  zhucan-hub --db sqlite:PATH|postgresql://... --listen HOST:PORT [--web DIR]\n"
               "             [--threads N]\n"
               "  zhucan-hub admin --db DB COMMAND ...   (zhucan-hub admin --help)\n");
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "zhucan-hub: %s%s%s\n", what, arg ? " " : "", arg ? arg : "");
    return HUB_EXIT_USAGE;
}

/* Blocks the stop signals in every thread (libmicrohttpd's inherit the mask) and waits. */
static void wait_for_stop(const sigset_t *stop)
{
    int sig = 0;
    while (sigwait(stop, &sig) != 0)
        ;
    fprintf(stderr, "zhucan-hub: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
}

static int serve(int argc, char **argv)
{
    const char *db = NULL, *listen = NULL, *web = ZC_WEB_DIR_DEFAULT, *threads_text = NULL;
    for (int i = 1; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--db") == 0        ? &db
                            : strcmp(argv[i], "--listen") == 0  ? &listen
                            : strcmp(argv[i], "--web") == 0     ? &web
                            : strcmp(argv[i], "--threads") == 0 ? &threads_text
                                                                : NULL;
        if (!slot)
            return usage_error("unknown argument", argv[i]);
        if (i + 1 >= argc)
            return usage_error(argv[i], "needs a value");
        *slot = argv[++i];
    }
    if (!db)
        return usage_error("--db is required", NULL);
    if (!listen)
        return usage_error("--listen is required", NULL);
    int threads = 0;
    if (threads_text) {
        char *end;
        long n = strtol(threads_text, &end, 10);
        if (*end || end == threads_text || n < 1 || n > THREADS_MAX)
            return usage_error("--threads: not a number from 1 to 256:", threads_text);
        threads = (int)n;
    }

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client that hangs up is not a reason to exit */

    zc_hub_opts hopts = {.db_url = db};
    zc_hub *hub;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_open(&hopts, &hub, &diag);
    if (err) {
        fprintf(stderr, "zhucan-hub: %s\n", diag.msg[0] ? diag.msg : zc_err_str(err));
        return err == ZC_ERR_INVALID ? HUB_EXIT_USAGE : HUB_EXIT_FAILED;
    }
    zc_hubhttp_opts opts = {.listen = listen, .web_dir = web, .threads = threads, .log = stderr};
    zc_hubhttp *server;
    if ((err = zc_hubhttp_start(hub, &opts, &server, &diag))) {
        fprintf(stderr, "zhucan-hub: %s\n", diag.msg[0] ? diag.msg : zc_err_str(err));
        zc_hub_close(hub);
        return err == ZC_ERR_INVALID ? HUB_EXIT_USAGE : HUB_EXIT_FAILED;
    }
    /* Scripts that asked for port 0 read the real one from this line. */
    const char *colon = strrchr(listen, ':');
    int host_len = colon ? (int)(colon - listen) : 0;
    unsigned port = zc_hubhttp_port(server);
    fprintf(stderr, "zhucan-hub: listening on http://%.*s:%u (port %u)\n", host_len, listen, port,
            port);
    wait_for_stop(&stop);
    zc_hubhttp_stop(server);
    zc_hub_close(hub);
    return HUB_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "admin") == 0)
        return zc_hubadmin_main(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
        print_usage(stdout);
        return HUB_EXIT_OK;
    }
    if (argc < 2) {
        print_usage(stderr);
        return HUB_EXIT_USAGE;
    }
    return serve(argc, argv);
}
