/*
 * The hub database on a PostgreSQL server through libpq: text parameters and results
 * (PQexecParams), one PGconn per pooled connection, single-row mode for streamed queries.
 */
#include "hubdb_impl.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* SQLSTATE of a unique_violation. */
static const char SQLSTATE_UNIQUE[] = "23505";

enum { CANCEL_ERRBUF = 256 };

/* Notices ("relation already exists, skipping") are for people at psql, not for the hub's log. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static zc_err conn_fail(PGconn *pg, const char *what, zc_diag *diag)
{
    const char *msg = PQerrorMessage(pg);
    size_t len = strlen(msg);
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--; /* libpq ends its messages with a newline */
    return zc_diag_set(diag, ZC_ERR_DB, "%s: %.*s", what, (int)len, msg);
}

static zc_err result_fail(PGconn *pg, PGresult *res, const char *what, zc_diag *diag)
{
    if (!res)
        return conn_fail(pg, what, diag);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    zc_err err = state && strcmp(state, SQLSTATE_UNIQUE) == 0 ? ZC_ERR_EXISTS : ZC_ERR_DB;
    if (!primary)
        return conn_fail(pg, what, diag);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    return zc_diag_set(diag, err, "%s: %s%s%s", what, primary, detail ? ": " : "",
                       detail ? detail : "");
}

static bool ok_status(ExecStatusType st)
{
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE;
}

/* Runs sql (no rows wanted) and reports its failure as what. */
static zc_err run(PGconn *pg, const char *sql, const char *const *params, int n, int64_t *changes,
                  const char *what, zc_diag *diag)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    zc_err err = ZC_OK;
    if (!res || !ok_status(PQresultStatus(res)))
        err = result_fail(pg, res, what, diag);
    else if (changes) {
        const char *tuples = PQcmdTuples(res);
        *changes = *tuples ? strtoll(tuples, NULL, 10) : 0;
    }
    PQclear(res);
    return err;
}

static zc_err pg_connect(const char *target, void **handle, zc_diag *diag)
{
    PGconn *pg = PQconnectdb(target);
    if (!pg)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory connecting to PostgreSQL");
    if (PQstatus(pg) != CONNECTION_OK) {
        zc_err err = conn_fail(pg, "connecting to PostgreSQL", diag);
        PQfinish(pg);
        return err;
    }
    PQsetNoticeProcessor(pg, quiet, NULL);
    *handle = pg;
    return ZC_OK;
}

static void pg_disconnect(void *handle)
{
    PQfinish(handle);
}

/*
 * Whether the server said anything to an idle connection. We never LISTEN, so what it says
 * there is its goodbye (a restart, pg_terminate_backend, idle_session_timeout) or the socket's
 * end: libpq itself only notices at the next query, which would then fail.
 */
static bool server_hung_up(PGconn *pg)
{
    struct pollfd pfd = {.fd = PQsocket(pg), .events = POLLIN};
    return pfd.fd < 0 || poll(&pfd, 1, 0) != 0;
}

/* A connection the server dropped is made again, once, before anyone uses it. */
static zc_err pg_revive(void *handle, zc_diag *diag)
{
    PGconn *pg = handle;
    if (PQstatus(pg) == CONNECTION_OK && PQtransactionStatus(pg) == PQTRANS_IDLE &&
        !server_hung_up(pg))
        return ZC_OK;
    PQreset(pg);
    if (PQstatus(pg) != CONNECTION_OK)
        return conn_fail(pg, "reconnecting to PostgreSQL", diag);
    return ZC_OK;
}

static zc_err pg_script(void *handle, const char *sql, zc_diag *diag)
{
    /* PQexec, unlike PQexecParams, takes several statements in one string. */
    PGresult *res = PQexec(handle, sql);
    zc_err err = ZC_OK;
    if (!res || !ok_status(PQresultStatus(res)))
        err = result_fail(handle, res, "sql", diag);
    PQclear(res);
    return err;
}

