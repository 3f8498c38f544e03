/* bench_distribution - one press release to 1,000 addresses through the
 * mail queue, against libcurl sending the same messages alone, both to the
 * same SMTP server on loopback (python3-aiosmtpd) in the same run.
 *
 * Seeding (not measured): 500 verified partners with two addresses each are
 * written straight into the distribution schema, as the registry's and
 * verification's events would leave them. Measured, per round:
 * - reference: the release's e-mail composed once (the same texts and the
 *   same photo), then sent to the 1,000 addresses one message each through
 *   the service's own libcurl sender (smtp.c) with no queue at all;
 * - the service: Schedule (no embargo) until all 1,000 deliveries are
 *   recorded sent: dispatch (recipients frozen, 1,000 rows queued), claims,
 *   the hand-over mark, the relay's answer recorded per message.
 * Goal: service throughput >= 0.8 x the reference. argv[4] = seklik-distribution. */
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "../integration/it_common.h"
#include "../integration/it_smtp.h"
#include "distribution/domain.h"
#include "distribution/smtp.h"
#include "seklik/distribution.pb-c.h"

static int n_companies = 500; /* two addresses each */
static int rounds = 5;
static char dsn[512];
static sk_rpc_client *rpc;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char TITLE[] = "Bupati Resmikan Jembatan Desa";
static const char LEAD[] = "Jembatan sepanjang 40 meter menghubungkan dua desa di tepi sungai.";
static const char BODY[] =
    "Bupati meresmikan **jembatan gantung** pada Senin pagi.\n\n"
    "Jembatan ini dibangun dengan dana desa dan swadaya masyarakat. Warga kini tidak perlu "
    "menyeberang dengan perahu untuk bersekolah dan ke pasar.\n\n"
    "- panjang 40 meter\n- lebar 1,5 meter\n- beban maksimum 500 kg\n";
static uint8_t photo[24 + 16 * 1024];

static void make_photo(void)
{
    static const uint8_t head[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13,
                                   'I',  'H', 'D', 'R', 0,    0,    4,    0,    0, 0, 3, 0};
    memcpy(photo, head, sizeof(head));
    for (size_t i = sizeof(head); i < sizeof(photo); i++)
        photo[i] = (uint8_t)(i * 31 + 7);
}

static void *call(const char *method, const ProtobufCMessage *in,
                  const ProtobufCMessageDescriptor *out)
{
    char key[SK_UUID_STRLEN], why[256];
    sk_uuid7(key);
    Seklik__Bus__Actor a = it_actor("bench-humas", "pr", NULL);
    ProtobufCMessage *m = NULL;
    int rc = sk_rpc_call_decode(rpc, method, &a, key, in, out, 120000, &m, why, sizeof(why));
    if (rc != SK_OK)
        fprintf(stderr, "%s: %s\n", method, why);
    assert_int_equal(rc, SK_OK);
    return m;
}

