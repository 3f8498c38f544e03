/* mailer.c - the mail job: releases are sent when their time comes, and the
 * mail queue is worked through the SMTP relay.
 *
 * Every run (SEKLIK_MAIL_POLL_MS, one at a time):
 * 1. Each scheduled release whose embargo has passed is sent, in one
 *    transaction: its recipients are chosen from the read model and frozen,
 *    one message is rendered and queued for every address of every
 *    recipient, the release becomes `sent` and distribution.release.sent is
 *    emitted. Its partners' inboxes show it from then on.
 * 2. Claims left by a sender that died are settled (below).
 * 3. Due deliveries are claimed in batches (FOR UPDATE SKIP LOCKED, so
 *    replicas share the queue) and sent one message per address, personal
 *    mail (reset links, notices) first.
 * 4. The texts of password-reset messages no delivery waits for are wiped.
 *
 * What a delivery's state guarantees (docs/adr/0015):
 * - A claim names its database session. Just before libcurl sends the last
 *   part of a message, the row is marked `handed_at` (a statement sent to
 *   PostgreSQL without waiting, from inside libcurl's read callback); the
 *   relay's answers are recorded a few dozen at a time. An SMTP relay keeps
 *   no message whose
 *   end of data it did not receive, so a claim whose session is gone is
 *   settled as: not handed over -> queued again (the relay dropped it);
 *   handed over -> sent, unconfirmed (the relay had all of it). Each address
 *   then gets its message once, whenever this process dies.
 * - When the relay itself fails after the end of data without answering,
 *   the message is retried, as RFC 5321 asks: the relay had not taken
 *   responsibility. Had it stored the message in the instant before dying,
 *   the retry is a second copy, with the same Message-ID (RFC 1047).
 * - 4xx and network trouble are retried with exponential backoff up to
 *   SEKLIK_SMTP_MAX_ATTEMPTS; a 5xx to RCPT bounces the address; a 5xx to
 *   MAIL FROM or the data fails the message. A relay that cannot be reached
 *   defers the whole batch instead of burning attempts on every message.
 * - The job's statements run with synchronous_commit off: a crash of this
 *   process loses nothing once a statement returned, a crash of PostgreSQL
 *   itself may lose the last fraction of a second of marks (then a message
 *   may go twice, never zero times). */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "seklik/distribution.pb-c.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "sk_service.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

sk_job_def dist_jobs[1] = {{"mail", 1000, dist_mail_job}};

/* ---- configuration ---- */

static bool parse_bool(sk_config *cfg, const char *name, bool def)
{
    const char *v = sk_config_str(cfg, name, NULL, false);
    if (!v)
        return def;
    if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes"))
        return true;
    if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no"))
        return false;
    sk_config_fail(cfg, name, "must be true or false");
    return def;
}