static zc_err pg_begin(void *handle, zc_diag *diag)
{
    return run(handle, "BEGIN", NULL, 0, NULL, "begin", diag);
}

static zc_err pg_commit(void *handle, zc_diag *diag)
{
    PGconn *pg = handle;
    /* PostgreSQL answers COMMIT of a failed transaction by rolling back, without an error. */
    if (PQtransactionStatus(pg) == PQTRANS_INERROR)
        return zc_diag_set(diag, ZC_ERR_DB,
                           "commit: the transaction was aborted by an earlier error");
    PGresult *res = PQexec(pg, "COMMIT");
    zc_err err = ZC_OK;
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
        err = result_fail(pg, res, "commit", diag);
    else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
        err = zc_diag_set(diag, ZC_ERR_DB, "commit: the server rolled the transaction back");
    PQclear(res);
    return err;
}

static void pg_rollback(void *handle)
{
    PGconn *pg = handle;
    PGTransactionStatusType st = PQtransactionStatus(pg);
    if (st == PQTRANS_INTRANS || st == PQTRANS_INERROR)
        PQclear(PQexec(pg, "ROLLBACK"));
}

static bool pg_in_transaction(void *handle)
{
    PGTransactionStatusType st = PQtransactionStatus(handle);
    return st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

static zc_err pg_lock(void *handle, const char *name, zc_diag *diag)
{
    const char *params[] = {name};
    return run(handle, "SELECT pg_advisory_xact_lock(hashtext($1))", params, 1, NULL, "lock", diag);
}

static zc_err pg_exec(void *handle, const char *sql, const char *const *params, int n,
                      int64_t *changes, zc_diag *diag)
{
    return run(handle, sql, params, n, changes, "sql", diag);
}

/* Gives up a streamed query early: cancel it when that loses nothing, else read it to the end. */
static void pg_abandon(PGconn *pg, bool in_tx)
{
    /* Cancelling inside a transaction would abort the caller's transaction with it. */
    if (!in_tx) {
        PGcancel *cancel = PQgetCancel(pg);
        if (cancel) {
            char errbuf[CANCEL_ERRBUF];
            PQcancel(cancel, errbuf, sizeof errbuf);
            PQfreeCancel(cancel);
        }
    }
    PGresult *res;
    while ((res = PQgetResult(pg)))
        PQclear(res);
}

static zc_err pg_each(void *handle, bool in_tx, const char *sql, const char *const *params, int n,
                      zc_hubdb_row_fn fn, void *ctx, zc_diag *diag)
{
    PGconn *pg = handle;
    if (!PQsendQueryParams(pg, sql, n, NULL, params, NULL, NULL, 0))
        return conn_fail(pg, "sql", diag);
    if (!PQsetSingleRowMode(pg)) {
        pg_abandon(pg, in_tx);
        return zc_diag_set(diag, ZC_ERR_DB, "sql: cannot stream the rows of the query");
    }
    const char **values = NULL;
    int ncols = -1;
    zc_err err = ZC_OK;
    PGresult *res;
    while ((res = PQgetResult(pg))) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE) {
            if (ncols < 0) {
                ncols = PQnfields(res);
                values = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof *values);
                if (!values) {
                    PQclear(res);
                    pg_abandon(pg, in_tx);
                    return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
                }
            }
            for (int c = 0; c < ncols; c++)
                values[c] = PQgetisnull(res, 0, c) ? NULL : PQgetvalue(res, 0, c);
            err = fn(ctx, values, ncols);
            PQclear(res);
            if (err) {
                pg_abandon(pg, in_tx);
                break;
            }
        } else if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            PQclear(res); /* the end of the rows */
        } else {
            err = result_fail(pg, res, "sql", diag);
            PQclear(res);
            pg_abandon(pg, in_tx);
            break;
        }
    }
    free(values);
    return err;
}

const zc_hubdb_ops zc_hubdb_pg_ops = {
    .name = "PostgreSQL",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .revive = pg_revive,
    .script = pg_script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .lock = pg_lock,
    .exec = pg_exec,
    .each = pg_each,
};
