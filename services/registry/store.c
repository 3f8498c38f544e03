/* store.c - SQL for the registry schema (see store.h). */
#include "store.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "sk_err.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 3339 UTC with microseconds, and calendar dates, formatted by SQL. */
#define SQL_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define SQL_DATE(col) "coalesce(to_char(" col ", 'YYYY-MM-DD'), '')"

/* ---- enums <-> stored names ---- */

static const char *const STATUS[] = {NULL,        "draft",          "submitted",
                                     "in_review", "needs_revision", "verified",
                                     "rejected",  "suspended"};
static const char *const ROLE[] = {NULL, "chief_editor", "journalist"};

const char *registry_store_status_name(int status)
{
    return status > 0 && (size_t)status < COUNT(STATUS) ? STATUS[status] : NULL;
}

static int lookup(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 1; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return 0;
}

/* The protobuf enums are the domain's enums shifted by one where the proto
 * has an UNSPECIFIED zero (legal form, outlet type, scale, document type). */
static const char *legal_form_name(int v) { return registry_legal_form_name((registry_legal_form)(v - 1)); }
static const char *outlet_type_name(int v) { return registry_outlet_type_name((registry_outlet_type)(v - 1)); }
static const char *scale_name(int v) { return registry_scale_name((registry_scale)(v - 1)); }
static const char *doc_type_name(int v) { return registry_doc_type_name((registry_doc_type)(v - 1)); }
static const char *ukw_name(int v) { return registry_ukw_level_name((registry_ukw_level)v); }
static const char *dewan_pers_name(int v) { return registry_dewan_pers_name((registry_dewan_pers_status)v); }

static int legal_form_value(const char *s)
{
    registry_legal_form f;
    return registry_legal_form_parse(s, &f) ? (int)f + 1 : 0;
}
static int outlet_type_value(const char *s)
{
    registry_outlet_type t;
    return registry_outlet_type_parse(s, &t) ? (int)t + 1 : 0;
}
static int scale_value(const char *s)
{
    registry_scale x;
    return registry_scale_parse(s, &x) ? (int)x + 1 : 0;
}
static int doc_type_value(const char *s)
{
    registry_doc_type t;
    return registry_doc_type_parse(s, &t) ? (int)t + 1 : 0;
}
static int ukw_value(const char *s)
{
    registry_ukw_level l;
    return registry_ukw_level_parse(s, &l) ? (int)l : 0;
}
static int dewan_pers_value(const char *s)
{
    registry_dewan_pers_status d;
    return registry_dewan_pers_parse(s, &d) ? (int)d : 0;
}

/* ---- small helpers ---- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* "" is "no value": SQL NULL for optional dates and ids. */
static sk_param opt(const char *s)
{
    return SK_TEXT(s && s[0] ? s : NULL);
}

static char *col(sk_call *call, const PGresult *r, int row, int c)
{
    return sk_call_strdup(call, PQgetvalue(r, row, c));
}

static void *new_msg(sk_call *call, const ProtobufCMessageDescriptor *desc)
{
    void *m = sk_call_alloc(call, desc->sizeof_message);
    if (m)
        protobuf_c_message_init(desc, m);
    return m;
}

static int query_one_id(sk_db *db, const char *sql, const sk_param *p, int n, char out[37])
{
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, sql, p, n, &r));
    int rc = SK_ENOTFOUND;
    if (PQntuples(r) > 0) {
        snprintf(out, 37, "%s", PQgetvalue(r, 0, 0));
        rc = SK_OK;
    }
    PQclear(r);
    return rc;
}

/* ---- JSON columns, built and read with cJSON ---- */

static char *kbli_json(const Seklik__Registry__CompanyInput *in)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < in->n_kbli; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(in->kbli[i]));
    char *s = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    return s;
}

static char *bank_json(const Seklik__Registry__CompanyInput *in)
{
    const Seklik__Registry__BankAccount *b = in->bank_account;
    cJSON *o = cJSON_CreateObject();
    if (o && b) {
        cJSON_AddStringToObject(o, "bankName", or_empty(b->bank_name));
        cJSON_AddStringToObject(o, "accountNumber", or_empty(b->account_number));
        cJSON_AddStringToObject(o, "holderName", or_empty(b->holder_name));
    }
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

static char *contacts_json(const Seklik__Registry__CompanyInput *in)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < in->n_contacts; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", or_empty(in->contacts[i]->name));
        cJSON_AddStringToObject(o, "phone", or_empty(in->contacts[i]->phone));
        cJSON_AddStringToObject(o, "email", or_empty(in->contacts[i]->email));
        cJSON_AddItemToArray(a, o);
    }
    char *s = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    return s;
}

static char *json_str(sk_call *call, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return sk_call_strdup(call, cJSON_IsString(v) ? v->valuestring : "");
}

static int read_kbli(sk_call *call, const char *text, Seklik__Registry__CompanyInput *in)
{
    cJSON *a = cJSON_Parse(text);
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    in->kbli = n ? sk_call_alloc(call, (size_t)n * sizeof(char *)) : NULL;
    for (int i = 0; i < n && in->kbli; i++) {
        const cJSON *v = cJSON_GetArrayItem(a, i);
        in->kbli[in->n_kbli++] = sk_call_strdup(call, cJSON_IsString(v) ? v->valuestring : "");
    }
    cJSON_Delete(a);
    return n && !in->kbli ? SK_ENOMEM : SK_OK;
}