void dist_configure(sk_config *cfg, void *app_)
{
    dist_app *app = app_;
    const char *url = sk_config_str(cfg, "SEKLIK_SMTP_URL", NULL, false);
    if (url)
        url = sk_config_url(cfg, "SEKLIK_SMTP_URL", NULL, "smtp,smtps");
    app->smtp.starttls = parse_bool(cfg, "SEKLIK_SMTP_STARTTLS", false);
    app->smtp.user = sk_config_str(cfg, "SEKLIK_SMTP_USER", "", false);
    app->smtp.password = sk_config_str(cfg, "SEKLIK_SMTP_PASSWORD", "", false);
    app->smtp.from = sk_config_str(cfg, "SEKLIK_SMTP_FROM", "", url != NULL);
    app->smtp.timeout_s = (int)sk_config_long(cfg, "SEKLIK_SMTP_TIMEOUT_S", 60, 1, 3600);
    app->max_attempts = (int)sk_config_long(cfg, "SEKLIK_SMTP_MAX_ATTEMPTS", 10, 1, 100);
    app->retry_base_s = sk_config_long(cfg, "SEKLIK_SMTP_RETRY_BASE_S", 60, 1, 86400);
    app->retry_max_s = sk_config_long(cfg, "SEKLIK_SMTP_RETRY_MAX_S", 3600, 1, 7 * 86400);
    dist_jobs[0].interval_ms = (int)sk_config_long(cfg, "SEKLIK_MAIL_POLL_MS", 1000, 20, 60000);
    /* Where the links in e-mails point: the portal as people reach it. */
    const char *portal = sk_config_url(cfg, "SEKLIK_PORTAL_URL", "http://127.0.0.1:8080", "http,https");
    size_t plen = portal ? strlen(portal) : 0;
    while (plen > 0 && portal[plen - 1] == '/')
        plen--;
    if (plen >= sizeof(app->portal_url))
        sk_config_fail(cfg, "SEKLIK_PORTAL_URL", "is too long");
    else if (portal)
        snprintf(app->portal_url, sizeof(app->portal_url), "%.*s", (int)plen, portal);
    app->batch = 50;
    app->lease_s = 3600;
    app->smtp.url = url;
    app->mail_enabled = url != NULL;
    if (!url)
        return;
    if (app->smtp.starttls && strncmp(url, "smtps:", 6) == 0)
        sk_config_fail(cfg, "SEKLIK_SMTP_STARTTLS",
                       "smtps:// is TLS from the start; STARTTLS goes with smtp://");
    if (!dist_smtp_parse_from(app->smtp.from, app->from_addr, sizeof(app->from_addr)))
        sk_config_fail(cfg, "SEKLIK_SMTP_FROM",
                       "must be an address, or a name and <address>");
    app->smtp.from_addr = app->from_addr;
    const char *at = strchr(app->from_addr, '@');
    app->msgid_domain = at ? at + 1 : "localhost";
    const char *lt = strrchr(app->smtp.from, '<');
    size_t n = lt ? (size_t)(lt - app->smtp.from) : 0;
    while (n > 0 && app->smtp.from[n - 1] == ' ')
        n--;
    if (n >= sizeof(app->sender_name))
        n = sizeof(app->sender_name) - 1;
    memcpy(app->sender_name, app->smtp.from, n);
    app->sender_name[n] = '\0';
    /* one lease must cover a whole batch, each message bounded by the timeout */
    if (app->lease_s < app->batch * app->smtp.timeout_s * 2)
        app->lease_s = app->batch * app->smtp.timeout_s * 2;
}

int dist_start(const sk_service_env *env, void *app_)
{
    (void)env;
    dist_app *app = app_;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return SK_EINTERNAL;
    if (app->mail_enabled)
        sk_log_info("e-mail through %s as %s", app->smtp.url, app->from_addr);
    else
        sk_log_warn("SEKLIK_SMTP_URL is not set: releases reach the portal inboxes, e-mail"
                    " waits in the queue");
    return SK_OK;
}

void dist_drain(void *app_)
{
    dist_app *app = app_;
    atomic_store(&app->stopping, true);
}

int32_t dist_today_wib(void)
{
    return (int32_t)((time(NULL) + 7 * 3600) / 86400);
}

/* ---- recipients ---- */

void dist_recipients_free(dist_recipients *r)
{
    for (size_t i = 0; i < r->n; i++) {
        dist_recipient *c = &r->items[i];
        free(c->name);
        for (size_t k = 0; k < c->n_emails; k++)
            free(c->emails[k]);
        free(c->emails);
        for (size_t k = 0; k < c->n_outlets; k++)
            free(c->outlets[k].name);
        free(c->outlets);
    }
    free(r->items);
    for (size_t i = 0; i < r->n_excluded; i++)
        free(r->excluded[i]);
    free(r->excluded);
    memset(r, 0, sizeof(*r));
}

static bool chosen(const Seklik__Distribution__RecipientSelection *sel, const char *id)
{
    for (size_t i = 0; i < sel->n_company_ids; i++)
        if (sel->company_ids[i] && strcasecmp(sel->company_ids[i], id) == 0)
            return true;
    return false;
}

