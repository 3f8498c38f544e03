/* events.c - what invoices are checked against, learnt from other services'
 * events: companies (NPWP, PKP, bank) from registry.company.*, agreements and
 * orders from ordering.agreement.* and ordering.order.*. Each is kept as a
 * row in the accounting schema, in the inbox's transaction; nothing here
 * reads another schema or calls another service.
 *
 * Ordering's events come in order and carry the whole order or agreement
 * with its version, so a row is replaced by a newer version only. An event
 * whose body cannot be read is logged and skipped: failing it would stop
 * the stream for good. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "seklik/ordering.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"

/* The NPWP's digits when there are 15 or 16 of them; "" otherwise (no
 * NPWP: PPh 23 is then 100% higher). */
static void npwp_digits(const char *in, char out[33])
{
    size_t n = 0;
    for (const char *p = in ? in : ""; *p && n < 32; p++)
        if (isdigit((unsigned char)*p))
            out[n++] = *p;
        else if (*p != '.' && *p != '-' && *p != ' ')
            return (void)(out[0] = '\0');
    out[n] = '\0';
    if (n != 15 && n != 16)
        out[0] = '\0';
}

int acc_apply_registry(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Registry__CompanyChanged *cc =
        seklik__registry__company_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Registry__Company *c = cc ? cc->company : NULL;
    int rc = SK_OK;
    if (!c || !sk_uuid_valid(c->id) || !c->data) {
        sk_log_warn("%s seq %llu: no readable company, skipped", ev->type,
                    (unsigned long long)ev->seq);
    } else {
        const Seklik__Registry__CompanyInput *d = c->data;
        const Seklik__Registry__BankAccount *b = d->bank_account;
        char npwp[33];
        npwp_digits(d->npwp, npwp);
        accounting_company_in in = {.id = c->id,
                                    .name = d->legal_name ? d->legal_name : "",
                                    .npwp = npwp,
                                    .pkp = d->pkp,
                                    .bank_name = b && b->bank_name ? b->bank_name : "",
                                    .account_number = b && b->account_number ? b->account_number : "",
                                    .account_holder = b && b->holder_name ? b->holder_name : ""};
        rc = accounting_store_put_company(ctx->db, &in);
    }
    if (cc)
        seklik__registry__company_changed__free_unpacked(cc, NULL);
    return rc;
}

/* ORDER_STATE_COMPLETED -> "completed" (into `out`, 32 bytes). */
static void state_name(int state, char out[32])
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&seklik__ordering__order_state__descriptor, state);
    const char *name = v ? v->name : "ORDER_STATE_UNSPECIFIED";
    static const char PREFIX[] = "ORDER_STATE_";
    if (strncmp(name, PREFIX, sizeof(PREFIX) - 1) == 0)
        name += sizeof(PREFIX) - 1;
    size_t n = 0;
    for (; name[n] && n < 31; n++)
        out[n] = (char)tolower((unsigned char)name[n]);
    out[n] = '\0';
}

/* The WIB day of an RFC 3339 time, as "YYYY-MM-DD" in `out`; NULL when
 * there is none. */
static const char *wib_date(const char *t, char out[11])
{
    int32_t day;
    if (!t || !*t || !accounting_wib_day(t, &day))
        return NULL;
    accounting_date_format(day, out);
    return out;
}

static int apply_order(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Ordering__OrderChanged *oc =
        seklik__ordering__order_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Ordering__Order *o = oc ? oc->order : NULL;
    int rc = SK_OK;
    if (!o || !sk_uuid_valid(o->id) || !sk_uuid_valid(o->company_id) || o->gross < 0) {
        sk_log_warn("%s seq %llu: no readable order, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    char state[32], issued[11], accepted[11];
    state_name((int)o->state, state);
    /* The day the work was accepted: the accepted proof's decision. */
    const char *accepted_on = NULL;
    for (size_t i = 0; i < o->n_proofs; i++)
        if (o->proofs[i] && o->proofs[i]->accepted)
            accepted_on = wib_date(o->proofs[i]->decided_at, accepted);
    const char *agreement = o->data && o->data->agreement_id && sk_uuid_valid(o->data->agreement_id)
                                ? o->data->agreement_id
                                : NULL;
    accounting_order_in in = {.id = o->id,
                              .company_id = o->company_id,
                              .fiscal_year = o->fiscal_year,
                              .number = o->number ? o->number : "",
                              .state = state,
                              .gross = o->gross,
                              .title = o->data && o->data->title ? o->data->title : "",
                              .outlet_name = o->outlet_name ? o->outlet_name : "",
                              .agreement_id = agreement,
                              .issued_on = wib_date(o->issued_at, issued),
                              .proof_accepted_on = accepted_on,
                              .version = o->version};
    rc = accounting_store_put_order(ctx->db, &in);
done:
    if (oc)
        seklik__ordering__order_changed__free_unpacked(oc, NULL);
    return rc;
}

static int apply_agreement(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Ordering__AgreementChanged *ac =
        seklik__ordering__agreement_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Ordering__Agreement *a = ac ? ac->agreement : NULL;
    int rc = SK_OK;
    int32_t day;
    if (!a || !sk_uuid_valid(a->id) || !a->data || !sk_uuid_valid(a->data->company_id)) {
        sk_log_warn("%s seq %llu: no readable agreement, skipped", ev->type,
                    (unsigned long long)ev->seq);
    } else {
        const char *signed_on =
            a->signed_on && accounting_date_parse(a->signed_on, &day) ? a->signed_on : NULL;
        rc = accounting_store_put_agreement(ctx->db, a->id, a->data->company_id,
                                            a->data->fiscal_year,
                                            a->data->number ? a->data->number : "", signed_on,
                                            a->document_sha256 && a->document_sha256[0],
                                            a->version);
    }
    if (ac)
        seklik__ordering__agreement_changed__free_unpacked(ac, NULL);
    return rc;
}

int acc_apply_ordering(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    if (ev->type && strncmp(ev->type, "ordering.order.", 15) == 0)
        return apply_order(ctx, ev);
    if (ev->type && strncmp(ev->type, "ordering.agreement.", 19) == 0)
        return apply_agreement(ctx, ev);
    return SK_OK;
}
