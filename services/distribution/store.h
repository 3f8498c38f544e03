/* store.h - SQL for the distribution schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values.
 *
 * Reads of several columns return the PGresult (the caller PQclear()s) with
 * its columns named by the enums below; times come as RFC 3339 UTC text, ""
 * for NULL. Writes run in the caller's transaction unless said otherwise. */
#ifndef DISTRIBUTION_STORE_H
#define DISTRIBUTION_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sk_db.h"

/* ---- read model ---- */

/* Create or update a company's name and contact addresses (a JSON array of
 * strings, already checked), and replace its outlets with `outlets_json`
 * ([{"id","name","type"}]). */
int dist_store_put_company(sk_db *db, const char *id, const char *legal_name,
                           const char *emails_json, const char *outlets_json);

/* Record verification's word on a company (the row is created when the
 * registry's event has not come yet). `valid_until` "YYYY-MM-DD" or NULL. */
int dist_store_set_standing(sk_db *db, const char *company_id, bool verified, bool suspended,
                            const char *valid_until, bool *changed);

int dist_store_set_tier(sk_db *db, const char *outlet_id, int fiscal_year, int tier);

/* Every company with its outlets and their tier in `fiscal_year`: one row
 * per outlet (outlet columns NULL for a company without any), ordered by
 * company name, company, outlet name. */
enum {
    PF_COMPANY_ID, PF_NAME, PF_EMAILS_JSON, PF_VERIFIED, PF_SUSPENDED, PF_VALID_UNTIL_DAYS,
    PF_OUTLET_ID, PF_OUTLET_NAME, PF_OUTLET_TYPE, PF_TIER,
};
int dist_store_partner_facts(sk_db *db, int fiscal_year, PGresult **res);

/* ---- releases ---- */

typedef struct dist_version_row {
    const char *title, *lead, *body_md, *body_html;
    int category;
    const char *contact_name, *contact_role, *contact_phone, *contact_email;
    const char *agenda_title, *agenda_starts_at; /* NULL or RFC 3339 */
    const char *agenda_place, *note;
} dist_version_row;

int dist_store_insert_release(sk_db *db, const char *id, const uint8_t *selection, size_t len,
                              const char *by);

/* Insert version `version`, or rewrite it (a draft's version 1). */
int dist_store_put_version(sk_db *db, const char *release_id, int version,
                           const dist_version_row *v, const char *by);

/* The release row, locked FOR UPDATE. SK_ENOTFOUND. */
enum { RL_STATE, RL_VERSION, RL_REVISION, RL_SELECTION, RL_EMBARGO_EPOCH, RL_SENT_AT };
int dist_store_lock_release(sk_db *db, const char *id, PGresult **res);

/* Bump revision and updated_at; with `selection` also replace it. */
int dist_store_touch_release(sk_db *db, const char *id, const uint8_t *selection, size_t len);

/* draft -> scheduled (embargo NULL: due now). */
int dist_store_schedule(sk_db *db, const char *id, const char *embargo_until, const char *by);
/* scheduled -> draft. */
int dist_store_unschedule(sk_db *db, const char *id);
/* The next version of a sent release is the current one. */
int dist_store_set_version(sk_db *db, const char *id, int version);

/* A release with version `version` (0 = current) of its text. SK_ENOTFOUND. */
enum {
    RV_ID, RV_STATE, RV_VERSION, RV_SELECTION, RV_EMBARGO, RV_SCHEDULED_AT, RV_SCHEDULED_BY,
    RV_SENT_AT, RV_CREATED_AT, RV_CREATED_BY, RV_UPDATED_AT, RV_REVISION, RV_TITLE, RV_LEAD,
    RV_BODY_MD, RV_BODY_HTML, RV_CATEGORY, RV_CONTACT_NAME, RV_CONTACT_ROLE, RV_CONTACT_PHONE,
    RV_CONTACT_EMAIL, RV_AGENDA_TITLE, RV_AGENDA_STARTS_AT, RV_AGENDA_PLACE, RV_NOTE,
    RV_TEXT_VERSION, RV_EMBARGO_EPOCH,
};
int dist_store_load_release(sk_db *db, const char *id, int version, PGresult **res);