/* Add company rows [from, to) of `res` when the selection takes it. */
static int consider(const Seklik__Distribution__RecipientSelection *sel, const dist_selection *ds,
                    PGresult *res, int from, int to, int32_t today, dist_recipients *out,
                    size_t *cap)
{
    const char *id = PQgetvalue(res, from, PF_COMPANY_ID);
    const char *until = PQgetvalue(res, from, PF_VALID_UNTIL_DAYS);
    bool active = dist_partner_active(PQgetvalue(res, from, PF_VERIFIED)[0] == 't',
                                      PQgetvalue(res, from, PF_SUSPENDED)[0] == 't',
                                      *until ? (int32_t)atol(until) : -1, today);
    size_t n_outlets = 0;
    dist_outlet_fact facts[64];
    int rows[64];
    for (int i = from; i < to && n_outlets < COUNT(facts); i++) {
        if (PQgetisnull(res, i, PF_OUTLET_ID))
            continue;
        facts[n_outlets] = (dist_outlet_fact){
            .type = atoi(PQgetvalue(res, i, PF_OUTLET_TYPE)),
            .tier = atoi(PQgetvalue(res, i, PF_TIER)),
            .tier_known = !PQgetisnull(res, i, PF_TIER),
        };
        rows[n_outlets++] = i;
    }
    if (!dist_company_selected(ds, active, chosen(sel, id), facts, n_outlets))
        return SK_OK;
    if (out->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        dist_recipient *p = realloc(out->items, ncap * sizeof(*p));
        if (!p)
            return SK_ENOMEM;
        out->items = p;
        *cap = ncap;
    }
    dist_recipient *r = &out->items[out->n++];
    memset(r, 0, sizeof(*r));
    snprintf(r->company_id, sizeof(r->company_id), "%s", id);
    r->name = strdup(PQgetvalue(res, from, PF_NAME));
    r->outlets = calloc(n_outlets ? n_outlets : 1, sizeof(*r->outlets));
    cJSON *emails = cJSON_Parse(PQgetvalue(res, from, PF_EMAILS_JSON));
    int n_emails = cJSON_GetArraySize(emails);
    r->emails = calloc(n_emails > 0 ? (size_t)n_emails : 1, sizeof(char *));
    if (!r->name || !r->outlets || !r->emails) {
        cJSON_Delete(emails);
        return SK_ENOMEM;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, emails)
    {
        if (cJSON_IsString(e) && dist_email_valid(e->valuestring) &&
            (r->emails[r->n_emails] = strdup(e->valuestring)))
            r->n_emails++;
    }
    cJSON_Delete(emails);
    for (size_t k = 0; k < n_outlets; k++) {
        if (!dist_outlet_selected(ds, &facts[k]))
            continue;
        dist_recipient_outlet *o = &r->outlets[r->n_outlets];
        snprintf(o->id, sizeof(o->id), "%s", PQgetvalue(res, rows[k], PF_OUTLET_ID));
        o->name = strdup(PQgetvalue(res, rows[k], PF_OUTLET_NAME));
        if (!o->name)
            return SK_ENOMEM;
        o->type = facts[k].type;
        o->tier = facts[k].tier;
        o->tier_known = facts[k].tier_known;
        r->n_outlets++;
    }
    out->addresses += r->n_emails;
    if (r->n_emails == 0)
        out->without_address++;
    return SK_OK;
}

int dist_resolve_recipients(sk_db *db, const Seklik__Distribution__RecipientSelection *sel,
                            dist_recipients *out)
{
    memset(out, 0, sizeof(*out));
    int tiers[8], types[8];
    size_t n_tiers = 0, n_types = 0;
    for (size_t i = 0; i < sel->n_tiers && n_tiers < COUNT(tiers); i++)
        tiers[n_tiers++] = (int)sel->tiers[i];
    for (size_t i = 0; i < sel->n_outlet_types && n_types < COUNT(types); i++)
        types[n_types++] = (int)sel->outlet_types[i];
    dist_selection ds = {(int)sel->mode, tiers, n_tiers, types, n_types};
    int year = sel->fiscal_year;
    if (year < 2000 || year > 2100) {
        time_t now = time(NULL) + 7 * 3600;
        struct tm tm;
        gmtime_r(&now, &tm);
        year = tm.tm_year + 1900;
    }
    PGresult *res;
    SK_TRY(dist_store_partner_facts(db, year, &res));
    int32_t today = dist_today_wib();
    size_t cap = 0;
    int rc = SK_OK, rows = PQntuples(res);
    for (int from = 0; from < rows && rc == SK_OK;) {
        int to = from + 1;
        while (to < rows && strcmp(PQgetvalue(res, to, PF_COMPANY_ID),
                                   PQgetvalue(res, from, PF_COMPANY_ID)) == 0)
            to++;
        rc = consider(sel, &ds, res, from, to, today, out, &cap);
        from = to;
    }
    /* chosen companies that are not (active) partners */
    for (size_t i = 0; rc == SK_OK && (int)sel->mode == DIST_MODE_CHOSEN && i < sel->n_company_ids;
         i++) {
        bool found = false;
        for (size_t k = 0; k < out->n && !found; k++)
            found = strcasecmp(out->items[k].company_id, sel->company_ids[i]) == 0;
        if (found)
            continue;
        char **p = realloc(out->excluded, (out->n_excluded + 1) * sizeof(char *));
        if (!p || !(p[out->n_excluded] = strdup(sel->company_ids[i]))) {
            if (p)
                out->excluded = p;
            rc = SK_ENOMEM;
            break;
        }
        out->excluded = p;
        out->n_excluded++;
    }
    PQclear(res);
    if (rc != SK_OK)
        dist_recipients_free(out);
    return rc;
}

