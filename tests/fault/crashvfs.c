/*
 * crashvfs: power-cut simulation under SQLite. See crashvfs.h for the model.
 *
 * Writes go through to the real file at once, as they go to the page cache of a real system, so
 * SQLite reads back what it wrote. Alongside, each file's changes since its last sync are kept
 * in a log with the bytes they replaced. A sync empties the log; the cut uses it to put the file
 * back as it was at its last sync and then replays part of it.
 *
 * The log belongs to the path (a crash_node), not to the handle: the page cache holds a file's
 * unsynced data whichever descriptor wrote it, fsync on any descriptor makes it all durable, and
 * the data is still at risk after the descriptor is closed.
 */
#include "crashvfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum {
    SECTOR_SIZE = 512, /* a torn write keeps whole sectors from its start, then part of one */
    PERCENT = 100,
    /* The sqlite3_vfs and sqlite3_io_methods versions this shim implements at most. */
    VFS_VERSION_MAX = 3,
    IO_VERSION_MAX = 3,
};

typedef enum change_kind { CHANGE_WRITE, CHANGE_TRUNCATE } change_kind;

/*
 * One change to a file since its last sync. Undoing it is the same for both kinds: set the size
 * back to size_before, then put old_data back at offset. For a write, offset is where it began
 * and old_data the part of the file it overwrote; for a truncate, offset is the new size and
 * old_data the tail it cut off.
 */
typedef struct change {
    struct change *prev, *next;
    change_kind kind;
    sqlite3_int64 offset;
    sqlite3_int64 size_before;
    size_t new_len; /* bytes written; 0 for a truncate */
    size_t old_len;
    unsigned char *new_data; /* both point into this change's own allocation */
    unsigned char *old_data;
} change;

/* A file as the model knows it: its name and its unsynced changes, oldest first. */
typedef struct crash_node {
    struct crash_node *next;
    char *path;
    int handles; /* open crash_files on it */
    bool gone;   /* deleted while a handle was open: the name may now be another file */
    change *first, *last;
    int nchanges;
} crash_node;

struct crashvfs {
    sqlite3_vfs vfs; /* what is registered; its pAppData points back here */
    sqlite3_vfs *real;
    char *name;
    crashvfs_config config; /* name and base are not used after registration */
    sqlite3_mutex *mutex;   /* guards everything below */
    uint64_t rng;
    int syncs;
    crash_node *nodes;
};

typedef struct crash_file {
    sqlite3_file base;
    crashvfs *cv;
    crash_node *node;   /* NULL for a file that is not durable state */
    sqlite3_file *real; /* the wrapped VFS's file, allocated right after this struct */
} crash_file;

/* splitmix64: small, fast, and good enough to pick which writes survive. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A number in [0, n); n > 0. The modulo bias is irrelevant at these sizes. */
static uint64_t rng_below(uint64_t *state, uint64_t n)
{
    return rng_next(state) % n;
}

static bool rng_percent(uint64_t *state, int percent)
{
    return rng_below(state, PERCENT) < (uint64_t)percent;
}

static crashvfs *vfs_ctx(sqlite3_vfs *vfs)
{
    return vfs->pAppData;
}

/* ---- the change log ---------------------------------------------------------------------- */

static void node_clear(crash_node *node)
{
    change *c = node->first;
    while (c) {
        change *next = c->next;
        sqlite3_free(c);
        c = next;
    }
    node->first = node->last = NULL;
    node->nchanges = 0;
}

static void node_free(crashvfs *cv, crash_node *node)
{
    for (crash_node **p = &cv->nodes; *p; p = &(*p)->next) {
        if (*p == node) {
            *p = node->next;
            break;
        }
    }
    node_clear(node);
    sqlite3_free(node->path);
    sqlite3_free(node);
}

static crash_node *node_find(crashvfs *cv, const char *path)
{
    for (crash_node *n = cv->nodes; n; n = n->next)
        if (!n->gone && strcmp(n->path, path) == 0)
            return n;
    return NULL;
}