static int read_bank(sk_call *call, const char *text, Seklik__Registry__CompanyInput *in)
{
    cJSON *o = cJSON_Parse(text);
    Seklik__Registry__BankAccount *b = new_msg(call, &seklik__registry__bank_account__descriptor);
    if (!b) {
        cJSON_Delete(o);
        return SK_ENOMEM;
    }
    b->bank_name = json_str(call, o, "bankName");
    b->account_number = json_str(call, o, "accountNumber");
    b->holder_name = json_str(call, o, "holderName");
    in->bank_account = b;
    cJSON_Delete(o);
    return SK_OK;
}

static int read_contacts(sk_call *call, const char *text, Seklik__Registry__CompanyInput *in)
{
    cJSON *a = cJSON_Parse(text);
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    in->contacts = n ? sk_call_alloc(call, (size_t)n * sizeof(*in->contacts)) : NULL;
    for (int i = 0; i < n && in->contacts; i++) {
        const cJSON *o = cJSON_GetArrayItem(a, i);
        Seklik__Registry__Contact *c = new_msg(call, &seklik__registry__contact__descriptor);
        if (!c)
            break;
        c->name = json_str(call, o, "name");
        c->phone = json_str(call, o, "phone");
        c->email = json_str(call, o, "email");
        in->contacts[in->n_contacts++] = c;
    }
    cJSON_Delete(a);
    return in->n_contacts == (size_t)n ? SK_OK : SK_ENOMEM;
}

/* ---- uniqueness ---- */

int registry_store_npwp_owner(sk_db *db, const char *digits, const char *except_company,
                              char owner[37])
{
    static const char SQL[] =
        "SELECT id FROM company WHERE npwp = $1 AND ($2::uuid IS NULL OR id <> $2::uuid)";
    sk_param p[] = {SK_TEXT(digits), opt(except_company)};
    return query_one_id(db, SQL, p, 2, owner);
}

int registry_store_nik_owner(sk_db *db, const char *digits, const char *only_company,
                             char owner[37])
{
    static const char SQL[] = "SELECT company_id FROM person WHERE nik = $1 "
                              "AND ($2::uuid IS NULL OR company_id = $2::uuid) LIMIT 1";
    sk_param p[] = {SK_TEXT(digits), opt(only_company)};
    return query_one_id(db, SQL, p, 2, owner);
}

int registry_store_identity_clashes(sk_db *db, const char *company_id, PGresult **res)
{
    static const char SQL[] =
        "(SELECT 'npwp' AS kind, '' AS person, o.id::text AS other FROM company c "
        "JOIN company o ON o.npwp = c.npwp AND o.id <> c.id WHERE c.id = $1 "
        "UNION ALL SELECT 'nik', p.id::text, q.company_id::text FROM person p "
        "JOIN person q ON q.nik = p.nik AND q.company_id <> p.company_id WHERE p.company_id = $1) "
        "ORDER BY 1, 2, 3 LIMIT 100";
    return sk_db_query(db, SQL, (sk_param[]){SK_TEXT(company_id)}, 1, res);
}

int registry_store_lock_partner(sk_db *db, const char *user_id)
{
    static const char SQL[] =
        "SELECT pg_advisory_xact_lock(hashtextextended('registry.partner_company:' || $1, 0))";
    return sk_db_exec(db, SQL, (sk_param[]){SK_TEXT(user_id)}, 1);
}

int registry_store_partner_company(sk_db *db, const char *user_id, char id[37])
{
    static const char SQL[] = "SELECT id FROM company WHERE partner_user_id = $1";
    return query_one_id(db, SQL, (sk_param[]){SK_TEXT(user_id)}, 1, id);
}

/* ---- company ---- */

/* The 15 data columns shared by insert and update, as parameters $2..$16;
 * the three JSON texts are malloc'ed into json[] for the caller to free. */
static int company_params(const registry_company_values *v, sk_param p[16], char *json[3])
{
    const Seklik__Registry__CompanyInput *in = v->in;
    json[0] = kbli_json(in);
    json[1] = bank_json(in);
    json[2] = contacts_json(in);
    if (!json[0] || !json[1] || !json[2])
        return SK_ENOMEM;
    p[1] = SK_TEXT(in->legal_name);
    p[2] = SK_TEXT(legal_form_name(in->legal_form));
    p[3] = SK_TEXT(in->deed_number);
    p[4] = SK_TEXT(in->deed_date);
    p[5] = SK_TEXT(or_empty(in->sk_kemenkumham));
    p[6] = SK_TEXT(v->nib);
    p[7] = SK_TEXT(json[0]);
    p[8] = SK_TEXT(v->npwp);
    p[9] = SK_TEXT(in->pkp ? "true" : "false");
    p[10] = SK_TEXT(in->address);
    p[11] = SK_TEXT(or_empty(in->domicile_letter_number));
    p[12] = SK_TEXT(json[1]);
    p[13] = SK_TEXT(json[2]);
    p[14] = SK_TEXT(dewan_pers_name(in->dewan_pers_status));
    p[15] = SK_TEXT(or_empty(in->dewan_pers_certificate));
    return SK_OK;
}

static int write_company(sk_db *db, const char *sql, const char *id,
                         const registry_company_values *v, const char *extra)
{
    sk_param p[18];
    char *json[3] = {NULL, NULL, NULL};
    int rc = company_params(v, p, json);
    if (rc == SK_OK) {
        p[0] = SK_TEXT(id);
        p[16] = opt(v->in->established_on);
        p[17] = SK_TEXT(extra);
        rc = sk_db_exec(db, sql, p, extra ? 18 : 17);
    }
    for (int i = 0; i < 3; i++)
        cJSON_free(json[i]);
    return rc;
}