/* [{"id","name","emails":[..],"outlets":[{"id","name","type","tier"}]}] */
static char *recipients_json(const dist_recipients *r)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < r->n; i++) {
        const dist_recipient *c = &r->items[i];
        cJSON *o = cJSON_CreateObject(), *outlets = cJSON_CreateArray();
        cJSON_AddStringToObject(o, "id", c->company_id);
        cJSON_AddStringToObject(o, "name", c->name);
        cJSON_AddItemToObject(o, "emails",
                              cJSON_CreateStringArray((const char *const *)c->emails,
                                                      (int)c->n_emails));
        for (size_t k = 0; k < c->n_outlets; k++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "id", c->outlets[k].id);
            cJSON_AddStringToObject(x, "name", c->outlets[k].name);
            cJSON_AddNumberToObject(x, "type", c->outlets[k].type);
            if (c->outlets[k].tier_known)
                cJSON_AddNumberToObject(x, "tier", c->outlets[k].tier);
            else
                cJSON_AddNullToObject(x, "tier");
            cJSON_AddItemToArray(outlets, x);
        }
        cJSON_AddItemToObject(o, "outlets", outlets);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = arr ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    return s;
}

/* ---- messages ---- */

int dist_queue_release_mail(sk_db *db, const char *sender_name, const char *release_id,
                            int version, int *queued)
{
    PGresult *rel, *files;
    SK_TRY(dist_store_load_release(db, release_id, version, &rel));
    int rc = dist_store_files(db, release_id, false, &files);
    if (rc != SK_OK) {
        PQclear(rel);
        return rc;
    }
    int n_files = PQntuples(files);
    const char **names = calloc(n_files > 0 ? (size_t)n_files : 1, sizeof(char *));
    for (int i = 0; names && i < n_files; i++)
        names[i] = PQgetvalue(files, i, FL_FILE_NAME);
    dist_release_view view = {
        .in = {
            .title = PQgetvalue(rel, 0, RV_TITLE),
            .lead = PQgetvalue(rel, 0, RV_LEAD),
            .body_markdown = PQgetvalue(rel, 0, RV_BODY_MD),
            .category = atoi(PQgetvalue(rel, 0, RV_CATEGORY)),
            .contact_name = PQgetvalue(rel, 0, RV_CONTACT_NAME),
            .contact_role = PQgetvalue(rel, 0, RV_CONTACT_ROLE),
            .contact_phone = PQgetvalue(rel, 0, RV_CONTACT_PHONE),
            .contact_email = PQgetvalue(rel, 0, RV_CONTACT_EMAIL),
            .agenda_title = PQgetvalue(rel, 0, RV_AGENDA_TITLE),
            .agenda_starts_at = PQgetvalue(rel, 0, RV_AGENDA_STARTS_AT),
            .agenda_place = PQgetvalue(rel, 0, RV_AGENDA_PLACE),
        },
        .body_html = PQgetvalue(rel, 0, RV_BODY_HTML),
        .category_label = dist_category_label(atoi(PQgetvalue(rel, 0, RV_CATEGORY))),
        .embargo_until = sk_db_get_int64(rel, 0, RV_EMBARGO_EPOCH),
        .version = atoi(PQgetvalue(rel, 0, RV_TEXT_VERSION)),
        .correction_note = PQgetvalue(rel, 0, RV_NOTE),
        .sender_name = sender_name,
        .file_names = names,
        .n_files = (size_t)n_files,
    };
    dist_message_text text = {0};
    rc = !names ? SK_ENOMEM : dist_compose_release(&view, &text) == 0 ? SK_OK : SK_ENOMEM;
    if (rc == SK_OK) {
        char id[SK_UUID_STRLEN];
        sk_uuid7(id);
        rc = dist_store_queue_message(db, id, view.version > 1 ? "correction" : "release",
                                      release_id, view.version, text.subject, text.text,
                                      text.html, queued);
    }
    dist_message_text_free(&text);
    free(names);
    PQclear(files);
    PQclear(rel);
    return rc;
}

