/* handlers.c - one function per RPC method of seklik.distribution.Distribution,
 * and the service definition: decode, authorize, decide, store, emit.
 *
 * Every method checks the actor's role before it looks at the input. `pr`
 * writes and sends; `head`, `admin` and `partnership` read; a partner reaches only its own
 * inbox, and a release there only once it was sent to its company and its
 * embargo has passed: anything else is NOT_FOUND to a partner, so an
 * embargoed release cannot even be told from a missing one. Commands run
 * inside the transaction the RPC server opened: a refusal writes nothing. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "sk_pdf.h"
#include "sk_service.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_DEFAULT 20
#define PAGE_MAX 100

typedef Seklik__Distribution__Release Release;

/* `pr` writes; `head` and `admin` read everything; `partnership` reads too:
 * an order's content can be a release (ordering refers to it by id). */
static const char *const WRITE_ROLES[] = {SK_ROLE_PR, NULL};
static const char *const READ_ROLES[] = {SK_ROLE_PR, SK_ROLE_HEAD, SK_ROLE_ADMIN,
                                         SK_ROLE_PARTNERSHIP, NULL};

/* ---- small helpers ---- */

/* Fail with `rc` and the message "<code>: <english>": the UI words a
 * message that starts with a code from its catalogues (web/src/codes.js). */
static int refuse(sk_call *call, int rc, const char *code, const char *english)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "%s: %s", code, english);
    return sk_call_fail(call, rc, msg);
}

static int deny(sk_call *call, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "not allowed: %s", what);
    return refuse(call, SK_EPERM, "access.denied", msg);
}

static int not_found(sk_call *call, const char *code, const char *english)
{
    return refuse(call, SK_ENOTFOUND, code, english);
}

/* A violation with its code and English text that also fails the call:
 * `ok = violation(...) && false`. */
static bool violation(sk_call *call, const char *field, const char *code, const char *english)
{
    sk_call_violation_code(call, field, code, english);
    return false;
}

/* The violation of dist_text_ok's `code` (the limit `max` in its text). */
static bool text_violation(sk_call *call, const char *field, const char *code, size_t max)
{
    dist_violations v = {0};
    dist_text_violation(&v, field, code, max);
    return violation(call, field, code, v.items[0].english);
}

static const char *actor_id(const sk_call *call)
{
    return call->actor->user_id ? call->actor->user_id : "";
}

static bool may_write(const sk_call *call)
{
    return sk_actor_has_any_role(call->actor, WRITE_ROLES);
}

static bool may_read(const sk_call *call)
{
    return sk_actor_has_any_role(call->actor, READ_ROLES);
}

/* The partner's company, or NULL when the actor is no partner of one. */
static const char *partner_company(const sk_call *call)
{
    const char *c = call->actor->company_id;
    return sk_actor_has_role(call->actor, SK_ROLE_PARTNER) && c && sk_uuid_valid(c) ? c : NULL;
}

static bool check_id(sk_call *call, const char *field, const char *id)
{
    if (sk_uuid_valid(id))
        return true;
    return violation(call, field, id && *id ? "id.invalid" : "required",
                     id && *id ? "not a valid id" : "required");
}

static void add_violations(sk_call *call, const dist_violations *v)
{
    for (size_t i = 0; i < v->n; i++)
        sk_call_violation_code(call, v->items[i].field, v->items[i].code, v->items[i].english);
}

static char *S(sk_call *call, PGresult *res, int i, int col)
{
    return sk_call_strdup(call, PQgetvalue(res, i, col));
}

static void *alloc_array(sk_call *call, size_t n, size_t size)
{
    return sk_call_alloc(call, (n ? n : 1) * size);
}

static int audit(sk_call *call, const char *action, const char *entity, const char *id,
                 cJSON *before, cJSON *after)
{
    char *b = before ? cJSON_PrintUnformatted(before) : NULL;
    char *a = after ? cJSON_PrintUnformatted(after) : NULL;
    int rc = (before && !b) || (after && !a)
                 ? SK_ENOMEM
                 : sk_audit_append(call->db, call->actor, action, entity, id, b, a,
                                   call->req->request_id);
    cJSON_free(b);
    cJSON_free(a);
    cJSON_Delete(before);
    cJSON_Delete(after);
    return rc;
}

static cJSON *state_json(const char *state, int version)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "state", state);
    if (version > 0)
        cJSON_AddNumberToObject(o, "version", version);
    return o;
}

/* Protobuf memory from the call's arena: decoded bodies hang off `out`. */
static void *arena_alloc(void *data, size_t n)
{
    return sk_call_alloc(data, n);
}

static void arena_free(void *data, void *p)
{
    (void)data;
    (void)p;
}

static ProtobufCAllocator call_allocator(sk_call *call)
{
    return (ProtobufCAllocator){.alloc = arena_alloc, .free = arena_free, .allocator_data = call};
}

/* ---- inputs ---- */

static dist_release_input input_of(const Seklik__Distribution__ReleaseInput *in)
{
    const Seklik__Distribution__ContactPerson *c = in ? in->contact : NULL;
    const Seklik__Distribution__Agenda *a = in ? in->agenda : NULL;
    return (dist_release_input){
        .title = in ? in->title : NULL,
        .lead = in ? in->lead : NULL,
        .body_markdown = in ? in->body_markdown : NULL,
        .category = in ? (int)in->category : 0,
        .contact_name = c ? c->name : NULL,
        .contact_role = c ? c->role : NULL,
        .contact_phone = c ? c->phone : NULL,
        .contact_email = c ? c->email : NULL,
        .agenda_title = a ? a->title : NULL,
        .agenda_starts_at = a ? a->starts_at : NULL,
        .agenda_place = a ? a->place : NULL,
    };
}

static bool check_input(sk_call *call, const Seklik__Distribution__ReleaseInput *in,
                        bool complete)
{
    dist_violations v = {0};
    dist_release_input ri = input_of(in);
    bool ok = dist_release_input_check(&ri, "content", complete, &v);
    add_violations(call, &v);
    return ok;
}

static bool check_selection(sk_call *call, const Seklik__Distribution__RecipientSelection *s)
{
    if (!s) {
        return violation(call, "recipients.mode", "required", "required");
    }
    int tiers[16], types[16];
    size_t n_tiers = s->n_tiers < COUNT(tiers) ? s->n_tiers : COUNT(tiers);
    size_t n_types = s->n_outlet_types < COUNT(types) ? s->n_outlet_types : COUNT(types);
    for (size_t i = 0; i < n_tiers; i++)
        tiers[i] = (int)s->tiers[i];
    for (size_t i = 0; i < n_types; i++)
        types[i] = (int)s->outlet_types[i];
    dist_violations v = {0};
    bool ok = dist_selection_check((int)s->mode, tiers, n_tiers, types, n_types, s->fiscal_year,
                                   s->n_company_ids, "recipients", &v);
    if (s->n_tiers > COUNT(tiers))
        ok = dist_violation_add(&v, "recipients.tiers", "too_many", "at most 16 entries") && false;
    if (s->n_outlet_types > COUNT(types))
        ok = dist_violation_add(&v, "recipients.outletTypes", "too_many", "at most 16 entries") &&
             false;
    add_violations(call, &v);
    for (size_t i = 0; (int)s->mode == DIST_MODE_CHOSEN && i < s->n_company_ids &&
                       i < DIST_CHOSEN_MAX;
         i++) {
        char f[64];
        snprintf(f, sizeof(f), "recipients.companyIds[%zu]", i);
        ok = check_id(call, f, s->company_ids[i]) && ok;
    }
    return ok;
}

/* The selection as stored: only what its mode uses. malloc'ed. */
static int pack_selection(const Seklik__Distribution__RecipientSelection *s, uint8_t **out,
                          size_t *len)
{
    Seklik__Distribution__RecipientSelection k = SEKLIK__DISTRIBUTION__RECIPIENT_SELECTION__INIT;
    k.mode = s->mode;
    if (s->mode == SEKLIK__DISTRIBUTION__RECIPIENT_MODE__RECIPIENT_MODE_FILTER) {
        k.n_tiers = s->n_tiers;
        k.tiers = s->tiers;
        k.n_outlet_types = s->n_outlet_types;
        k.outlet_types = s->outlet_types;
        k.fiscal_year = s->fiscal_year;
    } else if (s->mode == SEKLIK__DISTRIBUTION__RECIPIENT_MODE__RECIPIENT_MODE_CHOSEN) {
        k.n_company_ids = s->n_company_ids;
        k.company_ids = s->company_ids;
    }
    *len = seklik__distribution__recipient_selection__get_packed_size(&k);
    *out = malloc(*len ? *len : 1);
    if (!*out)
        return SK_ENOMEM;
    seklik__distribution__recipient_selection__pack(&k, *out);
    return SK_OK;
}

/* The body rendered, in the call's memory. */
static char *render(sk_call *call, const char *md)
{
    char *html = dist_render_markdown(md, md ? strlen(md) : 0);
    char *copy = html ? sk_call_strdup(call, html) : NULL;
    free(html);
    return copy;
}

static dist_version_row version_row(const Seklik__Distribution__ReleaseInput *in,
                                    const char *html, const char *note)
{
    dist_release_input ri = input_of(in);
    return (dist_version_row){
        .title = ri.title, .lead = ri.lead, .body_md = ri.body_markdown, .body_html = html,
        .category = ri.category, .contact_name = ri.contact_name, .contact_role = ri.contact_role,
        .contact_phone = ri.contact_phone, .contact_email = ri.contact_email,
        .agenda_title = ri.agenda_title,
        .agenda_starts_at = dist_blank(ri.agenda_starts_at) ? NULL : ri.agenda_starts_at,
        .agenda_place = ri.agenda_place, .note = note,
    };
}