int registry_store_insert_company(sk_db *db, const char *id, const registry_company_values *v,
                                  const char *registered_by, const char *partner_user_id)
{
    static const char SQL[] =
        "INSERT INTO company (id, legal_name, legal_form, deed_number, deed_date, sk_kemenkumham,"
        " nib, kbli, npwp, pkp, address, domicile_letter_number, bank, contacts,"
        " dewan_pers_status, dewan_pers_certificate, established_on, registered_by, status,"
        " version) VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8::jsonb, $9, $10::boolean, $11,"
        " $12, $13::jsonb, $14::jsonb, $15, $16, $17::date, $18, 'draft', 1)";
    SK_TRY(write_company(db, SQL, id, v, or_empty(registered_by)));
    if (!partner_user_id)
        return SK_OK;
    /* company_partner_user refuses a second company of the account. */
    return sk_db_exec(db, "UPDATE company SET partner_user_id = $2 WHERE id = $1",
                      (sk_param[]){SK_TEXT(id), SK_TEXT(partner_user_id)}, 2);
}

int registry_store_update_company(sk_db *db, const char *id, const registry_company_values *v)
{
    static const char SQL[] =
        "UPDATE company SET legal_name = $2, legal_form = $3, deed_number = $4,"
        " deed_date = $5::date, sk_kemenkumham = $6, nib = $7, kbli = $8::jsonb, npwp = $9,"
        " pkp = $10::boolean, address = $11, domicile_letter_number = $12, bank = $13::jsonb,"
        " contacts = $14::jsonb, dewan_pers_status = $15, dewan_pers_certificate = $16,"
        " established_on = $17::date, version = version + 1 WHERE id = $1";
    return write_company(db, SQL, id, v, NULL);
}

int registry_store_lock_company(sk_db *db, const char *id, int *status, int64_t *version)
{
    static const char SQL[] = "SELECT status, version FROM company WHERE id = $1 FOR UPDATE";
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, (sk_param[]){SK_TEXT(id)}, 1, &r));
    int rc = SK_ENOTFOUND;
    if (PQntuples(r) == 1) {
        *status = lookup(STATUS, COUNT(STATUS), PQgetvalue(r, 0, 0));
        *version = sk_db_get_int64(r, 0, 1);
        rc = SK_OK;
    }
    PQclear(r);
    return rc;
}

int registry_store_bump_version(sk_db *db, const char *id)
{
    static const char SQL[] = "UPDATE company SET version = version + 1 WHERE id = $1";
    return sk_db_exec(db, SQL, (sk_param[]){SK_TEXT(id)}, 1);
}

int registry_store_submit(sk_db *db, const char *id, int32_t fiscal_year)
{
    static const char SQL[] = "UPDATE company SET status = 'submitted', fiscal_year = $2::int,"
                              " status_reason = '', version = version + 1 WHERE id = $1";
    char year[16];
    snprintf(year, sizeof(year), "%d", (int)fiscal_year);
    return sk_db_exec(db, SQL, (sk_param[]){SK_TEXT(id), SK_TEXT(year)}, 2);
}

/* ---- outlets and people ---- */

int registry_store_insert_outlet(sk_db *db, const char *id, const char *company_id,
                                 const Seklik__Registry__OutletInput *in)
{
    static const char SQL[] =
        "INSERT INTO outlet (id, company_id, type, scale, name, url, frequency, circulation,"
        " monthly_visitors, audience) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint,"
        " $9::bigint, $10::bigint)";
    char n[3][24];
    snprintf(n[0], sizeof(n[0]), "%lld", (long long)in->circulation);
    snprintf(n[1], sizeof(n[1]), "%lld", (long long)in->monthly_visitors);
    snprintf(n[2], sizeof(n[2]), "%lld", (long long)in->audience);
    sk_param p[] = {SK_TEXT(id),
                    SK_TEXT(company_id),
                    SK_TEXT(outlet_type_name(in->type)),
                    SK_TEXT(scale_name(in->scale)),
                    SK_TEXT(in->name),
                    SK_TEXT(or_empty(in->url)),
                    SK_TEXT(or_empty(in->frequency)),
                    SK_TEXT(n[0]),
                    SK_TEXT(n[1]),
                    SK_TEXT(n[2])};
    return sk_db_exec(db, SQL, p, (int)COUNT(p));
}

int registry_store_insert_person(sk_db *db, const char *id, const char *company_id,
                                 const Seklik__Registry__PersonInput *in, const char *nik)
{
    static const char SQL[] =
        "INSERT INTO person (id, company_id, role, nik, name, ukw_level, ukw_certificate_number,"
        " ukw_certificate_expiry, press_card_number) VALUES ($1, $2, $3, $4, $5, $6, $7,"
        " $8::date, $9)";
    sk_param p[] = {SK_TEXT(id),
                    SK_TEXT(company_id),
                    SK_TEXT(in->role > 0 && (size_t)in->role < COUNT(ROLE) ? ROLE[in->role] : NULL),
                    SK_TEXT(nik),
                    SK_TEXT(in->name),
                    SK_TEXT(ukw_name(in->ukw_level)),
                    SK_TEXT(or_empty(in->ukw_certificate_number)),
                    opt(in->ukw_certificate_expiry),
                    SK_TEXT(or_empty(in->press_card_number))};
    return sk_db_exec(db, SQL, p, (int)COUNT(p));
}

/* ---- documents ---- */

