/* Issue 11's migrations on data written before them: each service's schema
 * migrated up to the migration before, rows written as the old code wrote
 * them, then the rest applied (as a deployed service does at its next
 * start), and the rows read as the new code reads them.
 *
 * - registry: a 15-digit NPWP is stored in its 16-digit form; the outlets of
 *   a decided company take its outcome.
 * - verification: an accepted document is the version in force; a case
 *   decided for the whole company gets its outlets, with its outcome, from
 *   its snapshot (the backfill job).
 * - scoring: a company's standing becomes each of its outlets'. */
#include <stdlib.h>

#include "internal.h"
#include "it_common.h"
#include "seklik/registry.pb-c.h"
#include "sk_outbox.h"

extern const sk_migration registry_migrations[], verification_migrations[], scoring_migrations[];
extern const size_t registry_migrations_count, verification_migrations_count,
    scoring_migrations_count;

static char g_dsn[512];

/* The bus tables and the service's migrations before `upto` (its file name
 * prefix, "0005"); all of them for NULL. */
static void migrate(const char *schema, const sk_migration *m, size_t count, const char *upto)
{
    sk_migration *all = calloc(sk_bus_migrations_count + count + 1, sizeof(*all));
    assert_non_null(all);
    memcpy(all, sk_bus_migrations, sk_bus_migrations_count * sizeof(*all));
    size_t n = sk_bus_migrations_count;
    for (size_t i = 0; i < count && (!upto || strncmp(m[i].name, upto, 4) < 0); i++)
        all[n++] = m[i];
    sk_db_pool *pool = NULL;
    assert_int_equal(sk_db_pool_open(g_dsn, schema, 1, &pool), SK_OK);
    assert_int_equal(sk_db_migrate(pool, all, n), SK_OK);
    sk_db_pool_close(pool);
    free(all);
}

static void exec(const char *sql)
{
    assert_int_equal(sk_test_sql_exec(g_dsn, sql), 0);
}

static void registry_numbers_and_outlets_follow_the_new_rules(void **state)
{
    (void)state;
    migrate("registry", registry_migrations, registry_migrations_count, "0005");
    exec("INSERT INTO registry.company (id, legal_name, legal_form, deed_number, deed_date, nib,"
         " npwp, address, status, verified_until, fiscal_year) VALUES"
         " ('0190a0a0-0000-7000-8000-00000000e001', 'PT Lama', 'PT', '1', '2015-01-01',"
         " '1234567890123', '012345678901234', 'Jl. Lama', 'verified', '2027-12-31', 2027),"
         " ('0190a0a0-0000-7000-8000-00000000e002', 'PT Baru', 'PT', '1', '2015-01-01',"
         " '1234567890123', '3201234567890001', 'Jl. Baru', 'draft', NULL, NULL);"
         "INSERT INTO registry.outlet (id, company_id, type, scale, name) VALUES"
         " ('0190a0a0-0000-7000-8000-00000000e011', '0190a0a0-0000-7000-8000-00000000e001',"
         " 'siber', 'lokal', 'Portal Lama'),"
         " ('0190a0a0-0000-7000-8000-00000000e012', '0190a0a0-0000-7000-8000-00000000e002',"
         " 'siber', 'lokal', 'Portal Baru')");
    migrate("registry", registry_migrations, registry_migrations_count, NULL);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM registry.company WHERE"
                                               " npwp = '0012345678901234'"),
                     1);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM registry.company WHERE"
                                               " npwp = '3201234567890001'"),
                     1); /* a 16-digit one as it was */
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM registry.outlet WHERE"
                                               " status = 'verified' AND verified_until ="
                                               " '2027-12-31' AND status_fiscal_year = 2027"),
                     1);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM registry.outlet WHERE"
                                               " status IS NULL"),
                     1); /* the draft's outlet: nothing decided */
}

static void scoring_standing_becomes_each_outlets(void **state)
{
    (void)state;
    migrate("scoring", scoring_migrations, scoring_migrations_count, "0003");
    exec("INSERT INTO scoring.outlet_input (outlet_id, company_id, outlet_name, outlet_type,"
         " reach_value, dewan_pers_status, chief_editor_ukw, journalists_total,"
         " journalists_valid_ukw, established_on) VALUES"
         " ('0190a0a0-0000-7000-8000-00000000e111', '0190a0a0-0000-7000-8000-00000000e101',"
         " 'A', 2, 1000, 2, 2, 1, 1, '2015-01-01'),"
         " ('0190a0a0-0000-7000-8000-00000000e112', '0190a0a0-0000-7000-8000-00000000e101',"
         " 'B', 3, 1000, 2, 2, 1, 1, '2015-01-01');"
         "INSERT INTO scoring.company_standing (company_id, fiscal_year, verified, suspended)"
         " VALUES ('0190a0a0-0000-7000-8000-00000000e101', 2027, true, true)");
    migrate("scoring", scoring_migrations, scoring_migrations_count, NULL);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM scoring.outlet_standing"
                                               " WHERE fiscal_year = 2027 AND verified AND"
                                               " suspended"),
                     2);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM scoring.company_input"
                                               " WHERE established_on = '2015-01-01'"),
                     1);
}

