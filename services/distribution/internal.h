/* internal.h - what handlers.c, events.c and mailer.c share. Not an API: one
 * service's insides.
 *
 * handlers.c owns the RPC methods and the service definition; events.c the
 * read model of the partners (registry, verification and scoring events);
 * mailer.c the mail job: releases whose time has come are sent (recipients
 * frozen, one message queued per address), then the queue is worked through
 * the SMTP relay (smtp.c). */
#ifndef DISTRIBUTION_INTERNAL_H
#define DISTRIBUTION_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "domain.h"
#include "seklik/bus.pb-c.h"
#include "seklik/distribution.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_config.h"
#include "sk_db.h"
#include "sk_inbox.h"
#include "sk_service.h"
#include "smtp.h"
#include "store.h"

/* The service's own configuration and state (sk_service_def.app). */
typedef struct dist_app {
    bool mail_enabled;            /* SEKLIK_SMTP_URL is set */
    dist_smtp_config smtp;
    char from_addr[DIST_EMAIL_MAX + 1];
    char sender_name[128];        /* the From's display name, signs the e-mail */
    const char *msgid_domain;     /* the From address's domain */
    int max_attempts;
    int64_t retry_base_s, retry_max_s;
    int batch;                    /* deliveries claimed at once */
    int lease_s;                  /* a claim older than this is settled even if its session lives */
    atomic_bool stopping;         /* SIGTERM: finish the message in hand, claim no more */
    char portal_url[512];         /* SEKLIK_PORTAL_URL, no trailing slash: links in e-mails */
} dist_app;

/* Hooks of the service (sk_service_hooks), in mailer.c. */
void dist_configure(sk_config *cfg, void *app);
int dist_start(const sk_service_env *env, void *app);
void dist_drain(void *app);

/* The mail job (sk_job_def.run). */
int dist_mail_job(sk_db *db, void *app);

/* Subscriptions (sk_event_fn), in events.c. */
int dist_apply_registry(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);
int dist_apply_verification(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);
int dist_apply_scoring(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

/* ---- notices (notices.c) ---- */

/* gateway.user.created/.updated: the account read model. */
int dist_apply_gateway(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

/* Notices a verification case's event raises or settles (a rejected
 * document, a decision waiting for its second person). */
int dist_notices_from_case(sk_event_ctx *ctx, const Seklik__Bus__Event *ev,
                           const Seklik__Verification__Case *vc);

/* ordering.order.*: an offer waiting for its answer, a proof rejected. */
int dist_apply_ordering(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

/* accounting.invoice.*: an invoice returned or paid. */
int dist_apply_accounting(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

/* Who may approve a verification decision (verification's ROLES_APPROVE). */
#define DIST_APPROVER_ROLES "verifier,head,admin"
#define GW_ROLES_CSV_MAX 160
#define DIST_NOTICE_PARAMS_MAX 8

/* One matter to notify: to the partner accounts of `company_id`, or (when
 * NULL) to the staff accounts holding one of `roles_csv` but not those in
 * `exclude_json`. `dedupe_key` makes it once per account. */
typedef struct dist_notice_spec {
    int kind;
    const char *dedupe_key;
    const char *company_id;
    const char *roles_csv, *exclude_json;
    const char *company_name, *subject_id, *link;
    const dist_kv *params; /* kept with the notice; the worded ones also in its e-mail */
    size_t n_params;       /* at most DIST_NOTICE_PARAMS_MAX */
} dist_notice_spec;

/* Raise `spec` inside the open transaction: one notice per account it
 * reaches that has none with its key, and the e-mail of those who chose it. */
int dist_raise_notice(sk_db *db, const dist_app *app, const dist_notice_spec *spec);

/* ---- shared between handlers.c and mailer.c ---- */

/* Today's calendar date in WIB, days since the epoch. */
int32_t dist_today_wib(void);

/* The recipients `sel` (packed or decoded) chooses among the partners known
 * now: a malloc'ed list (dist_recipients_free). */
typedef struct dist_recipient_outlet {
    char id[40];
    char *name;
    int type, tier;
    bool tier_known;
} dist_recipient_outlet;

typedef struct dist_recipient {
    char company_id[40];
    char *name;
    char **emails;
    size_t n_emails;
    dist_recipient_outlet *outlets;
    size_t n_outlets;
} dist_recipient;

typedef struct dist_recipients {
    dist_recipient *items;
    size_t n;
    size_t addresses, without_address;
    char **excluded;              /* CHOSEN ids that are not active partners */
    size_t n_excluded;
} dist_recipients;

int dist_resolve_recipients(sk_db *db, const Seklik__Distribution__RecipientSelection *sel,
                            dist_recipients *out);
void dist_recipients_free(dist_recipients *r);

/* Queue the e-mail of version `version` of release `release_id` (a release
 * or, for version > 1, its correction) to every frozen recipient address,
 * inside the open transaction; signed with `sender_name`. *queued counts
 * the deliveries. */
int dist_queue_release_mail(sk_db *db, const char *sender_name, const char *release_id,
                            int version, int *queued);

/* Row `i` of dist_store_summaries as a summary; strings point into `res`. */
void dist_summary_from_row(PGresult *res, int i, Seklik__Distribution__ReleaseSummary *s,
                           Seklik__Distribution__DeliveryCounts *d);
Seklik__Distribution__ReleaseState dist_state_number(const char *state);

/* Append the ReleaseChanged event `type` of `release_id` (with its frozen
 * recipients' ids when asked) to the outbox of the open transaction. */
int dist_emit_release(sk_db *db, const char *type, const char *release_id, bool with_recipients,
                      const Seklik__Bus__Actor *actor, const char *correlation);

/* The service's one job (its interval is configured). */
extern sk_job_def dist_jobs[1];

#endif