int registry_store_next_document_version(sk_db *db, const char *company_id, int type,
                                         const char *person_id, const char *outlet_id,
                                         int32_t *version)
{
    static const char SQL[] =
        "SELECT coalesce(max(version), 0) + 1 FROM document WHERE company_id = $1 AND type = $2"
        " AND person_id IS NOT DISTINCT FROM $3::uuid AND outlet_id IS NOT DISTINCT FROM $4::uuid";
    PGresult *r = NULL;
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(doc_type_name(type)), opt(person_id),
                    opt(outlet_id)};
    SK_TRY(sk_db_query(db, SQL, p, 4, &r));
    *version = (int32_t)sk_db_get_int64(r, 0, 0);
    PQclear(r);
    return SK_OK;
}

int registry_store_insert_document(sk_db *db, const char *company_id,
                                   const Seklik__Registry__Document *d, const uint8_t *content,
                                   size_t len)
{
    static const char SQL_DOC[] =
        "INSERT INTO document (id, company_id, type, person_id, outlet_id, version, number,"
        " issued_on, expires_on, file_name, content_type, size, sha256, uploaded_by,"
        " dewan_pers_status)"
        " VALUES ($1, $2, $3, $4::uuid, $5::uuid, $6::int, $7, $8::date, $9::date, $10, $11,"
        " $12::bigint, $13, $14, $15)";
    static const char SQL_FILE[] =
        "INSERT INTO document_file (document_id, content) VALUES ($1, $2)";
    char version[16], size[24];
    snprintf(version, sizeof(version), "%d", (int)d->version);
    snprintf(size, sizeof(size), "%lld", (long long)d->size);
    sk_param p[] = {SK_TEXT(d->id),           SK_TEXT(company_id),
                    SK_TEXT(doc_type_name(d->type)), opt(d->person_id),
                    opt(d->outlet_id),        SK_TEXT(version),
                    SK_TEXT(or_empty(d->number)), opt(d->issued_on),
                    opt(d->expires_on),       SK_TEXT(or_empty(d->file_name)),
                    SK_TEXT(d->content_type), SK_TEXT(size),
                    SK_TEXT(d->sha256),       SK_TEXT(or_empty(d->uploaded_by)),
                    SK_TEXT(d->type == SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DEWAN_PERS
                                ? dewan_pers_name(d->dewan_pers_status)
                                : NULL)};
    SK_TRY(sk_db_exec(db, SQL_DOC, p, (int)COUNT(p)));
    return sk_db_exec(db, SQL_FILE, (sk_param[]){SK_TEXT(d->id), SK_BYTES(content, len)}, 2);
}

#define DOC_COLUMNS                                                                                \
    "id, type, number, " SQL_DATE("issued_on") ", " SQL_DATE("expires_on") ", file_name,"          \
    " content_type, size, sha256, version, " SQL_TS("uploaded_at") ", uploaded_by,"                \
    " coalesce(person_id::text, ''), coalesce(outlet_id::text, ''), company_id,"                  \
    " coalesce(dewan_pers_status, 'none')"

static void read_document(sk_call *call, const PGresult *r, int row, Seklik__Registry__Document *d)
{
    d->id = col(call, r, row, 0);
    d->type = doc_type_value(PQgetvalue(r, row, 1));
    d->number = col(call, r, row, 2);
    d->issued_on = col(call, r, row, 3);
    d->expires_on = col(call, r, row, 4);
    d->file_name = col(call, r, row, 5);
    d->content_type = col(call, r, row, 6);
    d->size = sk_db_get_int64(r, row, 7);
    d->sha256 = col(call, r, row, 8);
    d->version = (int32_t)sk_db_get_int64(r, row, 9);
    d->uploaded_at = col(call, r, row, 10);
    d->uploaded_by = col(call, r, row, 11);
    d->person_id = col(call, r, row, 12);
    d->outlet_id = col(call, r, row, 13);
    d->dewan_pers_status = dewan_pers_value(PQgetvalue(r, row, 15));
}

int registry_store_load_document(sk_call *call, const char *id, Seklik__Registry__Document *d,
                                 char company_id[37], ProtobufCBinaryData *content)
{
    static const char SQL[] =
        "SELECT " DOC_COLUMNS " FROM document WHERE id = $1 AND deleted_at IS NULL";
    static const char SQL_FILE[] = "SELECT content FROM document_file WHERE document_id = $1";
    PGresult *r = NULL;
    SK_TRY(sk_db_query(call->db, SQL, (sk_param[]){SK_TEXT(id)}, 1, &r));
    if (PQntuples(r) != 1) {
        PQclear(r);
        return SK_ENOTFOUND;
    }
    read_document(call, r, 0, d);
    snprintf(company_id, 37, "%s", PQgetvalue(r, 0, 14));
    PQclear(r);
    if (!content)
        return SK_OK;

    SK_TRY(sk_db_query(call->db, SQL_FILE, (sk_param[]){SK_TEXT(id)}, 1, &r));
    int rc = PQntuples(r) == 1 ? SK_OK : SK_ENOTFOUND;
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (rc == SK_OK)
        rc = sk_db_get_bytea(r, 0, 0, &bytes, &len);
    PQclear(r);
    if (rc != SK_OK)
        return rc;
    /* The response outlives this function: move the bytes into call memory. */
    content->data = sk_call_alloc(call, len + 1);
    if (content->data) {
        memcpy(content->data, bytes, len);
        content->len = len;
    }
    free(bytes);
    return content->data ? SK_OK : SK_ENOMEM;
}

/* ---- the whole company ---- */

