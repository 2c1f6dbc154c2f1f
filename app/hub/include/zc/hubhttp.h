/*
 * The hub's HTTP server (libmicrohttpd): the kiosks' /v1 API, the console's /admin/api and the
 * console's static files, over a zc_hub (PROTOCOL.md).
 *
 * Requests are served by a pool of threads, each taking a database connection only for the work
 * of one request. Bodies larger than ZC_HUB_BODY_MAX are refused with 413 before they are read
 * whole; every error is a JSON body. The server never exits because of what a client sent.
 */
#ifndef ZC_HUBHTTP_H
#define ZC_HUBHTTP_H

#include "zc/hub.h"

#include <stdint.h>
#include <stdio.h>

#define ZC_HUB_BODY_MAX (8u * 1024u * 1024u)

typedef struct zc_hubhttp zc_hubhttp;

typedef struct zc_hubhttp_opts {
    const char *listen;  /* "HOST:PORT"; port 0 picks a free one (see zc_hubhttp_port) */
    const char *web_dir; /* the console's files (assets/web); NULL serves no console */
    int threads;         /* 0 for a default of 8 */
    FILE *log;           /* one line per request (method path status ms); NULL for none */
} zc_hubhttp_opts;

/* Starts serving in background threads; returns once the socket listens. */
zc_err zc_hubhttp_start(zc_hub *hub, const zc_hubhttp_opts *opts, zc_hubhttp **out, zc_diag *diag);
uint16_t zc_hubhttp_port(const zc_hubhttp *server);
/* Stops accepting, finishes requests in flight, frees the server (not the hub). */
void zc_hubhttp_stop(zc_hubhttp *server);

#endif
