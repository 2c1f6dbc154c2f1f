/*
 * crashvfs: a SQLite VFS shim that simulates a power cut, in the manner of SQLite's own crash
 * tests (src/test6.c).
 *
 * It wraps another VFS (the default one unless told otherwise) and passes every call through, but
 * remembers each change made to a file since that file's last xSync: the offset, the new bytes,
 * the bytes they replaced and the file's size before the change. That is exactly the data the
 * operating system may still hold only in its cache. At the chosen sync number N, counted over
 * all files, the shim does not sync. It cuts the power instead:
 *
 *   - for every file, every change since its last sync is undone, newest first, which restores
 *     the file as it was when last synced;
 *   - a random subset of those changes is then made again, oldest first. A write that is made
 *     again may be torn: only a prefix of its 512-byte sectors (counted from absolute file
 *     offsets, as a disk counts them) reaches the file, the last of them possibly only in part;
 *   - the file ends as long as the kept changes make it, never shorter than at its last sync;
 *   - the process leaves at once with _exit(), so nothing else reaches the disk.
 *
 * Choices the model makes, and why:
 *
 *   - xTruncate is recorded as a change like a write (the bytes it cut off are its old data), so
 *     an unsynced truncate may or may not survive the cut. SQLite syncs after truncating the
 *     database in a checkpoint, but not always after shrinking the WAL (journal_size_limit,
 *     SQLITE_CHECKPOINT_TRUNCATE), and a file system promises nothing about an unsynced size.
 *     A kept truncate can leave a file shorter than at its last sync; only writes cannot.
 *   - Closing a file does not make its changes durable: a closed file's changes are kept and
 *     lost or replayed at the cut like any other.
 *   - xDelete, and the creation of files, are durable at once. The unix VFS syncs the directory
 *     when SQLite asks it to, and a deleted file's pending writes no longer matter.
 *   - The -shm file is the WAL-index, shared memory that the unix VFS maps itself (it never
 *     comes through xOpen); its xShm* methods are passed through. It is not durable state: the
 *     first connection after a crash rebuilds it from the WAL.
 *   - Temporary files (no name, or delete-on-close) are passed through untouched.
 *
 * At the cut the files are rewritten with plain POSIX calls on the names SQLite opened them by,
 * so the wrapped VFS must keep its files under those names on a local file system (unix VFS).
 *
 * All the shim's state lives in one crashvfs object, reached from the VFS's pAppData; several can
 * be registered under different names. A crashvfs is for one process: after fork(), register a
 * new one in the child rather than sharing the parent's.
 */
#ifndef ZC_CRASHVFS_H
#define ZC_CRASHVFS_H

#include <sqlite3.h>
#include <stdint.h>

/* The exit status of a process whose power was cut, unless the config names another. */
enum { CRASHVFS_EXIT_POWER_CUT = 86, CRASHVFS_EXIT_BROKEN = 87 };

/* Suggested odds: half the unsynced changes survive, a quarter of the writes that survive tear. */
enum { CRASHVFS_DEFAULT_KEEP_PERCENT = 50, CRASHVFS_DEFAULT_TEAR_PERCENT = 25 };

/* What happened to the unsynced changes at the cut. */
typedef struct crashvfs_cut {
    int sync_number;       /* the sync that became the cut */
    const char *sync_path; /* the file it was called on, NULL for a temporary file */
    int files;             /* files that had unsynced changes */
    int changes;           /* unsynced changes (writes and truncates) */
    int kept;              /* of them, made again */
    int torn;              /* of the kept writes, torn */
} crashvfs_cut;

typedef struct crashvfs_config {
    const char *name;  /* the name to register the VFS under (copied) */
    const char *base;  /* the VFS to wrap, NULL for the default */
    int crash_at_sync; /* 1-based sync number that cuts the power; 0 never cuts */
    uint64_t seed;     /* drives which changes survive and how they tear */
    int keep_percent;  /* 0-100: chance an unsynced change survives the cut */
    int tear_percent;  /* 0-100: chance a surviving write is torn */
    int exit_code;     /* 0 for CRASHVFS_EXIT_POWER_CUT */
    /*
     * Called at the cut after the files are rewritten and just before _exit(), to tell someone
     * outside what happened. It must not call into SQLite. May be NULL.
     */
    void (*on_cut)(const crashvfs_cut *cut, void *arg);
    void *on_cut_arg;
} crashvfs_config;

typedef struct crashvfs crashvfs;

/*
 * Registers a crash VFS (not as the default). Returns SQLITE_OK, SQLITE_NOMEM, or SQLITE_ERROR
 * when the base VFS does not exist or the config is not valid.
 */
int crashvfs_register(const crashvfs_config *config, crashvfs **out);

/* Unregisters and frees it. SQLITE_BUSY, and nothing done, while any of its files are open. */
int crashvfs_unregister(crashvfs *cv);

/* Syncs seen so far, counted across all files. */
int crashvfs_syncs(const crashvfs *cv);

#endif