static int load_company_row(sk_call *call, const char *id, Seklik__Registry__Company *c)
{
    static const char SQL[] =
        "SELECT id, legal_name, legal_form, deed_number, " SQL_DATE("deed_date") ","
        " sk_kemenkumham, nib, kbli::text, npwp, pkp, address, domicile_letter_number,"
        " bank::text, contacts::text, dewan_pers_status, dewan_pers_certificate,"
        " " SQL_DATE("established_on") ", status, version, registered_by,"
        " " SQL_TS("registered_at") ", " SQL_DATE("verified_until") ", status_reason,"
        " coalesce(fiscal_year, 0) FROM company WHERE id = $1";
    PGresult *r = NULL;
    SK_TRY(sk_db_query(call->db, SQL, (sk_param[]){SK_TEXT(id)}, 1, &r));
    if (PQntuples(r) != 1) {
        PQclear(r);
        return SK_ENOTFOUND;
    }
    Seklik__Registry__CompanyInput *in =
        new_msg(call, &seklik__registry__company_input__descriptor);
    if (!in) {
        PQclear(r);
        return SK_ENOMEM;
    }
    c->id = col(call, r, 0, 0);
    in->legal_name = col(call, r, 0, 1);
    in->legal_form = legal_form_value(PQgetvalue(r, 0, 2));
    in->deed_number = col(call, r, 0, 3);
    in->deed_date = col(call, r, 0, 4);
    in->sk_kemenkumham = col(call, r, 0, 5);
    in->nib = col(call, r, 0, 6);
    in->npwp = col(call, r, 0, 8);
    in->pkp = PQgetvalue(r, 0, 9)[0] == 't';
    in->address = col(call, r, 0, 10);
    in->domicile_letter_number = col(call, r, 0, 11);
    in->dewan_pers_status = dewan_pers_value(PQgetvalue(r, 0, 14));
    in->dewan_pers_certificate = col(call, r, 0, 15);
    in->established_on = col(call, r, 0, 16);
    c->status = lookup(STATUS, COUNT(STATUS), PQgetvalue(r, 0, 17));
    c->version = sk_db_get_int64(r, 0, 18);
    c->registered_by = col(call, r, 0, 19);
    c->registered_at = col(call, r, 0, 20);
    c->verified_until = col(call, r, 0, 21);
    c->status_reason = col(call, r, 0, 22);
    c->fiscal_year = (int32_t)sk_db_get_int64(r, 0, 23);
    int rc = read_kbli(call, PQgetvalue(r, 0, 7), in);
    if (rc == SK_OK)
        rc = read_bank(call, PQgetvalue(r, 0, 12), in);
    if (rc == SK_OK)
        rc = read_contacts(call, PQgetvalue(r, 0, 13), in);
    PQclear(r);
    c->data = in;
    return rc;
}

/* Run `sql` ($1 = company id) and allocate an array of one message per row. */
static int load_rows(sk_call *call, const char *sql, const char *id, PGresult **r, void ***items,
                     size_t *n)
{
    SK_TRY(sk_db_query(call->db, sql, (sk_param[]){SK_TEXT(id)}, 1, r));
    *n = (size_t)PQntuples(*r);
    *items = *n ? sk_call_alloc(call, *n * sizeof(void *)) : NULL;
    if (*n && !*items) {
        PQclear(*r);
        return SK_ENOMEM;
    }
    return SK_OK;
}

static int load_outlets(sk_call *call, const char *id, Seklik__Registry__Company *c)
{
    static const char SQL[] =
        "SELECT id, type, scale, name, url, frequency, circulation, monthly_visitors, audience,"
        " coalesce(status, ''), " SQL_DATE("verified_until") ", status_reason,"
        " coalesce(status_fiscal_year, 0), coalesce(listed_fiscal_year, 0)"
        " FROM outlet WHERE company_id = $1 ORDER BY created_at, id";
    PGresult *r = NULL;
    size_t n = 0;
    SK_TRY(load_rows(call, SQL, id, &r, (void ***)&c->outlets, &n));
    int rc = SK_OK;
    for (size_t i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Registry__Outlet *o = new_msg(call, &seklik__registry__outlet__descriptor);
        Seklik__Registry__OutletInput *d = new_msg(call, &seklik__registry__outlet_input__descriptor);
        if (!o || !d) {
            rc = SK_ENOMEM;
            break;
        }
        int row = (int)i;
        o->id = col(call, r, row, 0);
        d->type = outlet_type_value(PQgetvalue(r, row, 1));
        d->scale = scale_value(PQgetvalue(r, row, 2));
        d->name = col(call, r, row, 3);
        d->url = col(call, r, row, 4);
        d->frequency = col(call, r, row, 5);
        d->circulation = sk_db_get_int64(r, row, 6);
        d->monthly_visitors = sk_db_get_int64(r, row, 7);
        d->audience = sk_db_get_int64(r, row, 8);
        o->status = PQgetvalue(r, row, 9)[0] ? lookup(STATUS, COUNT(STATUS), PQgetvalue(r, row, 9)) : 0;
        o->verified_until = col(call, r, row, 10);
        o->status_reason = col(call, r, row, 11);
        o->status_fiscal_year = (int32_t)sk_db_get_int64(r, row, 12);
        o->listed_fiscal_year = (int32_t)sk_db_get_int64(r, row, 13);
        o->data = d;
        c->outlets[c->n_outlets++] = o;
    }
    PQclear(r);
    return rc;
}