/* The locked release row's state, version and revision; a partner-free
 * NOT_FOUND when it does not exist. */
typedef struct locked {
    char state[16];
    int version;
    int64_t revision;
    int64_t embargo;
} locked;

static int lock_release(sk_call *call, const char *id, locked *l)
{
    PGresult *res;
    int rc = dist_store_lock_release(call->db, id, &res);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "release.not_found", "no such release");
    SK_TRY(rc);
    snprintf(l->state, sizeof(l->state), "%s", PQgetvalue(res, 0, RL_STATE));
    l->version = atoi(PQgetvalue(res, 0, RL_VERSION));
    l->revision = sk_db_get_int64(res, 0, RL_REVISION);
    l->embargo = sk_db_get_int64(res, 0, RL_EMBARGO_EPOCH);
    PQclear(res);
    return SK_OK;
}

static int check_revision(sk_call *call, const locked *l, int64_t expected)
{
    if (expected != 0 && expected != l->revision) {
        char msg[120];
        snprintf(msg, sizeof(msg), "the release changed meanwhile: its revision is now %lld",
                 (long long)l->revision);
        return refuse(call, SK_EPRECOND, "release.changed", msg);
    }
    return SK_OK;
}

static int require_state(sk_call *call, const locked *l, const char *state)
{
    if (strcmp(l->state, state) == 0)
        return SK_OK;
    char msg[120];
    snprintf(msg, sizeof(msg), "the release is %s, not %s", l->state, state);
    return refuse(call, SK_EPRECOND, "release.wrong_state", msg);
}

/* ---- replies ---- */

static void file_from_row(sk_call *call, PGresult *res, int i, Seklik__Distribution__ReleaseFile *f)
{
    seklik__distribution__release_file__init(f);
    f->id = S(call, res, i, FL_ID);
    f->kind = strcmp(PQgetvalue(res, i, FL_KIND), "photo") == 0
                  ? SEKLIK__DISTRIBUTION__FILE_KIND__FILE_KIND_PHOTO
                  : SEKLIK__DISTRIBUTION__FILE_KIND__FILE_KIND_ATTACHMENT;
    f->file_name = S(call, res, i, FL_FILE_NAME);
    f->content_type = S(call, res, i, FL_CONTENT_TYPE);
    f->size = sk_db_get_int64(res, i, FL_SIZE);
    f->sha256 = S(call, res, i, FL_SHA256);
    f->width = atoi(PQgetvalue(res, i, FL_WIDTH));
    f->height = atoi(PQgetvalue(res, i, FL_HEIGHT));
    f->caption = S(call, res, i, FL_CAPTION);
}

/* `out` <- release `id` at `version` (0 = current) with its files and
 * version notes. `staff` adds what only staff see (recipients, schedule). */
static int release_reply(sk_call *call, const char *id, int version, bool staff, Release *out)
{
    PGresult *res;
    int rc = dist_store_load_release(call->db, id, version, &res);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "release.not_found", "no such release");
    SK_TRY(rc);
    out->id = S(call, res, 0, RV_ID);
    out->state = dist_state_number(PQgetvalue(res, 0, RV_STATE));
    out->version = atoi(PQgetvalue(res, 0, RV_TEXT_VERSION));
    Seklik__Distribution__ReleaseInput *in = sk_call_alloc(call, sizeof(*in));
    Seklik__Distribution__ContactPerson *c = sk_call_alloc(call, sizeof(*c));
    Seklik__Distribution__Agenda *a = sk_call_alloc(call, sizeof(*a));
    if (!in || !c || !a) {
        PQclear(res);
        return SK_ENOMEM;
    }
    seklik__distribution__release_input__init(in);
    seklik__distribution__contact_person__init(c);
    seklik__distribution__agenda__init(a);
    in->title = S(call, res, 0, RV_TITLE);
    in->lead = S(call, res, 0, RV_LEAD);
    in->body_markdown = S(call, res, 0, RV_BODY_MD);
    in->category = (Seklik__Distribution__Category)atoi(PQgetvalue(res, 0, RV_CATEGORY));
    c->name = S(call, res, 0, RV_CONTACT_NAME);
    c->role = S(call, res, 0, RV_CONTACT_ROLE);
    c->phone = S(call, res, 0, RV_CONTACT_PHONE);
    c->email = S(call, res, 0, RV_CONTACT_EMAIL);
    a->title = S(call, res, 0, RV_AGENDA_TITLE);
    a->starts_at = S(call, res, 0, RV_AGENDA_STARTS_AT);
    a->place = S(call, res, 0, RV_AGENDA_PLACE);
    in->contact = c;
    in->agenda = a;
    out->content = in;
    out->body_html = S(call, res, 0, RV_BODY_HTML);
    out->embargo_until = S(call, res, 0, RV_EMBARGO);
    out->sent_at = S(call, res, 0, RV_SENT_AT);
    out->created_at = S(call, res, 0, RV_CREATED_AT);
    out->updated_at = S(call, res, 0, RV_UPDATED_AT);
    if (staff) {
        out->scheduled_at = S(call, res, 0, RV_SCHEDULED_AT);
        out->scheduled_by = S(call, res, 0, RV_SCHEDULED_BY);
        out->created_by = S(call, res, 0, RV_CREATED_BY);
        out->revision = sk_db_get_int64(res, 0, RV_REVISION);
        uint8_t *sel = NULL;
        size_t len = 0;
        rc = sk_db_get_bytea(res, 0, RV_SELECTION, &sel, &len);
        if (rc == SK_OK) {
            ProtobufCAllocator al = call_allocator(call);
            out->recipients = seklik__distribution__recipient_selection__unpack(&al, len, sel);
            rc = out->recipients ? SK_OK : SK_EINTERNAL;
        }
        free(sel);
    }
    PQclear(res);
    SK_TRY(rc);

    SK_TRY(dist_store_files(call->db, id, false, &res));
    int n = PQntuples(res);
    out->files = alloc_array(call, (size_t)n, sizeof(*out->files));
    for (int i = 0; out->files && i < n; i++) {
        Seklik__Distribution__ReleaseFile *f = sk_call_alloc(call, sizeof(*f));
        if (!f)
            break;
        file_from_row(call, res, i, f);
        out->files[out->n_files++] = f;
    }
    PQclear(res);
    SK_TRY(dist_store_versions(call->db, id, &res));
    n = PQntuples(res);
    out->versions = alloc_array(call, (size_t)n, sizeof(*out->versions));
    for (int i = 0; out->versions && i < n; i++) {
        Seklik__Distribution__VersionNote *v = sk_call_alloc(call, sizeof(*v));
        if (!v)
            break;
        seklik__distribution__version_note__init(v);
        v->version = atoi(PQgetvalue(res, i, VN_VERSION));
        v->note = S(call, res, i, VN_NOTE);
        v->created_at = S(call, res, i, VN_CREATED_AT);
        v->created_by = staff ? S(call, res, i, VN_CREATED_BY) : sk_call_strdup(call, "");
        out->versions[out->n_versions++] = v;
    }
    PQclear(res);
    return SK_OK;
}

static int summary_reply(sk_call *call, PGresult *res, int i,
                         Seklik__Distribution__ReleaseSummary *s)
{
    Seklik__Distribution__DeliveryCounts *d = sk_call_alloc(call, sizeof(*d));
    if (!d)
        return SK_ENOMEM;
    seklik__distribution__release_summary__init(s);
    seklik__distribution__delivery_counts__init(d);
    dist_summary_from_row(res, i, s, d);
    s->id = sk_call_strdup(call, s->id);
    s->title = sk_call_strdup(call, s->title);
    s->embargo_until = sk_call_strdup(call, s->embargo_until);
    s->sent_at = sk_call_strdup(call, s->sent_at);
    s->updated_at = sk_call_strdup(call, s->updated_at);
    return SK_OK;
}

/* ---- Distribution.CreateRelease (pr) ---- */

static int create_release(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__CreateReleaseRequest *req =
        (const Seklik__Distribution__CreateReleaseRequest *)in_;
    if (!may_write(call))
        return deny(call, "writing releases");
    Seklik__Distribution__RecipientSelection all = SEKLIK__DISTRIBUTION__RECIPIENT_SELECTION__INIT;
    all.mode = SEKLIK__DISTRIBUTION__RECIPIENT_MODE__RECIPIENT_MODE_ALL_VERIFIED;
    const Seklik__Distribution__RecipientSelection *sel = req->recipients ? req->recipients : &all;
    bool ok = check_input(call, req->content, false);
    ok = check_selection(call, sel) && ok;
    if (!ok)
        return SK_EINVAL;
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    uint8_t *packed;
    size_t len;
    SK_TRY(pack_selection(sel, &packed, &len));
    int rc = dist_store_insert_release(call->db, id, packed, len, actor_id(call));
    free(packed);
    SK_TRY(rc);
    char *html = render(call, req->content->body_markdown);
    if (!html)
        return SK_ENOMEM;
    dist_version_row v = version_row(req->content, html, "");
    SK_TRY(dist_store_put_version(call->db, id, 1, &v, actor_id(call)));
    cJSON *after = state_json("draft", 1);
    cJSON_AddStringToObject(after, "title", req->content->title);
    SK_TRY(audit(call, "release.created", "release", id, NULL, after));
    return release_reply(call, id, 0, true, (Release *)out);
}

/* ---- Distribution.UpdateRelease (pr, drafts) ---- */