/* The notes of every version, oldest first. */
enum { VN_VERSION, VN_NOTE, VN_CREATED_AT, VN_CREATED_BY };
int dist_store_versions(sk_db *db, const char *release_id, PGresult **res);

/* Summaries with counts: one release (`id`), or a page of them newest first
 * (`id` NULL; `state` "" = any; `after` "" = from the newest). */
enum {
    RS_ID, RS_STATE, RS_VERSION, RS_TITLE, RS_CATEGORY, RS_EMBARGO, RS_SENT_AT, RS_UPDATED_AT,
    RS_RECIPIENTS, RS_QUEUED, RS_SENT, RS_FAILED, RS_BOUNCED, RS_READ, RS_PICKED_UP, RS_PICKUPS,
    RS_SCHEDULED_BY,
};
int dist_store_summaries(sk_db *db, const char *id, const char *state, const char *after,
                         int limit, PGresult **res);

/* ---- files ---- */

enum {
    FL_ID, FL_KIND, FL_FILE_NAME, FL_CONTENT_TYPE, FL_SIZE, FL_SHA256, FL_WIDTH, FL_HEIGHT,
    FL_CAPTION, FL_CONTENT,
};
/* A release's files in order; `with_content` adds FL_CONTENT. */
int dist_store_files(sk_db *db, const char *release_id, bool with_content, PGresult **res);
/* One file of a release, with its content. SK_ENOTFOUND. */
int dist_store_file(sk_db *db, const char *release_id, const char *file_id, PGresult **res);

typedef struct dist_file_row {
    const char *id, *release_id, *kind, *file_name, *content_type, *sha256, *caption, *by;
    int64_t size;
    uint32_t width, height;
    const uint8_t *content;
} dist_file_row;

int dist_store_insert_file(sk_db *db, const dist_file_row *f);
/* Files and bytes a release holds. */
int dist_store_file_totals(sk_db *db, const char *release_id, int *count, int64_t *bytes);
/* SK_ENOTFOUND when the release has no such file. */
int dist_store_delete_file(sk_db *db, const char *release_id, const char *file_id);

/* ---- sending: recipients and mail ---- */

/* Freeze the recipients: `json` is [{"id","name","emails":[..],"outlets":
 * [{"id","name","type","tier"|null}]}]. Then the release is sent. */
int dist_store_freeze_recipients(sk_db *db, const char *release_id, const char *json);
int dist_store_mark_sent(sk_db *db, const char *release_id);

/* Scheduled releases whose time has come, oldest first, locked (SKIP LOCKED):
 * column 0 is the id. */
int dist_store_due_releases(sk_db *db, int limit, PGresult **res);

/* The frozen recipients' company ids. */
int dist_store_recipient_ids(sk_db *db, const char *release_id, PGresult **res);

/* Queue one message: the message row, its files (every file of the
 * release), and one delivery per address of every frozen recipient.
 * *queued counts the deliveries. */
int dist_store_queue_message(sk_db *db, const char *message_id, const char *kind,
                             const char *release_id, int version, const char *subject,
                             const char *text, const char *html, int *queued);

/* failed -> queued again (attempts from zero) for every message of the
 * release; *n counts them. */
int dist_store_requeue_failed(sk_db *db, const char *release_id, int *n);

/* ---- the mail queue (the job; autocommit statements) ---- */

/* Claim up to `limit` due deliveries for this session; ordered by message. */
enum { CL_ID, CL_MESSAGE_ID, CL_ADDRESS, CL_ATTEMPTS };
int dist_store_claim(sk_db *db, int limit, PGresult **res);

/* A message's texts, and its files with their content. */
enum { MM_SUBJECT, MM_TEXT, MM_HTML, MM_CREATED_EPOCH };
int dist_store_message(sk_db *db, const char *message_id, PGresult **msg, PGresult **files);

/* The hand-over mark, sent without waiting (it runs inside libcurl's read
 * callback), then its result collected after the transfer. *marked is false
 * when the row was not ours any more. */
int dist_store_mark_handed_send(sk_db *db, const char *delivery_id);
int dist_store_mark_handed_finish(sk_db *db, bool *marked);