/* ---- summaries and events ---- */

void dist_summary_from_row(PGresult *res, int i, Seklik__Distribution__ReleaseSummary *s,
                           Seklik__Distribution__DeliveryCounts *d)
{
    s->id = PQgetvalue(res, i, RS_ID);
    s->state = dist_state_number(PQgetvalue(res, i, RS_STATE));
    s->version = atoi(PQgetvalue(res, i, RS_VERSION));
    s->title = PQgetvalue(res, i, RS_TITLE);
    s->category = (Seklik__Distribution__Category)atoi(PQgetvalue(res, i, RS_CATEGORY));
    s->embargo_until = PQgetvalue(res, i, RS_EMBARGO);
    s->sent_at = PQgetvalue(res, i, RS_SENT_AT);
    s->updated_at = PQgetvalue(res, i, RS_UPDATED_AT);
    s->recipients = atoi(PQgetvalue(res, i, RS_RECIPIENTS));
    d->queued = atoi(PQgetvalue(res, i, RS_QUEUED));
    d->sent = atoi(PQgetvalue(res, i, RS_SENT));
    d->failed = atoi(PQgetvalue(res, i, RS_FAILED));
    d->bounced = atoi(PQgetvalue(res, i, RS_BOUNCED));
    s->deliveries = d;
    s->read = atoi(PQgetvalue(res, i, RS_READ));
    s->picked_up = atoi(PQgetvalue(res, i, RS_PICKED_UP));
    s->pickups = atoi(PQgetvalue(res, i, RS_PICKUPS));
}

Seklik__Distribution__ReleaseState dist_state_number(const char *state)
{
    if (strcmp(state, "draft") == 0)
        return SEKLIK__DISTRIBUTION__RELEASE_STATE__RELEASE_STATE_DRAFT;
    if (strcmp(state, "scheduled") == 0)
        return SEKLIK__DISTRIBUTION__RELEASE_STATE__RELEASE_STATE_SCHEDULED;
    if (strcmp(state, "sent") == 0)
        return SEKLIK__DISTRIBUTION__RELEASE_STATE__RELEASE_STATE_SENT;
    return SEKLIK__DISTRIBUTION__RELEASE_STATE__RELEASE_STATE_UNSPECIFIED;
}

int dist_emit_release(sk_db *db, const char *type, const char *release_id, bool with_recipients,
                      const Seklik__Bus__Actor *actor, const char *correlation)
{
    PGresult *sum, *ids = NULL;
    SK_TRY(dist_store_summaries(db, release_id, "", NULL, 1, &sum));
    int rc = PQntuples(sum) == 1 ? SK_OK : SK_ENOTFOUND;
    if (rc == SK_OK && with_recipients)
        rc = dist_store_recipient_ids(db, release_id, &ids);
    char **list = NULL;
    if (rc == SK_OK) {
        int n = ids ? PQntuples(ids) : 0;
        list = calloc(n > 0 ? (size_t)n : 1, sizeof(char *));
        rc = list ? SK_OK : SK_ENOMEM;
        for (int i = 0; list && i < n; i++)
            list[i] = PQgetvalue(ids, i, 0);
        Seklik__Distribution__ReleaseSummary s = SEKLIK__DISTRIBUTION__RELEASE_SUMMARY__INIT;
        Seklik__Distribution__DeliveryCounts d = SEKLIK__DISTRIBUTION__DELIVERY_COUNTS__INIT;
        Seklik__Distribution__ReleaseChanged ev = SEKLIK__DISTRIBUTION__RELEASE_CHANGED__INIT;
        if (rc == SK_OK) {
            dist_summary_from_row(sum, 0, &s, &d);
            ev.release = &s;
            ev.recipient_company_ids = list;
            ev.n_recipient_company_ids = (size_t)n;
            rc = sk_outbox_append(db, type, &ev.base, actor, correlation, NULL);
        }
    }
    free(list);
    if (ids)
        PQclear(ids);
    PQclear(sum);
    return rc;
}

/* ---- 1. releases whose time has come ---- */

