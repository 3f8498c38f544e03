#include "domain.h"

#include <stdio.h>
#include <string.h>

int32_t verification_valid_until(int32_t fiscal_year_end, const int32_t *expiries, size_t n)
{
    int32_t until = fiscal_year_end;
    for (size_t i = 0; i < n; i++)
        if (expiries[i] != 0 && expiries[i] < until)
            until = expiries[i];
    return until;
}

/* ---- the case and its states ---- */

bool verification_next_state(verification_case_state state, verification_case_action action,
                             verification_case_state *next)
{
    verification_case_state to;
    switch (action) {
    case VERIFICATION_ACTION_AUTO_CHECKS_DONE:
        if (state != VERIFICATION_CASE_OPENED)
            return false;
        to = VERIFICATION_CASE_IN_REVIEW;
        break;
    case VERIFICATION_ACTION_DOCUMENT_REJECTED:
        if (state != VERIFICATION_CASE_IN_REVIEW && state != VERIFICATION_CASE_NEEDS_REVISION)
            return false;
        to = VERIFICATION_CASE_NEEDS_REVISION;
        break;
    case VERIFICATION_ACTION_DOCUMENT_RESUBMITTED:
        if (state != VERIFICATION_CASE_NEEDS_REVISION && state != VERIFICATION_CASE_IN_REVIEW)
            return false;
        to = VERIFICATION_CASE_IN_REVIEW;
        break;
    case VERIFICATION_ACTION_ALL_DOCUMENTS_ACCEPTED:
        if (state != VERIFICATION_CASE_IN_REVIEW)
            return false;
        to = VERIFICATION_CASE_VISIT_PENDING;
        break;
    case VERIFICATION_ACTION_VISIT_RECORDED:
        if (state != VERIFICATION_CASE_VISIT_PENDING)
            return false;
        to = VERIFICATION_CASE_VISITED;
        break;
    case VERIFICATION_ACTION_DECIDE_VERIFIED:
        if (state != VERIFICATION_CASE_VISITED)
            return false;
        to = VERIFICATION_CASE_VERIFIED;
        break;
    case VERIFICATION_ACTION_DECIDE_REJECTED:
        if (state != VERIFICATION_CASE_IN_REVIEW && state != VERIFICATION_CASE_NEEDS_REVISION &&
            state != VERIFICATION_CASE_VISIT_PENDING && state != VERIFICATION_CASE_VISITED)
            return false;
        to = VERIFICATION_CASE_REJECTED;
        break;
    case VERIFICATION_ACTION_SUSPEND:
        if (state != VERIFICATION_CASE_VERIFIED)
            return false;
        to = VERIFICATION_CASE_SUSPENDED;
        break;
    default: return false;
    }
    if (next != NULL)
        *next = to;
    return true;
}

const char *verification_case_state_name(verification_case_state state)
{
    switch (state) {
    case VERIFICATION_CASE_OPENED: return "opened";
    case VERIFICATION_CASE_IN_REVIEW: return "in_review";
    case VERIFICATION_CASE_NEEDS_REVISION: return "needs_revision";
    case VERIFICATION_CASE_VISIT_PENDING: return "visit_pending";
    case VERIFICATION_CASE_VISITED: return "visited";
    case VERIFICATION_CASE_VERIFIED: return "verified";
    case VERIFICATION_CASE_REJECTED: return "rejected";
    case VERIFICATION_CASE_SUSPENDED: return "suspended";
    }
    return NULL;
}

/* ---- automatic checks ---- */

bool verification_expiring_soon(int32_t expiry_day, int32_t today, int days_ahead)
{
    if (expiry_day == 0 || days_ahead < 0)
        return false;
    /* 64-bit so that today + days_ahead cannot overflow. */
    return (int64_t)expiry_day >= (int64_t)today &&
           (int64_t)expiry_day <= (int64_t)today + (int64_t)days_ahead;
}

/* Adds one finding: stored when there is room, always counted. */
static void add_finding(verification_finding *out, size_t cap, size_t *n,
                        verification_finding_code code, int type, int32_t day)
{
    if (*n < cap) {
        out[*n].code = code;
        out[*n].type = type;
        out[*n].day = day;
    }
    (*n)++;
}