static void a_company_wide_decision_becomes_its_outlets(void **state)
{
    (void)state;
    migrate("verification", verification_migrations, verification_migrations_count, "0004");
    /* The snapshot the old code kept: a company with two outlets. */
    Seklik__Registry__OutletInput oi = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    oi.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_RADIO;
    oi.name = "Radio Lama";
    Seklik__Registry__Outlet o1 = SEKLIK__REGISTRY__OUTLET__INIT, o2 = SEKLIK__REGISTRY__OUTLET__INIT;
    o1.id = "0190a0a0-0000-7000-8000-00000000e211";
    o1.data = &oi;
    o2.id = "0190a0a0-0000-7000-8000-00000000e212";
    o2.data = &oi;
    Seklik__Registry__Outlet *outlets[] = {&o1, &o2};
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    ci.legal_form = SEKLIK__REGISTRY__LEGAL_FORM__LEGAL_FORM_PT;
    Seklik__Registry__Company co = SEKLIK__REGISTRY__COMPANY__INIT;
    co.id = "0190a0a0-0000-7000-8000-00000000e201";
    co.data = &ci;
    co.outlets = outlets;
    co.n_outlets = 2;
    size_t len = seklik__registry__company__get_packed_size(&co);
    uint8_t *packed = malloc(len);
    assert_non_null(packed);
    seklik__registry__company__pack(&co, packed);
    char *hex = malloc(2 * len + 1);
    assert_non_null(hex);
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", packed[i]);
    const char *snapshot[] = {hex};
    assert_int_equal(
        sk_test_sql_exec_params(
            g_dsn,
            "INSERT INTO verification.verification_case (id, company_id, company_name,"
            " fiscal_year, state, registered_by, decided_by, approved_by, valid_until, snapshot)"
            " VALUES ('0190a0a0-0000-7000-8000-00000000e2c0',"
            " '0190a0a0-0000-7000-8000-00000000e201', 'PT Lama', 2027, 'verified', 'staff-1',"
            " 'verifier-1', 'head-1', '2027-12-31', decode($1, 'hex'))",
            1, snapshot),
        0);
    exec("INSERT INTO verification.case_document (case_id, slot, document_id, type, version,"
         " expires_on, decision) VALUES ('0190a0a0-0000-7000-8000-00000000e2c0', '7/p1/',"
         " '0190a0a0-0000-7000-8000-00000000e2d0', 7, 1, '2029-01-01', 'accepted')");
    free(hex);
    free(packed);
    migrate("verification", verification_migrations, verification_migrations_count, NULL);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.case_document"
                                               " WHERE in_force_document_id = document_id AND"
                                               " in_force_expires_on = '2029-01-01' AND"
                                               " person_id = 'p1' AND outlet_id IS NULL"),
                     1);
    /* The job the service runs at start. */
    sk_db_pool *pool = NULL;
    sk_db *db = NULL;
    assert_int_equal(sk_db_pool_open(g_dsn, "verification", 1, &pool), SK_OK);
    assert_int_equal(sk_db_acquire(pool, &db), SK_OK);
    assert_int_equal(vbackfill_job(db, NULL), SK_OK);
    assert_int_equal(vbackfill_job(db, NULL), SK_OK); /* again: nothing more */
    sk_db_release(db);
    sk_db_pool_close(pool);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.case_outlet"
                                               " WHERE state = 'verified' AND valid_until ="
                                               " '2027-12-31' AND decided_by = 'verifier-1' AND"
                                               " approved_by = 'head-1' AND outlet_type = 3"),
                     2);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT legal_form FROM verification.verification_case"),
                     1);
}

static int start(void **state)
{
    (void)state;
    return sk_test_create_db("it_migrations", g_dsn, sizeof(g_dsn)) ? 0 : -1;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registry_numbers_and_outlets_follow_the_new_rules),
        cmocka_unit_test(scoring_standing_becomes_each_outlets),
        cmocka_unit_test(a_company_wide_decision_becomes_its_outlets),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start, NULL);
}