static int send_release(sk_db *db, dist_app *app, const char *id)
{
    PGresult *row;
    SK_TRY(dist_store_lock_release(db, id, &row));
    uint8_t *packed = NULL;
    size_t len = 0;
    int rc = sk_db_get_bytea(row, 0, RL_SELECTION, &packed, &len);
    int version = atoi(PQgetvalue(row, 0, RL_VERSION));
    PQclear(row);
    SK_TRY(rc);
    Seklik__Distribution__RecipientSelection *sel =
        seklik__distribution__recipient_selection__unpack(NULL, len, packed);
    free(packed);
    if (!sel)
        return SK_EINTERNAL;
    dist_recipients r;
    rc = dist_resolve_recipients(db, sel, &r);
    seklik__distribution__recipient_selection__free_unpacked(sel, NULL);
    SK_TRY(rc);
    char *json = recipients_json(&r);
    int queued = 0;
    rc = json ? dist_store_freeze_recipients(db, id, json) : SK_ENOMEM;
    cJSON_free(json);
    if (rc == SK_OK)
        rc = dist_store_mark_sent(db, id);
    if (rc == SK_OK)
        rc = dist_queue_release_mail(db, app->sender_name, id, version, &queued);
    if (rc == SK_OK)
        rc = dist_emit_release(db, "distribution.release.sent", id, true, NULL, id);
    if (rc == SK_OK) {
        char after[160];
        snprintf(after, sizeof(after), "{\"state\":\"sent\",\"recipients\":%zu,\"deliveries\":%d}",
                 r.n, queued);
        rc = sk_audit_append(db, NULL, "release.sent", "release", id, "{\"state\":\"scheduled\"}",
                             after, id);
    }
    if (rc == SK_OK) {
        if (r.n == 0)
            sk_log_warn("release %s sent to no one: no partner matches its recipients", id);
        else
            sk_log_info("release %s sent: %zu recipients, %d e-mails queued", id, r.n, queued);
    }
    dist_recipients_free(&r);
    return rc;
}

static int send_due_releases(sk_db *db, dist_app *app)
{
    for (int n = 0; n < 100 && !atomic_load(&app->stopping); n++) {
        SK_TRY(sk_db_begin(db));
        PGresult *due;
        int rc = dist_store_due_releases(db, 1, &due);
        if (rc != SK_OK || PQntuples(due) == 0) {
            if (rc == SK_OK)
                PQclear(due);
            sk_db_rollback(db);
            return rc;
        }
        char id[SK_UUID_STRLEN];
        snprintf(id, sizeof(id), "%s", PQgetvalue(due, 0, 0));
        PQclear(due);
        rc = send_release(db, app, id);
        if (rc == SK_OK)
            rc = sk_db_commit(db);
        else
            sk_db_rollback(db);
        if (rc != SK_OK) {
            sk_log_error("release %s could not be sent: %s %s", id, sk_strerror(rc), db->error);
            return rc;
        }
    }
    return SK_OK;
}

/* ---- 2. claims of a sender that died ---- */

static int settle_orphans(sk_db *db, dist_app *app)
{
    SK_TRY(sk_db_begin(db));
    PGresult *res;
    int rc = dist_store_orphans(db, app->lease_s, &res);
    if (rc != SK_OK) {
        sk_db_rollback(db);
        return rc;
    }
    int n = PQntuples(res);
    for (int i = 0; i < n && rc == SK_OK; i++) {
        const char *id = PQgetvalue(res, i, OR_ID);
        bool handed = PQgetvalue(res, i, OR_HANDED)[0] == 't';
        int attempts = atoi(PQgetvalue(res, i, OR_ATTEMPTS)) + 1;
        const char *state = handed ? "sent"
                            : dist_may_retry(attempts, app->max_attempts) ? "queued"
                                                                           : "failed";
        rc = dist_store_settle_orphan(
            db, id, state,
            handed ? "sender stopped after the end of data: assumed accepted (unconfirmed)"
                   : "sender stopped before the end of data: the relay dropped it");
    }
    PQclear(res);
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    if (rc == SK_OK && n > 0)
        sk_log_warn("settled %d deliveries of a sender that stopped mid-send", n);
    return rc;
}

/* ---- 3. the queue ---- */

/* The message being sent: texts and decoded files, kept while consecutive
 * deliveries share it. */
typedef struct loaded_message {
    char id[SK_UUID_STRLEN];
    PGresult *msg, *files;
    dist_mail_file *mf;
    uint8_t **data;
    size_t n_files;
} loaded_message;