/* A draft to every verified partner with the photo; its id into `id`. */
static void draft(char *id)
{
    Seklik__Distribution__ContactPerson c = SEKLIK__DISTRIBUTION__CONTACT_PERSON__INIT;
    c.name = "Sari Humas";
    c.phone = "0812-3456-7890";
    Seklik__Distribution__ReleaseInput in = SEKLIK__DISTRIBUTION__RELEASE_INPUT__INIT;
    in.title = (char *)TITLE;
    in.lead = (char *)LEAD;
    in.body_markdown = (char *)BODY;
    in.category = SEKLIK__DISTRIBUTION__CATEGORY__CATEGORY_INFRASTRUCTURE;
    in.contact = &c;
    Seklik__Distribution__RecipientSelection all = SEKLIK__DISTRIBUTION__RECIPIENT_SELECTION__INIT;
    all.mode = SEKLIK__DISTRIBUTION__RECIPIENT_MODE__RECIPIENT_MODE_ALL_VERIFIED;
    Seklik__Distribution__CreateReleaseRequest req = SEKLIK__DISTRIBUTION__CREATE_RELEASE_REQUEST__INIT;
    req.content = &in;
    req.recipients = &all;
    Seklik__Distribution__Release *r =
        call("Distribution.CreateRelease", &req.base, &seklik__distribution__release__descriptor);
    snprintf(id, SK_UUID_STRLEN, "%s", r->id);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    Seklik__Distribution__AddFileRequest f = SEKLIK__DISTRIBUTION__ADD_FILE_REQUEST__INIT;
    f.release_id = id;
    f.kind = SEKLIK__DISTRIBUTION__FILE_KIND__FILE_KIND_PHOTO;
    f.file_name = "jembatan.png";
    f.content.data = photo;
    f.content.len = sizeof(photo);
    ProtobufCMessage *m = call("Distribution.AddFile", &f.base,
                               &seklik__distribution__release_file__descriptor);
    protobuf_c_message_free_unpacked(m, NULL);
}

/* The service: Schedule until every delivery is recorded sent. */
static double service_round(long long addresses)
{
    char id[SK_UUID_STRLEN];
    draft(id);
    Seklik__Distribution__ScheduleRequest s = SEKLIK__DISTRIBUTION__SCHEDULE_REQUEST__INIT;
    s.release_id = id;
    double t0 = now_ms();
    ProtobufCMessage *m =
        call("Distribution.Schedule", &s.base, &seklik__distribution__release__descriptor);
    protobuf_c_message_free_unpacked(m, NULL);
    for (;;) {
        long long sent = sk_test_sql_number_p(
            dsn,
            "SELECT count(*) FROM distribution.mail_delivery d JOIN distribution.mail_message m"
            " ON m.id = d.message_id WHERE m.release_id = $1::uuid AND d.state = 'sent'",
            id);
        if (sent == addresses)
            break;
        assert_true(now_ms() - t0 < 600000);
        sk_test_sleep_ms(10);
    }
    return now_ms() - t0;
}