/*
 * Logs a change about to be made through f: its new bytes (for a write), and the bytes and size
 * it is about to replace, read from the file as it is now.
 */
static int log_change(crash_file *f, change_kind kind, const void *data, int amount,
                      sqlite3_int64 offset)
{
    sqlite3_int64 size;
    int rc = f->real->pMethods->xFileSize(f->real, &size);
    if (rc != SQLITE_OK)
        return rc;
    /* The old bytes: what a write overwrites inside the file, or what a truncate cuts off. */
    sqlite3_int64 old_end = kind == CHANGE_WRITE ? offset + amount : size;
    if (old_end > size)
        old_end = size;
    size_t old_len = offset < old_end ? (size_t)(old_end - offset) : 0;
    size_t new_len = kind == CHANGE_WRITE ? (size_t)amount : 0;

    change *c = sqlite3_malloc64(sizeof *c + new_len + old_len);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->offset = offset;
    c->size_before = size;
    c->new_len = new_len;
    c->old_len = old_len;
    c->new_data = (unsigned char *)(c + 1);
    c->old_data = c->new_data + new_len;
    if (new_len)
        memcpy(c->new_data, data, new_len);
    if (old_len && (rc = f->real->pMethods->xRead(f->real, c->old_data, (int)old_len, offset))) {
        sqlite3_free(c);
        return rc;
    }
    crash_node *node = f->node;
    c->prev = node->last;
    if (node->last)
        node->last->next = c;
    else
        node->first = c;
    node->last = c;
    node->nchanges++;
    return SQLITE_OK;
}

/* ---- the power cut ----------------------------------------------------------------------- */

static bool write_all(int fd, const unsigned char *buf, size_t len, sqlite3_int64 offset)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, buf, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
        offset += n;
    }
    return true;
}

/*
 * How much of a torn write reaches the disk: some whole sectors from its start, then part of
 * the next one. Sectors are counted from the start of the file, so a write that begins mid-sector
 * has a short first piece. Always less than len: a torn write loses something.
 */
static size_t torn_length(uint64_t *rng, sqlite3_int64 offset, size_t len)
{
    sqlite3_int64 end = offset + (sqlite3_int64)len;
    sqlite3_int64 first_sector = offset / SECTOR_SIZE;
    sqlite3_int64 sectors = (end - 1) / SECTOR_SIZE - first_sector + 1;
    sqlite3_int64 whole = (sqlite3_int64)rng_below(rng, (uint64_t)sectors);
    sqlite3_int64 at = whole == 0 ? offset : (first_sector + whole) * SECTOR_SIZE;
    sqlite3_int64 piece_end = (first_sector + whole + 1) * SECTOR_SIZE;
    if (piece_end > end)
        piece_end = end;
    sqlite3_int64 partial = (sqlite3_int64)rng_below(rng, (uint64_t)(piece_end - at));
    return (size_t)(at + partial - offset);
}

/* Puts one file back as it was at its last sync, then replays a random part of its changes. */
static bool cut_file(crashvfs *cv, crash_node *node, crashvfs_cut *cut)
{
    int fd = open(node->path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "crashvfs: cannot open %s at the cut: %s\n", node->path, strerror(errno));
        return false;
    }
    bool ok = true;
    for (change *c = node->last; ok && c; c = c->prev)
        ok = ftruncate(fd, (off_t)c->size_before) == 0 &&
             write_all(fd, c->old_data, c->old_len, c->offset);
    for (change *c = node->first; ok && c; c = c->next) {
        if (!rng_percent(&cv->rng, cv->config.keep_percent))
            continue;
        cut->kept++;
        if (c->kind == CHANGE_TRUNCATE) {
            ok = ftruncate(fd, (off_t)c->offset) == 0;
            continue;
        }
        size_t len = c->new_len;
        if (len > 0 && rng_percent(&cv->rng, cv->config.tear_percent)) {
            len = torn_length(&cv->rng, c->offset, len);
            cut->torn++;
        }
        ok = write_all(fd, c->new_data, len, c->offset);
    }
    if (!ok)
        fprintf(stderr, "crashvfs: rewriting %s at the cut failed: %s\n", node->path,
                strerror(errno));
    close(fd);
    return ok;
}