/* The outcomes of this session's attempts: `json` is [{"id","state",
 * "delay","reply"}], state 'sent', 'queued' (again, after `delay` s),
 * 'failed' or 'bounced'; attempts + 1 each. *updated counts the rows that
 * were still this session's claims. */
int dist_store_record_many(sk_db *db, const char *json, int *updated);

/* Give back this session's claims that were not attempted, due after
 * `delay_s`. */
int dist_store_release_claims(sk_db *db, const char *const *ids, size_t n, int64_t delay_s);

/* 'attempting' rows whose session is gone or whose claim is older than
 * `lease_s`, locked: their id, attempts and whether they were handed over. */
enum { OR_ID, OR_ATTEMPTS, OR_HANDED };
int dist_store_orphans(sk_db *db, int lease_s, PGresult **res);
/* Settle one: 'sent' (unconfirmed, at its hand-over time), 'queued' or
 * 'failed'; attempts + 1 unless sent. */
int dist_store_settle_orphan(sk_db *db, const char *id, const char *state, const char *reply);

/* ---- proof, inbox, pick-ups ---- */

enum { RC_COMPANY_ID, RC_NAME, RC_ADDRESSES };
int dist_store_recipients(sk_db *db, const char *release_id, const char *company_id,
                          PGresult **res);
enum { RO_COMPANY_ID, RO_OUTLET_ID, RO_NAME, RO_TYPE, RO_TIER };
int dist_store_recipient_outlets(sk_db *db, const char *release_id, const char *company_id,
                                 PGresult **res);
enum {
    DL_COMPANY_ID, DL_ADDRESS, DL_VERSION, DL_KIND, DL_STATE, DL_ATTEMPTS, DL_NEXT_ATTEMPT,
    DL_SENT_AT, DL_CONFIRMED, DL_LAST_REPLY, DL_ID,
};
int dist_store_deliveries(sk_db *db, const char *release_id, PGresult **res);
enum { RR_COMPANY_ID, RR_VERSION, RR_READ_AT, RR_READ_BY };
int dist_store_reads(sk_db *db, const char *release_id, const char *company_id, PGresult **res);
enum {
    PU_ID, PU_RELEASE_ID, PU_COMPANY_ID, PU_OUTLET_ID, PU_OUTLET_NAME, PU_URL, PU_PUBLISHED_AT,
    PU_REPORTED_AT, PU_REPORTED_BY, PU_BY_STAFF,
};
int dist_store_pickups(sk_db *db, const char *release_id, const char *company_id,
                       PGresult **res);

/* Is `company_id` a recipient of a release that is sent and past its
 * embargo? The one visibility rule of the inbox, in SQL for the lists and
 * here for single releases. *visible; the release's embargo (epoch, 0 =
 * none) and state come back for the caller's own check. */
int dist_store_inbox_visible(sk_db *db, const char *release_id, const char *company_id,
                             bool *visible, int64_t *embargo_epoch, bool *sent);

enum {
    IB_RELEASE_ID, IB_TITLE, IB_LEAD, IB_CATEGORY, IB_VERSION, IB_EMBARGO, IB_SENT_AT,
    IB_READ_AT, IB_MY_PICKUPS,
};
/* A page of the company's inbox, newest first; `release_id` set: that one. */
int dist_store_inbox(sk_db *db, const char *company_id, const char *release_id, bool unread_only,
                     const char *after, int limit, PGresult **res);
int dist_store_inbox_unread(sk_db *db, const char *company_id, int *n);

/* The first opening of the current version; *first is false when it was
 * read before. */
int dist_store_mark_read(sk_db *db, const char *release_id, const char *company_id,
                         const char *by, bool *first);

/* Does the outlet belong to the company (read model)? Its name in `name`. */
int dist_store_company_outlet(sk_db *db, const char *company_id, const char *outlet_id,
                              char *name, size_t cap);

typedef struct dist_pickup_row {
    const char *id, *release_id, *company_id, *outlet_id, *outlet_name, *url, *published_at, *by;
    bool by_staff;
} dist_pickup_row;
/* SK_EEXISTS when the company reported that URL for the release already. */
int dist_store_insert_pickup(sk_db *db, const dist_pickup_row *p);
int dist_store_pickup(sk_db *db, const char *id, PGresult **res);

