/* events.c - the read model of the partners a release can go to.
 *
 * registry.company.* events carry the whole company: its name, its contacts'
 * e-mail addresses and its outlets. verification.company.* events say
 * whether it is a verified partner (and until when); scoring.outlet.tiered
 * gives each outlet's tier per fiscal year. The three sources are not
 * ordered with respect to each other, so each event writes only its own
 * columns and the company row is created by whichever comes first. Nothing
 * here calls another service: choosing recipients reads only these tables.
 *
 * An event whose body cannot be read is logged and skipped (failing it
 * would stop the stream for good); addresses that are not valid e-mail
 * addresses are left out, so nothing unsafe ever reaches RCPT TO. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"

/* The company's contact addresses, valid ones only, lower case, each once. */
static cJSON *emails_of(const Seklik__Registry__CompanyInput *d)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && d && i < d->n_contacts; i++) {
        const char *e = d->contacts[i] ? d->contacts[i]->email : NULL;
        if (!e || !dist_email_valid(e))
            continue;
        char low[DIST_EMAIL_MAX + 1];
        size_t n = strlen(e);
        for (size_t k = 0; k <= n; k++)
            low[k] = (char)tolower((unsigned char)e[k]);
        bool seen = false;
        const cJSON *x;
        cJSON_ArrayForEach(x, arr) seen = seen || strcmp(x->valuestring, low) == 0;
        if (!seen)
            cJSON_AddItemToArray(arr, cJSON_CreateString(low));
    }
    return arr;
}

int dist_apply_registry(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Registry__CompanyChanged *cc =
        seklik__registry__company_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Registry__Company *c = cc ? cc->company : NULL;
    int rc = SK_OK;
    if (!c || !sk_uuid_valid(c->id)) {
        sk_log_warn("%s seq %llu: no readable company, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    cJSON *emails = emails_of(c->data), *outlets = cJSON_CreateArray();
    for (size_t i = 0; outlets && i < c->n_outlets; i++) {
        const Seklik__Registry__Outlet *o = c->outlets[i];
        if (!o || !o->data || !sk_uuid_valid(o->id) || o->data->type < 1 || o->data->type > 4) {
            sk_log_warn("%s: company %s has an outlet without id or type, skipped", ev->type,
                        c->id);
            continue;
        }
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", o->id);
        cJSON_AddStringToObject(x, "name", o->data->name ? o->data->name : "");
        cJSON_AddNumberToObject(x, "type", o->data->type);
        cJSON_AddItemToArray(outlets, x);
    }
    char *e = emails ? cJSON_PrintUnformatted(emails) : NULL;
    char *o = outlets ? cJSON_PrintUnformatted(outlets) : NULL;
    const char *name = c->data && c->data->legal_name ? c->data->legal_name : "";
    rc = e && o ? dist_store_put_company(ctx->db, c->id, name, e, o) : SK_ENOMEM;
    cJSON_free(e);
    cJSON_free(o);
    cJSON_Delete(emails);
    cJSON_Delete(outlets);
done:
    if (cc)
        seklik__registry__company_changed__free_unpacked(cc, NULL);
    return rc;
}

/* "YYYY-MM-DD" as given when it is a real date, else NULL: a date the
 * database refused would fail the event, and the stream with it. */
static const char *date_or_null(const char *s)
{
    char t[32];
    int64_t unused;
    if (!s || strlen(s) != 10)
        return NULL;
    snprintf(t, sizeof(t), "%sT00:00:00Z", s);
    return dist_parse_time(t, &unused) ? s : NULL;
}

int dist_apply_verification(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    static const char PREFIX[] = "verification.company.";
    const char *what = ev->type && strncmp(ev->type, PREFIX, strlen(PREFIX)) == 0
                           ? ev->type + strlen(PREFIX)
                           : "";
    bool verified = strcmp(what, "verified") == 0, suspended = strcmp(what, "suspended") == 0;
    bool outcome = verified || suspended || strcmp(what, "rejected") == 0;
    bool case_event = ev->type && strncmp(ev->type, "verification.case.", 18) == 0;
    if (!outcome && !case_event)
        return SK_OK;
    Seklik__Verification__CaseChanged *cc =
        seklik__verification__case_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Verification__Case *vc = cc ? cc->verification_case : NULL;
    int rc = SK_OK;
    if (!vc || !sk_uuid_valid(vc->company_id)) {
        sk_log_warn("%s seq %llu: no readable case, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    /* What the case now asks of someone: a rejected document, a decision
     * waiting for its second person (every case event carries the case). */
    rc = dist_notices_from_case(ctx, ev, vc);
    if (rc != SK_OK || !outcome)
        goto done;
    /* A suspension keeps "verified" (the case was verified) and stops
     * releases; a rejection ends it; a new verification reinstates. */
    bool changed = false;
    rc = dist_store_set_standing(ctx->db, vc->company_id, verified || suspended, suspended,
                                 verified || suspended ? date_or_null(vc->valid_until) : NULL,
                                 &changed);
    if (rc == SK_OK && changed) {
        char after[160];
        snprintf(after, sizeof(after), "{\"standing\":\"%s\",\"fiscalYear\":%d}", what,
                 vc->fiscal_year);
        rc = sk_audit_append_about(ctx->db, ev->actor, vc->company_id, "partner.standing",
                                   "company", vc->company_id, NULL, after, ev->correlation_id);
    }
done:
    if (cc)
        seklik__verification__case_changed__free_unpacked(cc, NULL);
    return rc;
}

int dist_apply_scoring(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Scoring__OutletTiered *t =
        seklik__scoring__outlet_tiered__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Scoring__OutletScore *s = t ? t->score : NULL;
    int rc = SK_OK;
    if (!s || !sk_uuid_valid(s->outlet_id) || s->fiscal_year < 2000 || s->fiscal_year > 2100 ||
        s->tier < 0 || s->tier > 3)
        sk_log_warn("scoring event seq %llu unreadable, skipped", (unsigned long long)ev->seq);
    else
        rc = dist_store_set_tier(ctx->db, s->outlet_id, s->fiscal_year, (int)s->tier);
    if (t)
        seklik__scoring__outlet_tiered__free_unpacked(t, NULL);
    return rc;
}