/* The power goes out: every file loses part of what it was not told to keep. Never returns. */
static _Noreturn void power_cut(crashvfs *cv, const crash_file *syncing)
{
    crashvfs_cut cut = {.sync_number = cv->syncs,
                        .sync_path = syncing->node ? syncing->node->path : NULL};
    bool ok = true;
    for (crash_node *n = cv->nodes; n && ok; n = n->next) {
        if (!n->first || n->gone)
            continue;
        cut.files++;
        cut.changes += n->nchanges;
        ok = cut_file(cv, n, &cut);
    }
    if (!ok)
        _exit(CRASHVFS_EXIT_BROKEN);
    if (cv->config.on_cut)
        cv->config.on_cut(&cut, cv->config.on_cut_arg);
    _exit(cv->config.exit_code);
}

/* ---- sqlite3_io_methods ------------------------------------------------------------------ */

static int crash_close(sqlite3_file *file)
{
    crash_file *f = (crash_file *)file;
    int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    if (f->node) {
        sqlite3_mutex_enter(f->cv->mutex);
        /* A closed file's unsynced changes are still at risk, so the node stays while it has any.
         */
        if (--f->node->handles == 0 && (!f->node->first || f->node->gone))
            node_free(f->cv, f->node);
        sqlite3_mutex_leave(f->cv->mutex);
        f->node = NULL;
    }
    return rc;
}

static int crash_read(sqlite3_file *file, void *buf, int amount, sqlite3_int64 offset)
{
    crash_file *f = (crash_file *)file;
    return f->real->pMethods->xRead(f->real, buf, amount, offset);
}

static int crash_write(sqlite3_file *file, const void *buf, int amount, sqlite3_int64 offset)
{
    crash_file *f = (crash_file *)file;
    if (!f->node)
        return f->real->pMethods->xWrite(f->real, buf, amount, offset);
    sqlite3_mutex_enter(f->cv->mutex);
    int rc = f->node->gone ? SQLITE_OK : log_change(f, CHANGE_WRITE, buf, amount, offset);
    /* If the write itself fails the change stays logged: undoing it at a cut is still right. */
    if (rc == SQLITE_OK)
        rc = f->real->pMethods->xWrite(f->real, buf, amount, offset);
    sqlite3_mutex_leave(f->cv->mutex);
    return rc;
}

static int crash_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    crash_file *f = (crash_file *)file;
    if (!f->node)
        return f->real->pMethods->xTruncate(f->real, size);
    sqlite3_mutex_enter(f->cv->mutex);
    int rc = f->node->gone ? SQLITE_OK : log_change(f, CHANGE_TRUNCATE, NULL, 0, size);
    if (rc == SQLITE_OK)
        rc = f->real->pMethods->xTruncate(f->real, size);
    sqlite3_mutex_leave(f->cv->mutex);
    return rc;
}

static int crash_sync(sqlite3_file *file, int flags)
{
    crash_file *f = (crash_file *)file;
    crashvfs *cv = f->cv;
    sqlite3_mutex_enter(cv->mutex);
    cv->syncs++;
    if (cv->config.crash_at_sync > 0 && cv->syncs == cv->config.crash_at_sync)
        power_cut(cv, f);
    int rc = f->real->pMethods->xSync(f->real, flags);
    /* Durable now, whichever handle wrote it. */
    if (rc == SQLITE_OK && f->node)
        node_clear(f->node);
    sqlite3_mutex_leave(cv->mutex);
    return rc;
}

static int crash_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    crash_file *f = (crash_file *)file;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int crash_lock(sqlite3_file *file, int lock)
{
    crash_file *f = (crash_file *)file;
    return f->real->pMethods->xLock(f->real, lock);
}

