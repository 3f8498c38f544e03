/* The accounting service over the bus, against a real PostgreSQL: budget
 * lines and their revisions, reservations by order id with retries, the
 * ledger's balance limit under concurrent reservations, a SIGKILL under load,
 * the partner wall and role matrix on every method, and refusals that name
 * the field and write nothing. After every test the ledger's invariants
 * (accounting.ledger_check) must hold; one test proves each invariant's check
 * catches the corruption it is about.
 *
 * argv: testpub testsub logdir seklik-accounting */
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "it_common.h"
#include "seklik/accounting.pb-c.h"
#include "sk_ledger.h"

#define YEAR 2027
#define GOLDEN_PAGU 1900000000LL
#define GOLDEN_NAME "Belanja Jasa Iklan/Reklame, Film, dan Pemotretan"

static const char *accounting_bin;
static char dsn[512];
static sk_test_peer accounting;
static sk_rpc_client *rpc;

/* ---- actors ---- */

static Seklik__Bus__Actor finance(void)
{
    return it_actor("finance-1", "finance", NULL);
}

/* The ordering service's system actor: no roles, as sk_inbox.c builds it. */
static Seklik__Bus__Actor ordering(void)
{
    Seklik__Bus__Actor a = SEKLIK__BUS__ACTOR__INIT;
    a.user_id = "system:ordering";
    a.company_id = "";
    return a;
}

/* ---- calls ---- */

static Seklik__Bus__Response *call_key(const char *method, const Seklik__Bus__Actor *actor,
                                       const char *key, const ProtobufCMessage *in)
{
    char full[64];
    snprintf(full, sizeof(full), "Accounting.%s", method);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call(rpc, full, actor, key, in, 30000, &resp), SK_OK);
    return resp;
}

static bool is_command(const char *method)
{
    static const char *const commands[] = {"CreateBudgetLine", "ReviseBudgetLine", "Reserve",
                                           "ReleaseReservation", "PostReservation"};
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i], method) == 0)
            return true;
    return false;
}

static Seklik__Bus__Response *call(const char *method, const Seklik__Bus__Actor *actor,
                                   const ProtobufCMessage *in)
{
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    return call_key(method, actor, is_command(method) ? key : NULL, in);
}

static void *body(const Seklik__Bus__Response *r, const ProtobufCMessageDescriptor *d)
{
    if (it_code(r) != SK_OK)
        fprintf(stderr, "code %d: %s\n", it_code(r), r->message);
    assert_int_equal(it_code(r), SK_OK);
    void *m = protobuf_c_message_unpack(d, NULL, r->body.len, r->body.data);
    assert_non_null(m);
    return m;
}

/* The response's code, freeing it; asserts `field` is named when not NULL. */
static int code_naming(Seklik__Bus__Response *r, const char *field)
{
    int code = it_code(r);
    if (field && !it_names_field(r, field)) {
        fprintf(stderr, "expected a violation naming %s; got code %d \"%s\" naming:", field, code,
                r->message);
        for (size_t i = 0; i < r->n_violations; i++)
            fprintf(stderr, " %s", r->violations[i]->field);
        fprintf(stderr, "\n");
        fail();
    }
    seklik__bus__response__free_unpacked(r, NULL);
    return code;
}

static long long sql(const char *fmt, const char *arg)
{
    char q[1024];
    snprintf(q, sizeof(q), fmt, arg);
    return sk_test_sql_number(dsn, q);
}

/* Rows that any write leaves: a refused command must change none. */
static long long footprint(void)
{
    return sk_test_sql_number(
        dsn, "SELECT (SELECT count(*) FROM accounting.budget_line) * 1000000"
             " + (SELECT count(*) FROM accounting.transfer) * 10000"
             " + (SELECT count(*) FROM accounting.revision) * 1000"
             " + (SELECT count(*) FROM accounting.reservation) * 100"
             " + (SELECT count(*) FROM accounting.audit_log)"
             " + (SELECT count(*) FROM accounting.outbox) * 7"
             " + (SELECT sum(version) FROM accounting.budget_line) * 13");
}

/* ---- budget lines ---- */

/* A sub-activity code of its own per line, so lines never collide. */
static void next_code(char out[32])
{
    static atomic_int n = 0;
    int k = atomic_fetch_add(&n, 1) + 1;
    snprintf(out, 32, "2.16.02.2.%02d.%04d", 1 + k / 10000, k % 10000);
}