static void message_free(loaded_message *m)
{
    for (size_t i = 0; i < m->n_files; i++)
        free(m->data[i]);
    free(m->data);
    free(m->mf);
    if (m->msg)
        PQclear(m->msg);
    if (m->files)
        PQclear(m->files);
    memset(m, 0, sizeof(*m));
}

static int message_load(sk_db *db, const char *id, loaded_message *m)
{
    if (m->msg && strcmp(m->id, id) == 0)
        return SK_OK;
    message_free(m);
    SK_TRY(dist_store_message(db, id, &m->msg, &m->files));
    snprintf(m->id, sizeof(m->id), "%s", id);
    int n = PQntuples(m->files);
    m->mf = calloc(n > 0 ? (size_t)n : 1, sizeof(*m->mf));
    m->data = calloc(n > 0 ? (size_t)n : 1, sizeof(*m->data));
    if (!m->mf || !m->data) {
        message_free(m);
        return SK_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        size_t len = 0;
        if (sk_db_get_bytea(m->files, i, FL_CONTENT, &m->data[i], &len) != SK_OK) {
            message_free(m);
            return SK_ENOMEM;
        }
        m->n_files++;
        m->mf[i] = (dist_mail_file){PQgetvalue(m->files, i, FL_FILE_NAME),
                                    PQgetvalue(m->files, i, FL_CONTENT_TYPE), m->data[i], len};
    }
    return SK_OK;
}

typedef struct handover {
    sk_db *db;
    const char *delivery_id;
    bool sent;
    int rc;
} handover;

static void on_handover(void *arg)
{
    handover *h = arg;
    h->rc = dist_store_mark_handed_send(h->db, h->delivery_id);
    h->sent = h->rc == SK_OK;
}

static const char *state_of(dist_outcome o, int attempts, int max_attempts)
{
    switch (o) {
    case DIST_OUTCOME_SENT: return "sent";
    case DIST_OUTCOME_BOUNCED: return "bounced";
    case DIST_OUTCOME_FAILED: return "failed";
    case DIST_OUTCOME_RETRY: break;
    }
    return dist_may_retry(attempts, max_attempts) ? "queued" : "failed";
}

/* Outcomes waiting to be written, a few statements for many messages. A
 * crash before they are written loses nothing: an unwritten success was
 * handed over (settled as sent, unconfirmed), an unwritten failure is
 * retried. */
#define OUTCOMES_MAX 25

typedef struct outcomes {
    cJSON *rows;
    int n;
} outcomes;

static int outcomes_flush(sk_db *db, outcomes *o)
{
    if (o->n == 0)
        return SK_OK;
    char *json = cJSON_PrintUnformatted(o->rows);
    int updated = 0, rc = json ? dist_store_record_many(db, json, &updated) : SK_ENOMEM;
    cJSON_free(json);
    if (rc == SK_OK && updated != o->n)
        sk_log_warn("%d of %d delivery outcomes were no longer this sender's claims",
                    o->n - updated, o->n);
    cJSON_Delete(o->rows);
    o->rows = NULL;
    o->n = 0;
    return rc;
}

static int outcomes_add(sk_db *db, outcomes *o, const char *id, const char *state,
                        int64_t delay, const char *reply)
{
    if (!o->rows && !(o->rows = cJSON_CreateArray()))
        return SK_ENOMEM;
    cJSON *x = cJSON_CreateObject();
    if (!x)
        return SK_ENOMEM;
    cJSON_AddStringToObject(x, "id", id);
    cJSON_AddStringToObject(x, "state", state);
    cJSON_AddNumberToObject(x, "delay", (double)delay);
    cJSON_AddStringToObject(x, "reply", reply);
    cJSON_AddItemToArray(o->rows, x);
    return ++o->n >= OUTCOMES_MAX ? outcomes_flush(db, o) : SK_OK;
}

/* Send one claimed delivery; *unreachable when the relay could not be
 * reached at all (the rest of the batch waits then). */