static bool type_present(const verification_doc *docs, size_t n_docs, int type)
{
    for (size_t i = 0; i < n_docs; i++)
        if (docs[i].type == type && docs[i].status != VERIFICATION_DOC_MISSING)
            return true;
    return false;
}

static bool listed_before(const int *required, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (required[j] == required[i])
            return true;
    return false;
}

bool verification_auto_check(const int *required, size_t n_required, const verification_doc *docs,
                             size_t n_docs, int32_t today, int warn_days, verification_finding *out,
                             size_t cap, size_t *n_out)
{
    if (n_out == NULL)
        return false;
    *n_out = 0;
    if ((required == NULL && n_required > 0) || (docs == NULL && n_docs > 0))
        return false;
    if (out == NULL)
        cap = 0;

    size_t n = 0;
    bool complete = true;

    for (size_t i = 0; i < n_required; i++) {
        if (listed_before(required, i) || type_present(docs, n_docs, required[i]))
            continue;
        add_finding(out, cap, &n, VERIFICATION_FINDING_MISSING, required[i], 0);
        complete = false;
    }

    for (size_t i = 0; i < n_docs; i++) {
        const verification_doc *d = &docs[i];
        switch (d->status) {
        case VERIFICATION_DOC_REJECTED:
            add_finding(out, cap, &n, VERIFICATION_FINDING_REJECTED, d->type, 0);
            complete = false;
            break;
        case VERIFICATION_DOC_SUBMITTED:
        case VERIFICATION_DOC_ACCEPTED:
            if (d->expiry_day == 0)
                break;
            if (d->expiry_day < today) {
                add_finding(out, cap, &n, VERIFICATION_FINDING_EXPIRED, d->type, d->expiry_day);
                complete = false;
            } else if (verification_expiring_soon(d->expiry_day, today, warn_days)) {
                add_finding(out, cap, &n, VERIFICATION_FINDING_EXPIRING, d->type, d->expiry_day);
            }
            break;
        case VERIFICATION_DOC_MISSING:
        default: break;
        }
    }

    *n_out = n;
    return complete;
}

/* ---- four-eyes ---- */

static bool id_given(const char *id)
{
    return id != NULL && id[0] != '\0';
}

static bool same(const char *a, const char *b)
{
    return id_given(a) && id_given(b) && strcmp(a, b) == 0;
}

const char *verification_four_eyes_code(verification_four_eyes rule)
{
    switch (rule) {
    case VERIFICATION_FOUR_EYES_OK: return "";
    case VERIFICATION_FOUR_EYES_UNKNOWN: return "four_eyes.unknown";
    case VERIFICATION_FOUR_EYES_REGISTRANT: return "four_eyes.registrant";
    case VERIFICATION_FOUR_EYES_SUPPLIER: return "four_eyes.supplier";
    case VERIFICATION_FOUR_EYES_OWN_UPLOAD: return "four_eyes.own_upload";
    case VERIFICATION_FOUR_EYES_OWN_PROPOSAL: return "four_eyes.own_proposal";
    case VERIFICATION_FOUR_EYES_TOOK_PART: return "four_eyes.took_part";
    }
    return NULL;
}

verification_four_eyes verification_may_work(const char *registered_by, const char *actor)
{
    if (!id_given(registered_by) || !id_given(actor))
        return VERIFICATION_FOUR_EYES_UNKNOWN;
    return same(registered_by, actor) ? VERIFICATION_FOUR_EYES_REGISTRANT : VERIFICATION_FOUR_EYES_OK;
}

bool verification_four_eyes_ok(const char *registered_by, const char *verifier)
{
    return verification_may_work(registered_by, verifier) == VERIFICATION_FOUR_EYES_OK;
}

verification_four_eyes verification_may_judge_document(const char *registered_by,
                                                       const char *uploaded_by, const char *actor)
{
    verification_four_eyes r = verification_may_work(registered_by, actor);
    if (r != VERIFICATION_FOUR_EYES_OK)
        return r;
    return same(uploaded_by, actor) ? VERIFICATION_FOUR_EYES_OWN_UPLOAD : VERIFICATION_FOUR_EYES_OK;
}