static int update_release(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__UpdateReleaseRequest *req =
        (const Seklik__Distribution__UpdateReleaseRequest *)in_;
    if (!may_write(call))
        return deny(call, "writing releases");
    bool ok = check_id(call, "releaseId", req->release_id);
    ok = check_input(call, req->content, false) && ok;
    if (req->recipients)
        ok = check_selection(call, req->recipients) && ok;
    if (!ok)
        return SK_EINVAL;
    locked l;
    SK_TRY(lock_release(call, req->release_id, &l));
    SK_TRY(require_state(call, &l, "draft"));
    SK_TRY(check_revision(call, &l, req->expected_revision));
    char *html = render(call, req->content->body_markdown);
    if (!html)
        return SK_ENOMEM;
    dist_version_row v = version_row(req->content, html, "");
    SK_TRY(dist_store_put_version(call->db, req->release_id, 1, &v, actor_id(call)));
    uint8_t *packed = NULL;
    size_t len = 0;
    if (req->recipients)
        SK_TRY(pack_selection(req->recipients, &packed, &len));
    int rc = dist_store_touch_release(call->db, req->release_id, packed, len);
    free(packed);
    SK_TRY(rc);
    cJSON *after = state_json("draft", 1);
    cJSON_AddStringToObject(after, "title", req->content->title);
    SK_TRY(audit(call, "release.updated", "release", req->release_id, NULL, after));
    return release_reply(call, req->release_id, 0, true, (Release *)out);
}

/* ---- Distribution.AddFile / RemoveFile (pr, drafts) ---- */

static int add_file(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__AddFileRequest *req =
        (const Seklik__Distribution__AddFileRequest *)in_;
    if (!may_write(call))
        return deny(call, "writing releases");
    bool ok = check_id(call, "releaseId", req->release_id);
    const char *code = NULL; /* dist_text_ok's, dist_file_acceptable's */
    if (req->kind != SEKLIK__DISTRIBUTION__FILE_KIND__FILE_KIND_PHOTO &&
        req->kind != SEKLIK__DISTRIBUTION__FILE_KIND__FILE_KIND_ATTACHMENT)
        ok = violation(call, "kind", req->kind ? "unknown_value" : "required",
                       "the kind must be a photo or an attachment");
    if (dist_blank(req->file_name))
        ok = violation(call, "fileName", "required", "required");
    else if (!dist_text_ok(req->file_name, DIST_SHORT_MAX, false, &code))
        ok = text_violation(call, "fileName", code, DIST_SHORT_MAX);
    if (!dist_text_ok(req->caption, DIST_SHORT_MAX, false, &code))
        ok = text_violation(call, "caption", code, DIST_SHORT_MAX);
    uint32_t w = 0, h = 0;
    const char *english = NULL;
    dist_file_type type = dist_file_sniff(req->content.data, req->content.len, &w, &h);
    if (!dist_file_acceptable((int)req->kind, type, req->content.len, w, h, &code, &english) &&
        strcmp(code, "unknown_value") != 0) /* the kind, named above */
        ok = violation(call, "content", code, english);
    else if (type == DIST_FILE_PDF && !sk_pdf_opens(req->content.data, req->content.len))
        ok = violation(call, "content", "file.pdf_unreadable", "the PDF does not open");
    if (!ok)
        return SK_EINVAL;
    locked l;
    SK_TRY(lock_release(call, req->release_id, &l));
    SK_TRY(require_state(call, &l, "draft"));
    int count = 0;
    int64_t bytes = 0;
    SK_TRY(dist_store_file_totals(call->db, req->release_id, &count, &bytes));
    if (count + 1 > DIST_RELEASE_FILES_MAX)
        return sk_call_violation_code(
            call, "content", "release.too_many_files",
            "a release holds at most 20 files"); /* DIST_RELEASE_FILES_MAX */
    if (bytes + (int64_t)req->content.len > (int64_t)DIST_RELEASE_FILES_MAX_BYTES)
        return sk_call_violation_code(call, "content", "release.files_too_large",
                                      "the files of a release: at most 12 MiB together");
    char id[SK_UUID_STRLEN], name[DIST_SHORT_MAX + 1];
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256(digest, req->content.data, req->content.len);
    sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
    sk_uuid7(id);
    dist_safe_file_name(req->file_name, name, sizeof(name));
    bool photo = req->kind == SEKLIK__DISTRIBUTION__FILE_KIND__FILE_KIND_PHOTO;
    dist_file_row f = {
        .id = id, .release_id = req->release_id, .kind = photo ? "photo" : "attachment",
        .file_name = name, .content_type = dist_file_mime(type), .sha256 = hex,
        .caption = req->caption, .by = actor_id(call), .size = (int64_t)req->content.len,
        .width = w, .height = h, .content = req->content.data,
    };
    SK_TRY(dist_store_insert_file(call->db, &f));
    SK_TRY(dist_store_touch_release(call->db, req->release_id, NULL, 0));
    cJSON *after = cJSON_CreateObject();
    cJSON_AddStringToObject(after, "releaseId", req->release_id);
    cJSON_AddStringToObject(after, "kind", f.kind);
    cJSON_AddStringToObject(after, "fileName", name);
    cJSON_AddStringToObject(after, "contentType", f.content_type);
    cJSON_AddNumberToObject(after, "size", (double)f.size);
    cJSON_AddStringToObject(after, "sha256", hex);
    SK_TRY(audit(call, "release.file_added", "release_file", id, NULL, after));
    PGresult *res;
    SK_TRY(dist_store_file(call->db, req->release_id, id, &res));
    file_from_row(call, res, 0, (Seklik__Distribution__ReleaseFile *)out);
    PQclear(res);
    return SK_OK;
}

static int remove_file(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__RemoveFileRequest *req =
        (const Seklik__Distribution__RemoveFileRequest *)in_;
    if (!may_write(call))
        return deny(call, "writing releases");
    bool ok = check_id(call, "releaseId", req->release_id);
    if (!(check_id(call, "fileId", req->file_id) && ok))
        return SK_EINVAL;
    locked l;
    SK_TRY(lock_release(call, req->release_id, &l));
    SK_TRY(require_state(call, &l, "draft"));
    int rc = dist_store_delete_file(call->db, req->release_id, req->file_id);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "file.not_found", "no such file");
    SK_TRY(rc);
    SK_TRY(dist_store_touch_release(call->db, req->release_id, NULL, 0));
    cJSON *before = cJSON_CreateObject();
    cJSON_AddStringToObject(before, "releaseId", req->release_id);
    SK_TRY(audit(call, "release.file_removed", "release_file", req->file_id, before, NULL));
    return release_reply(call, req->release_id, 0, true, (Release *)out);
}

/* ---- Distribution.Schedule / Unschedule (pr) ---- */

/* Check the stored draft as what will be sent, naming the API's fields. */
static int check_stored_complete(sk_call *call, const char *id)
{
    PGresult *res;
    SK_TRY(dist_store_load_release(call->db, id, 0, &res));
    dist_release_input in = {
        .title = PQgetvalue(res, 0, RV_TITLE),
        .lead = PQgetvalue(res, 0, RV_LEAD),
        .body_markdown = PQgetvalue(res, 0, RV_BODY_MD),
        .category = atoi(PQgetvalue(res, 0, RV_CATEGORY)),
        .contact_name = PQgetvalue(res, 0, RV_CONTACT_NAME),
        .contact_role = PQgetvalue(res, 0, RV_CONTACT_ROLE),
        .contact_phone = PQgetvalue(res, 0, RV_CONTACT_PHONE),
        .contact_email = PQgetvalue(res, 0, RV_CONTACT_EMAIL),
        .agenda_title = PQgetvalue(res, 0, RV_AGENDA_TITLE),
        .agenda_starts_at = PQgetvalue(res, 0, RV_AGENDA_STARTS_AT),
        .agenda_place = PQgetvalue(res, 0, RV_AGENDA_PLACE),
    };
    dist_violations v = {0};
    bool ok = dist_release_input_check(&in, "content", true, &v);
    add_violations(call, &v);
    uint8_t *sel = NULL;
    size_t len = 0;
    int rc = sk_db_get_bytea(res, 0, RV_SELECTION, &sel, &len);
    PQclear(res);
    SK_TRY(rc);
    Seklik__Distribution__RecipientSelection *s =
        seklik__distribution__recipient_selection__unpack(NULL, len, sel);
    free(sel);
    if (!s)
        return SK_EINTERNAL;
    dist_recipients r;
    rc = dist_resolve_recipients(call->db, s, &r);
    seklik__distribution__recipient_selection__free_unpacked(s, NULL);
    SK_TRY(rc);
    if (r.n == 0)
        ok = violation(call, "recipients", "recipients.none",
                       "the selection matches no press company");
    dist_recipients_free(&r);
    return ok ? SK_OK : SK_EINVAL;
}

static int schedule(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ScheduleRequest *req =
        (const Seklik__Distribution__ScheduleRequest *)in_;
    if (!may_write(call))
        return deny(call, "sending releases");
    bool ok = check_id(call, "releaseId", req->release_id);
    int64_t embargo = 0;
    char embargo_text[21] = "";
    if (!dist_blank(req->embargo_until)) {
        if (!dist_parse_time(req->embargo_until, &embargo) ||
            !dist_format_time(embargo, embargo_text))
            ok = violation(call, "embargoUntil", "time.invalid",
                           "must be a real date and time (RFC 3339)");
        else if (!dist_embargo_acceptable(embargo, (int64_t)time(NULL)))
            ok = violation(call, "embargoUntil",
                           embargo < (int64_t)time(NULL) + DIST_EMBARGO_MIN_S ? "time.not_future"
                                                                              : "embargo.too_far",
                           "the embargo must lie ahead, within 366 days");
    }
    if (!ok)
        return SK_EINVAL;
    locked l;
    SK_TRY(lock_release(call, req->release_id, &l));
    SK_TRY(require_state(call, &l, "draft"));
    SK_TRY(check_revision(call, &l, req->expected_revision));
    SK_TRY(check_stored_complete(call, req->release_id));
    SK_TRY(dist_store_schedule(call->db, req->release_id, embargo ? embargo_text : NULL,
                               actor_id(call)));
    SK_TRY(dist_emit_release(call->db, "distribution.release.scheduled", req->release_id, false,
                             call->actor, call->req->request_id));
    cJSON *after = state_json("scheduled", 0);
    cJSON_AddStringToObject(after, "embargoUntil", embargo_text);
    SK_TRY(audit(call, "release.scheduled", "release", req->release_id, state_json("draft", 0),
                 after));
    return release_reply(call, req->release_id, 0, true, (Release *)out);
}

