/* internal.h - what handlers.c, invoices.c and events.c share. Not an API:
 * one service's insides.
 *
 * handlers.c owns budget lines, the ledger's reads, reservations and the
 * service definition; invoices.c the tax table, invoices and the payment
 * documents; events.c the read models of companies (registry) and of
 * agreements and orders (ordering) that invoices are checked against. */
#ifndef ACCOUNTING_INTERNAL_H
#define ACCOUNTING_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain.h"
#include "seklik/accounting.pb-c.h"
#include "sk_inbox.h"
#include "sk_rpc.h"
#include "store.h"

/* ---- who may (handlers.c) ---- */

/* The ordering service's system actor: no roles, no company. */
bool acc_is_ordering(const sk_call *call);
/* A `partner` role or any company on the actor: the partner wall comes first. */
bool acc_is_partner(const sk_call *call);
/* Staff of any role, or the ordering service. */
bool acc_may_read(const sk_call *call);
/* finance or admin, never a partner. */
bool acc_may_budget(const sk_call *call);

/* ---- answers (handlers.c) ---- */

/* PERMISSION_DENIED naming what. */
int acc_deny(sk_call *call, const char *what);
/* NOT_FOUND naming `field`. */
int acc_not_found(sk_call *call, const char *field, const char *code, const char *english);
/* Fail with `rc` and "<code>: <english>" (the UI words it by its code),
 * naming `field` with the code when `field` is not NULL. */
int acc_fail(sk_call *call, int rc, const char *field, const char *code, const char *english);
/* Name every violation of `v` with its code and English text. */
void acc_name_violations(sk_call *call, const accounting_violations *v);
/* accounting_text_check naming `field` on the call; false when `in` is not
 * acceptable (violation added). */
bool acc_text(sk_call *call, const char *in, size_t min, size_t max, bool multiline, char *out,
              size_t cap, const char *field);
/* Every violation of `v` named; `code` with the first one's words. */
int acc_refuse(sk_call *call, int code, const accounting_violations *v);
/* SK_OK for a UUID; else a violation naming `field` (SK_EINVAL). */
int acc_bad_id(sk_call *call, const char *field, const char *id);
/* The actor's user id, or "system". */
const char *acc_actor_id(const sk_call *call);
/* `o` as JSON text in the call's memory; frees `o`. */
char *acc_json_text(sk_call *call, cJSON *o);
/* An int64 as a string member (proto3 JSON's way). */
void acc_json_money(cJSON *o, const char *name, int64_t v);
/* A line's figures from its accounts; SK_EINTERNAL (logged) when unsound. */
int acc_line_balances(const accounting_line_row *row, accounting_balances *out);
Seklik__Accounting__Balances *acc_balances_msg(sk_call *call, const accounting_balances *b);

/* Post (target 2) or void (3) the order's pending reservation inside the
 * call's transaction, with its audit row and event: what PostReservation
 * and ReleaseReservation do, and what an SP2D does for each order. `memo`
 * (may be NULL: the order number) goes on the transfer. The same target
 * again answers as it is; the other one FAILED_PRECONDITION naming orderId. */
int acc_complete_reservation(sk_call *call, const char *order_id, int target, const char *reason,
                             const char *memo, Seklik__Accounting__Reservation *reply);

/* ---- invoices.c: the methods ---- */

int acc_save_tax_table(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_publish_tax_table(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_get_tax_table(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_list_tax_tables(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_preview_tax(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_save_document_rules(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_get_document_rules(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_submit_invoice(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_add_invoice_document(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_get_invoice(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_list_invoices(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_get_invoice_document(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_return_invoice(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_accept_invoice(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_record_payment_step(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_cancel_payment_step(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_export_spp(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_record_withholding_slip(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_list_tax_due(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_payment_aging(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);
int acc_check_ledger(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);

/* ---- events.c: the read models ---- */

int acc_apply_registry(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);
int acc_apply_ordering(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

/* Today's date in WIB (UTC+7), as a day number (domain.h). */
int32_t acc_today_wib(void);

#endif