static int crash_unlock(sqlite3_file *file, int lock)
{
    crash_file *f = (crash_file *)file;
    return f->real->pMethods->xUnlock(f->real, lock);
}

static int crash_check_reserved_lock(sqlite3_file *file, int *out)
{
    crash_file *f = (crash_file *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

/*
 * Passed through. SQLITE_FCNTL_SIZE_HINT may grow a file with zeros when a chunk size is set
 * (it is not, by default); such growth is not logged, which can only make a cut keep a little
 * more length than the model says, never lose data.
 */
static int crash_file_control(sqlite3_file *file, int op, void *arg)
{
    crash_file *f = (crash_file *)file;
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int crash_sector_size(sqlite3_file *file)
{
    crash_file *f = (crash_file *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int crash_device_characteristics(sqlite3_file *file)
{
    crash_file *f = (crash_file *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Shared memory (the -shm WAL-index) is not durable state: these pass straight through. */
static int crash_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **out)
{
    crash_file *f = (crash_file *)file;
    const sqlite3_io_methods *m = f->real->pMethods;
    if (m->iVersion < 2 || !m->xShmMap)
        return SQLITE_IOERR_SHMMAP;
    return m->xShmMap(f->real, region, size, extend, out);
}

static int crash_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    crash_file *f = (crash_file *)file;
    const sqlite3_io_methods *m = f->real->pMethods;
    if (m->iVersion < 2 || !m->xShmLock)
        return SQLITE_IOERR_SHMLOCK;
    return m->xShmLock(f->real, offset, n, flags);
}

static void crash_shm_barrier(sqlite3_file *file)
{
    crash_file *f = (crash_file *)file;
    const sqlite3_io_methods *m = f->real->pMethods;
    if (m->iVersion >= 2 && m->xShmBarrier)
        m->xShmBarrier(f->real);
}

static int crash_shm_unmap(sqlite3_file *file, int delete_flag)
{
    crash_file *f = (crash_file *)file;
    const sqlite3_io_methods *m = f->real->pMethods;
    if (m->iVersion < 2 || !m->xShmUnmap)
        return SQLITE_OK;
    return m->xShmUnmap(f->real, delete_flag);
}

/* Memory-mapped reads see the real file, which already holds every write. */
static int crash_fetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
    crash_file *f = (crash_file *)file;
    const sqlite3_io_methods *m = f->real->pMethods;
    if (m->iVersion < IO_VERSION_MAX || !m->xFetch) {
        *out = NULL; /* no mapping: SQLite falls back to xRead */
        return SQLITE_OK;
    }
    return m->xFetch(f->real, offset, amount, out);
}

static int crash_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *page)
{
    crash_file *f = (crash_file *)file;
    const sqlite3_io_methods *m = f->real->pMethods;
    if (m->iVersion < IO_VERSION_MAX || !m->xUnfetch)
        return SQLITE_OK;
    return m->xUnfetch(f->real, offset, page);
}

static const sqlite3_io_methods CRASH_IO = {
    .iVersion = IO_VERSION_MAX,
    .xClose = crash_close,
    .xRead = crash_read,
    .xWrite = crash_write,
    .xTruncate = crash_truncate,
    .xSync = crash_sync,
    .xFileSize = crash_file_size,
    .xLock = crash_lock,
    .xUnlock = crash_unlock,
    .xCheckReservedLock = crash_check_reserved_lock,
    .xFileControl = crash_file_control,
    .xSectorSize = crash_sector_size,
    .xDeviceCharacteristics = crash_device_characteristics,
    .xShmMap = crash_shm_map,
    .xShmLock = crash_shm_lock,
    .xShmBarrier = crash_shm_barrier,
    .xShmUnmap = crash_shm_unmap,
    .xFetch = crash_fetch,
    .xUnfetch = crash_unfetch,
};

/* ---- sqlite3_vfs ------------------------------------------------------------------------- */

static int crash_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
                      int *out_flags)
{
    crashvfs *cv = vfs_ctx(vfs);
    crash_file *f = (crash_file *)file;
    memset(f, 0, sizeof *f);
    f->cv = cv;
    f->real = (sqlite3_file *)(f + 1);
    int rc = cv->real->xOpen(cv->real, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        /* SQLite closes a file whose pMethods is set even when the open failed; ours is NULL. */
        if (f->real->pMethods)
            f->real->pMethods->xClose(f->real);
        return rc;
    }
    /* A file with no name, or one that goes away on close, holds nothing worth keeping. */
    if (name && !(flags & SQLITE_OPEN_DELETEONCLOSE)) {
        sqlite3_mutex_enter(cv->mutex);
        crash_node *node = node_find(cv, name);
        if (!node && (node = sqlite3_malloc(sizeof *node)) != NULL) {
            memset(node, 0, sizeof *node);
            node->path = sqlite3_mprintf("%s", name);
            if (!node->path) {
                sqlite3_free(node);
                node = NULL;
            } else {
                node->next = cv->nodes;
                cv->nodes = node;
            }
        }
        if (node)
            node->handles++;
        sqlite3_mutex_leave(cv->mutex);
        if (!node) {
            f->real->pMethods->xClose(f->real);
            return SQLITE_NOMEM;
        }
        f->node = node;
    }
    f->base.pMethods = &CRASH_IO;
    return SQLITE_OK;
}

static int crash_delete(sqlite3_vfs *vfs, const char *path, int sync_dir)
{
    crashvfs *cv = vfs_ctx(vfs);
    sqlite3_mutex_enter(cv->mutex);
    int rc = cv->real->xDelete(cv->real, path, sync_dir);
    crash_node *node = node_find(cv, path);
    /* The file is gone for good (see crashvfs.h), and so are its unsynced changes. */
    if (node && (rc == SQLITE_OK || rc == SQLITE_IOERR_DELETE_NOENT)) {
        if (node->handles == 0) {
            node_free(cv, node);
        } else {
            node_clear(node);
            node->gone = true;
        }
    }
    sqlite3_mutex_leave(cv->mutex);
    return rc;
}

static int crash_access(sqlite3_vfs *vfs, const char *path, int flags, int *out)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xAccess(real, path, flags, out);
}

static int crash_full_pathname(sqlite3_vfs *vfs, const char *path, int size, char *out)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xFullPathname(real, path, size, out);
}