static int load_people(sk_call *call, const char *id, Seklik__Registry__Company *c)
{
    static const char SQL[] =
        "SELECT id, role, nik, name, ukw_level, ukw_certificate_number,"
        " " SQL_DATE("ukw_certificate_expiry") ", press_card_number"
        " FROM person WHERE company_id = $1 ORDER BY created_at, id";
    PGresult *r = NULL;
    size_t n = 0;
    SK_TRY(load_rows(call, SQL, id, &r, (void ***)&c->people, &n));
    int rc = SK_OK;
    for (size_t i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Registry__Person *p = new_msg(call, &seklik__registry__person__descriptor);
        Seklik__Registry__PersonInput *d = new_msg(call, &seklik__registry__person_input__descriptor);
        if (!p || !d) {
            rc = SK_ENOMEM;
            break;
        }
        int row = (int)i;
        p->id = col(call, r, row, 0);
        d->role = lookup(ROLE, COUNT(ROLE), PQgetvalue(r, row, 1));
        d->nik = col(call, r, row, 2);
        d->name = col(call, r, row, 3);
        d->ukw_level = ukw_value(PQgetvalue(r, row, 4));
        d->ukw_certificate_number = col(call, r, row, 5);
        d->ukw_certificate_expiry = col(call, r, row, 6);
        d->press_card_number = col(call, r, row, 7);
        p->data = d;
        c->people[c->n_people++] = p;
    }
    PQclear(r);
    return rc;
}

int registry_store_lock_document(sk_db *db, const char *company_id, const char *id, bool *found,
                                 bool *deleted)
{
    static const char SQL[] = "SELECT deleted_at IS NOT NULL FROM document"
                              " WHERE id = $1 AND company_id = $2 FOR UPDATE";
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, (sk_param[]){SK_TEXT(id), SK_TEXT(company_id)}, 2, &r));
    *found = PQntuples(r) == 1;
    *deleted = *found && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return SK_OK;
}

int registry_store_delete_document(sk_db *db, const char *id, const char *by)
{
    static const char SQL[] =
        "UPDATE document SET deleted_at = now(), deleted_by = $2 WHERE id = $1 AND deleted_at IS NULL";
    return sk_db_exec(db, SQL, (sk_param[]){SK_TEXT(id), SK_TEXT(by)}, 2);
}

int registry_store_slot_current(sk_call *call, const char *id, Seklik__Registry__Document *d)
{
    static const char SQL[] =
        "SELECT " DOC_COLUMNS " FROM document n WHERE n.deleted_at IS NULL AND EXISTS ("
        " SELECT 1 FROM document o WHERE o.id = $1 AND o.company_id = n.company_id"
        " AND o.type = n.type AND o.person_id IS NOT DISTINCT FROM n.person_id"
        " AND o.outlet_id IS NOT DISTINCT FROM n.outlet_id)"
        " ORDER BY n.version DESC LIMIT 1";
    PGresult *r = NULL;
    SK_TRY(sk_db_query(call->db, SQL, (sk_param[]){SK_TEXT(id)}, 1, &r));
    int rc = PQntuples(r) == 1 ? SK_OK : SK_ENOTFOUND;
    if (rc == SK_OK)
        read_document(call, r, 0, d);
    PQclear(r);
    return rc;
}

static int load_documents(sk_call *call, const char *id, Seklik__Registry__Company *c)
{
    /* DISTINCT ON treats NULL person/outlet as one group: one row per slot. */
    static const char SQL[] =
        "SELECT DISTINCT ON (type, person_id, outlet_id) " DOC_COLUMNS
        " FROM document WHERE company_id = $1 AND deleted_at IS NULL"
        " ORDER BY type, person_id, outlet_id, version DESC";
    PGresult *r = NULL;
    size_t n = 0;
    SK_TRY(load_rows(call, SQL, id, &r, (void ***)&c->documents, &n));
    int rc = SK_OK;
    for (size_t i = 0; i < n; i++) {
        Seklik__Registry__Document *d = new_msg(call, &seklik__registry__document__descriptor);
        if (!d) {
            rc = SK_ENOMEM;
            break;
        }
        read_document(call, r, (int)i, d);
        c->documents[c->n_documents++] = d;
    }
    PQclear(r);
    return rc;
}

int registry_store_load_company(sk_call *call, const char *id, Seklik__Registry__Company *c)
{
    SK_TRY(load_company_row(call, id, c));
    SK_TRY(load_outlets(call, id, c));
    SK_TRY(load_people(call, id, c));
    return load_documents(call, id, c);
}

/* ---- listing ---- */

/* '%' + `q` with LIKE's own characters escaped + '%' (malloc'ed). */
static char *like_pattern(const char *q)
{
    size_t n = strlen(q);
    char *p = malloc(2 * n + 3), *w = p;
    if (!p)
        return NULL;
    *w++ = '%';
    for (const char *s = q; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *w++ = '\\';
        *w++ = *s;
    }
    *w++ = '%';
    *w = '\0';
    return p;
}