static int send_one(sk_db *db, dist_app *app, dist_smtp *smtp, loaded_message *m, PGresult *claim,
                    int i, outcomes *out, bool *unreachable, int64_t *delay)
{
    const char *id = PQgetvalue(claim, i, CL_ID), *address = PQgetvalue(claim, i, CL_ADDRESS);
    int attempts = atoi(PQgetvalue(claim, i, CL_ATTEMPTS)) + 1;
    int rc = message_load(db, PQgetvalue(claim, i, CL_MESSAGE_ID), m);
    if (rc != SK_OK)
        return rc;
    char message_id[SK_UUID_STRLEN + 260];
    snprintf(message_id, sizeof(message_id), "<%s@%s>", id, app->msgid_domain);
    dist_mail mail = {
        .message_id = message_id,
        .to = address,
        .subject = PQgetvalue(m->msg, 0, MM_SUBJECT),
        .text = PQgetvalue(m->msg, 0, MM_TEXT),
        .html = PQgetvalue(m->msg, 0, MM_HTML),
        .files = m->mf,
        .n_files = m->n_files,
        .date = (int64_t)time(NULL),
    };
    handover h = {db, id, false, SK_OK};
    dist_send_result res;
    rc = dist_smtp_send(smtp, &mail, on_handover, &h, &res);
    if (h.sent) {
        bool marked = false;
        int mrc = dist_store_mark_handed_finish(db, &marked);
        if (mrc != SK_OK)
            return mrc; /* the connection is gone: the row is settled later */
        if (!marked)
            sk_log_warn("delivery %s: claim lost while sending", id);
    } else if (h.rc != SK_OK) {
        return h.rc;
    }
    if (rc == SK_EINVAL) {
        res.ok = false;
        res.phase = DIST_PHASE_RCPT;
        res.code = 550;
        snprintf(res.reply, sizeof(res.reply), "not a valid address");
    } else if (rc != SK_OK) {
        return rc;
    }
    dist_outcome o = dist_classify(res.ok, res.phase, res.code);
    const char *state = state_of(o, attempts, app->max_attempts);
    *delay = dist_retry_delay_s(attempts, app->retry_base_s, app->retry_max_s);
    *unreachable = o == DIST_OUTCOME_RETRY && res.phase == DIST_PHASE_CONNECT;
    if (o != DIST_OUTCOME_SENT)
        sk_log_warn("delivery %s to %s: %s (attempt %d, now %s)", id, address, res.reply,
                    attempts, state);
    return outcomes_add(db, out, id, state, *delay, res.reply);
}

static int work_queue(sk_db *db, dist_app *app)
{
    dist_smtp *smtp = NULL;
    SK_TRY(dist_smtp_open(&app->smtp, &smtp));
    int rc = sk_db_exec(db, "SET synchronous_commit = off", NULL, 0);
    loaded_message m = {0};
    outcomes out = {0};
    bool stop = false;
    while (rc == SK_OK && !stop && !atomic_load(&app->stopping)) {
        PGresult *claim;
        rc = dist_store_claim(db, app->batch, &claim);
        if (rc != SK_OK)
            break;
        int n = PQntuples(claim), i = 0;
        if (n == 0)
            stop = true;
        int64_t delay = 0;
        for (; i < n && rc == SK_OK && !stop && !atomic_load(&app->stopping); i++) {
            bool unreachable = false;
            rc = send_one(db, app, smtp, &m, claim, i, &out, &unreachable, &delay);
            if (unreachable)
                stop = true; /* the rest waits as long as this one */
        }
        if (rc == SK_OK)
            rc = outcomes_flush(db, &out);
        if (i < n && rc == SK_OK) {
            const char **rest = calloc((size_t)(n - i), sizeof(char *));
            for (int k = i; rest && k < n; k++)
                rest[k - i] = PQgetvalue(claim, k, CL_ID);
            rc = rest ? dist_store_release_claims(db, rest, (size_t)(n - i), stop ? delay : 0)
                      : SK_ENOMEM;
            free(rest);
        }
        PQclear(claim);
    }
    cJSON_Delete(out.rows);
    message_free(&m);
    sk_db_exec(db, "RESET synchronous_commit", NULL, 0);
    dist_smtp_close(smtp);
    return rc;
}

int dist_mail_job(sk_db *db, void *app_)
{
    dist_app *app = app_;
    int rc = send_due_releases(db, app);
    if (rc == SK_OK)
        rc = settle_orphans(db, app);
    if (rc == SK_OK && app->mail_enabled && !atomic_load(&app->stopping))
        rc = work_queue(db, app);
    /* Reset links delivered (or given up) leave nothing behind. */
    int wiped = 0;
    if (rc == SK_OK)
        rc = dist_store_wipe_secrets(db, &wiped);
    return rc;
}