/* now() of the database, Unix seconds. */
int dist_store_now(sk_db *db, int64_t *now);

/* ---- accounts: the gateway's users (gateway.user.*) ---- */

typedef struct dist_account_row {
    const char *id, *username, *display_name;
    const char *roles_csv;   /* "admin,head" */
    const char *company_id;  /* NULL or "" = none */
    bool disabled;
    const char *locale, *email;
    int64_t version;
} dist_account_row;

/* Create or update an account; an event older than the stored version
 * (a replay) changes nothing. */
int dist_store_put_account(sk_db *db, const dist_account_row *a);

/* One account. SK_ENOTFOUND when the gateway's events have not told of it. */
enum { AC_ROLES, AC_COMPANY_ID, AC_LOCALE, AC_EMAIL, AC_DISPLAY_NAME, AC_DISABLED };
int dist_store_account(sk_db *db, const char *id, PGresult **res);

/* ---- notices ---- */

/* Who a notice of `kind` reaches, with their e-mail choice for it: the
 * partner accounts bound to `company_id`, or the staff accounts holding any
 * of `roles_csv` but those in `exclude_json` (a JSON array of ids). Enabled
 * accounts only. */
enum { AU_ID, AU_NAME, AU_LOCALE, AU_EMAIL, AU_WANTS_EMAIL };
int dist_store_audience_company(sk_db *db, const char *company_id, int kind, PGresult **res);
int dist_store_audience_roles(sk_db *db, const char *roles_csv, const char *exclude_json, int kind,
                              PGresult **res);

typedef struct dist_notice_row {
    const char *id, *user_id;
    int kind;
    const char *dedupe_key, *company_id, *company_name, *subject_id, *link;
    const char *params_json; /* {"reason": "..."} */
} dist_notice_row;

/* *inserted is false when the user has a notice with that key already. */
int dist_store_insert_notice(sk_db *db, const dist_notice_row *n, bool *inserted);
int dist_store_notice_mailed(sk_db *db, const char *notice_id, const char *message_id);

/* Notices of `kind` about `subject_id` whose key is not in `keep_json` are
 * settled (resolved now). */
int dist_store_resolve_notices(sk_db *db, int kind, const char *subject_id, const char *keep_json);

/* A page of `user_id`'s notices, newest first, after notice `after` (NULL
 * or "" = from the newest); `company_id` (a partner's, from its actor)
 * narrows them to that company, NULL for staff. */
enum {
    NT_ID, NT_KIND, NT_CREATED_AT, NT_READ_AT, NT_RESOLVED_AT, NT_COMPANY_ID, NT_COMPANY_NAME,
    NT_SUBJECT_ID, NT_LINK, NT_PARAMS, NT_EMAILED,
};
int dist_store_notices(sk_db *db, const char *user_id, const char *company_id, bool unread_only,
                       const char *after, int limit, PGresult **res);
int dist_store_notices_unread(sk_db *db, const char *user_id, const char *company_id, int *n);

/* Mark the notices `ids_json` (a JSON array; NULL = every unread one) of
 * the user read; *marked counts them. */
int dist_store_mark_notices_read(sk_db *db, const char *user_id, const char *company_id,
                                 const char *ids_json, int *marked);

/* The user's e-mail choices: rows of (kind, email). */
int dist_store_notice_prefs(sk_db *db, const char *user_id, PGresult **res);
int dist_store_set_notice_pref(sk_db *db, const char *user_id, int kind, bool email);

/* ---- personal mail ---- */

/* Wipe the texts of password-reset messages none of whose deliveries waits
 * any more (sent, failed or bounced): the link is a key. *n counts them. */
int dist_store_wipe_secrets(sk_db *db, int *n);

/* Queue one rendered message of template `kind` to each address of
 * `addresses_json` (a JSON array of checked addresses), as `user_id`'s, ahead
 * of the releases' bulk. *queued counts the deliveries. */
int dist_store_queue_personal(sk_db *db, const char *message_id, const char *kind,
                              const char *locale, const char *subject, const char *text,
                              const char *html, const char *addresses_json, const char *user_id,
                              int *queued);

#endif