static int unschedule(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ReleaseIdRequest *req =
        (const Seklik__Distribution__ReleaseIdRequest *)in_;
    if (!may_write(call))
        return deny(call, "sending releases");
    if (!check_id(call, "releaseId", req->release_id))
        return SK_EINVAL;
    locked l;
    SK_TRY(lock_release(call, req->release_id, &l));
    SK_TRY(require_state(call, &l, "scheduled"));
    SK_TRY(dist_store_unschedule(call->db, req->release_id));
    SK_TRY(dist_emit_release(call->db, "distribution.release.unscheduled", req->release_id, false,
                             call->actor, call->req->request_id));
    SK_TRY(audit(call, "release.unscheduled", "release", req->release_id,
                 state_json("scheduled", 0), state_json("draft", 0)));
    return release_reply(call, req->release_id, 0, true, (Release *)out);
}

/* ---- Distribution.Correct (pr, sent releases) ---- */

static int correct(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__CorrectRequest *req =
        (const Seklik__Distribution__CorrectRequest *)in_;
    if (!may_write(call))
        return deny(call, "correcting releases");
    bool ok = check_id(call, "releaseId", req->release_id);
    ok = check_input(call, req->content, true) && ok;
    const char *why = NULL;
    if (dist_blank(req->note))
        ok = violation(call, "note", "required", "required");
    else if (!dist_text_ok(req->note, DIST_NOTE_MAX, true, &why))
        ok = text_violation(call, "note", why, DIST_NOTE_MAX);
    if (!ok)
        return SK_EINVAL;
    locked l;
    SK_TRY(lock_release(call, req->release_id, &l));
    SK_TRY(require_state(call, &l, "sent"));
    SK_TRY(check_revision(call, &l, req->expected_revision));
    int version = l.version + 1;
    char *html = render(call, req->content->body_markdown);
    if (!html)
        return SK_ENOMEM;
    dist_version_row v = version_row(req->content, html, req->note);
    SK_TRY(dist_store_put_version(call->db, req->release_id, version, &v, actor_id(call)));
    SK_TRY(dist_store_set_version(call->db, req->release_id, version));
    int queued = 0;
    dist_app *app = call->app;
    SK_TRY(dist_queue_release_mail(call->db, app->sender_name, req->release_id, version,
                                   &queued));
    SK_TRY(dist_emit_release(call->db, "distribution.release.corrected", req->release_id, true,
                             call->actor, call->req->request_id));
    cJSON *after = state_json("sent", version);
    cJSON_AddStringToObject(after, "note", req->note);
    cJSON_AddNumberToObject(after, "deliveries", queued);
    SK_TRY(audit(call, "release.corrected", "release", req->release_id,
                 state_json("sent", l.version), after));
    return release_reply(call, req->release_id, 0, true, (Release *)out);
}

/* ---- Distribution.RequeueFailed (pr) ---- */

static int requeue_failed(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ReleaseIdRequest *req =
        (const Seklik__Distribution__ReleaseIdRequest *)in_;
    if (!may_write(call))
        return deny(call, "sending releases");
    if (!check_id(call, "releaseId", req->release_id))
        return SK_EINVAL;
    locked l;
    SK_TRY(lock_release(call, req->release_id, &l));
    SK_TRY(require_state(call, &l, "sent"));
    int n = 0;
    SK_TRY(dist_store_requeue_failed(call->db, req->release_id, &n));
    ((Seklik__Distribution__RequeueResult *)out)->requeued = n;
    if (n == 0)
        return SK_OK;
    cJSON *after = cJSON_CreateObject();
    cJSON_AddNumberToObject(after, "requeued", n);
    return audit(call, "release.requeued", "release", req->release_id, NULL, after);
}

/* ---- Distribution.RenderPreview, PreviewRecipients (pr, head, admin) ---- */

static int render_preview(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__RenderRequest *req =
        (const Seklik__Distribution__RenderRequest *)in_;
    if (!may_read(call))
        return deny(call, "previews");
    const char *why = NULL;
    if (!dist_text_ok(req->body_markdown, DIST_BODY_MAX, true, &why)) {
        text_violation(call, "bodyMarkdown", why, DIST_BODY_MAX);
        return SK_EINVAL;
    }
    char *html = render(call, req->body_markdown);
    if (!html)
        return SK_ENOMEM;
    ((Seklik__Distribution__RenderResponse *)out)->body_html = html;
    return SK_OK;
}

static int recipient_company(sk_call *call, const dist_recipient *r,
                             Seklik__Distribution__RecipientCompany **out)
{
    Seklik__Distribution__RecipientCompany *c = sk_call_alloc(call, sizeof(*c));
    if (!c)
        return SK_ENOMEM;
    seklik__distribution__recipient_company__init(c);
    c->company_id = sk_call_strdup(call, r->company_id);
    c->name = sk_call_strdup(call, r->name);
    c->address_count = (int32_t)r->n_emails;
    c->outlets = alloc_array(call, r->n_outlets, sizeof(*c->outlets));
    for (size_t k = 0; c->outlets && k < r->n_outlets; k++) {
        Seklik__Distribution__RecipientOutlet *o = sk_call_alloc(call, sizeof(*o));
        if (!o)
            return SK_ENOMEM;
        seklik__distribution__recipient_outlet__init(o);
        o->outlet_id = sk_call_strdup(call, r->outlets[k].id);
        o->name = sk_call_strdup(call, r->outlets[k].name);
        o->type = (Seklik__Registry__OutletType)r->outlets[k].type;
        o->tier = (Seklik__Scoring__Tier)r->outlets[k].tier;
        o->tier_known = r->outlets[k].tier_known;
        c->outlets[c->n_outlets++] = o;
    }
    *out = c;
    return SK_OK;
}

static int preview_recipients(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__PreviewRecipientsRequest *req =
        (const Seklik__Distribution__PreviewRecipientsRequest *)in_;
    Seklik__Distribution__RecipientPreview *p = (Seklik__Distribution__RecipientPreview *)out;
    if (!may_read(call))
        return deny(call, "recipients");
    if (!check_selection(call, req->recipients))
        return SK_EINVAL;
    dist_recipients r;
    SK_TRY(dist_resolve_recipients(call->db, req->recipients, &r));
    int rc = SK_OK;
    p->companies = (int32_t)r.n;
    p->addresses = (int32_t)r.addresses;
    p->without_address = (int32_t)r.without_address;
    p->items = alloc_array(call, r.n, sizeof(*p->items));
    p->excluded_company_ids = alloc_array(call, r.n_excluded, sizeof(char *));
    if (!p->items || !p->excluded_company_ids)
        rc = SK_ENOMEM;
    for (size_t i = 0; rc == SK_OK && i < r.n; i++) {
        rc = recipient_company(call, &r.items[i], &p->items[i]);
        if (rc == SK_OK)
            p->n_items++;
    }
    for (size_t i = 0; rc == SK_OK && i < r.n_excluded; i++)
        p->excluded_company_ids[p->n_excluded_company_ids++] =
            sk_call_strdup(call, r.excluded[i]);
    dist_recipients_free(&r);
    return rc;
}

/* ---- Distribution.ListReleases, GetRelease, GetProof (pr, head, admin) ---- */

static int page_size(uint32_t asked)
{
    return asked == 0 ? PAGE_DEFAULT : asked > PAGE_MAX ? PAGE_MAX : (int)asked;
}

static int list_releases(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ListReleasesRequest *req =
        (const Seklik__Distribution__ListReleasesRequest *)in_;
    Seklik__Distribution__ListReleasesResponse *resp =
        (Seklik__Distribution__ListReleasesResponse *)out;
    if (!may_read(call))
        return deny(call, "releases");
    static const char *const STATES[] = {"", "draft", "scheduled", "sent"};
    bool ok = true;
    if (req->state < 0 || (size_t)req->state >= COUNT(STATES))
        ok = violation(call, "state", "unknown_value", "unknown state");
    if (req->page_token && *req->page_token && !sk_uuid_valid(req->page_token))
        ok = violation(call, "pageToken", "page_token.invalid", "bad page token");
    if (!ok)
        return SK_EINVAL;
    int size = page_size(req->page_size);
    PGresult *res;
    SK_TRY(dist_store_summaries(call->db, NULL, STATES[req->state], req->page_token, size + 1,
                                &res));
    int n = PQntuples(res), shown = n > size ? size : n, rc = SK_OK;
    resp->releases = alloc_array(call, (size_t)shown, sizeof(*resp->releases));
    for (int i = 0; rc == SK_OK && resp->releases && i < shown; i++) {
        Seklik__Distribution__ReleaseSummary *s = sk_call_alloc(call, sizeof(*s));
        rc = s ? summary_reply(call, res, i, s) : SK_ENOMEM;
        if (rc == SK_OK)
            resp->releases[resp->n_releases++] = s;
    }
    if (rc == SK_OK && n > size)
        resp->next_page_token = S(call, res, shown - 1, RS_ID);
    PQclear(res);
    return rc;
}

static int get_release(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__GetReleaseRequest *req =
        (const Seklik__Distribution__GetReleaseRequest *)in_;
    if (!may_read(call))
        return deny(call, "releases");
    bool ok = check_id(call, "releaseId", req->release_id);
    if (req->version < 0)
        ok = violation(call, "version", "negative", "must be 0 or more");
    if (!ok)
        return SK_EINVAL;
    return release_reply(call, req->release_id, req->version, true, (Release *)out);
}

