/* zhucanctl rules check|sign|show|install: rule sets and their signed bundles. */
#include "ctl.h"

#include "zc/bundle.h"
#include "zc/datadir.h"
#include "zc/rulebook.h"
#include "zc/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A file's rule set: a bundle's payload (self-signature checked) or a bare rule set. */
typedef struct loaded {
    char *text; /* the file */
    size_t len;
    zc_bundle *bundle; /* NULL for a bare rule set */
    zc_rules *rules;
} loaded;

static void loaded_free(loaded *l)
{
    free(l->text);
    zc_bundle_free(l->bundle);
    zc_rules_free(l->rules);
}

/* Reads FILE; every message is prefixed with the file name. */
static zc_err load(const char *file, loaded *l, zc_diag *diag)
{
    memset(l, 0, sizeof *l);
    zc_diag inner = {{0}, 0};
    zc_err err = ctl_read_file(file, &l->text, &l->len, diag);
    if (err)
        return err;
    const char *payload = l->text;
    size_t len = l->len;
    if (zc_bundle_is_bundle(l->text, l->len)) {
        if ((err = zc_bundle_parse(l->text, l->len, &l->bundle, &inner)) ||
            (err = zc_bundle_verify(l->bundle, NULL, &inner)))
            return zc_diag_set(diag, err, "%s: %s", file, inner.msg);
        payload = l->bundle->payload;
        len = l->bundle->len;
    }
    if ((err = zc_rules_parse(payload, len, NULL, &l->rules, &inner)))
        return zc_diag_set(diag, err, "%s: %s", file, inner.msg);
    return ZC_OK;
}

static json_t *summary(const loaded *l)
{
    char when[ZC_ISO8601_MAX];
    zc_time_format_iso8601(l->rules->effective_from,
                           zc_tz_offset(l->rules->tz, l->rules->effective_from), when, sizeof when);
    json_t *o = json_pack("{s:b,s:I,s:s,s:s,s:b}", "ok", 1, "version",
                          (json_int_t)l->rules->version, "effective_from", when, "timezone",
                          l->rules->timezone, "signed", l->bundle != NULL);
    if (o && l->bundle) {
        char signer[ZC_PUBKEY_TEXT_SIZE];
        zc_keys_public_text(l->bundle->signer, signer);
        json_object_set_new(o, "signer", json_string(signer));
    }
    return o;
}

static int one_file(const char *cmd, int argc, char **argv, const char **file)
{
    ctl_opt opts[] = {{NULL, NULL, NULL, false}};
    ctl_args args;
    if (!ctl_parse(cmd, argc, argv, opts, &args))
        return CTL_EXIT_USAGE;
    if (args.npositional != 1)
        return ctl_usage(cmd, "give exactly one FILE");
    *file = args.positional[0];
    return CTL_EXIT_OK;
}

static int check(int argc, char **argv)
{
    const char *cmd = "rules check", *file = NULL;
    int rc = one_file(cmd, argc, argv, &file);
    if (rc)
        return rc;
    loaded l;
    zc_diag diag = {{0}, 0};
    zc_err err = load(file, &l, &diag);
    rc = err ? ctl_fail(cmd, err, &diag) : ctl_print_json(cmd, summary(&l));
    loaded_free(&l);
    return rc;
}

static int show(int argc, char **argv)
{
    const char *cmd = "rules show", *file = NULL;
    int rc = one_file(cmd, argc, argv, &file);
    if (rc)
        return rc;
    loaded l;
    zc_diag diag = {{0}, 0};
    zc_err err = load(file, &l, &diag);
    if (err) {
        loaded_free(&l);
        return ctl_fail(cmd, err, &diag);
    }
    json_t *o = summary(&l);
    const char *payload = l.bundle ? l.bundle->payload : l.text;
    size_t len = l.bundle ? l.bundle->len : l.len;
    json_t *content = json_loadb(payload, len, 0, NULL);
    if (o && content)
        json_object_set_new(o, "content", content);
    else
        json_decref(content);
    loaded_free(&l);
    return ctl_print_json(cmd, o);
}

static int sign(int argc, char **argv)
{
    const char *cmd = "rules sign", *key = NULL;
    ctl_opt opts[] = {{"key", &key, NULL, true}, {NULL, NULL, NULL, false}};
    ctl_args args;
    if (!ctl_parse(cmd, argc, argv, opts, &args))
        return CTL_EXIT_USAGE;
    if (args.npositional != 1)
        return ctl_usage(cmd, "give exactly one RULES.json");
    const char *file = args.positional[0];
    zc_diag diag = {{0}, 0};
    zc_keypair kp;
    loaded l;
    zc_err err = zc_keys_read_secret(key, &kp, &diag);
    if (err)
        return ctl_fail(cmd, err, &diag);
    /* Only a valid rule set gets signed: a signature must never vouch for what kiosks refuse. */
    if (!(err = load(file, &l, &diag)) && l.bundle)
        err = zc_diag_set(&diag, ZC_ERR_INVALID, "%s: already a signed bundle", file);
    char *bundle = NULL;
    if (!err)
        err = zc_bundle_sign(&kp, l.text, l.len, &bundle, &diag);
    loaded_free(&l);
    if (err)
        return ctl_fail(cmd, err, &diag);
    fputs(bundle, stdout);
    free(bundle);
    return CTL_EXIT_OK;
}

static int install(int argc, char **argv)
{
    const char *cmd = "rules install", *data = NULL;
    ctl_opt opts[] = {{"data", &data, NULL, true}, {NULL, NULL, NULL, false}};
    ctl_args args;
    if (!ctl_parse(cmd, argc, argv, opts, &args))
        return CTL_EXIT_USAGE;
    if (args.npositional != 1)
        return ctl_usage(cmd, "give exactly one BUNDLE");
    const char *file = args.positional[0];
    zc_diag diag = {{0}, 0}, inner = {{0}, 0};
    char *text;
    size_t len;
    zc_datadir *dd;
    int rc = ctl_open_with_file(cmd, data, file, &dd, &text, &len);
    if (rc)
        return rc;
    int64_t version = 0;
    zc_err err =
        zc_rulebook_install(dd->store, dd->rules_pk, text, len, ctl_now_ms(), &version, &inner);
    if (err)
        zc_diag_set(&diag, err, "%s: %s", file, inner.msg);
    zc_datadir_close(dd);
    free(text);
    if (err)
        return ctl_fail(cmd, err, &diag);
    return ctl_print_json(cmd,
                          json_pack("{s:b,s:I}", "installed", 1, "version", (json_int_t)version));
}

int ctl_rules(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } SUBS[] = {{"check", check}, {"sign", sign}, {"show", show}, {"install", install}};
    for (size_t i = 0; argc >= 1 && i < sizeof SUBS / sizeof SUBS[0]; i++)
        if (strcmp(argv[0], SUBS[i].name) == 0)
            return SUBS[i].run(argc - 1, argv + 1);
    return ctl_usage("rules", "usage: zhucanctl rules check FILE | sign --key SECRET.key "
                              "RULES.json | show BUNDLE | install --data DIR BUNDLE");
}