verification_four_eyes verification_may_propose(const verification_parties *p, const char *actor)
{
    if (p == NULL || (p->suppliers == NULL && p->n_suppliers > 0))
        return VERIFICATION_FOUR_EYES_UNKNOWN;
    verification_four_eyes r = verification_may_work(p->registered_by, actor);
    if (r != VERIFICATION_FOUR_EYES_OK)
        return r;
    for (size_t i = 0; i < p->n_suppliers; i++)
        if (same(p->suppliers[i], actor))
            return VERIFICATION_FOUR_EYES_SUPPLIER;
    return VERIFICATION_FOUR_EYES_OK;
}

verification_four_eyes verification_may_approve(const verification_parties *p,
                                                const char *proposed_by, const char *actor)
{
    verification_four_eyes r = verification_may_propose(p, actor);
    if (r != VERIFICATION_FOUR_EYES_OK)
        return r;
    if (!id_given(proposed_by))
        return VERIFICATION_FOUR_EYES_UNKNOWN;
    if (same(proposed_by, actor))
        return VERIFICATION_FOUR_EYES_OWN_PROPOSAL;
    /* The proposer again: they may have uploaded a document since. */
    return verification_may_propose(p, proposed_by);
}

verification_four_eyes verification_may_answer_objection(const char *registered_by,
                                                         const char *const *deciders, size_t n,
                                                         const char *actor)
{
    if (!id_given(actor) || (deciders == NULL && n > 0))
        return VERIFICATION_FOUR_EYES_UNKNOWN;
    for (size_t i = 0; i < n; i++)
        if (same(deciders[i], actor))
            return VERIFICATION_FOUR_EYES_TOOK_PART;
    return same(registered_by, actor) ? VERIFICATION_FOUR_EYES_REGISTRANT
                                      : VERIFICATION_FOUR_EYES_OK;
}

/* ---- proposals ---- */

bool verification_outcome_action(verification_outcome outcome, verification_case_action *action)
{
    switch (outcome) {
    case VERIFICATION_OUTCOME_VERIFIED: *action = VERIFICATION_ACTION_DECIDE_VERIFIED; return true;
    case VERIFICATION_OUTCOME_REJECTED: *action = VERIFICATION_ACTION_DECIDE_REJECTED; return true;
    case VERIFICATION_OUTCOME_SUSPENDED: *action = VERIFICATION_ACTION_SUSPEND; return true;
    }
    return false;
}

const char *verification_outcome_name(verification_outcome outcome)
{
    switch (outcome) {
    case VERIFICATION_OUTCOME_VERIFIED: return "verified";
    case VERIFICATION_OUTCOME_REJECTED: return "rejected";
    case VERIFICATION_OUTCOME_SUSPENDED: return "suspended";
    }
    return NULL;
}

bool verification_outcome_parse(const char *name, verification_outcome *outcome)
{
    for (int o = VERIFICATION_OUTCOME_VERIFIED; name && o <= VERIFICATION_OUTCOME_SUSPENDED; o++)
        if (strcmp(name, verification_outcome_name((verification_outcome)o)) == 0) {
            *outcome = (verification_outcome)o;
            return true;
        }
    return false;
}

/* ---- bank accounts ---- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Compare skipping the typed separators. */
static bool same_digits(const char *a, const char *b)
{
    for (;;) {
        while (*a && strchr(".-/ ", *a))
            a++;
        while (*b && strchr(".-/ ", *b))
            b++;
        if (*a != *b)
            return false;
        if (!*a)
            return true;
        a++;
        b++;
    }
}

bool verification_bank_same(const verification_bank *a, const verification_bank *b)
{
    return strcmp(or_empty(a->bank_name), or_empty(b->bank_name)) == 0 &&
           strcmp(or_empty(a->holder_name), or_empty(b->holder_name)) == 0 &&
           same_digits(or_empty(a->account_number), or_empty(b->account_number));
}

/* ---- identity numbers ---- */