static void delivery_from_row(sk_call *call, PGresult *res, int i, const dist_app *app,
                              Seklik__Distribution__Delivery *d)
{
    static const char *const STATES[] = {"", "queued", "attempting", "sent", "failed", "bounced"};
    seklik__distribution__delivery__init(d);
    d->address = S(call, res, i, DL_ADDRESS);
    d->version = atoi(PQgetvalue(res, i, DL_VERSION));
    d->correction = strcmp(PQgetvalue(res, i, DL_KIND), "correction") == 0;
    for (size_t k = 1; k < COUNT(STATES); k++)
        if (strcmp(PQgetvalue(res, i, DL_STATE), STATES[k]) == 0)
            d->state = (Seklik__Distribution__DeliveryState)k;
    d->attempts = atoi(PQgetvalue(res, i, DL_ATTEMPTS));
    d->next_attempt_at = d->state == SEKLIK__DISTRIBUTION__DELIVERY_STATE__DELIVERY_STATE_QUEUED
                             ? S(call, res, i, DL_NEXT_ATTEMPT)
                             : sk_call_strdup(call, "");
    d->sent_at = S(call, res, i, DL_SENT_AT);
    d->confirmed = PQgetvalue(res, i, DL_CONFIRMED)[0] == 't';
    d->last_reply = S(call, res, i, DL_LAST_REPLY);
    char mid[SK_UUID_STRLEN + 260];
    snprintf(mid, sizeof(mid), "<%s@%s>", PQgetvalue(res, i, DL_ID),
             app && app->msgid_domain ? app->msgid_domain : "localhost");
    d->message_id = sk_call_strdup(call, mid);
}

static void pickup_from_row(sk_call *call, PGresult *res, int i, bool staff,
                            Seklik__Distribution__Pickup *p)
{
    seklik__distribution__pickup__init(p);
    p->id = S(call, res, i, PU_ID);
    p->release_id = S(call, res, i, PU_RELEASE_ID);
    p->company_id = S(call, res, i, PU_COMPANY_ID);
    p->outlet_id = S(call, res, i, PU_OUTLET_ID);
    p->outlet_name = S(call, res, i, PU_OUTLET_NAME);
    p->url = S(call, res, i, PU_URL);
    p->published_at = S(call, res, i, PU_PUBLISHED_AT);
    p->reported_at = S(call, res, i, PU_REPORTED_AT);
    p->reported_by = staff ? S(call, res, i, PU_REPORTED_BY) : sk_call_strdup(call, "");
    p->by_staff = PQgetvalue(res, i, PU_BY_STAFF)[0] == 't';
}

/* The rows of `res` whose column `col` is `company`, into a new array. */
#define ROWS_OF(res, col, company, n_out)                                                          \
    for (int r_ = 0; r_ < PQntuples(res); r_++)                                                    \
        if (strcmp(PQgetvalue(res, r_, col), company) == 0 && ((n_out)++, true))

static int proof_recipient(sk_call *call, const char *company, PGresult *recips, int ri,
                           PGresult *outlets, PGresult *deliveries, PGresult *reads,
                           PGresult *pickups, Seklik__Distribution__ProofRecipient *pr)
{
    dist_app *app = call->app;
    seklik__distribution__proof_recipient__init(pr);
    Seklik__Distribution__RecipientCompany *c = sk_call_alloc(call, sizeof(*c));
    if (!c)
        return SK_ENOMEM;
    seklik__distribution__recipient_company__init(c);
    c->company_id = S(call, recips, ri, RC_COMPANY_ID);
    c->name = S(call, recips, ri, RC_NAME);
    cJSON *addr = cJSON_Parse(PQgetvalue(recips, ri, RC_ADDRESSES));
    c->address_count = cJSON_GetArraySize(addr);
    cJSON_Delete(addr);
    size_t n = 0;
    ROWS_OF(outlets, RO_COMPANY_ID, company, n) {}
    c->outlets = alloc_array(call, n, sizeof(*c->outlets));
    ROWS_OF(outlets, RO_COMPANY_ID, company, c->n_outlets)
    {
        Seklik__Distribution__RecipientOutlet *o = sk_call_alloc(call, sizeof(*o));
        if (!c->outlets || !o)
            return SK_ENOMEM;
        seklik__distribution__recipient_outlet__init(o);
        o->outlet_id = S(call, outlets, r_, RO_OUTLET_ID);
        o->name = S(call, outlets, r_, RO_NAME);
        o->type = (Seklik__Registry__OutletType)atoi(PQgetvalue(outlets, r_, RO_TYPE));
        o->tier_known = *PQgetvalue(outlets, r_, RO_TIER) != '\0';
        o->tier = (Seklik__Scoring__Tier)atoi(PQgetvalue(outlets, r_, RO_TIER));
        c->outlets[c->n_outlets - 1] = o;
    }
    pr->company = c;
    n = 0;
    ROWS_OF(deliveries, DL_COMPANY_ID, company, n) {}
    pr->deliveries = alloc_array(call, n, sizeof(*pr->deliveries));
    ROWS_OF(deliveries, DL_COMPANY_ID, company, pr->n_deliveries)
    {
        Seklik__Distribution__Delivery *d = sk_call_alloc(call, sizeof(*d));
        if (!pr->deliveries || !d)
            return SK_ENOMEM;
        delivery_from_row(call, deliveries, r_, app, d);
        pr->deliveries[pr->n_deliveries - 1] = d;
    }
    n = 0;
    ROWS_OF(reads, RR_COMPANY_ID, company, n) {}
    pr->reads = alloc_array(call, n, sizeof(*pr->reads));
    ROWS_OF(reads, RR_COMPANY_ID, company, pr->n_reads)
    {
        Seklik__Distribution__ReadReceipt *rr = sk_call_alloc(call, sizeof(*rr));
        if (!pr->reads || !rr)
            return SK_ENOMEM;
        seklik__distribution__read_receipt__init(rr);
        rr->version = atoi(PQgetvalue(reads, r_, RR_VERSION));
        rr->read_at = S(call, reads, r_, RR_READ_AT);
        rr->read_by = S(call, reads, r_, RR_READ_BY);
        pr->reads[pr->n_reads - 1] = rr;
    }
    n = 0;
    ROWS_OF(pickups, PU_COMPANY_ID, company, n) {}
    pr->pickups = alloc_array(call, n, sizeof(*pr->pickups));
    ROWS_OF(pickups, PU_COMPANY_ID, company, pr->n_pickups)
    {
        Seklik__Distribution__Pickup *p = sk_call_alloc(call, sizeof(*p));
        if (!pr->pickups || !p)
            return SK_ENOMEM;
        pickup_from_row(call, pickups, r_, true, p);
        pr->pickups[pr->n_pickups - 1] = p;
    }
    return SK_OK;
}

static int get_proof(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ReleaseIdRequest *req =
        (const Seklik__Distribution__ReleaseIdRequest *)in_;
    Seklik__Distribution__Proof *proof = (Seklik__Distribution__Proof *)out;
    if (!may_read(call))
        return deny(call, "proofs of distribution");
    if (!check_id(call, "releaseId", req->release_id))
        return SK_EINVAL;
    PGresult *sum;
    SK_TRY(dist_store_summaries(call->db, req->release_id, "", NULL, 1, &sum));
    if (PQntuples(sum) == 0) {
        PQclear(sum);
        return not_found(call, "release.not_found", "no such release");
    }
    Seklik__Distribution__ReleaseSummary *s = sk_call_alloc(call, sizeof(*s));
    int rc = s ? summary_reply(call, sum, 0, s) : SK_ENOMEM;
    proof->release = s;
    proof->scheduled_by = S(call, sum, 0, RS_SCHEDULED_BY);
    PQclear(sum);
    SK_TRY(rc);
    char now[21] = "";
    dist_format_time((int64_t)time(NULL), now);
    proof->generated_at = sk_call_strdup(call, now);
    PGresult *recips = NULL, *outlets = NULL, *deliveries = NULL, *reads = NULL, *pickups = NULL;
    rc = dist_store_recipients(call->db, req->release_id, NULL, &recips);
    if (rc == SK_OK)
        rc = dist_store_recipient_outlets(call->db, req->release_id, NULL, &outlets);
    if (rc == SK_OK)
        rc = dist_store_deliveries(call->db, req->release_id, &deliveries);
    if (rc == SK_OK)
        rc = dist_store_reads(call->db, req->release_id, NULL, &reads);
    if (rc == SK_OK)
        rc = dist_store_pickups(call->db, req->release_id, NULL, &pickups);
    int n = rc == SK_OK ? PQntuples(recips) : 0;
    if (rc == SK_OK) {
        proof->recipients = alloc_array(call, (size_t)n, sizeof(*proof->recipients));
        rc = proof->recipients ? SK_OK : SK_ENOMEM;
    }
    for (int i = 0; rc == SK_OK && i < n; i++) {
        Seklik__Distribution__ProofRecipient *pr = sk_call_alloc(call, sizeof(*pr));
        rc = pr ? proof_recipient(call, PQgetvalue(recips, i, RC_COMPANY_ID), recips, i, outlets,
                                  deliveries, reads, pickups, pr)
                : SK_ENOMEM;
        if (rc == SK_OK)
            proof->recipients[proof->n_recipients++] = pr;
    }
    PGresult *all[] = {recips, outlets, deliveries, reads, pickups};
    for (size_t i = 0; i < COUNT(all); i++)
        if (all[i])
            PQclear(all[i]);
    return rc;
}

/* ---- Distribution.GetFile (staff; a partner for a release in its inbox) ---- */

/* Whether a partner may see release `id` now: NOT_FOUND otherwise (the same
 * answer as for a release that does not exist). */