static Seklik__Accounting__BudgetLine *create_line(int64_t pagu, const char *sub, const char *name)
{
    char code[32];
    if (!sub) {
        next_code(code);
        sub = code;
    }
    Seklik__Accounting__BudgetLineInput li = SEKLIK__ACCOUNTING__BUDGET_LINE_INPUT__INIT;
    li.fiscal_year = YEAR;
    li.sub_activity_code = (char *)sub;
    li.account_code = "5.1.02.02.01.0029";
    li.name = (char *)(name ? name : GOLDEN_NAME);
    Seklik__Accounting__CreateBudgetLineRequest req =
        SEKLIK__ACCOUNTING__CREATE_BUDGET_LINE_REQUEST__INIT;
    req.line = &li;
    req.pagu = pagu;
    req.document_number = "DPA/A.1/2.16.0.00.0.00.01.0000/001/2027";
    Seklik__Bus__Actor a = finance();
    Seklik__Bus__Response *r = call("CreateBudgetLine", &a, &req.base);
    Seklik__Accounting__BudgetLine *line = body(r, &seklik__accounting__budget_line__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    return line;
}

static Seklik__Accounting__BudgetLineDetail *get_line(const char *id)
{
    Seklik__Accounting__GetBudgetLineRequest req = SEKLIK__ACCOUNTING__GET_BUDGET_LINE_REQUEST__INIT;
    req.budget_line_id = (char *)id;
    Seklik__Bus__Actor a = it_actor("head-1", "head", NULL);
    Seklik__Bus__Response *r = call("GetBudgetLine", &a, &req.base);
    Seklik__Accounting__BudgetLineDetail *d =
        body(r, &seklik__accounting__budget_line_detail__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    return d;
}

/* The line's figures now: pagu, committed, realised, available. */
static void figures(const char *id, int64_t out[4])
{
    Seklik__Accounting__BudgetLineDetail *d = get_line(id);
    out[0] = d->line->balances->pagu;
    out[1] = d->line->balances->committed;
    out[2] = d->line->balances->realised;
    out[3] = d->line->balances->available;
    protobuf_c_message_free_unpacked(&d->base, NULL);
}

static void assert_figures(const char *id, int64_t pagu, int64_t committed, int64_t realised,
                           int64_t available)
{
    int64_t f[4];
    figures(id, f);
    assert_int_equal(f[0], pagu);
    assert_int_equal(f[1], committed);
    assert_int_equal(f[2], realised);
    assert_int_equal(f[3], available);
}

static Seklik__Bus__Response *revise_call(const char *id, int kind, int64_t new_pagu,
                                          int64_t expected_version)
{
    Seklik__Accounting__ReviseBudgetLineRequest req =
        SEKLIK__ACCOUNTING__REVISE_BUDGET_LINE_REQUEST__INIT;
    req.budget_line_id = (char *)id;
    req.kind = (Seklik__Accounting__RevisionKind)kind;
    req.new_pagu = new_pagu;
    req.reason = "Pergeseran anggaran antar sub kegiatan";
    req.document_number = "DPPA/A.1/001/2027";
    req.expected_version = expected_version;
    Seklik__Bus__Actor a = finance();
    return call("ReviseBudgetLine", &a, &req.base);
}

/* ---- reservations ---- */

static Seklik__Bus__Response *reserve_key(const char *order, const char *line, int64_t amount,
                                          const char *key)
{
    Seklik__Accounting__ReserveRequest req = SEKLIK__ACCOUNTING__RESERVE_REQUEST__INIT;
    req.order_id = (char *)order;
    req.budget_line_id = (char *)line;
    req.amount = amount;
    req.order_number = "";
    Seklik__Bus__Actor a = ordering();
    return call_key("Reserve", &a, key, &req.base);
}

static Seklik__Bus__Response *reserve_call(const char *order, const char *line, int64_t amount)
{
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    return reserve_key(order, line, amount, key);
}

static Seklik__Accounting__Reservation *reserve(const char *order, const char *line,
                                                int64_t amount)
{
    Seklik__Bus__Response *r = reserve_call(order, line, amount);
    Seklik__Accounting__Reservation *res = body(r, &seklik__accounting__reservation__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    return res;
}

static Seklik__Bus__Response *complete_call(const char *method, const char *order)
{
    Seklik__Accounting__ReservationRequest req = SEKLIK__ACCOUNTING__RESERVATION_REQUEST__INIT;
    req.order_id = (char *)order;
    req.reason = strcmp(method, "ReleaseReservation") == 0 ? "Order dibatalkan" : "";
    Seklik__Bus__Actor a = ordering();
    return call(method, &a, &req.base);
}

static Seklik__Accounting__Reservation *complete(const char *method, const char *order)
{
    Seklik__Bus__Response *r = complete_call(method, order);
    Seklik__Accounting__Reservation *res = body(r, &seklik__accounting__reservation__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    return res;
}

/* ---- fixture ---- */

static int start_accounting(void **state)
{
    (void)state;
    char log[512];
    if (!sk_test_create_db("it_accounting", dsn, sizeof(dsn)))
        return -1;
    sk_test_peer_init(&accounting, "accounting", dsn, sk_test_env("SEKLIK_TEST_REDIS_URL"));
    sk_test_peer_setenv(&accounting, "SEKLIK_DB_POOL_SIZE", "8");
    sk_test_peer_setenv(&accounting, "SEKLIK_RPC_CONCURRENCY", "16");
    if (sk_test_peer_start(&accounting, accounting_bin,
                           it_log(log, sizeof(log), "accounting", "accounting")))
        return -1;
    rpc = it_client(accounting.rpc);
    return 0;
}

static int stop_accounting(void **state)
{
    (void)state;
    sk_rpc_client_close(rpc);
    sk_proc_signal(&accounting.proc, SIGTERM);
    return sk_proc_wait(&accounting.proc, 15000) == 0 ? 0 : -1;
}

/* After every test: the ledger keeps its invariants. */
static int ledger_sound(void **state)
{
    (void)state;
    it_assert_ledger_sound(dsn);
    return 0;
}

/* ---- tests ---- */

static void golden_path_line_of_1_9_billion(void **state)
{
    (void)state;
    long long created_events = sql("SELECT count(*) FROM accounting.outbox WHERE type = '%s'",
                                   "accounting.budget_line.created");
    /* SIPD's code typed without dots is kept in SIPD's form. */
    Seklik__Accounting__BudgetLine *line = create_line(GOLDEN_PAGU, " 216021010001 ", NULL);
    assert_string_equal(line->data->sub_activity_code, "2.16.02.1.01.0001");
    assert_string_equal(line->data->account_code, "5.1.02.02.01.0029");
    assert_string_equal(line->data->name, GOLDEN_NAME);
    assert_int_equal(line->version, 1);
    assert_string_equal(line->created_by, "finance-1");
    assert_int_equal(line->balances->pagu, GOLDEN_PAGU);
    assert_int_equal(line->balances->available, GOLDEN_PAGU);
    assert_int_equal(line->balances->committed, 0);
    assert_int_equal(line->balances->realised, 0);

    Seklik__Accounting__BudgetLineDetail *d = get_line(line->id);
    assert_int_equal(d->n_revisions, 1);
    assert_int_equal(d->revisions[0]->kind, SEKLIK__ACCOUNTING__REVISION_KIND__REVISION_KIND_INITIAL);
    assert_int_equal(d->revisions[0]->pagu_before, 0);
    assert_int_equal(d->revisions[0]->pagu_after, GOLDEN_PAGU);
    assert_string_equal(d->revisions[0]->document_number, "DPA/A.1/2.16.0.00.0.00.01.0000/001/2027");
    assert_string_equal(d->revisions[0]->revised_by, "finance-1");
    assert_int_equal(strlen(d->revisions[0]->transfer_id), 36);

    /* The pagu is one transfer appropriation -> available, as the ledger shows it. */
    Seklik__Accounting__ListTransfersRequest lt = SEKLIK__ACCOUNTING__LIST_TRANSFERS_REQUEST__INIT;
    lt.budget_line_id = line->id;
    Seklik__Bus__Actor head = it_actor("head-1", "head", NULL);
    Seklik__Bus__Response *r = call("ListTransfers", &head, &lt.base);
    Seklik__Accounting__ListTransfersResponse *ledger =
        body(r, &seklik__accounting__list_transfers_response__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(ledger->n_transfers, 1);
    assert_int_equal(ledger->transfers[0]->amount, GOLDEN_PAGU);
    assert_int_equal(ledger->transfers[0]->kind, SEKLIK__ACCOUNTING__TRANSFER_KIND__TRANSFER_KIND_SINGLE);
    assert_string_equal(ledger->transfers[0]->code, "pagu.initial");
    assert_string_equal(ledger->transfers[0]->id, d->revisions[0]->transfer_id);
    assert_string_equal(ledger->transfers[0]->reference, d->revisions[0]->id);
    assert_int_equal(ledger->n_accounts, 3);
    for (size_t i = 0; i < ledger->n_accounts; i++) {
        const Seklik__Accounting__Account *a = ledger->accounts[i];
        if (a->kind == SEKLIK__ACCOUNTING__ACCOUNT_KIND__ACCOUNT_KIND_APPROPRIATION) {
            assert_string_equal(a->id, ledger->transfers[0]->debit_account_id);
            assert_int_equal(a->debits_posted, GOLDEN_PAGU);
            assert_true(a->credits_must_not_exceed_debits);
        } else if (a->kind == SEKLIK__ACCOUNTING__ACCOUNT_KIND__ACCOUNT_KIND_AVAILABLE) {
            assert_string_equal(a->id, ledger->transfers[0]->credit_account_id);
            assert_int_equal(a->credits_posted, GOLDEN_PAGU);
            assert_true(a->debits_must_not_exceed_credits);
        }
    }
    protobuf_c_message_free_unpacked(&ledger->base, NULL);

    /* The year's list adds the lines up. */
    Seklik__Accounting__ListBudgetLinesRequest lr =
        SEKLIK__ACCOUNTING__LIST_BUDGET_LINES_REQUEST__INIT;
    lr.fiscal_year = YEAR;
    r = call("ListBudgetLines", &head, &lr.base);
    Seklik__Accounting__ListBudgetLinesResponse *list =
        body(r, &seklik__accounting__list_budget_lines_response__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    int64_t pagu = 0;
    bool found = false;
    for (size_t i = 0; i < list->n_lines; i++) {
        pagu += list->lines[i]->balances->pagu;
        found |= strcmp(list->lines[i]->id, line->id) == 0;
    }
    assert_true(found);
    assert_int_equal(list->total->pagu, pagu);
    protobuf_c_message_free_unpacked(&list->base, NULL);

    /* Audited and announced, once. */
    assert_int_equal(sql("SELECT count(*) FROM accounting.audit_log WHERE entity_id = '%s'"
                         " AND action = 'budget_line.created' AND user_id = 'finance-1'",
                         line->id),
                     1);
    assert_int_equal(sql("SELECT count(*) FROM accounting.outbox WHERE type = '%s'",
                         "accounting.budget_line.created"),
                     created_events + 1);
    protobuf_c_message_free_unpacked(&d->base, NULL);
    protobuf_c_message_free_unpacked(&line->base, NULL);
}

static void revise_up_and_down_never_below_committed(void **state)
{
    (void)state;
    long long revised_events = sql("SELECT count(*) FROM accounting.outbox WHERE type = '%s'",
                                   "accounting.budget_line.revised");
    Seklik__Accounting__BudgetLine *line = create_line(GOLDEN_PAGU, NULL, NULL);
    const char *id = line->id;
    char order[SK_UUID_STRLEN];
    sk_uuid7(order);
    Seklik__Accounting__Reservation *res = reserve(order, id, 1500000000LL);
    protobuf_c_message_free_unpacked(&res->base, NULL);

    /* Up by a perubahan, down by a pergeseran. */
    Seklik__Bus__Response *r = revise_call(id, 3, 2000000000LL, 1);
    Seklik__Accounting__BudgetLineDetail *d =
        body(r, &seklik__accounting__budget_line_detail__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(d->line->version, 2);
    assert_int_equal(d->line->balances->pagu, 2000000000LL);
    assert_int_equal(d->n_revisions, 2);
    assert_int_equal(d->revisions[1]->kind, SEKLIK__ACCOUNTING__REVISION_KIND__REVISION_KIND_PERUBAHAN);
    assert_int_equal(d->revisions[1]->pagu_before, GOLDEN_PAGU);
    assert_int_equal(d->revisions[1]->pagu_after, 2000000000LL);
    assert_string_equal(d->revisions[1]->reason, "Pergeseran anggaran antar sub kegiatan");
    assert_string_equal(d->revisions[1]->document_number, "DPPA/A.1/001/2027");
    protobuf_c_message_free_unpacked(&d->base, NULL);
    r = revise_call(id, 2, 1600000000LL, 0);
    assert_int_equal(code_naming(r, NULL), SK_OK);
    assert_figures(id, 1600000000LL, 1500000000LL, 0, 100000000LL);

    /* Below committed: refused, nothing written. */
    long long before = footprint();
    r = revise_call(id, 2, 1499999999LL, 0);
    assert_int_equal(code_naming(r, "newPagu"), SK_EPRECOND);
    /* A stale version, an unchanged pagu, the initial kind: refused too. */
    assert_int_equal(code_naming(revise_call(id, 2, 1700000000LL, 2), "expectedVersion"),
                     SK_EPRECOND);
    assert_int_equal(code_naming(revise_call(id, 2, 1600000000LL, 0), "newPagu"), SK_EPRECOND);
    assert_int_equal(code_naming(revise_call(id, 1, 1700000000LL, 0), "kind"), SK_EINVAL);
    assert_int_equal(footprint(), before);
    assert_figures(id, 1600000000LL, 1500000000LL, 0, 100000000LL);

    /* Spent money counts like committed money; down to exactly what is used is allowed. */
    res = complete("PostReservation", order);
    protobuf_c_message_free_unpacked(&res->base, NULL);
    assert_int_equal(code_naming(revise_call(id, 2, 1400000000LL, 0), "newPagu"), SK_EPRECOND);
    assert_int_equal(code_naming(revise_call(id, 2, 1500000000LL, 3), NULL), SK_OK);
    assert_figures(id, 1500000000LL, 0, 1500000000LL, 0);
    assert_int_equal(sql("SELECT count(*) FROM accounting.audit_log WHERE entity_id = '%s'"
                         " AND action = 'budget_line.revised'",
                         id),
                     3);
    assert_int_equal(sql("SELECT count(*) FROM accounting.outbox WHERE type = '%s'",
                         "accounting.budget_line.revised"),
                     revised_events + 3);
    protobuf_c_message_free_unpacked(&line->base, NULL);
}

static void reserve_release_post_with_retries(void **state)
{
    (void)state;
    Seklik__Accounting__BudgetLine *line = create_line(10000000, NULL, NULL);
    const char *id = line->id;
    char x[SK_UUID_STRLEN], y[SK_UUID_STRLEN], key[SK_UUID_STRLEN];
    sk_uuid7(x);
    sk_uuid7(y);

    /* The same order twice (new keys, as a re-driven saga sends): one reservation. */
    Seklik__Accounting__Reservation *a = reserve(x, id, 1000000);
    Seklik__Accounting__Reservation *b = reserve(x, id, 1000000);
    assert_int_equal(a->state, SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_PENDING);
    assert_string_equal(a->transfer_id, b->transfer_id);
    assert_int_equal(a->line_balances->committed, 1000000);
    assert_int_equal(b->line_balances->committed, 1000000);
    assert_int_equal(sql("SELECT count(*) FROM accounting.reservation WHERE order_id = '%s'", x), 1);
    assert_int_equal(sql("SELECT count(*) FROM accounting.transfer WHERE reference = '%s'", x), 1);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&b->base, NULL);
    /* The same key again: the first response, word for word. */
    sk_uuid7(key);
    Seklik__Bus__Response *r1 = reserve_key(y, id, 2000000, key);
    Seklik__Bus__Response *r2 = reserve_key(y, id, 2000000, key);
    assert_int_equal(it_code(r1), SK_OK);
    assert_false(r1->replayed);
    assert_true(r2->replayed);
    assert_memory_equal(r1->body.data, r2->body.data, r1->body.len);
    seklik__bus__response__free_unpacked(r1, NULL);
    seklik__bus__response__free_unpacked(r2, NULL);
    assert_figures(id, 10000000, 3000000, 0, 7000000);
    /* Another amount or line for the same order: refused. */
    assert_int_equal(code_naming(reserve_call(x, id, 999999), "orderId"), SK_EEXISTS);

    /* Released twice: voided once. Posting it afterwards is refused. */
    a = complete("ReleaseReservation", x);
    b = complete("ReleaseReservation", x);
    assert_int_equal(a->state, SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_VOIDED);
    assert_string_equal(a->completed_by_transfer_id, b->completed_by_transfer_id);
    assert_string_equal(a->reason, "Order dibatalkan");
    assert_int_equal(b->line_balances->committed, 2000000);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&b->base, NULL);
    assert_int_equal(code_naming(complete_call("PostReservation", x), "orderId"), SK_EPRECOND);
    /* One reservation per order, ever: reserving it again answers the voided one. */
    a = reserve(x, id, 1000000);
    assert_int_equal(a->state, SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_VOIDED);
    protobuf_c_message_free_unpacked(&a->base, NULL);

    /* Posted twice: spent once. Releasing it afterwards is refused. */
    a = complete("PostReservation", y);
    b = complete("PostReservation", y);
    assert_int_equal(a->state, SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_POSTED);
    assert_string_equal(a->completed_by_transfer_id, b->completed_by_transfer_id);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&b->base, NULL);
    assert_int_equal(code_naming(complete_call("ReleaseReservation", y), "orderId"), SK_EPRECOND);
    assert_figures(id, 10000000, 0, 2000000, 8000000);

    /* GetReservation answers what is stored. */
    Seklik__Accounting__ReservationRequest g = SEKLIK__ACCOUNTING__RESERVATION_REQUEST__INIT;
    g.order_id = y;
    Seklik__Bus__Actor fin = finance();
    Seklik__Bus__Response *r = call("GetReservation", &fin, &g.base);
    a = body(r, &seklik__accounting__reservation__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(a->amount, 2000000);
    assert_string_equal(a->budget_line_id, id);
    assert_int_equal(a->state, SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_POSTED);
    assert_true(a->completed_at[0] != '\0');
    protobuf_c_message_free_unpacked(&a->base, NULL);
    char unknown[SK_UUID_STRLEN];
    sk_uuid7(unknown);
    g.order_id = unknown;
    assert_int_equal(code_naming(call("GetReservation", &fin, &g.base), "orderId"), SK_ENOTFOUND);

    /* The ledger by order, and the line's in pages. */
    Seklik__Accounting__ListTransfersRequest lt = SEKLIK__ACCOUNTING__LIST_TRANSFERS_REQUEST__INIT;
    lt.reference = x;
    r = call("ListTransfers", &fin, &lt.base);
    Seklik__Accounting__ListTransfersResponse *l =
        body(r, &seklik__accounting__list_transfers_response__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(l->n_transfers, 2);
    assert_int_equal(l->transfers[0]->kind, SEKLIK__ACCOUNTING__TRANSFER_KIND__TRANSFER_KIND_PENDING);
    assert_int_equal(l->transfers[1]->kind,
                     SEKLIK__ACCOUNTING__TRANSFER_KIND__TRANSFER_KIND_VOID_PENDING);
    assert_string_equal(l->transfers[1]->pending_id, l->transfers[0]->id);
    assert_int_equal(l->n_accounts, 2);
    protobuf_c_message_free_unpacked(&l->base, NULL);
    lt.reference = "";
    lt.budget_line_id = (char *)id;
    lt.page_size = 2;
    size_t seen = 0;
    for (int page = 0; page < 10; page++) {
        r = call("ListTransfers", &fin, &lt.base);
        l = body(r, &seklik__accounting__list_transfers_response__descriptor);
        seklik__bus__response__free_unpacked(r, NULL);
        seen += l->n_transfers;
        bool more = l->next_page_token[0] != '\0';
        static char token[64];
        snprintf(token, sizeof(token), "%s", l->next_page_token);
        lt.page_token = token;
        protobuf_c_message_free_unpacked(&l->base, NULL);
        if (!more)
            break;
    }
    assert_int_equal(seen, 5); /* pagu, two reservations, a void, a post */

    /* Events: one per change, none for the answers repeated. */
    assert_int_equal(sql("SELECT count(*) FROM accounting.outbox WHERE type = '%s'",
                         "accounting.reservation.released"),
                     sql("SELECT count(*) FROM accounting.reservation WHERE state = '%s'", "voided"));
    assert_int_equal(sql("SELECT count(*) FROM accounting.audit_log WHERE entity_id = '%s'", y), 2);
    protobuf_c_message_free_unpacked(&line->base, NULL);
}

static void reserve_beyond_available_names_budget_line(void **state)
{
    (void)state;
    Seklik__Accounting__BudgetLine *line = create_line(1000000, NULL, NULL);
    char order[SK_UUID_STRLEN];
    sk_uuid7(order);
    long long before = footprint();
    Seklik__Bus__Response *r = reserve_call(order, line->id, 1000001);
    assert_int_equal(it_code(r), SK_EPRECOND);
    assert_true(it_names_field_code(r, "budgetLine", "budget.insufficient"));
    /* the message leads with the code the UI words, then the English */
    assert_int_equal(strncmp(r->message, "budget.insufficient: ", 21), 0);
    assert_non_null(strstr(r->message, "Rp 1.000.000"));
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(footprint(), before);
    /* Exactly what is left fits. */
    Seklik__Accounting__Reservation *res = reserve(order, line->id, 1000000);
    assert_int_equal(res->line_balances->available, 0);
    protobuf_c_message_free_unpacked(&res->base, NULL);
    protobuf_c_message_free_unpacked(&line->base, NULL);
}

/* ---- concurrency ---- */

#define THREADS 8

typedef struct racer {
    pthread_barrier_t *start;
    const char *line;
    int64_t amount;
    int orders;                /* reservations each thread asks for */
    const char *same_order;    /* all threads ask for this order, when not NULL */
    int ok, refused, other;
    char transfer[SK_UUID_STRLEN];
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    pthread_barrier_wait(r->start);
    for (int i = 0; i < r->orders; i++) {
        char order[SK_UUID_STRLEN], key[SK_UUID_STRLEN];
        sk_uuid7(key);
        if (r->same_order)
            snprintf(order, sizeof(order), "%s", r->same_order);
        else
            sk_uuid7(order);
        Seklik__Accounting__ReserveRequest req = SEKLIK__ACCOUNTING__RESERVE_REQUEST__INIT;
        req.order_id = order;
        req.budget_line_id = (char *)r->line;
        req.amount = r->amount;
        Seklik__Bus__Actor a = ordering();
        Seklik__Bus__Response *resp = NULL;
        if (sk_rpc_call(rpc, "Accounting.Reserve", &a, key, &req.base, 30000, &resp) != SK_OK) {
            r->other++;
            continue;
        }
        int code = it_code(resp);
        if (code == SK_OK) {
            r->ok++;
            Seklik__Accounting__Reservation *res =
                seklik__accounting__reservation__unpack(NULL, resp->body.len, resp->body.data);
            if (res) {
                snprintf(r->transfer, sizeof(r->transfer), "%s", res->transfer_id);
                seklik__accounting__reservation__free_unpacked(res, NULL);
            }
        } else if (code == SK_EPRECOND && it_names_field(resp, "budgetLine")) {
            r->refused++;
        } else {
            fprintf(stderr, "race: code %d: %s\n", code, resp->message);
            r->other++;
        }
        seklik__bus__response__free_unpacked(resp, NULL);
    }
    return NULL;
}

static void run_race(racer *r, int n_threads)
{
    pthread_t t[THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)n_threads);
    for (int i = 0; i < n_threads; i++) {
        r[i].start = &start;
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < n_threads; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
}

static void eight_clients_reserve_exactly_what_fits(void **state)
{
    (void)state;
    const int64_t amount = 1000000;
    /* Round 1: one order each, the line fits 5 of the 8. */
    Seklik__Accounting__BudgetLine *line = create_line(5 * amount, NULL, NULL);
    racer r[THREADS];
    for (int i = 0; i < THREADS; i++)
        r[i] = (racer){.line = line->id, .amount = amount, .orders = 1};
    run_race(r, THREADS);
    int ok = 0, refused = 0, other = 0;
    for (int i = 0; i < THREADS; i++) {
        ok += r[i].ok;
        refused += r[i].refused;
        other += r[i].other;
    }
    assert_int_equal(other, 0);
    assert_int_equal(ok, 5);
    assert_int_equal(refused, 3);
    assert_figures(line->id, 5 * amount, 5 * amount, 0, 0);
    assert_int_equal(sql("SELECT count(*) FROM accounting.reservation WHERE budget_line_id = '%s'",
                         line->id),
                     5);
    protobuf_c_message_free_unpacked(&line->base, NULL);

    /* Round 2: ten orders each, the line fits 37 of the 80. */
    line = create_line(37 * amount, NULL, NULL);
    for (int i = 0; i < THREADS; i++)
        r[i] = (racer){.line = line->id, .amount = amount, .orders = 10};
    run_race(r, THREADS);
    ok = refused = other = 0;
    for (int i = 0; i < THREADS; i++) {
        ok += r[i].ok;
        refused += r[i].refused;
        other += r[i].other;
    }
    assert_int_equal(other, 0);
    assert_int_equal(ok, 37);
    assert_int_equal(refused, 43);
    assert_figures(line->id, 37 * amount, 37 * amount, 0, 0);
    protobuf_c_message_free_unpacked(&line->base, NULL);

    /* Round 3: all eight for the same order: one reservation, every answer the same. */
    line = create_line(10 * amount, NULL, NULL);
    char order[SK_UUID_STRLEN];
    sk_uuid7(order);
    for (int i = 0; i < THREADS; i++)
        r[i] = (racer){.line = line->id, .amount = amount, .orders = 1, .same_order = order};
    run_race(r, THREADS);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(r[i].ok, 1);
        assert_string_equal(r[i].transfer, r[0].transfer);
    }
    assert_figures(line->id, 10 * amount, amount, 0, 9 * amount);
    assert_int_equal(sql("SELECT count(*) FROM accounting.transfer WHERE reference = '%s'", order),
                     1);
    protobuf_c_message_free_unpacked(&line->base, NULL);
}

/* ---- SIGKILL under load ---- */

typedef struct loader {
    const char *line;
    atomic_bool *stop;
    int done; /* orders that ended reserved (and released every third) */
    char orders[64][SK_UUID_STRLEN];
    bool released[64];
} loader;

/* Calls the dead service did not answer, across the loaders. */
static atomic_int unanswered;

/* Call until the service gives an answer (it may be dead for a while): the
 * same idempotency key every time, as a client must retry. */
static int until_answered(const char *method, const ProtobufCMessage *in, const char *key)
{
    Seklik__Bus__Actor a = ordering();
    for (int attempt = 0; attempt < 400; attempt++) {
        Seklik__Bus__Response *resp = NULL;
        int rc = sk_rpc_call(rpc, method, &a, key, in, 1500, &resp);
        if (rc == SK_OK) {
            int code = it_code(resp);
            seklik__bus__response__free_unpacked(resp, NULL);
            if (code != SK_EUNAVAIL && code != SK_EINTERNAL)
                return code;
        }
        atomic_fetch_add(&unanswered, 1);
        sk_test_sleep_ms(50);
    }
    return SK_ETIMEDOUT;
}

static void *load(void *arg)
{
    loader *l = arg;
    for (int i = 0; i < 64 && !atomic_load(l->stop); i++) {
        char key[SK_UUID_STRLEN];
        sk_uuid7(l->orders[i]);
        sk_uuid7(key);
        Seklik__Accounting__ReserveRequest req = SEKLIK__ACCOUNTING__RESERVE_REQUEST__INIT;
        req.order_id = l->orders[i];
        req.budget_line_id = (char *)l->line;
        req.amount = 1000 + i;
        if (until_answered("Accounting.Reserve", &req.base, key) != SK_OK)
            break;
        if (i % 3 == 2) {
            Seklik__Accounting__ReservationRequest rel = SEKLIK__ACCOUNTING__RESERVATION_REQUEST__INIT;
            rel.order_id = l->orders[i];
            rel.reason = "batal";
            sk_uuid7(key);
            if (until_answered("Accounting.ReleaseReservation", &rel.base, key) != SK_OK)
                break;
            l->released[i] = true;
        }
        l->done = i + 1;
    }
    return NULL;
}

static void sigkill_under_load_leaves_the_ledger_balanced(void **state)
{
    (void)state;
    Seklik__Accounting__BudgetLine *line = create_line(GOLDEN_PAGU, NULL, NULL);
    enum { LOADERS = 4 };
    static loader l[LOADERS];
    atomic_bool stop = false;
    pthread_t t[LOADERS];
    for (int i = 0; i < LOADERS; i++) {
        memset(&l[i], 0, sizeof(l[i]));
        l[i].line = line->id;
        l[i].stop = &stop;
        assert_int_equal(pthread_create(&t[i], NULL, load, &l[i]), 0);
    }
    /* Kill once the load is under way, twice. */
    for (int kill = 0; kill < 2; kill++) {
        for (int i = 0; i < 200; i++) {
            long long n = sk_test_sql_number(dsn, "SELECT count(*) FROM accounting.reservation");
            if (n >= 20 * (kill + 1))
                break;
            sk_test_sleep_ms(20);
        }
        sk_proc_signal(&accounting.proc, SIGKILL);
        assert_int_equal(sk_proc_wait(&accounting.proc, 10000), 128 + SIGKILL);
        char log[512];
        assert_int_equal(sk_test_peer_start(&accounting, accounting_bin,
                                            it_log(log, sizeof(log), "accounting", "accounting")),
                         0);
    }
    for (int i = 0; i < LOADERS; i++)
        pthread_join(t[i], NULL);
    /* The kills landed under load: some calls went unanswered and were retried. */
    assert_true(atomic_load(&unanswered) > 0);

    /* Every order a loader saw reserved is reserved once, in the state it
     * asked for; nothing else is. */
    int64_t committed = 0;
    long long orders = 0;
    for (int i = 0; i < LOADERS; i++) {
        assert_int_equal(l[i].done, 64);
        for (int k = 0; k < l[i].done; k++) {
            orders++;
            assert_int_equal(sql("SELECT count(*) FROM accounting.transfer WHERE reference = '%s'"
                                 " AND kind = 'pending'",
                                 l[i].orders[k]),
                             1);
            assert_int_equal(sql("SELECT count(*) FROM accounting.reservation WHERE order_id = '%s'",
                                 l[i].orders[k]),
                             1);
            assert_int_equal(sql("SELECT (state = 'voided')::int FROM accounting.reservation"
                                 " WHERE order_id = '%s'",
                                 l[i].orders[k]),
                             l[i].released[k]);
            if (!l[i].released[k])
                committed += 1000 + k;
        }
    }
    assert_int_equal(sql("SELECT count(*) FROM accounting.reservation WHERE budget_line_id = '%s'",
                         line->id),
                     orders);
    assert_figures(line->id, GOLDEN_PAGU, committed, 0, GOLDEN_PAGU - committed);
    protobuf_c_message_free_unpacked(&line->base, NULL);
}

/* ---- who may ---- */

typedef struct who {
    const char *name;
    Seklik__Bus__Actor actor;
} who;

static void partner_wall_and_role_matrix(void **state)
{
    (void)state;
    char company[SK_UUID_STRLEN];
    sk_uuid7(company);
    who people[] = {
        {"admin", it_actor("u-admin", "admin", NULL)},
        {"finance", it_actor("u-finance", "finance", NULL)},
        {"head", it_actor("u-head", "head", NULL)},
        {"partnership", it_actor("u-partnership", "partnership", NULL)},
        {"verifier", it_actor("u-verifier", "verifier", NULL)},
        {"pr", it_actor("u-pr", "pr", NULL)},
        {"partner", it_actor("u-partner", "partner", company)},
        {"ordering", ordering()},
        {"anonymous", (Seklik__Bus__Actor)SEKLIK__BUS__ACTOR__INIT},
        {"scoring", (Seklik__Bus__Actor)SEKLIK__BUS__ACTOR__INIT},
        {"ordering+company", ordering()},
        {"finance+company", it_actor("u-finance2", "finance", company)},
    };
    people[9].actor.user_id = "system:scoring";
    people[10].actor.company_id = company;
    /* Who may call each method: a, f, h, p, v, r (pr), P (partner), o (ordering). */
    static const struct {
        const char *method;
        const char *allowed;
    } matrix[] = {
        {"CreateBudgetLine", "af"},     {"ReviseBudgetLine", "af"},
        {"GetBudgetLine", "afhpvro"},   {"ListBudgetLines", "afhpvro"},
        {"ListTransfers", "afhpvro"},   {"Reserve", "afo"},
        {"ReleaseReservation", "afo"},  {"PostReservation", "afo"},
        {"GetReservation", "afo"},
    };
    static const char letters[] = "afhpvrPo....";
    long long before = footprint();
    for (size_t m = 0; m < sizeof(matrix) / sizeof(matrix[0]); m++) {
        const ProtobufCMethodDescriptor *md = protobuf_c_service_descriptor_get_method_by_name(
            &seklik__accounting__accounting__descriptor, matrix[m].method);
        assert_non_null(md);
        /* An empty request: the role is checked before the input, so those
         * refused hear PERMISSION_DENIED, the others what is wrong with it. */
        ProtobufCMessage *in = calloc(1, md->input->sizeof_message);
        md->input->message_init(in);
        for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
            bool may = letters[i] != '.' && letters[i] != 'P' && strchr(matrix[m].allowed, letters[i]);
            int code = code_naming(call(matrix[m].method, &people[i].actor, in), NULL);
            if (may != (code != SK_EPERM)) {
                fprintf(stderr, "%s as %s: code %d\n", matrix[m].method, people[i].name, code);
                fail();
            }
            if (may)
                assert_true(code == SK_EINVAL || code == SK_ENOTFOUND);
        }
        free(in);
    }
    assert_int_equal(footprint(), before);

    /* A partner cannot read or move a line it knows the id of. */
    Seklik__Accounting__BudgetLine *line = create_line(1000000, NULL, NULL);
    Seklik__Accounting__GetBudgetLineRequest g = SEKLIK__ACCOUNTING__GET_BUDGET_LINE_REQUEST__INIT;
    g.budget_line_id = line->id;
    assert_int_equal(code_naming(call("GetBudgetLine", &people[6].actor, &g.base), NULL), SK_EPERM);
    char order[SK_UUID_STRLEN];
    sk_uuid7(order);
    Seklik__Accounting__ReserveRequest rr = SEKLIK__ACCOUNTING__RESERVE_REQUEST__INIT;
    rr.order_id = order;
    rr.budget_line_id = line->id;
    rr.amount = 1000;
    assert_int_equal(code_naming(call("Reserve", &people[6].actor, &rr.base), NULL), SK_EPERM);
    assert_int_equal(code_naming(call("Reserve", &people[2].actor, &rr.base), NULL), SK_EPERM);
    assert_figures(line->id, 1000000, 0, 0, 1000000);
    protobuf_c_message_free_unpacked(&line->base, NULL);
}

/* ---- bad input ---- */

static void bad_input_names_the_field_and_writes_nothing(void **state)
{
    (void)state;
    Seklik__Accounting__BudgetLine *line = create_line(5000000, NULL, NULL);
    Seklik__Bus__Actor fin = finance();
    long long before = footprint();

    Seklik__Accounting__BudgetLineInput li = SEKLIK__ACCOUNTING__BUDGET_LINE_INPUT__INIT;
    li.fiscal_year = 1999;
    li.sub_activity_code = "2.16.02.1.01";
    li.account_code = "4.1.01.01.01.0001"; /* revenue, not spending */
    li.name = "  ";
    Seklik__Accounting__CreateBudgetLineRequest cr =
        SEKLIK__ACCOUNTING__CREATE_BUDGET_LINE_REQUEST__INIT;
    cr.line = &li;
    cr.pagu = 5;
    Seklik__Bus__Response *r = call("CreateBudgetLine", &fin, &cr.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field_code(r, "line.fiscalYear", "out_of_range"));
    assert_true(it_names_field_code(r, "line.subActivityCode", "sub_activity_code.invalid"));
    assert_true(it_names_field_code(r, "line.accountCode", "account_code.invalid"));
    assert_true(it_names_field_code(r, "line.name", "required"));
    seklik__bus__response__free_unpacked(r, NULL);
    /* A name's limit is in characters, as the UI states it: 250 two-byte
     * characters are a name, 251 are not, and the refusal says so. */
    char name[251 * 2 + 1];
    for (int i = 0; i < 251; i++)
        memcpy(name + 2 * i, "\xc3\xa9", 2);
    name[250 * 2] = '\0';
    Seklik__Accounting__BudgetLine *wide = create_line(1, NULL, name);
    assert_int_equal((int)strlen(wide->data->name), 500);
    protobuf_c_message_free_unpacked(&wide->base, NULL);
    before = footprint(); /* that line was meant to be written */
    name[250 * 2] = '\xc3';
    name[251 * 2] = '\0';
    li.fiscal_year = YEAR;
    li.sub_activity_code = "2.16.02.1.01.0998";
    li.account_code = "5.1.02.02.01.0029";
    li.name = name;
    r = call("CreateBudgetLine", &fin, &cr.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field_code(r, "line.name", "too_long"));
    for (size_t i = 0; i < r->n_violations; i++)
        if (strcmp(r->violations[i]->field, "line.name") == 0)
            assert_string_equal(r->violations[i]->description, "at most 250 characters");
    seklik__bus__response__free_unpacked(r, NULL);
    /* Over the bus's bounds: refused before the handler. */
    li.fiscal_year = YEAR;
    li.sub_activity_code = "2.16.02.1.01.0999";
    li.account_code = "5.1.02.02.01.0029";
    li.name = "Belanja";
    cr.pagu = 10000000000001LL;
    assert_int_equal(code_naming(call("CreateBudgetLine", &fin, &cr.base), "pagu"), SK_EINVAL);
    cr.pagu = -1;
    assert_int_equal(code_naming(call("CreateBudgetLine", &fin, &cr.base), "pagu"), SK_EINVAL);
    cr.line = NULL;
    cr.pagu = 1;
    assert_int_equal(code_naming(call("CreateBudgetLine", &fin, &cr.base), "line"), SK_EINVAL);
    /* The same codes twice in a year. */
    li.sub_activity_code = line->data->sub_activity_code;
    cr.line = &li;
    assert_int_equal(code_naming(call("CreateBudgetLine", &fin, &cr.base), "line.accountCode"),
                     SK_EEXISTS);

    /* Revisions: a bad id, no reason, no document. */
    assert_int_equal(code_naming(revise_call("not-a-uuid", 2, 1, 0), "budgetLineId"), SK_EINVAL);
    Seklik__Accounting__ReviseBudgetLineRequest rv =
        SEKLIK__ACCOUNTING__REVISE_BUDGET_LINE_REQUEST__INIT;
    rv.budget_line_id = line->id;
    rv.kind = 2;
    rv.new_pagu = 6000000;
    rv.reason = " ";
    rv.document_number = "";
    r = call("ReviseBudgetLine", &fin, &rv.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field(r, "reason"));
    assert_true(it_names_field(r, "documentNumber"));
    seklik__bus__response__free_unpacked(r, NULL);
    char unknown[SK_UUID_STRLEN];
    sk_uuid7(unknown);
    assert_int_equal(code_naming(revise_call(unknown, 2, 1, 0), "budgetLineId"), SK_ENOTFOUND);

    /* Reservations: bad ids (the bus's format check), no amount, an unknown line. */
    r = reserve_call("order-1", "line-1", 0);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field(r, "orderId"));
    assert_true(it_names_field(r, "budgetLineId"));
    seklik__bus__response__free_unpacked(r, NULL);
    char order[SK_UUID_STRLEN];
    sk_uuid7(order);
    assert_int_equal(code_naming(reserve_call(order, line->id, 0), "amount"), SK_EINVAL);
    assert_int_equal(code_naming(reserve_call(order, unknown, 1000), "budgetLineId"), SK_ENOTFOUND);
    assert_int_equal(code_naming(complete_call("ReleaseReservation", order), "orderId"),
                     SK_ENOTFOUND);
    assert_int_equal(code_naming(complete_call("PostReservation", "x"), "orderId"), SK_EINVAL);

    /* Listing: both filters, neither, a bad token. */
    Seklik__Accounting__ListTransfersRequest lt = SEKLIK__ACCOUNTING__LIST_TRANSFERS_REQUEST__INIT;
    assert_int_equal(code_naming(call("ListTransfers", &fin, &lt.base), "budgetLineId"), SK_EINVAL);
    lt.budget_line_id = line->id;
    lt.reference = order;
    assert_int_equal(code_naming(call("ListTransfers", &fin, &lt.base), "reference"), SK_EINVAL);
    lt.reference = "";
    lt.page_token = "-5";
    assert_int_equal(code_naming(call("ListTransfers", &fin, &lt.base), "pageToken"), SK_EINVAL);
    Seklik__Accounting__ListBudgetLinesRequest lr =
        SEKLIK__ACCOUNTING__LIST_BUDGET_LINES_REQUEST__INIT;
    assert_int_equal(code_naming(call("ListBudgetLines", &fin, &lr.base), "fiscalYear"), SK_EINVAL);

    assert_int_equal(footprint(), before);
    assert_figures(line->id, 5000000, 0, 0, 5000000);
    protobuf_c_message_free_unpacked(&line->base, NULL);
}

/* ---- the database's own guards, and the checks that watch them ---- */

/* Run the constant statements `setup` (or none), then `stmt` with `param`
 * as $1, in one transaction on `c`, then the ledger checks inside it; roll
 * back. Returns the names of the failed checks, space-separated. */
static void tampered(PGconn *c, const char *setup, const char *stmt, const char *param,
                     char *failed, size_t cap)
{
    PGresult *r = PQexec(c, "BEGIN");
    PQclear(r);
    if (setup) {
        r = PQexec(c, setup);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fprintf(stderr, "tamper: %s", PQresultErrorMessage(r));
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
    }
    r = PQexecParams(c, stmt, 1, NULL, &param, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fprintf(stderr, "tamper: %s", PQresultErrorMessage(r));
    assert_true(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
    PQclear(r);
    failed[0] = '\0';
    r = PQexec(c, "SELECT check_name FROM accounting.ledger_check() WHERE NOT ok");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(r); i++) {
        strncat(failed, PQgetvalue(r, i, 0), cap - strlen(failed) - 2);
        strncat(failed, " ", cap - strlen(failed) - 1);
    }
    PQclear(r);
    r = PQexec(c, "ROLLBACK");
    PQclear(r);
}

/* Whether `stmt` (with `n` text parameters $1..$n) fails with `sqlstate`. */
static bool refused_p(PGconn *c, const char *stmt, int n, const char *const *params,
                      const char *sqlstate)
{
    PGresult *r = n > 0 ? PQexecParams(c, stmt, n, NULL, params, NULL, NULL, 0) : PQexec(c, stmt);
    const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    bool ok = PQresultStatus(r) == PGRES_FATAL_ERROR && st && strcmp(st, sqlstate) == 0;
    if (!ok)
        fprintf(stderr, "%s: %s %s\n", stmt, PQresStatus(PQresultStatus(r)), st ? st : "");
    PQclear(r);
    return ok;
}

static bool refused(PGconn *c, const char *stmt, const char *sqlstate)
{
    return refused_p(c, stmt, 0, NULL, sqlstate);
}

static void ledger_guards_and_checks_catch_tampering(void **state)
{
    (void)state;
    Seklik__Accounting__BudgetLine *line = create_line(3000000, NULL, NULL);
    char order[SK_UUID_STRLEN], posted[SK_UUID_STRLEN];
    sk_uuid7(order);
    sk_uuid7(posted);
    Seklik__Accounting__Reservation *res = reserve(order, line->id, 1000000);
    protobuf_c_message_free_unpacked(&res->base, NULL);
    res = reserve(posted, line->id, 500000);
    protobuf_c_message_free_unpacked(&res->base, NULL);
    res = complete("PostReservation", posted);
    protobuf_c_message_free_unpacked(&res->base, NULL);
    it_assert_ledger_sound(dsn);

    PGconn *c = PQconnectdb(dsn);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    char failed[512];
    /* The database refuses: changing or removing a transfer, moving a
     * balance by hand, overdrawing, completing a pending transfer twice,
     * replaying an id with other fields. */
    assert_true(refused(c, "UPDATE accounting.transfer SET amount = amount + 1", "23001"));
    assert_true(refused(c, "DELETE FROM accounting.transfer", "23001"));
    assert_true(refused(c, "TRUNCATE accounting.transfer CASCADE", "23001"));
    assert_true(refused(c, "UPDATE accounting.revision SET pagu_after = 1", "23001"));
    assert_true(refused(c, "UPDATE accounting.account SET credits_posted = credits_posted + 1",
                        "23001"));
    assert_true(refused(c, "DELETE FROM accounting.account", "23001"));
    const char *line_p[] = {line->id}, *posted_p[] = {posted, posted}, *order_p[] = {order};
    assert_true(
        refused_p(c,
                  "SELECT accounting.apply_transfer(gen_random_uuid(), a.id, r.id, 1500001,"
                  " 'pending', NULL, 'reservation', gen_random_uuid()::text, '', 'it')"
                  " FROM accounting.account a, accounting.account r WHERE a.budget_line_id ="
                  " $1::uuid AND a.kind = 'available' AND r.budget_line_id = a.budget_line_id"
                  " AND r.kind = 'realised'",
                  1, line_p, "23514"));
    assert_true(refused_p(c,
                          "SELECT accounting.apply_transfer(gen_random_uuid(), NULL, NULL, NULL,"
                          " 'void_pending', transfer_id, 'reservation.void', $1::text, '', 'it')"
                          " FROM accounting.reservation WHERE order_id = $2::uuid",
                          2, posted_p, "23505"));
    assert_true(
        refused_p(c,
                  "SELECT accounting.apply_transfer(transfer_id, a.id, r.id, amount + 1,"
                  " 'pending', NULL, 'reservation', order_id::text, '', 'it')"
                  " FROM accounting.reservation"
                  " JOIN accounting.account a ON a.budget_line_id = reservation.budget_line_id"
                  " AND a.kind = 'available' JOIN accounting.account r ON r.budget_line_id ="
                  " reservation.budget_line_id AND r.kind = 'realised' WHERE order_id = $1::uuid",
                  1, order_p, "23505"));

    /* Each invariant's check catches the corruption it is about (the guards
     * switched off inside a transaction that is rolled back). */
    tampered(c, "ALTER TABLE accounting.account DISABLE TRIGGER account_guard",
             "UPDATE accounting.account SET debits_posted = debits_posted + 1"
             " WHERE budget_line_id = $1::uuid AND kind = 'realised'",
             line->id, failed, sizeof(failed));
    assert_non_null(strstr(failed, "ledger_balances_match_transfers"));
    assert_non_null(strstr(failed, "ledger_debits_equal_credits"));
    tampered(c,
             "ALTER TABLE accounting.account DISABLE TRIGGER account_guard;"
             " ALTER TABLE accounting.account DROP CONSTRAINT account_debits_within_credits",
             "UPDATE accounting.account SET debits_must_not_exceed_credits = false"
             " WHERE budget_line_id = $1::uuid AND kind = 'available'",
             line->id, failed, sizeof(failed));
    assert_string_equal(failed, "ledger_limits_hold ");
    tampered(c, "DROP INDEX accounting.transfer_completes_once",
             "INSERT INTO accounting.transfer (id, debit_account_id, credit_account_id, amount,"
             " kind, pending_id, code, reference, created_by) SELECT gen_random_uuid(),"
             " debit_account_id, credit_account_id, amount, 'void_pending', id, 'reservation.void',"
             " reference, 'it' FROM accounting.transfer WHERE id = (SELECT transfer_id FROM"
             " accounting.reservation WHERE order_id = $1::uuid)",
             posted, failed, sizeof(failed));
    assert_non_null(strstr(failed, "ledger_pending_completed_once"));
    tampered(c, NULL,
             "UPDATE accounting.reservation SET state = 'posted', completed_at = now(),"
             " completed_by_transfer_id = transfer_id WHERE order_id = $1::uuid",
             order, failed, sizeof(failed));
    assert_string_equal(failed, "ledger_reservations_match_transfers ");
    tampered(c, "ALTER TABLE accounting.revision DISABLE TRIGGER revision_immutable",
             "UPDATE accounting.revision SET pagu_after = pagu_after + 1"
             " WHERE budget_line_id = $1::uuid",
             line->id, failed, sizeof(failed));
    assert_string_equal(failed, "ledger_lines_match_revisions ");
    PQfinish(c);
    protobuf_c_message_free_unpacked(&line->base, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s TESTPUB TESTSUB LOGDIR SEKLIK-ACCOUNTING\n", argv[0]);
        return 2;
    }
    accounting_bin = argv[4];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(golden_path_line_of_1_9_billion, ledger_sound),
        cmocka_unit_test_teardown(revise_up_and_down_never_below_committed, ledger_sound),
        cmocka_unit_test_teardown(reserve_release_post_with_retries, ledger_sound),
        cmocka_unit_test_teardown(reserve_beyond_available_names_budget_line, ledger_sound),
        cmocka_unit_test_teardown(eight_clients_reserve_exactly_what_fits, ledger_sound),
        cmocka_unit_test_teardown(partner_wall_and_role_matrix, ledger_sound),
        cmocka_unit_test_teardown(bad_input_names_the_field_and_writes_nothing, ledger_sound),
        cmocka_unit_test_teardown(ledger_guards_and_checks_catch_tampering, ledger_sound),
        cmocka_unit_test_teardown(sigkill_under_load_leaves_the_ledger_balanced, ledger_sound),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start_accounting,
                    stop_accounting);
}