bool verification_identity_key(const char *s, bool is_npwp, char out[17])
{
    out[0] = '\0';
    int n = verification_digit_count(s);
    if (is_npwp ? (n != 15 && n != 16) : n != 16)
        return false;
    size_t k = 0;
    if (n == 15)
        out[k++] = '0';
    for (; *s; s++)
        if (*s >= '0' && *s <= '9')
            out[k++] = *s;
    out[k] = '\0';
    return true;
}

/* ---- the factual visit ---- */

bool verification_gps_valid(double lat, double lon)
{
    /* Written so that NaN fails every comparison. */
    if (!(lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0))
        return false;
    return !(lat == 0.0 && lon == 0.0);
}

bool verification_gps_in_indonesia(double lat, double lon)
{
    return verification_gps_valid(lat, lon) && lat >= -11.5 && lat <= 6.5 && lon >= 94.5 &&
           lon <= 141.5;
}

/* ---- announcement and objection ---- */

bool verification_objection_allowed(const verification_objection_window *w, int64_t now,
                                    bool already_objected)
{
    if (w == NULL || w->finalized || already_objected)
        return false;
    return now >= w->announced_at && now < w->objection_until;
}

bool verification_can_finalize(const verification_objection_window *w, int64_t now,
                               size_t open_objections)
{
    if (w == NULL || w->finalized || open_objections != 0)
        return false;
    return now >= w->announced_at && now >= w->objection_until;
}

/* ---- calendar dates, times and number formats ---- */

/* Howard Hinnant's days_from_civil, valid for every year. */
int32_t verification_days_from_civil(int year, int month, int day)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void verification_date_format(int32_t days, char out[11])
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp + (mp < 10 ? 3 : -9);
    int y = yoe + era * 400 + (m <= 2);
    /* The modulo keeps the text at 10 characters whatever the input. */
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

static bool digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" at the start of `s`; what follows is the caller's. */
static bool ymd(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (!digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
        return false;
    return *y >= 1900 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

bool verification_date_parse(const char *s, int32_t *days)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || !ymd(s, &y, &m, &d))
        return false;
    *days = verification_days_from_civil(y, m, d);
    return true;
}

/* "Z" or "+HH:MM" / "-HH:MM" as seconds east of UTC. */
static bool utc_offset(const char *t, int *offset)
{
    if ((t[0] == 'Z' || t[0] == 'z') && t[1] == '\0') {
        *offset = 0;
        return true;
    }
    int oh, om;
    if ((t[0] != '+' && t[0] != '-') || strlen(t) != 6 || t[3] != ':' || !digits(t + 1, 2, &oh) ||
        !digits(t + 4, 2, &om) || oh > 23 || om > 59)
        return false;
    *offset = (oh * 60 + om) * 60 * (t[0] == '-' ? -1 : 1);
    return true;
}

bool verification_time_parse(const char *s, int64_t *unix_s)
{
    int y, mo, d, h, mi, sec, offset;
    if (!s || !ymd(s, &y, &mo, &d) || (s[10] != 'T' && s[10] != 't'))
        return false;
    const char *t = s + 11;
    if (strlen(t) < 8 || t[2] != ':' || t[5] != ':' || !digits(t, 2, &h) ||
        !digits(t + 3, 2, &mi) || !digits(t + 6, 2, &sec) || h > 23 || mi > 59 || sec > 59)
        return false;
    t += 8;
    if (*t == '.') {
        if (t[1] < '0' || t[1] > '9')
            return false;
        for (t++; *t >= '0' && *t <= '9'; t++)
            ;
    }
    if (!utc_offset(t, &offset))
        return false;
    *unix_s =
        (int64_t)verification_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    return true;
}

int verification_digit_count(const char *s)
{
    int n = 0;
    for (; s && *s; s++) {
        if (*s >= '0' && *s <= '9')
            n++;
        else if (!strchr(".-/ ", *s))
            return -1;
    }
    return n;
}

const char *verification_kbli_for_outlet(int outlet_type)
{
    switch (outlet_type) {
    case 1: return "58130";
    case 2: return "63122";
    case 3: return "60102";
    case 4: return "60202";
    default: return NULL;
    }
}