static int partner_sees(sk_call *call, const char *company, const char *id)
{
    bool visible = false, sent = false;
    int64_t embargo = 0, now = 0;
    SK_TRY(dist_store_inbox_visible(call->db, id, company, &visible, &embargo, &sent));
    SK_TRY(dist_store_now(call->db, &now));
    if (!visible || !sent || !distribution_embargo_lifted(embargo, now))
        return not_found(call, "release.not_found", "no such release");
    return SK_OK;
}

static int get_file(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__GetFileRequest *req =
        (const Seklik__Distribution__GetFileRequest *)in_;
    const char *company = partner_company(call);
    bool staff = may_read(call);
    if (!staff && !company)
        return deny(call, "release files");
    bool ok = check_id(call, "releaseId", req->release_id);
    if (!(check_id(call, "fileId", req->file_id) && ok))
        return SK_EINVAL;
    if (!staff)
        SK_TRY(partner_sees(call, company, req->release_id));
    PGresult *res;
    int rc = dist_store_file(call->db, req->release_id, req->file_id, &res);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "file.not_found", "no such file");
    SK_TRY(rc);
    Seklik__Distribution__FileContent *fc = (Seklik__Distribution__FileContent *)out;
    Seklik__Distribution__ReleaseFile *f = sk_call_alloc(call, sizeof(*f));
    uint8_t *data = NULL;
    size_t len = 0;
    rc = f ? sk_db_get_bytea(res, 0, FL_CONTENT, &data, &len) : SK_ENOMEM;
    if (rc == SK_OK) {
        file_from_row(call, res, 0, f);
        fc->file = f;
        fc->content.data = sk_call_alloc(call, len ? len : 1);
        if (fc->content.data) {
            memcpy(fc->content.data, data, len);
            fc->content.len = len;
        } else {
            rc = SK_ENOMEM;
        }
    }
    free(data);
    PQclear(res);
    return rc;
}

/* ---- Distribution.ReportPickup (pr for any recipient; a partner for its own) ---- */

static int report_pickup(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ReportPickupRequest *req =
        (const Seklik__Distribution__ReportPickupRequest *)in_;
    bool staff = may_write(call);
    const char *own = partner_company(call);
    if (!staff && !own)
        return deny(call, "pick-up reports");
    const char *company = staff ? req->company_id : own;
    bool ok = check_id(call, "releaseId", req->release_id);
    if (staff)
        ok = check_id(call, "companyId", req->company_id) && ok;
    else if (req->company_id && *req->company_id && strcasecmp(req->company_id, own) != 0)
        return deny(call, "pick-ups of another company");
    if (req->outlet_id && *req->outlet_id)
        ok = check_id(call, "outletId", req->outlet_id) && ok;
    if (dist_blank(req->url))
        ok = violation(call, "url", "required", "required");
    else if (!dist_url_valid(req->url))
        ok = violation(call, "url", "url.invalid",
                       "must be an http:// or https:// link of at most 2000 characters");
    int64_t published = 0;
    char published_text[21] = "";
    if (!dist_blank(req->published_at)) {
        if (!dist_parse_time(req->published_at, &published) ||
            !dist_format_time(published, published_text))
            ok = violation(call, "publishedAt", "time.invalid",
                           "must be a real date and time (RFC 3339)");
        else if (published > (int64_t)time(NULL) + 600)
            ok = violation(call, "publishedAt", "proof.published_future",
                           "the publication time cannot be in the future");
    }
    if (!ok)
        return SK_EINVAL;
    if (staff) {
        bool visible = false, sent = false;
        int64_t embargo = 0;
        SK_TRY(dist_store_inbox_visible(call->db, req->release_id, company, &visible, &embargo,
                                        &sent));
        if (!sent)
            return not_found(call, "release.not_sent_to_company",
                             "the release was not sent to this company");
    } else {
        SK_TRY(partner_sees(call, company, req->release_id));
    }
    char outlet_name[DIST_SHORT_MAX * 4 + 1] = "";
    if (req->outlet_id && *req->outlet_id) {
        int rc = dist_store_company_outlet(call->db, company, req->outlet_id, outlet_name,
                                           sizeof(outlet_name));
        if (rc == SK_ENOTFOUND)
            return sk_call_violation_code(call, "outletId", "outlet.other_company",
                                          "the outlet is not one of this company's");
        SK_TRY(rc);
    }
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    dist_pickup_row p = {
        .id = id, .release_id = req->release_id, .company_id = company,
        .outlet_id = req->outlet_id, .outlet_name = outlet_name, .url = req->url,
        .published_at = published ? published_text : NULL, .by = actor_id(call),
        .by_staff = staff,
    };
    int rc = dist_store_insert_pickup(call->db, &p);
    if (rc == SK_EEXISTS) {
        sk_call_violation_code(call, "url", "pickup.duplicate", "this link was reported already");
        return sk_call_fail(call, SK_EEXISTS, "pickup.duplicate: this link was reported already");
    }
    SK_TRY(rc);
    PGresult *res;
    SK_TRY(dist_store_pickup(call->db, id, &res));
    Seklik__Distribution__Pickup *reply = (Seklik__Distribution__Pickup *)out;
    pickup_from_row(call, res, 0, staff, reply);
    PQclear(res);
    Seklik__Distribution__PickupReported ev = SEKLIK__DISTRIBUTION__PICKUP_REPORTED__INIT;
    ev.pickup = reply;
    SK_TRY(sk_outbox_append(call->db, "distribution.pickup.reported", &ev.base, call->actor,
                            call->req->request_id, NULL));
    cJSON *after = cJSON_CreateObject();
    cJSON_AddStringToObject(after, "releaseId", req->release_id);
    cJSON_AddStringToObject(after, "companyId", company);
    cJSON_AddStringToObject(after, "url", req->url);
    cJSON_AddBoolToObject(after, "byStaff", staff);
    return audit(call, "pickup.reported", "pickup", id, NULL, after);
}

/* ---- the partner's inbox ---- */

static int inbox_item(sk_call *call, PGresult *res, int i, Seklik__Distribution__InboxItem *it)
{
    seklik__distribution__inbox_item__init(it);
    it->release_id = S(call, res, i, IB_RELEASE_ID);
    it->title = S(call, res, i, IB_TITLE);
    it->lead = S(call, res, i, IB_LEAD);
    it->category = (Seklik__Distribution__Category)atoi(PQgetvalue(res, i, IB_CATEGORY));
    it->version = atoi(PQgetvalue(res, i, IB_VERSION));
    it->corrected = it->version > 1;
    it->embargo_until = S(call, res, i, IB_EMBARGO);
    it->sent_at = S(call, res, i, IB_SENT_AT);
    it->read_at = S(call, res, i, IB_READ_AT);
    it->read = *it->read_at != '\0';
    it->my_pickups = atoi(PQgetvalue(res, i, IB_MY_PICKUPS));
    return it->release_id && it->title ? SK_OK : SK_ENOMEM;
}

static int list_inbox(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ListInboxRequest *req =
        (const Seklik__Distribution__ListInboxRequest *)in_;
    Seklik__Distribution__ListInboxResponse *resp = (Seklik__Distribution__ListInboxResponse *)out;
    const char *company = partner_company(call);
    if (!company)
        return deny(call, "an inbox: partner accounts only");
    if (req->page_token && *req->page_token && !sk_uuid_valid(req->page_token))
        return sk_call_violation_code(call, "pageToken", "page_token.invalid", "bad page token");
    int size = page_size(req->page_size);
    PGresult *res;
    SK_TRY(dist_store_inbox(call->db, company, NULL, req->unread_only, req->page_token, size + 1,
                            &res));
    int n = PQntuples(res), shown = n > size ? size : n, rc = SK_OK;
    resp->items = alloc_array(call, (size_t)shown, sizeof(*resp->items));
    for (int i = 0; rc == SK_OK && resp->items && i < shown; i++) {
        Seklik__Distribution__InboxItem *it = sk_call_alloc(call, sizeof(*it));
        rc = it ? inbox_item(call, res, i, it) : SK_ENOMEM;
        if (rc == SK_OK)
            resp->items[resp->n_items++] = it;
    }
    if (rc == SK_OK && n > size)
        resp->next_page_token = S(call, res, shown - 1, IB_RELEASE_ID);
    PQclear(res);
    int unread = 0;
    if (rc == SK_OK)
        rc = dist_store_inbox_unread(call->db, company, &unread);
    resp->unread = unread;
    return rc;
}

/* The inbox row of one visible release. */
static int load_item(sk_call *call, const char *company, const char *id,
                     Seklik__Distribution__InboxItem **out)
{
    PGresult *res;
    SK_TRY(dist_store_inbox(call->db, company, id, false, NULL, 1, &res));
    int rc = PQntuples(res) == 1 ? SK_OK : SK_ENOTFOUND;
    Seklik__Distribution__InboxItem *it = sk_call_alloc(call, sizeof(*it));
    if (rc == SK_OK)
        rc = it ? inbox_item(call, res, 0, it) : SK_ENOMEM;
    PQclear(res);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "release.not_found", "no such release");
    *out = it;
    return rc;
}