static int read_summary(sk_call *call, const PGresult *r, int row,
                        Seklik__Registry__CompanySummary **out)
{
    Seklik__Registry__CompanySummary *s =
        new_msg(call, &seklik__registry__company_summary__descriptor);
    if (!s)
        return SK_ENOMEM;
    s->id = col(call, r, row, 0);
    s->legal_name = col(call, r, row, 1);
    s->status = lookup(STATUS, COUNT(STATUS), PQgetvalue(r, row, 2));
    s->registered_at = col(call, r, row, 3);
    s->outlet_count = (int32_t)sk_db_get_int64(r, row, 5);
    /* types come as "cetak,siber": at most four distinct ones. */
    const char *types = PQgetvalue(r, row, 4);
    s->outlet_types = sk_call_alloc(call, 4 * sizeof(*s->outlet_types));
    if (!s->outlet_types)
        return SK_ENOMEM;
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", types);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t && s->n_outlet_types < 4;
         t = strtok_r(NULL, ",", &save))
        s->outlet_types[s->n_outlet_types++] = outlet_type_value(t);
    /* tiers come as "A,B": at most four distinct ones. */
    snprintf(buf, sizeof(buf), "%s", PQgetvalue(r, row, 6));
    s->tiers = sk_call_alloc(call, 4 * sizeof(*s->tiers));
    if (!s->tiers)
        return SK_ENOMEM;
    for (char *t = strtok_r(buf, ",", &save); t && s->n_tiers < 4; t = strtok_r(NULL, ",", &save))
        if (!(s->tiers[s->n_tiers++] = sk_call_strdup(call, t)))
            return SK_ENOMEM;
    *out = s;
    return SK_OK;
}

int registry_store_list(sk_call *call, const registry_list_filter *f,
                        Seklik__Registry__ListCompaniesResponse *out, bool *more)
{
    static const char SQL[] =
        "SELECT c.id, c.legal_name, c.status, " SQL_TS("c.registered_at") ","
        " coalesce((SELECT string_agg(DISTINCT o.type, ',') FROM outlet o"
        "           WHERE o.company_id = c.id), ''),"
        " (SELECT count(*) FROM outlet o WHERE o.company_id = c.id),"
        " coalesce((SELECT string_agg(DISTINCT o.tier, ',') FROM outlet o"
        "           WHERE o.company_id = c.id AND o.tier IS NOT NULL), '')"
        " FROM company c"
        " WHERE ($1::text IS NULL OR lower(c.legal_name) LIKE lower($1)"
        "        OR EXISTS (SELECT 1 FROM outlet o WHERE o.company_id = c.id"
        "                   AND lower(o.name) LIKE lower($1)))"
        "   AND ($2::text IS NULL OR c.status = $2)"
        "   AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM outlet o WHERE o.company_id = c.id"
        "                                    AND o.type = $3))"
        "   AND ($4::uuid IS NULL OR c.id = $4::uuid)"
        "   AND ($5::text IS NULL OR (c.legal_name, c.id) > ($5::text, $6::uuid))"
        "   AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM outlet o WHERE o.company_id = c.id"
        "                                    AND o.tier = $8))"
        " ORDER BY c.legal_name, c.id LIMIT $7::int";
    char *pattern = f->query && f->query[0] ? like_pattern(f->query) : NULL;
    if (f->query && f->query[0] && !pattern)
        return SK_ENOMEM;
    char limit[16];
    snprintf(limit, sizeof(limit), "%d", f->limit + 1); /* one more says a page follows */
    sk_param p[] = {SK_TEXT(pattern),
                    SK_TEXT(f->status ? registry_store_status_name(f->status) : NULL),
                    SK_TEXT(f->outlet_type ? outlet_type_name(f->outlet_type) : NULL),
                    opt(f->only_company),
                    opt(f->after_name),
                    opt(f->after_id),
                    SK_TEXT(limit),
                    opt(f->tier)};
    PGresult *r = NULL;
    int rc = sk_db_query(call->db, SQL, p, (int)COUNT(p), &r);
    free(pattern);
    if (rc != SK_OK)
        return rc;
    int n = PQntuples(r);
    *more = n > f->limit;
    if (*more)
        n = f->limit;
    out->companies = n ? sk_call_alloc(call, (size_t)n * sizeof(*out->companies)) : NULL;
    if (n && !out->companies)
        rc = SK_ENOMEM;
    for (int i = 0; i < n && rc == SK_OK; i++) {
        rc = read_summary(call, r, i, &out->companies[i]);
        if (rc == SK_OK)
            out->n_companies++;
    }
    PQclear(r);
    return rc;
}

/* ---- the read model of scoring ---- */

int registry_store_set_tier(sk_db *db, const char *outlet_id, int fiscal_year, const char *tier,
                            bool *found)
{
    static const char SQL[] =
        "UPDATE outlet SET tier = $3, tier_fiscal_year = $2::int WHERE id = $1::uuid"
        " AND (tier_fiscal_year IS NULL OR tier_fiscal_year <= $2::int) RETURNING 1";
    char year[16];
    snprintf(year, sizeof(year), "%d", fiscal_year);
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, (sk_param[]){SK_TEXT(outlet_id), SK_TEXT(year), SK_TEXT(tier)},
                       3, &r));
    *found = PQntuples(r) > 0;
    PQclear(r);
    return SK_OK;
}

/* ---- the read model of verification ---- */

int registry_store_set_verification(sk_db *db, const char *company_id, int status,
                                    const char *verified_until, const char *reason,
                                    bool *changed, char before[32])
{
    /* The old row is read under the same lock the update takes, so `before`
     * is what this change replaced. Nothing changes (and no version is
     * spent) when verification repeats what we already know. */
    static const char SQL_OLD[] =
        "SELECT status, " SQL_DATE("verified_until") ", status_reason FROM company"
        " WHERE id = $1 FOR UPDATE";
    static const char SQL_SET[] =
        "UPDATE company SET status = $2, verified_until = $3::date, status_reason = $4,"
        " version = version + 1 WHERE id = $1";
    PGresult *r = NULL;
    *changed = false;
    SK_TRY(sk_db_query(db, SQL_OLD, (sk_param[]){SK_TEXT(company_id)}, 1, &r));
    if (PQntuples(r) != 1) {
        PQclear(r);
        return SK_ENOTFOUND;
    }
    const char *name = registry_store_status_name(status);
    snprintf(before, 32, "%s", PQgetvalue(r, 0, 0));
    bool same = strcmp(before, name) == 0 && strcmp(PQgetvalue(r, 0, 1), or_empty(verified_until)) == 0 &&
                strcmp(PQgetvalue(r, 0, 2), or_empty(reason)) == 0;
    PQclear(r);
    if (same)
        return SK_OK;
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(name), opt(verified_until),
                    SK_TEXT(or_empty(reason))};
    SK_TRY(sk_db_exec(db, SQL_SET, p, 4));
    *changed = true;
    return SK_OK;
}