/* The reference: the same message composed once, sent with libcurl alone. */
static double reference_round(const dist_smtp_config *cfg, int round)
{
    char *html = dist_render_markdown(BODY, strlen(BODY));
    const char *names[] = {"jembatan.png"};
    dist_release_view v = {
        .in = {.title = TITLE, .lead = LEAD, .body_markdown = BODY, .category = 5,
               .contact_name = "Sari Humas", .contact_phone = "0812-3456-7890"},
        .body_html = html,
        .category_label = dist_category_label(5),
        .version = 1,
        .correction_note = "",
        .sender_name = "Diskominfo Bench",
        .file_names = names,
        .n_files = 1,
    };
    dist_message_text text = {0};
    assert_int_equal(dist_compose_release(&v, &text), 0);
    dist_mail_file file = {"jembatan.png", "image/png", photo, sizeof(photo)};
    dist_smtp *smtp = NULL;
    assert_int_equal(dist_smtp_open(cfg, &smtp), SK_OK);
    double t0 = now_ms();
    for (int i = 1; i <= n_companies; i++)
        for (int k = 0; k < 2; k++) {
            char to[64], mid[96];
            snprintf(to, sizeof(to), "%c%d@bench.test", k ? 'b' : 'a', i);
            snprintf(mid, sizeof(mid), "<ref-%d-%d-%d@bench.test>", round, i, k);
            dist_mail m = {mid, to, text.subject, text.text, text.html, &file, 1, time(NULL)};
            dist_send_result res;
            assert_int_equal(dist_smtp_send(smtp, &m, NULL, NULL, &res), SK_OK);
            if (!res.ok)
                fail_msg("reference send to %s: %s", to, res.reply);
        }
    double ms = now_ms() - t0;
    dist_smtp_close(smtp);
    dist_message_text_free(&text);
    free(html);
    return ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench(void **state)
{
    (void)state;
    make_photo();
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    assert_non_null(redis);
    assert_non_null(sk_test_create_db("bench_distribution", dsn, sizeof(dsn)));
    it_smtp relay;
    assert_int_equal(it_smtp_init(&relay, it_logdir, "bench_distribution"), 0);
    assert_int_equal(it_smtp_start(&relay), 0);
    char url[64], log[512];
    it_smtp_url(&relay, url, sizeof(url));
    sk_test_peer dist;
    sk_test_peer_init(&dist, "distribution", dsn, redis);
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_URL", url);
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_FROM", "Diskominfo Bench <humas@bench.test>");
    sk_test_peer_setenv(&dist, "SEKLIK_MAIL_POLL_MS", "50");
    assert_int_equal(sk_test_peer_start(&dist, it_arg(4), it_log(log, sizeof(log), "bench",
                                                                  "distribution")),
                     0);
    rpc = it_client(dist.rpc);
    char n_text[16];
    snprintf(n_text, sizeof(n_text), "%d", n_companies);
    const char *seed_params[] = {n_text};
    assert_int_equal(sk_test_sql_exec_params(
                         dsn,
                         "INSERT INTO distribution.company (id, legal_name, emails, verified)"
                         " SELECT gen_random_uuid(), 'PT Bench ' || i,"
                         " ARRAY['a' || i || '@bench.test', 'b' || i || '@bench.test'], true"
                         " FROM generate_series(1, $1::int) i",
                         1, seed_params),
                     0);

    dist_smtp_config cfg = {.url = url, .user = "", .password = "",
                            .from = "Diskominfo Bench <humas@bench.test>",
                            .from_addr = "humas@bench.test", .timeout_s = 60};
    long long addresses = 2LL * n_companies;
    /* Rounds pair a reference run with a service run right after it: on a
     * shared machine the load moves, and a ratio within a pair is steadier
     * than the ratio of two medians. */
    double ref[8], svc[8], ratio[8];
    for (int r = 0; r < rounds; r++) {
        ref[r] = reference_round(&cfg, r);
        svc[r] = service_round(addresses);
        ratio[r] = ref[r] / svc[r];
        printf("  round %d: reference %.0f ms, service %.0f ms, ratio %.2f\n", r + 1, ref[r], svc[r],
               ratio[r]);
    }
    qsort(ref, (size_t)rounds, sizeof(double), cmp_double);
    qsort(svc, (size_t)rounds, sizeof(double), cmp_double);
    qsort(ratio, (size_t)rounds, sizeof(double), cmp_double);
    double ref_ms = ref[rounds / 2], svc_ms = svc[rounds / 2];
    printf("bench_distribution: one release to %lld addresses (%d partners), a %zu-byte photo"
           " attached\n",
           addresses, n_companies, sizeof(photo));
    printf("  reference: libcurl alone, the same messages: %.0f ms = %.0f messages/s\n", ref_ms,
           addresses * 1000.0 / ref_ms);
    printf("  service: Schedule -> all recorded sent: %.0f ms = %.0f messages/s\n", svc_ms,
           addresses * 1000.0 / svc_ms);
    printf("  ratio service / reference throughput, median of the rounds' = %.2f (goal >= 0.8)\n",
           ratio[rounds / 2]);

    sk_rpc_client_close(rpc);
    sk_proc_signal(&dist.proc, SIGTERM);
    assert_int_equal(sk_proc_wait(&dist.proc, 15000), 0);
    it_smtp_kill(&relay);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s TESTPUB TESTSUB LOGDIR SEKLIK-DISTRIBUTION\n", argv[0]);
        return 2;
    }
    const char *quick = getenv("SEKLIK_BENCH_QUICK");
    if (quick && *quick && strcmp(quick, "0") != 0) {
        n_companies = 50;
        rounds = 1;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(bench)};
    return it_main(argc, argv, tests, 1);
}