static int get_inbox_release(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ReleaseIdRequest *req =
        (const Seklik__Distribution__ReleaseIdRequest *)in_;
    Seklik__Distribution__InboxRelease *ir = (Seklik__Distribution__InboxRelease *)out;
    const char *company = partner_company(call);
    if (!company)
        return deny(call, "an inbox: partner accounts only");
    if (!check_id(call, "releaseId", req->release_id))
        return SK_EINVAL;
    SK_TRY(partner_sees(call, company, req->release_id));
    SK_TRY(load_item(call, company, req->release_id, &ir->item));
    Release *r = sk_call_alloc(call, sizeof(*r));
    if (!r)
        return SK_ENOMEM;
    seklik__distribution__release__init(r);
    SK_TRY(release_reply(call, req->release_id, 0, false, r));
    ir->release = r;
    PGresult *res;
    SK_TRY(dist_store_pickups(call->db, req->release_id, company, &res));
    int n = PQntuples(res);
    ir->pickups = alloc_array(call, (size_t)n, sizeof(*ir->pickups));
    for (int i = 0; ir->pickups && i < n; i++) {
        Seklik__Distribution__Pickup *p = sk_call_alloc(call, sizeof(*p));
        if (!p)
            break;
        pickup_from_row(call, res, i, false, p);
        ir->pickups[ir->n_pickups++] = p;
    }
    PQclear(res);
    SK_TRY(dist_store_recipient_outlets(call->db, req->release_id, company, &res));
    n = PQntuples(res);
    ir->outlets = alloc_array(call, (size_t)n, sizeof(*ir->outlets));
    for (int i = 0; ir->outlets && i < n; i++) {
        Seklik__Distribution__RecipientOutlet *o = sk_call_alloc(call, sizeof(*o));
        if (!o)
            break;
        seklik__distribution__recipient_outlet__init(o);
        o->outlet_id = S(call, res, i, RO_OUTLET_ID);
        o->name = S(call, res, i, RO_NAME);
        o->type = (Seklik__Registry__OutletType)atoi(PQgetvalue(res, i, RO_TYPE));
        o->tier_known = *PQgetvalue(res, i, RO_TIER) != '\0';
        o->tier = (Seklik__Scoring__Tier)atoi(PQgetvalue(res, i, RO_TIER));
        ir->outlets[ir->n_outlets++] = o;
    }
    PQclear(res);
    return SK_OK;
}

static int mark_read(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ReleaseIdRequest *req =
        (const Seklik__Distribution__ReleaseIdRequest *)in_;
    const char *company = partner_company(call);
    if (!company)
        return deny(call, "an inbox: partner accounts only");
    if (!check_id(call, "releaseId", req->release_id))
        return SK_EINVAL;
    SK_TRY(partner_sees(call, company, req->release_id));
    bool first = false;
    SK_TRY(dist_store_mark_read(call->db, req->release_id, company, actor_id(call), &first));
    Seklik__Distribution__InboxItem *it = NULL;
    SK_TRY(load_item(call, company, req->release_id, &it));
    *(Seklik__Distribution__InboxItem *)out = *it;
    if (!first)
        return SK_OK;
    cJSON *after = cJSON_CreateObject();
    cJSON_AddStringToObject(after, "companyId", company);
    cJSON_AddNumberToObject(after, "version", it->version);
    return audit(call, "release.read", "release", req->release_id, NULL, after);
}

/* ---- Distribution.QueueMail (service actors) ---- */

/* The services that may have mail sent for them: the gateway (password
 * resets). A user's actor never passes: users are UUIDs, never "system:". */
static const char *const MAIL_CALLERS[] = {"gateway", NULL};

static bool mail_caller(const sk_call *call)
{
    for (const char *const *s = MAIL_CALLERS; *s; s++)
        if (sk_actor_is_service(call->actor, *s))
            return true;
    return false;
}

static int queue_mail(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__QueueMailRequest *req =
        (const Seklik__Distribution__QueueMailRequest *)in_;
    Seklik__Distribution__QueueMailResponse *resp =
        (Seklik__Distribution__QueueMailResponse *)out;
    if (!mail_caller(call))
        return deny(call, "queueing mail: service actors only");
    dist_app *app = call->app;
    bool ok = check_id(call, "userId", req->user_id);
    if (req->n_recipients == 0 || req->n_recipients > 10)
        ok = violation(call, "recipients", req->n_recipients ? "too_many" : "required",
                       "between 1 and 10 entries");
    for (size_t i = 0; i < req->n_recipients && i < 10; i++) {
        char f[32];
        snprintf(f, sizeof(f), "recipients[%zu]", i);
        if (!dist_email_valid(req->recipients[i]))
            ok = violation(call, f, "email.invalid", "not a valid e-mail address");
        for (size_t k = 0; k < i; k++)
            if (req->recipients[k] && req->recipients[i] &&
                strcasecmp(req->recipients[k], req->recipients[i]) == 0) {
                ok = violation(call, f, "email.duplicate", "the address is listed twice");
                break;
            }
    }
    const char *locale = req->locale ? req->locale : "";
    if (*locale && strcmp(locale, "id") != 0 && strcmp(locale, "en") != 0)
        ok = violation(call, "locale", "locale.unknown", "the locale must be id or en");
    dist_kv *values = alloc_array(call, req->n_values, sizeof(*values));
    if (!values)
        return SK_ENOMEM;
    for (size_t i = 0; i < req->n_values; i++)
        values[i] = (dist_kv){req->values[i]->key, req->values[i]->value};
    if (!dist_template_known(req->template_name))
        ok = violation(call, "templateName",
                       dist_blank(req->template_name) ? "required" : "unknown_value",
                       "unknown template");
    if (!ok)
        return SK_EINVAL;
    /* The user's language, as the gateway's events last told it. */
    char user_locale[8] = "id";
    if (!*locale) {
        PGresult *acc;
        int rc = dist_store_account(call->db, req->user_id, &acc);
        if (rc == SK_OK) {
            if (strcmp(PQgetvalue(acc, 0, AC_LOCALE), "en") == 0)
                snprintf(user_locale, sizeof(user_locale), "en");
            PQclear(acc);
        } else if (rc != SK_ENOTFOUND) {
            return rc;
        }
        locale = user_locale;
    }
    dist_mail_context mc = {app->portal_url, app->sender_name};
    dist_message_text text;
    dist_violations v = {0};
    if (dist_compose_template(req->template_name, locale, values, req->n_values, &mc, &text,
                              &v) != 0) {
        if (v.n == 0)
            return SK_ENOMEM;
        add_violations(call, &v);
        return SK_EINVAL;
    }
    cJSON *to = cJSON_CreateArray();
    for (size_t i = 0; to && i < req->n_recipients; i++)
        cJSON_AddItemToArray(to, cJSON_CreateString(req->recipients[i]));
    char *to_json = to ? cJSON_PrintUnformatted(to) : NULL;
    cJSON_Delete(to);
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    int queued = 0;
    int rc = to_json ? dist_store_queue_personal(call->db, id, req->template_name, locale,
                                                 text.subject, text.text, text.html, to_json,
                                                 req->user_id, &queued)
                     : SK_ENOMEM;
    cJSON_free(to_json);
    dist_message_text_free(&text);
    SK_TRY(rc);
    resp->message_id = sk_call_strdup(call, id);
    resp->queued = queued;
    /* The audit names the template and the user, never the values: a reset
     * link is a key to an account. */
    cJSON *after = cJSON_CreateObject();
    cJSON_AddStringToObject(after, "template", req->template_name);
    cJSON_AddStringToObject(after, "userId", req->user_id);
    cJSON_AddStringToObject(after, "locale", locale);
    cJSON_AddNumberToObject(after, "deliveries", queued);
    return audit(call, "mail.queued", "mail_message", id, NULL, after);
}

/* ---- notices (every logged-in user, their own) ---- */

/* The actor's own notices: its user id, and for a partner the company its
 * actor is signed for (NULL for staff). False when the actor is no user. */
static bool notice_owner(const sk_call *call, const char **user, const char **company)
{
    *user = call->actor->user_id;
    if (!*user || !sk_uuid_valid(*user))
        return false;
    *company = NULL;
    if (sk_actor_has_role(call->actor, SK_ROLE_PARTNER)) {
        /* A partner without a company has no company's notices: an id
         * nobody has keeps the filter on. */
        *company = partner_company(call);
        if (!*company)
            *company = "00000000-0000-0000-0000-000000000000";
    }
    return true;
}

static int notice_from_row(sk_call *call, PGresult *res, int i, Seklik__Distribution__Notice *n)
{
    seklik__distribution__notice__init(n);
    n->id = S(call, res, i, NT_ID);
    n->kind = (Seklik__Distribution__NoticeKind)atoi(PQgetvalue(res, i, NT_KIND));
    n->created_at = S(call, res, i, NT_CREATED_AT);
    n->read_at = S(call, res, i, NT_READ_AT);
    n->resolved_at = S(call, res, i, NT_RESOLVED_AT);
    n->company_id = S(call, res, i, NT_COMPANY_ID);
    n->company_name = S(call, res, i, NT_COMPANY_NAME);
    n->subject_id = S(call, res, i, NT_SUBJECT_ID);
    n->link = S(call, res, i, NT_LINK);
    n->emailed = PQgetvalue(res, i, NT_EMAILED)[0] == 't';
    cJSON *params = cJSON_Parse(PQgetvalue(res, i, NT_PARAMS));
    int count = cJSON_GetArraySize(params);
    n->params = alloc_array(call, count > 0 ? (size_t)count : 0, sizeof(*n->params));
    const cJSON *p;
    cJSON_ArrayForEach(p, params)
    {
        if (!n->params || !cJSON_IsString(p) || !p->string)
            continue;
        Seklik__Distribution__MailValue *mv = sk_call_alloc(call, sizeof(*mv));
        if (!mv)
            break;
        seklik__distribution__mail_value__init(mv);
        mv->key = sk_call_strdup(call, p->string);
        mv->value = sk_call_strdup(call, p->valuestring);
        n->params[n->n_params++] = mv;
    }
    cJSON_Delete(params);
    return n->id && n->link ? SK_OK : SK_ENOMEM;
}