static void *crash_dl_open(sqlite3_vfs *vfs, const char *path)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xDlOpen(real, path);
}

static void crash_dl_error(sqlite3_vfs *vfs, int size, char *out)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    real->xDlError(real, size, out);
}

static void (*crash_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xDlSym(real, handle, symbol);
}

static void crash_dl_close(sqlite3_vfs *vfs, void *handle)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    real->xDlClose(real, handle);
}

static int crash_randomness(sqlite3_vfs *vfs, int size, char *out)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xRandomness(real, size, out);
}

static int crash_sleep(sqlite3_vfs *vfs, int microseconds)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xSleep(real, microseconds);
}

static int crash_current_time(sqlite3_vfs *vfs, double *out)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xCurrentTime(real, out);
}

static int crash_get_last_error(sqlite3_vfs *vfs, int size, char *out)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xGetLastError ? real->xGetLastError(real, size, out) : 0;
}

static int crash_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xCurrentTimeInt64(real, out);
}

static int crash_set_system_call(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr call)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xSetSystemCall(real, name, call);
}

static sqlite3_syscall_ptr crash_get_system_call(sqlite3_vfs *vfs, const char *name)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xGetSystemCall(real, name);
}

static const char *crash_next_system_call(sqlite3_vfs *vfs, const char *name)
{
    sqlite3_vfs *real = vfs_ctx(vfs)->real;
    return real->xNextSystemCall(real, name);
}

/* ---- registration ------------------------------------------------------------------------ */