int registry_store_set_outlet_verification(sk_db *db, const char *company_id, const char *outlet_id,
                                           int fiscal_year, const char *status,
                                           const char *verified_until, const char *reason,
                                           bool *changed)
{
    /* A decision for an older year than the one known is history: kept out. */
    static const char SQL[] =
        "UPDATE outlet SET status = $4, verified_until = $5::date, status_reason = $6,"
        " status_fiscal_year = $3::int WHERE id = $2::uuid AND company_id = $1::uuid"
        " AND (status_fiscal_year IS NULL OR status_fiscal_year <= $3::int)"
        " AND (status IS DISTINCT FROM $4 OR verified_until IS DISTINCT FROM $5::date"
        "      OR status_reason IS DISTINCT FROM $6 OR status_fiscal_year IS DISTINCT FROM $3::int)"
        " RETURNING 1";
    char year[16];
    snprintf(year, sizeof(year), "%d", fiscal_year);
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(outlet_id), SK_TEXT(year), SK_TEXT(status),
                    opt(verified_until), SK_TEXT(or_empty(reason))};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 6, &r));
    *changed = PQntuples(r) > 0;
    PQclear(r);
    return SK_OK;
}

int registry_store_set_listed(sk_db *db, int fiscal_year, const char *const *outlet_ids, size_t n)
{
    /* The list replaces what an earlier version of it said. */
    static const char SQL_CLEAR[] =
        "UPDATE outlet SET listed_fiscal_year = NULL WHERE listed_fiscal_year = $1::int";
    static const char SQL_SET[] =
        "UPDATE outlet SET listed_fiscal_year = $1::int WHERE id = $2::uuid"
        " AND (listed_fiscal_year IS NULL OR listed_fiscal_year <= $1::int)";
    char year[16];
    snprintf(year, sizeof(year), "%d", fiscal_year);
    SK_TRY(sk_db_exec(db, SQL_CLEAR, (sk_param[]){SK_TEXT(year)}, 1));
    for (size_t i = 0; i < n; i++)
        SK_TRY(sk_db_exec(db, SQL_SET, (sk_param[]){SK_TEXT(year), SK_TEXT(outlet_ids[i])}, 2));
    return SK_OK;
}

int registry_store_put_year(sk_db *db, int fiscal_year, const char *opens_on, const char *closes_on,
                            bool cv_allowed, bool *changed)
{
    static const char SQL[] =
        "INSERT INTO fiscal_year (fiscal_year, registration_opens_on, registration_closes_on,"
        " cv_allowed) VALUES ($1::int, $2::date, $3::date, $4::boolean)"
        " ON CONFLICT (fiscal_year) DO UPDATE SET registration_opens_on = EXCLUDED.registration_opens_on,"
        " registration_closes_on = EXCLUDED.registration_closes_on, cv_allowed = EXCLUDED.cv_allowed,"
        " updated_at = now() WHERE (fiscal_year.registration_opens_on,"
        " fiscal_year.registration_closes_on, fiscal_year.cv_allowed) IS DISTINCT FROM"
        " (EXCLUDED.registration_opens_on, EXCLUDED.registration_closes_on, EXCLUDED.cv_allowed)"
        " RETURNING 1";
    char year[16];
    snprintf(year, sizeof(year), "%d", fiscal_year);
    sk_param p[] = {SK_TEXT(year), SK_TEXT(opens_on), SK_TEXT(closes_on),
                    SK_TEXT(cv_allowed ? "true" : "false")};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 4, &r));
    *changed = PQntuples(r) > 0;
    PQclear(r);
    return SK_OK;
}

int registry_store_year_final(sk_db *db, int fiscal_year)
{
    static const char SQL[] =
        "UPDATE fiscal_year SET final = true, updated_at = now() WHERE fiscal_year = $1::int";
    char year[16];
    snprintf(year, sizeof(year), "%d", fiscal_year);
    return sk_db_exec(db, SQL, (sk_param[]){SK_TEXT(year)}, 1);
}

int registry_store_year(sk_db *db, int fiscal_year, registry_year_rules *out)
{
    static const char SQL[] =
        "SELECT registration_opens_on - DATE '1970-01-01', registration_closes_on - DATE '1970-01-01',"
        " cv_allowed, final FROM fiscal_year WHERE fiscal_year = $1::int";
    char year[16];
    snprintf(year, sizeof(year), "%d", fiscal_year);
    memset(out, 0, sizeof(*out));
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, (sk_param[]){SK_TEXT(year)}, 1, &r));
    if (PQntuples(r) == 1) {
        out->opened = true;
        out->opens_on = (int32_t)sk_db_get_int64(r, 0, 0);
        out->closes_on = (int32_t)sk_db_get_int64(r, 0, 1);
        out->cv_allowed = PQgetvalue(r, 0, 2)[0] == 't';
        out->final = PQgetvalue(r, 0, 3)[0] == 't';
    }
    PQclear(r);
    return SK_OK;
}