static int list_notices(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__ListNoticesRequest *req =
        (const Seklik__Distribution__ListNoticesRequest *)in_;
    Seklik__Distribution__ListNoticesResponse *resp =
        (Seklik__Distribution__ListNoticesResponse *)out;
    const char *user, *company;
    if (!notice_owner(call, &user, &company))
        return deny(call, "notices: users only");
    if (req->page_token && *req->page_token && !sk_uuid_valid(req->page_token))
        return sk_call_violation_code(call, "pageToken", "page_token.invalid", "bad page token");
    int size = page_size(req->page_size);
    PGresult *res;
    SK_TRY(dist_store_notices(call->db, user, company, req->unread_only, req->page_token,
                              size + 1, &res));
    int n = PQntuples(res), shown = n > size ? size : n, rc = SK_OK;
    resp->notices = alloc_array(call, (size_t)shown, sizeof(*resp->notices));
    for (int i = 0; rc == SK_OK && resp->notices && i < shown; i++) {
        Seklik__Distribution__Notice *it = sk_call_alloc(call, sizeof(*it));
        rc = it ? notice_from_row(call, res, i, it) : SK_ENOMEM;
        if (rc == SK_OK)
            resp->notices[resp->n_notices++] = it;
    }
    if (rc == SK_OK && n > size)
        resp->next_page_token = S(call, res, shown - 1, NT_ID);
    PQclear(res);
    int unread = 0;
    if (rc == SK_OK)
        rc = dist_store_notices_unread(call->db, user, company, &unread);
    resp->unread = unread;
    return rc;
}

static int mark_notices_read(sk_call *call, const ProtobufCMessage *in_, ProtobufCMessage *out)
{
    const Seklik__Distribution__MarkNoticesReadRequest *req =
        (const Seklik__Distribution__MarkNoticesReadRequest *)in_;
    Seklik__Distribution__MarkNoticesReadResponse *resp =
        (Seklik__Distribution__MarkNoticesReadResponse *)out;
    const char *user, *company;
    if (!notice_owner(call, &user, &company))
        return deny(call, "notices: users only");
    if (!req->all && req->n_notice_ids == 0)
        return sk_call_violation_code(call, "noticeIds", "required", "required");
    bool ok = true;
    for (size_t i = 0; !req->all && i < req->n_notice_ids; i++) {
        char f[32];
        snprintf(f, sizeof(f), "noticeIds[%zu]", i);
        ok = check_id(call, f, req->notice_ids[i]) && ok;
    }
    if (!ok)
        return SK_EINVAL;
    char *ids = NULL;
    if (!req->all) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; a && i < req->n_notice_ids; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(req->notice_ids[i]));
        ids = a ? cJSON_PrintUnformatted(a) : NULL;
        cJSON_Delete(a);
        if (!ids)
            return SK_ENOMEM;
    }
    int marked = 0, unread = 0;
    int rc = dist_store_mark_notices_read(call->db, user, company, ids, &marked);
    cJSON_free(ids);
    if (rc == SK_OK)
        rc = dist_store_notices_unread(call->db, user, company, &unread);
    resp->marked = marked;
    resp->unread = unread;
    return rc;
}

/* The kinds that concern the actor, with its choices and whether it has an
 * address (both from the account the gateway's events describe). */
static int preferences_reply(sk_call *call, const char *user,
                             Seklik__Distribution__NoticePreferences *out)
{
    const char *company = partner_company(call);
    int kinds[DIST_NOTICE_KIND_MAX];
    size_t n = dist_notice_kinds_for((const char *const *)call->actor->roles,
                                     call->actor->n_roles, company != NULL, kinds);
    PGresult *res;
    SK_TRY(dist_store_notice_prefs(call->db, user, &res));
    out->preferences = alloc_array(call, n, sizeof(*out->preferences));
    for (size_t i = 0; out->preferences && i < n; i++) {
        Seklik__Distribution__NoticePreference *p = sk_call_alloc(call, sizeof(*p));
        if (!p)
            break;
        seklik__distribution__notice_preference__init(p);
        p->kind = (Seklik__Distribution__NoticeKind)kinds[i];
        for (int r = 0; r < PQntuples(res); r++)
            if (atoi(PQgetvalue(res, r, 0)) == kinds[i])
                p->email = PQgetvalue(res, r, 1)[0] == 't';
        out->preferences[out->n_preferences++] = p;
    }
    PQclear(res);
    PGresult *acc;
    int rc = dist_store_account(call->db, user, &acc);
    if (rc == SK_OK) {
        out->has_email = *PQgetvalue(acc, 0, AC_EMAIL) != '\0';
        PQclear(acc);
    }
    return rc == SK_ENOTFOUND ? SK_OK : rc;
}

static int get_notice_preferences(sk_call *call, const ProtobufCMessage *in_,
                                  ProtobufCMessage *out)
{
    (void)in_;
    const char *user, *company;
    if (!notice_owner(call, &user, &company))
        return deny(call, "notice preferences: users only");
    return preferences_reply(call, user, (Seklik__Distribution__NoticePreferences *)out);
}

static int set_notice_preferences(sk_call *call, const ProtobufCMessage *in_,
                                  ProtobufCMessage *out)
{
    const Seklik__Distribution__SetNoticePreferencesRequest *req =
        (const Seklik__Distribution__SetNoticePreferencesRequest *)in_;
    const char *user, *company;
    if (!notice_owner(call, &user, &company))
        return deny(call, "notice preferences: users only");
    bool has_company = partner_company(call) != NULL;
    bool ok = true;
    for (size_t i = 0; i < req->n_preferences; i++) {
        char f[48];
        snprintf(f, sizeof(f), "preferences[%zu].kind", i);
        int kind = (int)req->preferences[i]->kind;
        if (!dist_notice_kind_name(kind))
            ok = violation(call, f, "unknown_value", "unknown kind of notice");
        else if (!dist_notice_concerns(kind, (const char *const *)call->actor->roles,
                                       call->actor->n_roles, has_company))
            ok = violation(call, f, "notice.not_for_role",
                           "this kind of notice is not sent to your roles");
    }
    if (!ok)
        return SK_EINVAL;
    cJSON *after = cJSON_CreateObject();
    for (size_t i = 0; i < req->n_preferences; i++) {
        int kind = (int)req->preferences[i]->kind;
        SK_TRY(dist_store_set_notice_pref(call->db, user, kind, req->preferences[i]->email));
        cJSON_AddBoolToObject(after, dist_notice_kind_name(kind), req->preferences[i]->email);
    }
    SK_TRY(audit(call, "notice.preferences", "user", user, NULL, after));
    return preferences_reply(call, user, (Seklik__Distribution__NoticePreferences *)out);
}

/* ---- the service ---- */

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
    {"CreateRelease", create_release, SK_RPC_COMMAND},
    {"UpdateRelease", update_release, SK_RPC_COMMAND},
    {"AddFile", add_file, SK_RPC_COMMAND},
    {"RemoveFile", remove_file, SK_RPC_COMMAND},
    {"Schedule", schedule, SK_RPC_COMMAND},
    {"Unschedule", unschedule, SK_RPC_COMMAND},
    {"Correct", correct, SK_RPC_COMMAND},
    {"RequeueFailed", requeue_failed, SK_RPC_COMMAND},
    {"RenderPreview", render_preview, SK_RPC_QUERY},
    {"PreviewRecipients", preview_recipients, SK_RPC_QUERY},
    {"ListReleases", list_releases, SK_RPC_QUERY},
    {"GetRelease", get_release, SK_RPC_QUERY},
    {"GetProof", get_proof, SK_RPC_QUERY},
    {"GetFile", get_file, SK_RPC_QUERY},
    {"ReportPickup", report_pickup, SK_RPC_COMMAND},
    {"ListInbox", list_inbox, SK_RPC_QUERY},
    {"GetInboxRelease", get_inbox_release, SK_RPC_QUERY},
    {"MarkRead", mark_read, SK_RPC_COMMAND},
    {"QueueMail", queue_mail, SK_RPC_COMMAND},
    {"ListNotices", list_notices, SK_RPC_QUERY},
    {"MarkNoticesRead", mark_notices_read, SK_RPC_COMMAND},
    {"GetNoticePreferences", get_notice_preferences, SK_RPC_QUERY},
    {"SetNoticePreferences", set_notice_preferences, SK_RPC_COMMAND},
};

static const char *const REGISTRY_EVENTS[] = {"registry.company.", NULL};
static const char *const VERIFICATION_EVENTS[] = {"verification.company.", "verification.case.",
                                                  NULL};
static const char *const SCORING_EVENTS[] = {"scoring.outlet.tiered", NULL};
static const char *const GATEWAY_EVENTS[] = {"gateway.user.", NULL};
static const char *const ORDERING_EVENTS[] = {"ordering.order.", NULL};
static const char *const ACCOUNTING_EVENTS[] = {"accounting.invoice.", NULL};

static const sk_subscription_def subscriptions[] = {
    {"registry", REGISTRY_EVENTS, dist_apply_registry},
    {"verification", VERIFICATION_EVENTS, dist_apply_verification},
    {"scoring", SCORING_EVENTS, dist_apply_scoring},
    {"gateway", GATEWAY_EVENTS, dist_apply_gateway},
    {"ordering", ORDERING_EVENTS, dist_apply_ordering},
    {"accounting", ACCOUNTING_EVENTS, dist_apply_accounting},
};

static const sk_service_hooks hooks = {
    .configure = dist_configure,
    .start = dist_start,
    .drain = dist_drain,
};

static dist_app app;

extern const sk_migration distribution_migrations[];
extern const size_t distribution_migrations_count;

const sk_service_def distribution_service = {
    .name = "distribution",
    .api = &seklik__distribution__distribution__descriptor,
    .methods = methods,
    .n_methods = COUNT(methods),
    .migrations = distribution_migrations,
    .n_migrations = &distribution_migrations_count,
    .subscriptions = subscriptions,
    .n_subscriptions = COUNT(subscriptions),
    .jobs = dist_jobs,
    .n_jobs = COUNT(dist_jobs),
    .app = &app,
    .hooks = &hooks,
};