int crashvfs_register(const crashvfs_config *config, crashvfs **out)
{
    *out = NULL;
    if (!config->name || !*config->name || config->crash_at_sync < 0 || config->keep_percent < 0 ||
        config->keep_percent > PERCENT || config->tear_percent < 0 ||
        config->tear_percent > PERCENT)
        return SQLITE_ERROR;
    sqlite3_vfs *real = sqlite3_vfs_find(config->base);
    if (!real)
        return SQLITE_ERROR;
    crashvfs *cv = sqlite3_malloc(sizeof *cv);
    if (!cv)
        return SQLITE_NOMEM;
    memset(cv, 0, sizeof *cv);
    cv->real = real;
    cv->config = *config;
    if (!cv->config.exit_code)
        cv->config.exit_code = CRASHVFS_EXIT_POWER_CUT;
    cv->rng = config->seed;
    cv->name = sqlite3_mprintf("%s", config->name);
    cv->mutex = sqlite3_mutex_alloc(SQLITE_MUTEX_FAST);
    if (!cv->name || (sqlite3_threadsafe() && !cv->mutex)) {
        sqlite3_free(cv->name);
        sqlite3_mutex_free(cv->mutex);
        sqlite3_free(cv);
        return SQLITE_NOMEM;
    }
    cv->config.name = cv->config.base = NULL;

    sqlite3_vfs *v = &cv->vfs;
    v->iVersion = real->iVersion < VFS_VERSION_MAX ? real->iVersion : VFS_VERSION_MAX;
    v->szOsFile = (int)sizeof(crash_file) + real->szOsFile;
    v->mxPathname = real->mxPathname;
    v->zName = cv->name;
    v->pAppData = cv;
    v->xOpen = crash_open;
    v->xDelete = crash_delete;
    v->xAccess = crash_access;
    v->xFullPathname = crash_full_pathname;
    v->xDlOpen = real->xDlOpen ? crash_dl_open : NULL;
    v->xDlError = real->xDlError ? crash_dl_error : NULL;
    v->xDlSym = real->xDlSym ? crash_dl_sym : NULL;
    v->xDlClose = real->xDlClose ? crash_dl_close : NULL;
    v->xRandomness = crash_randomness;
    v->xSleep = crash_sleep;
    v->xCurrentTime = crash_current_time;
    v->xGetLastError = crash_get_last_error;
    if (v->iVersion >= 2)
        v->xCurrentTimeInt64 = real->xCurrentTimeInt64 ? crash_current_time_int64 : NULL;
    if (v->iVersion >= VFS_VERSION_MAX) {
        v->xSetSystemCall = real->xSetSystemCall ? crash_set_system_call : NULL;
        v->xGetSystemCall = real->xGetSystemCall ? crash_get_system_call : NULL;
        v->xNextSystemCall = real->xNextSystemCall ? crash_next_system_call : NULL;
    }
    int rc = sqlite3_vfs_register(v, 0);
    if (rc != SQLITE_OK) {
        sqlite3_free(cv->name);
        sqlite3_mutex_free(cv->mutex);
        sqlite3_free(cv);
        return rc;
    }
    *out = cv;
    return SQLITE_OK;
}

int crashvfs_unregister(crashvfs *cv)
{
    if (!cv)
        return SQLITE_OK;
    sqlite3_mutex_enter(cv->mutex);
    for (crash_node *n = cv->nodes; n; n = n->next) {
        if (n->handles > 0) {
            sqlite3_mutex_leave(cv->mutex);
            return SQLITE_BUSY;
        }
    }
    while (cv->nodes)
        node_free(cv, cv->nodes);
    sqlite3_mutex_leave(cv->mutex);
    sqlite3_vfs_unregister(&cv->vfs);
    sqlite3_mutex_free(cv->mutex);
    sqlite3_free(cv->name);
    sqlite3_free(cv);
    return SQLITE_OK;
}

int crashvfs_syncs(const crashvfs *cv)
{
    return cv->syncs;
}
