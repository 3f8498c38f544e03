/* sk_limits_table.c - the bound of every field in the .proto files of proto/seklik.
 *
 * One line per field, keyed by its full protobuf name (see sk_limits.h).
 * tests/unit/test_limits.c fails naming any field of any message in the
 * generated code that has no line here, and any line naming no field.
 *
 * The numbers are chosen never to refuse what a service's domain rules allow
 * (domain.c bounds most text in bytes, and a byte is at most one character;
 * where a value is trimmed or normalised before its rule, the bound leaves
 * room for the blanks and separators people type). Where the domain judges
 * the exact shape (dates, NPWP, KBLI), the bound is looser than the shape so
 * that the domain's more precise message is the one a user sees. */
#include <stdint.h>

#include "sk_limits.h"

#define TEXT(f, n) {.field = (f), .kind = SK_LIMIT_TEXT, .max_len = (n)}
#define TEXTS(f, k, n) {.field = (f), .kind = SK_LIMIT_TEXT, .max_len = (n), .max_items = (k)}
#define UUID(f) {.field = (f), .kind = SK_LIMIT_TEXT, .max_len = 36, .format = SK_FORMAT_UUID}
#define UUIDS(f, k)                                                                           \
    {.field = (f), .kind = SK_LIMIT_TEXT, .max_len = 36, .max_items = (k),                    \
     .format = SK_FORMAT_UUID}
#define BYTES(f, n) {.field = (f), .kind = SK_LIMIT_BYTES, .max_len = (n)}
/* INT(field, RANGE): RANGE may be a macro holding "lo, hi". */
#define INT(f, ...) INT_(f, __VA_ARGS__)
#define INT_(f, lo, hi) {.field = (f), .kind = SK_LIMIT_INT, .min = (lo), .max = (hi)}
#define REAL(f, lo, hi) {.field = (f), .kind = SK_LIMIT_REAL, .fmin = (lo), .fmax = (hi)}
#define LIST(f, k) {.field = (f), .kind = SK_LIMIT_LIST, .max_items = (k)}

#define BUS "seklik.bus."
#define REG "seklik.registry."
#define VER "seklik.verification."
#define SCO "seklik.scoring."
#define ORD "seklik.ordering."
#define DIS "seklik.distribution."
#define ACC "seklik.accounting."
#define GW "seklik.gateway."

/* ---- text ---- */
#define NAME 200       /* a person's, company's, outlet's or bank's name */
#define NUMBER 100     /* a certificate's, deed's, letter's or document's number */
#define DIGITS 32      /* NPWP, NIB, NIK, account number: digits plus the separators typed */
#define DATE 32        /* "YYYY-MM-DD"; the domain names a wrong shape */
#define TIME 64        /* RFC 3339 with fractions and offset */
#define ADDRESS 500    /* registry domain: 500 */
#define URL 500        /* registry handler: 500 */
#define REASON 2000    /* a rejection, suspension, objection or answer: a few paragraphs */
#define FINDINGS 5000  /* a factual visit's report */
#define ACTOR_ID 128   /* a user's UUID, or "system", "seklikctl", "gateway:public" */
#define PAGE_TOKEN 64  /* a UUID or a username (registry's own is longer) */
#define SEQ_MAX INT64_MAX /* outbox seq is a PostgreSQL bigint */
#define AUDIT_JSON (4u * 1024 * 1024) /* a before or after snapshot (a case with its documents) */

/* ---- numbers ---- */
/* 0 = unset or "any"; every service's rule is 2000..2100 when a year is required. */
#define FISCAL_YEAR 0, 2100
/* Whole rupiah, VAT included. Rp 10 triliun is above any regency's yearly
 * budget line for publications by orders of magnitude, yet a ceiling times any
 * quantity up to 10^5, or times a tax numerator (100, 111, 12), stays far
 * inside int64 (9.2 x 10^18): money arithmetic cannot overflow. */
#define MONEY 0, 10000000000000LL
/* Reach: print copies (the world's largest daily prints < 10^7), monthly unique
 * visitors (< 10^10: more than there are people online), broadcast coverage
 * in people (< 10^9: three times Indonesia). Bands compare against all three. */
#define CIRCULATION 0, 100000000LL
#define VISITORS 0, 10000000000LL
#define AUDIENCE 0, 1000000000LL
#define THRESHOLD 0, 10000000000LL
#define POINTS 0, 100   /* a score is 0..100, and so is every part of it */
#define PERCENT 0, 100
#define VERSION 0, 1000000000LL /* 0 = "the current one" or "do not check" */
#define PAGE_SIZE 0, 1000       /* 0 = default; services cap lower */
#define UNIX_MS 0, 10000000000000LL     /* up to the year 2286 */
#define UNIX_US 0, 10000000000000000LL  /* the same in microseconds */
/* A ledger account's running sums: every raise and lowering of a pagu adds
 * to them, so only the type bounds them (responses only). */
#define LEDGER_SUM 0, INT64_MAX

#define MiB (1024u * 1024)
#define DOCUMENT_BYTES (10 * MiB) /* services/registry MAX_DOCUMENT_BYTES */
#define BUS_BYTES (16 * MiB)      /* SK_RPC_MAX_MESSAGE */

const sk_limit sk_limits_table[] = {
    /* ---- seklik.bus ---- */
    TEXT(BUS "Actor.user_id", ACTOR_ID),
    TEXTS(BUS "Actor.roles", 16, 32),
    UUID(BUS "Actor.company_id"),
    TEXT(BUS "Actor.media_id", 64),
    TEXT(BUS "Actor.remote_addr", 128),
    TEXT(BUS "Request.method", 128),
    TEXT(BUS "Request.request_id", 128),
    TEXT(BUS "Request.idempotency_key", 256), /* "<user id>:<key of up to 128>" from the gateway */
    INT(BUS "Request.deadline_unix_ms", UNIX_MS),
    BYTES(BUS "Request.body", BUS_BYTES),
    BYTES(BUS "Request.signature", 64),
    TEXT(BUS "FieldViolation.field", 256),
    TEXT(BUS "FieldViolation.description", 1000),
    TEXT(BUS "Response.message", 1000),
    LIST(BUS "Response.violations", 1000),
    BYTES(BUS "Response.body", BUS_BYTES),
    UUID(BUS "Event.id"),
    TEXT(BUS "Event.type", 128),
    TEXT(BUS "Event.source", 64),
    INT(BUS "Event.seq", 0, SEQ_MAX),
    INT(BUS "Event.occurred_unix_us", UNIX_US),
    TEXT(BUS "Event.correlation_id", 128),
    BYTES(BUS "Event.body", BUS_BYTES),
    BYTES(BUS "Event.signature", 32), /* HMAC-SHA256 */
    INT(BUS "ReplayRequest.after_seq", 0, SEQ_MAX),
    INT(BUS "ReplayRequest.limit", 0, UINT32_MAX), /* the server caps it */
    LIST(BUS "ReplayResponse.events", 1000),       /* sk_outbox.c REPLAY_MAX */
    INT(BUS "ReplayResponse.last_seq", 0, SEQ_MAX),
    TEXT(BUS "HealthResponse.service", 64),
    TEXT(BUS "HealthResponse.version", 64),
    INT(BUS "HealthResponse.outbox_last_seq", 0, SEQ_MAX),
    INT(BUS "HealthResponse.outbox_published_seq", 0, SEQ_MAX),
    INT(BUS "AuditEntry.id", 0, SEQ_MAX),
    INT(BUS "AuditEntry.at_unix_us", UNIX_US),
    TEXT(BUS "AuditEntry.user_id", ACTOR_ID),
    TEXTS(BUS "AuditEntry.roles", 16, 32),
    TEXT(BUS "AuditEntry.company_id", 64),
    TEXT(BUS "AuditEntry.remote_addr", 128),
    TEXT(BUS "AuditEntry.action", 128),
    TEXT(BUS "AuditEntry.entity_type", 64),
    TEXT(BUS "AuditEntry.entity_id", 128),
    TEXT(BUS "AuditEntry.before", AUDIT_JSON),
    TEXT(BUS "AuditEntry.after", AUDIT_JSON),
    TEXT(BUS "AuditEntry.correlation_id", 128),
    TEXT(BUS "AuditEntry.service", 64),
    TEXT(BUS "ListAuditRequest.user_id", ACTOR_ID),
    UUID(BUS "ListAuditRequest.company_id"),
    TEXT(BUS "ListAuditRequest.action", 128),
    TEXTS(BUS "ListAuditRequest.entity_ids", 100, 128),
    INT(BUS "ListAuditRequest.from_unix_ms", UNIX_MS),
    INT(BUS "ListAuditRequest.to_unix_ms", UNIX_MS),
    INT(BUS "ListAuditRequest.before_unix_us", UNIX_US),
    INT(BUS "ListAuditRequest.before_id", 0, SEQ_MAX),
    INT(BUS "ListAuditRequest.limit", 0, UINT32_MAX), /* the server caps it */
    LIST(BUS "ListAuditResponse.entries", 1000),

    /* ---- seklik.registry ---- */
    UUID(REG "DeleteDocumentRequest.company_id"),
    UUID(REG "DeleteDocumentRequest.document_id"),
    UUID(REG "DocumentDeleted.company_id"),
    TEXT(REG "BankAccount.bank_name", NAME),
    TEXT(REG "BankAccount.account_number", DIGITS), /* 6-20 digits */
    TEXT(REG "BankAccount.holder_name", NAME),
    TEXT(REG "Contact.name", NAME),
    TEXT(REG "Contact.phone", 40), /* "+62 (711) 123-4567 ext. 123" */
    TEXT(REG "Contact.email", 254), /* RFC 5321 */
    TEXT(REG "CompanyInput.legal_name", NAME),
    TEXT(REG "CompanyInput.deed_number", NUMBER),
    TEXT(REG "CompanyInput.deed_date", DATE),
    TEXT(REG "CompanyInput.sk_kemenkumham", NUMBER), /* "AHU-0012345.AH.01.01.TAHUN 2019" */
    TEXT(REG "CompanyInput.nib", DIGITS),
    TEXTS(REG "CompanyInput.kbli", 50, 16), /* 5 digits each; a company may hold dozens */
    TEXT(REG "CompanyInput.npwp", DIGITS),
    TEXT(REG "CompanyInput.address", ADDRESS),
    TEXT(REG "CompanyInput.domicile_letter_number", NUMBER),
    LIST(REG "CompanyInput.contacts", 20),
    TEXT(REG "CompanyInput.dewan_pers_certificate", NUMBER),
    TEXT(REG "CompanyInput.established_on", DATE),
    TEXT(REG "OutletInput.name", NAME),
    TEXT(REG "OutletInput.url", URL),
    TEXT(REG "OutletInput.frequency", 100), /* "FM 101,5 MHz", "UHF 32 / DVB-T2 28" */
    INT(REG "OutletInput.circulation", CIRCULATION),
    INT(REG "OutletInput.monthly_visitors", VISITORS),
    INT(REG "OutletInput.audience", AUDIENCE),
    UUID(REG "Outlet.id"),
    TEXT(REG "Outlet.verified_until", DATE),
    TEXT(REG "Outlet.status_reason", REASON),
    INT(REG "Outlet.status_fiscal_year", FISCAL_YEAR),
    INT(REG "Outlet.listed_fiscal_year", FISCAL_YEAR),
    TEXT(REG "PersonInput.nik", DIGITS),
    TEXT(REG "PersonInput.name", NAME),
    TEXT(REG "PersonInput.ukw_certificate_number", NUMBER),
    TEXT(REG "PersonInput.ukw_certificate_expiry", DATE),
    TEXT(REG "PersonInput.press_card_number", NUMBER),
    UUID(REG "Person.id"),
    TEXT(REG "DocumentInput.number", NUMBER),
    TEXT(REG "DocumentInput.issued_on", DATE),
    TEXT(REG "DocumentInput.expires_on", DATE),
    TEXT(REG "DocumentInput.file_name", 255), /* registry handler: 255 */
    BYTES(REG "DocumentInput.content", DOCUMENT_BYTES),
    UUID(REG "DocumentInput.person_id"),
    UUID(REG "DocumentInput.outlet_id"),
    UUID(REG "Document.id"),
    TEXT(REG "Document.number", NUMBER),
    TEXT(REG "Document.issued_on", DATE),
    TEXT(REG "Document.expires_on", DATE),
    TEXT(REG "Document.file_name", 255),
    TEXT(REG "Document.content_type", 100),
    INT(REG "Document.size", 0, DOCUMENT_BYTES),
    TEXT(REG "Document.sha256", 64),
    INT(REG "Document.version", VERSION),
    TEXT(REG "Document.uploaded_at", TIME),
    TEXT(REG "Document.uploaded_by", ACTOR_ID),
    UUID(REG "Document.person_id"),
    UUID(REG "Document.outlet_id"),
    UUID(REG "Company.id"),
    LIST(REG "Company.outlets", 1000),   /* registered with at most 50, AddOutlet adds more */
    LIST(REG "Company.people", 1000),    /* registered with at most 200, AddPerson adds more */
    LIST(REG "Company.documents", 2000), /* newest of each type, per person and outlet */
    INT(REG "Company.version", VERSION),
    TEXT(REG "Company.registered_by", ACTOR_ID),
    TEXT(REG "Company.registered_at", TIME),
    TEXT(REG "Company.verified_until", DATE),
    TEXT(REG "Company.status_reason", REASON),
    INT(REG "Company.fiscal_year", FISCAL_YEAR),
    LIST(REG "RegisterRequest.outlets", 50), /* registry handler: 50 */
    LIST(REG "RegisterRequest.people", 200), /* registry handler: 200 */
    UUID(REG "UpdateRequest.company_id"),
    INT(REG "UpdateRequest.expected_version", VERSION),
    UUID(REG "AddOutletRequest.company_id"),
    UUID(REG "AddPersonRequest.company_id"),
    UUID(REG "UploadDocumentRequest.company_id"),
    UUID(REG "SubmitRequest.company_id"),
    INT(REG "SubmitRequest.fiscal_year", FISCAL_YEAR),
    UUID(REG "GetCompanyRequest.company_id"),
    TEXT(REG "ListCompaniesRequest.query", 200), /* registry handler: 200 */
    INT(REG "ListCompaniesRequest.page_size", PAGE_SIZE),
    TEXT(REG "ListCompaniesRequest.page_token", 1024), /* hex of id and name; handler: 1024 */
    TEXT(REG "ListCompaniesRequest.tier", 8),
    UUID(REG "CompanySummary.id"),
    TEXT(REG "CompanySummary.legal_name", NAME),
    LIST(REG "CompanySummary.outlet_types", 1000),
    INT(REG "CompanySummary.outlet_count", 0, 1000),
    TEXT(REG "CompanySummary.registered_at", TIME),
    TEXTS(REG "CompanySummary.tiers", 1000, 8),
    LIST(REG "ListCompaniesResponse.companies", 100),
    TEXT(REG "ListCompaniesResponse.next_page_token", 1024),
    UUID(REG "GetDocumentFileRequest.document_id"),
    INT(REG "GetYearRequest.fiscal_year", FISCAL_YEAR),
    INT(REG "YearRules.fiscal_year", FISCAL_YEAR),
    TEXT(REG "YearRules.registration_opens_on", DATE),
    TEXT(REG "YearRules.registration_closes_on", DATE),
    BYTES(REG "DocumentFile.content", DOCUMENT_BYTES),
    LIST(REG "CompanyChanged.identity_clashes", 250), /* the NPWP and every person's NIK */
    TEXT(REG "IdentityClash.kind", 8),                 /* "npwp" or "nik" */
    UUID(REG "IdentityClash.person_id"),
    UUID(REG "IdentityClash.other_company_id"),
    UUID(REG "DocumentUploaded.company_id"),

    /* ---- seklik.scoring ---- */
    INT(SCO "Band.threshold", THRESHOLD),
    INT(SCO "Band.points", POINTS),
    INT(SCO "CriterionRule.max_points", POINTS),
    LIST(SCO "CriterionRule.bands", 8), /* scoring domain: SCORING_MAX_BANDS */
    LIST(SCO "ReachBands.bands", 8),
    INT(SCO "TierThresholds.a", POINTS),
    INT(SCO "TierThresholds.b", POINTS),
    INT(SCO "TierThresholds.c", POINTS),
    UUID(SCO "RuleSet.id"),
    INT(SCO "RuleSet.fiscal_year", FISCAL_YEAR),
    INT(SCO "RuleSet.version", VERSION),
    LIST(SCO "RuleSet.criteria", 16), /* six criteria, each once: the domain names the rest */
    LIST(SCO "RuleSet.reach", 16),    /* four outlet types, each once */
    INT(SCO "RuleSet.performance_neutral_points", POINTS),
    TEXT(SCO "RuleSet.published_at", TIME),
    TEXT(SCO "RuleSet.published_by", ACTOR_ID),
    INT(SCO "BreakdownLine.points", POINTS),
    INT(SCO "BreakdownLine.max_points", POINTS),
    INT(SCO "BreakdownLine.input_value", -1, 10000000000LL), /* -1: no history */
    INT(SCO "BreakdownLine.threshold", -1, 10000000000LL),   /* -1: no band reached */
    TEXT(SCO "BreakdownLine.rule", 128),
    TEXT(SCO "BreakdownLine.reason", 64), /* "journalist_ukw_share.some_unproven" */
    UUID(SCO "OutletScore.outlet_id"),
    UUID(SCO "OutletScore.company_id"),
    TEXT(SCO "OutletScore.outlet_name", NAME),
    INT(SCO "OutletScore.fiscal_year", FISCAL_YEAR),
    INT(SCO "OutletScore.total", POINTS),
    LIST(SCO "OutletScore.breakdown", 16),
    UUID(SCO "OutletScore.rule_set_id"),
    INT(SCO "OutletScore.rule_set_version", VERSION),
    TEXT(SCO "OutletScore.computed_at", TIME),
    INT(SCO "PriceEntry.ceiling", MONEY),
    UUID(SCO "PriceStandard.id"),
    INT(SCO "PriceStandard.fiscal_year", FISCAL_YEAR),
    INT(SCO "PriceStandard.version", VERSION),
    LIST(SCO "PriceStandard.entries", 200), /* 4 types x 12 products x 3 tiers = 144 */
    TEXT(SCO "PriceStandard.published_at", TIME),
    TEXT(SCO "PriceStandard.published_by", ACTOR_ID),
    INT(SCO "PublishRequest.fiscal_year", FISCAL_YEAR),
    INT(SCO "GetVersionRequest.fiscal_year", FISCAL_YEAR),
    INT(SCO "GetVersionRequest.version", -1, 1000000000LL), /* -1: the draft (admin) */
    UUID(SCO "GetScoreRequest.outlet_id"),
    INT(SCO "GetScoreRequest.fiscal_year", FISCAL_YEAR),
    INT(SCO "ListTiersRequest.fiscal_year", FISCAL_YEAR),
    INT(SCO "ListTiersRequest.page_size", PAGE_SIZE),
    TEXT(SCO "ListTiersRequest.page_token", PAGE_TOKEN),
    LIST(SCO "ListTiersResponse.scores", 1000),
    TEXT(SCO "ListTiersResponse.next_page_token", PAGE_TOKEN),
    UUID(SCO "GetCeilingRequest.outlet_id"),
    INT(SCO "GetCeilingRequest.fiscal_year", FISCAL_YEAR),
    UUID(SCO "Ceiling.outlet_id"),
    INT(SCO "Ceiling.ceiling", MONEY),
    INT(SCO "Ceiling.price_standard_version", VERSION),
    INT(SCO "Ceiling.fiscal_year", FISCAL_YEAR),
    INT(SCO "OutletTiered.previous_total", POINTS),

    /* ---- seklik.verification ---- */
    UUID(VER "GetCaseHistoryRequest.case_id"),
    LIST(VER "CaseHistory.entries", 1000),
    UUID(VER "RequirementSet.id"),
    INT(VER "RequirementSet.fiscal_year", FISCAL_YEAR),
    INT(VER "RequirementSet.version", VERSION),
    LIST(VER "RequirementSet.requirements", 32), /* twelve document types, each once */
    TEXT(VER "RequirementSet.published_at", TIME),
    TEXT(VER "RequirementSet.published_by", ACTOR_ID),
    TEXT(VER "Finding.code", 64),
    TEXT(VER "Finding.message", 500),
    UUID(VER "CaseDocument.document_id"),
    INT(VER "CaseDocument.version", VERSION),
    TEXT(VER "CaseDocument.number", NUMBER),
    TEXT(VER "CaseDocument.expires_on", DATE),
    TEXT(VER "CaseDocument.reason", REASON),
    TEXT(VER "CaseDocument.decided_by", ACTOR_ID),
    TEXT(VER "CaseDocument.uploaded_by", ACTOR_ID),
    TEXT(VER "CaseDocument.decided_at", TIME),
    UUID(VER "CaseDocument.person_id"),
    UUID(VER "CaseDocument.outlet_id"),
    TEXT(VER "CaseDocument.issued_on", DATE),
    UUID(VER "CaseDocument.in_force_document_id"),
    TEXT(VER "CaseDocument.in_force_expires_on", DATE),
    UUID(VER "CaseOutlet.outlet_id"),
    TEXT(VER "CaseOutlet.name", NAME),
    TEXT(VER "CaseOutlet.valid_until", DATE),
    TEXT(VER "CaseOutlet.reason", REASON),
    TEXT(VER "CaseOutlet.decided_by", ACTOR_ID),
    TEXT(VER "CaseOutlet.approved_by", ACTOR_ID),
    TEXT(VER "CaseOutlet.decided_at", TIME),
    UUID(VER "VisitPhoto.document_id"),
    TEXT(VER "VisitPhoto.file_name", 255),
    TEXT(VER "VisitPhoto.content_type", 100),
    TEXT(VER "VisitPhoto.uploaded_by", ACTOR_ID),
    TEXT(VER "VisitPhoto.uploaded_at", TIME),
    TEXT(VER "Visit.visited_on", DATE),
    TEXT(VER "Visit.verifier_id", ACTOR_ID),
    REAL(VER "Visit.latitude", -90.0, 90.0), /* the domain narrows both to Indonesia */
    REAL(VER "Visit.longitude", -180.0, 180.0),
    UUIDS(VER "Visit.photo_document_ids", 50),
    TEXT(VER "Visit.findings", FINDINGS),
    UUID(VER "Case.id"),
    UUID(VER "Case.company_id"),
    TEXT(VER "Case.company_name", NAME),
    INT(VER "Case.fiscal_year", FISCAL_YEAR),
    LIST(VER "Case.documents", 2000),
    LIST(VER "Case.findings", 2000),
    TEXT(VER "Case.registered_by", ACTOR_ID),
    TEXT(VER "Case.opened_at", TIME),
    TEXT(VER "Case.decided_at", TIME),
    TEXT(VER "Case.decided_by", ACTOR_ID),
    TEXT(VER "Case.valid_until", DATE),
    TEXT(VER "Case.reason", REASON),
    UUID(VER "Case.requirement_set_id"),
    TEXT(VER "Case.approved_by", ACTOR_ID),
    TEXT(VER "Case.approved_at", TIME),
    LIST(VER "Case.proposals", 1000),
    LIST(VER "Case.outlets", 1000), /* a company's outlets: registry keeps up to 1000 */
    LIST(VER "Case.visit_photos", 1000),
    TEXT(VER "Case.reopened_at", TIME),
    UUID(VER "Proposal.id"),
    TEXT(VER "Proposal.reason", REASON),
    TEXT(VER "Proposal.proposed_by", ACTOR_ID),
    TEXT(VER "Proposal.proposed_at", TIME),
    TEXT(VER "Proposal.approved_by", ACTOR_ID),
    TEXT(VER "Proposal.approved_at", TIME),
    TEXT(VER "Proposal.returned_by", ACTOR_ID),
    TEXT(VER "Proposal.returned_at", TIME),
    TEXT(VER "Proposal.return_reason", REASON),
    UUIDS(VER "Proposal.outlet_ids", 1000),
    UUID(VER "ApproveDecisionRequest.case_id"),
    UUID(VER "ApproveDecisionRequest.proposal_id"),
    UUID(VER "ReturnDecisionRequest.case_id"),
    UUID(VER "ReturnDecisionRequest.proposal_id"),
    TEXT(VER "ReturnDecisionRequest.reason", REASON),
    INT(VER "PublishRequirementSetRequest.fiscal_year", FISCAL_YEAR),
    LIST(VER "PublishRequirementSetRequest.requirements", 32),
    INT(VER "GetRequirementSetRequest.fiscal_year", FISCAL_YEAR),
    INT(VER "ListRequirementSetsRequest.fiscal_year", FISCAL_YEAR),
    LIST(VER "ListRequirementSetsResponse.sets", 16), /* four outlet types: published and draft */
    INT(VER "FiscalYear.fiscal_year", FISCAL_YEAR),
    TEXT(VER "FiscalYear.registration_opens_on", DATE),
    TEXT(VER "FiscalYear.registration_closes_on", DATE),
    TEXT(VER "FiscalYear.opened_at", TIME),
    TEXT(VER "FiscalYear.opened_by", ACTOR_ID),
    INT(VER "OpenYearRequest.fiscal_year", FISCAL_YEAR),
    TEXT(VER "OpenYearRequest.registration_opens_on", DATE),
    TEXT(VER "OpenYearRequest.registration_closes_on", DATE),
    INT(VER "GetYearRequest.fiscal_year", FISCAL_YEAR),
    UUID(VER "GetCaseRequest.case_id"),
    UUID(VER "GetCaseRequest.company_id"),
    INT(VER "ListCasesRequest.fiscal_year", FISCAL_YEAR),
    INT(VER "ListCasesRequest.page_size", PAGE_SIZE),
    TEXT(VER "ListCasesRequest.page_token", PAGE_TOKEN),
    LIST(VER "ListCasesResponse.cases", 1000),
    TEXT(VER "ListCasesResponse.next_page_token", PAGE_TOKEN),
    UUID(VER "DecideDocumentRequest.case_id"),
    UUID(VER "DecideDocumentRequest.document_id"),
    TEXT(VER "DecideDocumentRequest.reason", REASON),
    UUID(VER "RecordVisitRequest.case_id"),
    UUID(VER "DecideRequest.case_id"),
    TEXT(VER "DecideRequest.reason", REASON),
    UUIDS(VER "DecideRequest.outlet_ids", 1000),
    UUID(VER "SuspendRequest.company_id"),
    TEXT(VER "SuspendRequest.reason", REASON),
    UUIDS(VER "SuspendRequest.outlet_ids", 1000),
    UUID(VER "ListEntry.company_id"),
    UUID(VER "ListEntry.outlet_id"),
    TEXT(VER "ListEntry.company_name", NAME),
    TEXT(VER "ListEntry.outlet_name", NAME),
    INT(VER "Announcement.fiscal_year", FISCAL_YEAR),
    TEXT(VER "Announcement.announced_at", TIME),
    TEXT(VER "Announcement.objection_until", TIME),
    TEXT(VER "Announcement.finalized_at", TIME),
    UUIDS(VER "Announcement.verified_company_ids", 10000),
    LIST(VER "Announcement.entries", 50000),
    INT(VER "Announcement.amendment", 0, 1000000),
    INT(VER "AnnounceRequest.fiscal_year", FISCAL_YEAR),
    TEXT(VER "AnnounceRequest.objection_until", TIME),
    INT(VER "ObjectRequest.fiscal_year", FISCAL_YEAR),
    UUID(VER "ObjectRequest.company_id"),
    TEXT(VER "ObjectRequest.reason", REASON),
    UUID(VER "Objection.id"),
    INT(VER "Objection.fiscal_year", FISCAL_YEAR),
    UUID(VER "Objection.company_id"),
    TEXT(VER "Objection.reason", REASON),
    TEXT(VER "Objection.raised_at", TIME),
    TEXT(VER "Objection.raised_by", ACTOR_ID),
    TEXT(VER "Objection.answer", REASON),
    TEXT(VER "Objection.answered_at", TIME),
    TEXT(VER "Objection.answered_by", ACTOR_ID),
    UUID(VER "AnswerObjectionRequest.objection_id"),
    TEXT(VER "AnswerObjectionRequest.answer", REASON),
    INT(VER "GetAnnouncementRequest.fiscal_year", FISCAL_YEAR),
    INT(VER "ListObjectionsRequest.fiscal_year", FISCAL_YEAR),
    LIST(VER "ListObjectionsResponse.objections", 10000),
    INT(VER "FinalizeRequest.fiscal_year", FISCAL_YEAR),
    TEXT(VER "CheckExpiriesRequest.today", DATE),
    INT(VER "CheckExpiriesRequest.days_ahead", 0, 366), /* 0 = 30; the handler: 1..366 */
    INT(VER "CheckExpiriesResponse.notices", 0, 1000000000LL),
    UUID(VER "DocumentExpiring.company_id"),
    UUID(VER "DocumentExpiring.document_id"),
    TEXT(VER "DocumentExpiring.expires_on", DATE),

    /* ---- seklik.ordering ---- */
    UUID(ORD "PerformanceRecorded.company_id"),
    INT(ORD "PerformanceRecorded.fiscal_year", FISCAL_YEAR),
    INT(ORD "PerformanceRecorded.percent", PERCENT),
    INT(ORD "PerformanceRecorded.placements", 0, 1000000),

    /* ---- seklik.distribution ----
     * Text bounds sit above distribution's domain limits (title 200, lead 1000,
     * body 100,000 bytes, names 200, note 1000, URL 2000 characters), so that
     * its named reasons ("too_long", "invalid_email") are what a user sees. */
    TEXT(DIS "ContactPerson.name", 400),
    TEXT(DIS "ContactPerson.role", 400),
    TEXT(DIS "ContactPerson.phone", 64),
    TEXT(DIS "ContactPerson.email", 320),
    TEXT(DIS "Agenda.title", 400),
    TEXT(DIS "Agenda.starts_at", TIME),
    TEXT(DIS "Agenda.place", 400),
    TEXT(DIS "ReleaseInput.title", 400),
    TEXT(DIS "ReleaseInput.lead", 2000),
    TEXT(DIS "ReleaseInput.body_markdown", 100000),
    LIST(DIS "RecipientSelection.tiers", 16),
    LIST(DIS "RecipientSelection.outlet_types", 16),
    INT(DIS "RecipientSelection.fiscal_year", FISCAL_YEAR),
    UUIDS(DIS "RecipientSelection.company_ids", 2000), /* the domain: at most 1,000 */
    UUID(DIS "ReleaseFile.id"),
    TEXT(DIS "ReleaseFile.file_name", 400),
    TEXT(DIS "ReleaseFile.content_type", 64),
    INT(DIS "ReleaseFile.size", 0, BUS_BYTES),
    TEXT(DIS "ReleaseFile.sha256", 64),
    INT(DIS "ReleaseFile.width", 0, INT32_MAX),
    INT(DIS "ReleaseFile.height", 0, INT32_MAX),
    TEXT(DIS "ReleaseFile.caption", 400),
    INT(DIS "VersionNote.version", VERSION),
    TEXT(DIS "VersionNote.note", 2000),
    TEXT(DIS "VersionNote.created_at", TIME),
    TEXT(DIS "VersionNote.created_by", ACTOR_ID),
    UUID(DIS "Release.id"),
    INT(DIS "Release.version", VERSION),
    TEXT(DIS "Release.body_html", 1000000),
    TEXT(DIS "Release.embargo_until", TIME),
    TEXT(DIS "Release.scheduled_at", TIME),
    TEXT(DIS "Release.scheduled_by", ACTOR_ID),
    TEXT(DIS "Release.sent_at", TIME),
    TEXT(DIS "Release.created_at", TIME),
    TEXT(DIS "Release.created_by", ACTOR_ID),
    TEXT(DIS "Release.updated_at", TIME),
    INT(DIS "Release.revision", 0, SEQ_MAX),
    LIST(DIS "Release.files", 100),
    LIST(DIS "Release.versions", 10000),
    UUID(DIS "UpdateReleaseRequest.release_id"),
    INT(DIS "UpdateReleaseRequest.expected_revision", 0, SEQ_MAX),
    UUID(DIS "AddFileRequest.release_id"),
    TEXT(DIS "AddFileRequest.file_name", 400),
    TEXT(DIS "AddFileRequest.caption", 400),
    BYTES(DIS "AddFileRequest.content", BUS_BYTES), /* the domain: 5 MiB a photo, 10 MiB an attachment */
    UUID(DIS "RemoveFileRequest.release_id"),
    UUID(DIS "RemoveFileRequest.file_id"),
    TEXT(DIS "RenderRequest.body_markdown", 100000),
    TEXT(DIS "RenderResponse.body_html", 1000000),
    UUID(DIS "RecipientOutlet.outlet_id"),
    TEXT(DIS "RecipientOutlet.name", NAME),
    UUID(DIS "RecipientCompany.company_id"),
    TEXT(DIS "RecipientCompany.name", NAME),
    LIST(DIS "RecipientCompany.outlets", 1000),
    INT(DIS "RecipientCompany.address_count", 0, 100000),
    INT(DIS "RecipientPreview.companies", 0, INT32_MAX),
    INT(DIS "RecipientPreview.addresses", 0, INT32_MAX),
    INT(DIS "RecipientPreview.without_address", 0, INT32_MAX),
    LIST(DIS "RecipientPreview.items", 1000000),
    UUIDS(DIS "RecipientPreview.excluded_company_ids", 2000),
    UUID(DIS "ScheduleRequest.release_id"),
    TEXT(DIS "ScheduleRequest.embargo_until", TIME),
    INT(DIS "ScheduleRequest.expected_revision", 0, SEQ_MAX),
    UUID(DIS "ReleaseIdRequest.release_id"),
    UUID(DIS "GetReleaseRequest.release_id"),
    INT(DIS "GetReleaseRequest.version", -1, 1000000000LL), /* the handler names a negative one */
    UUID(DIS "CorrectRequest.release_id"),
    TEXT(DIS "CorrectRequest.note", 2000),
    INT(DIS "CorrectRequest.expected_revision", 0, SEQ_MAX),
    INT(DIS "DeliveryCounts.queued", 0, INT32_MAX),
    INT(DIS "DeliveryCounts.sent", 0, INT32_MAX),
    INT(DIS "DeliveryCounts.failed", 0, INT32_MAX),
    INT(DIS "DeliveryCounts.bounced", 0, INT32_MAX),
    UUID(DIS "ReleaseSummary.id"),
    INT(DIS "ReleaseSummary.version", VERSION),
    TEXT(DIS "ReleaseSummary.title", 400),
    TEXT(DIS "ReleaseSummary.embargo_until", TIME),
    TEXT(DIS "ReleaseSummary.sent_at", TIME),
    TEXT(DIS "ReleaseSummary.updated_at", TIME),
    INT(DIS "ReleaseSummary.recipients", 0, INT32_MAX),
    INT(DIS "ReleaseSummary.read", 0, INT32_MAX),
    INT(DIS "ReleaseSummary.picked_up", 0, INT32_MAX),
    INT(DIS "ReleaseSummary.pickups", 0, INT32_MAX),
    INT(DIS "ListReleasesRequest.page_size", PAGE_SIZE),
    TEXT(DIS "ListReleasesRequest.page_token", PAGE_TOKEN),
    LIST(DIS "ListReleasesResponse.releases", 1000),
    TEXT(DIS "ListReleasesResponse.next_page_token", PAGE_TOKEN),
    UUID(DIS "GetFileRequest.release_id"),
    UUID(DIS "GetFileRequest.file_id"),
    BYTES(DIS "FileContent.content", BUS_BYTES),
    UUID(DIS "Pickup.id"),
    UUID(DIS "Pickup.release_id"),
    UUID(DIS "Pickup.company_id"),
    UUID(DIS "Pickup.outlet_id"),
    TEXT(DIS "Pickup.outlet_name", NAME),
    TEXT(DIS "Pickup.url", 4000),
    TEXT(DIS "Pickup.published_at", TIME),
    TEXT(DIS "Pickup.reported_at", TIME),
    TEXT(DIS "Pickup.reported_by", ACTOR_ID),
    UUID(DIS "ReportPickupRequest.release_id"),
    UUID(DIS "ReportPickupRequest.company_id"),
    UUID(DIS "ReportPickupRequest.outlet_id"),
    TEXT(DIS "ReportPickupRequest.url", 4000), /* the domain: 2,000 */
    TEXT(DIS "ReportPickupRequest.published_at", TIME),
    TEXT(DIS "Delivery.address", 320),
    INT(DIS "Delivery.version", VERSION),
    INT(DIS "Delivery.attempts", 0, 1000),
    TEXT(DIS "Delivery.next_attempt_at", TIME),
    TEXT(DIS "Delivery.sent_at", TIME),
    TEXT(DIS "Delivery.last_reply", 1000),
    TEXT(DIS "Delivery.message_id", 400),
    INT(DIS "ReadReceipt.version", VERSION),
    TEXT(DIS "ReadReceipt.read_at", TIME),
    TEXT(DIS "ReadReceipt.read_by", ACTOR_ID),
    LIST(DIS "ProofRecipient.deliveries", 100000),
    LIST(DIS "ProofRecipient.reads", 10000),
    LIST(DIS "ProofRecipient.pickups", 10000),
    TEXT(DIS "Proof.scheduled_by", ACTOR_ID),
    LIST(DIS "Proof.recipients", 1000000),
    TEXT(DIS "Proof.generated_at", TIME),
    UUID(DIS "InboxItem.release_id"),
    TEXT(DIS "InboxItem.title", 400),
    TEXT(DIS "InboxItem.lead", 2000),
    INT(DIS "InboxItem.version", VERSION),
    TEXT(DIS "InboxItem.embargo_until", TIME),
    TEXT(DIS "InboxItem.sent_at", TIME),
    TEXT(DIS "InboxItem.read_at", TIME),
    INT(DIS "InboxItem.my_pickups", 0, INT32_MAX),
    INT(DIS "ListInboxRequest.page_size", PAGE_SIZE),
    TEXT(DIS "ListInboxRequest.page_token", PAGE_TOKEN),
    LIST(DIS "ListInboxResponse.items", 1000),
    TEXT(DIS "ListInboxResponse.next_page_token", PAGE_TOKEN),
    INT(DIS "ListInboxResponse.unread", 0, INT32_MAX),
    LIST(DIS "InboxRelease.pickups", 10000),
    LIST(DIS "InboxRelease.outlets", 1000),
    INT(DIS "RequeueResult.requeued", 0, INT32_MAX),
    UUIDS(DIS "ReleaseChanged.recipient_company_ids", 1000000),
    TEXT(DIS "MailValue.key", 64),
    TEXT(DIS "MailValue.value", 2000),     /* a notice's reason is the longest */
    TEXT(DIS "QueueMailRequest.template_name", 64),
    TEXTS(DIS "QueueMailRequest.recipients", 10, 320), /* the domain: 254 */
    LIST(DIS "QueueMailRequest.values", 32),
    UUID(DIS "QueueMailRequest.user_id"),
    TEXT(DIS "QueueMailRequest.locale", 8),
    UUID(DIS "QueueMailResponse.message_id"),
    INT(DIS "QueueMailResponse.queued", 0, INT32_MAX),
    UUID(DIS "Notice.id"),
    TEXT(DIS "Notice.created_at", TIME),
    TEXT(DIS "Notice.read_at", TIME),
    TEXT(DIS "Notice.resolved_at", TIME),
    UUID(DIS "Notice.company_id"),
    TEXT(DIS "Notice.company_name", NAME),
    TEXT(DIS "Notice.subject_id", 128),
    TEXT(DIS "Notice.link", URL),
    LIST(DIS "Notice.params", 32),
    INT(DIS "ListNoticesRequest.page_size", PAGE_SIZE),
    TEXT(DIS "ListNoticesRequest.page_token", PAGE_TOKEN),
    LIST(DIS "ListNoticesResponse.notices", 1000),
    TEXT(DIS "ListNoticesResponse.next_page_token", PAGE_TOKEN),
    INT(DIS "ListNoticesResponse.unread", 0, INT32_MAX),
    UUIDS(DIS "MarkNoticesReadRequest.notice_ids", 1000),
    INT(DIS "MarkNoticesReadResponse.marked", 0, INT32_MAX),
    INT(DIS "MarkNoticesReadResponse.unread", 0, INT32_MAX),
    LIST(DIS "NoticePreferences.preferences", 32),
    LIST(DIS "SetNoticePreferencesRequest.preferences", 32),

    /* ---- seklik.accounting ---- */
    INT(ACC "BudgetLineInput.fiscal_year", FISCAL_YEAR),
    TEXT(ACC "BudgetLineInput.sub_activity_code", 32), /* 17 characters; the domain names the shape */
    TEXT(ACC "BudgetLineInput.account_code", 32),
    TEXT(ACC "BudgetLineInput.name", 300),             /* accounting domain: 250 bytes trimmed */
    INT(ACC "Balances.pagu", MONEY),
    INT(ACC "Balances.committed", MONEY),
    INT(ACC "Balances.realised", MONEY),
    INT(ACC "Balances.available", MONEY),
    UUID(ACC "BudgetLine.id"),
    INT(ACC "BudgetLine.version", VERSION),
    TEXT(ACC "BudgetLine.created_at", TIME),
    TEXT(ACC "BudgetLine.created_by", ACTOR_ID),
    UUID(ACC "Revision.id"),
    UUID(ACC "Revision.budget_line_id"),
    INT(ACC "Revision.pagu_before", MONEY),
    INT(ACC "Revision.pagu_after", MONEY),
    TEXT(ACC "Revision.reason", REASON),
    TEXT(ACC "Revision.document_number", 150),
    TEXT(ACC "Revision.revised_at", TIME),
    TEXT(ACC "Revision.revised_by", ACTOR_ID),
    UUID(ACC "Revision.transfer_id"),
    INT(ACC "CreateBudgetLineRequest.pagu", MONEY),
    TEXT(ACC "CreateBudgetLineRequest.document_number", 150), /* domain: 100 bytes trimmed */
    UUID(ACC "ReviseBudgetLineRequest.budget_line_id"),
    INT(ACC "ReviseBudgetLineRequest.new_pagu", MONEY),
    TEXT(ACC "ReviseBudgetLineRequest.reason", REASON),
    TEXT(ACC "ReviseBudgetLineRequest.document_number", 150),
    INT(ACC "ReviseBudgetLineRequest.expected_version", VERSION),
    UUID(ACC "GetBudgetLineRequest.budget_line_id"),
    LIST(ACC "BudgetLineDetail.revisions", 10000),
    INT(ACC "ListBudgetLinesRequest.fiscal_year", FISCAL_YEAR),
    LIST(ACC "ListBudgetLinesResponse.lines", 10000),
    UUID(ACC "Account.id"),
    TEXT(ACC "Account.code", 128), /* "partner:<uuid>:payable" */
    UUID(ACC "Account.budget_line_id"),
    UUID(ACC "Account.company_id"),
    INT(ACC "Account.debits_pending", LEDGER_SUM),
    INT(ACC "Account.debits_posted", LEDGER_SUM),
    INT(ACC "Account.credits_pending", LEDGER_SUM),
    INT(ACC "Account.credits_posted", LEDGER_SUM),
    UUID(ACC "Transfer.id"),
    UUID(ACC "Transfer.debit_account_id"),
    UUID(ACC "Transfer.credit_account_id"),
    INT(ACC "Transfer.amount", MONEY),
    UUID(ACC "Transfer.pending_id"),
    TEXT(ACC "Transfer.code", 64),
    TEXT(ACC "Transfer.reference", 64),
    TEXT(ACC "Transfer.created_at", TIME),
    TEXT(ACC "Transfer.created_by", ACTOR_ID),
    TEXT(ACC "Transfer.memo", 150),
    UUID(ACC "ListTransfersRequest.budget_line_id"),
    UUID(ACC "ListTransfersRequest.reference"), /* orders, revisions and invoices have UUIDs */
    INT(ACC "ListTransfersRequest.page_size", PAGE_SIZE),
    TEXT(ACC "ListTransfersRequest.page_token", PAGE_TOKEN),
    LIST(ACC "ListTransfersResponse.transfers", 1000),
    LIST(ACC "ListTransfersResponse.accounts", 1000),
    TEXT(ACC "ListTransfersResponse.next_page_token", PAGE_TOKEN),
    UUID(ACC "ReserveRequest.order_id"),
    UUID(ACC "ReserveRequest.budget_line_id"),
    INT(ACC "ReserveRequest.amount", MONEY),
    TEXT(ACC "ReserveRequest.order_number", 100), /* accounting domain: 64 bytes trimmed */
    UUID(ACC "ReservationRequest.order_id"),
    TEXT(ACC "ReservationRequest.reason", REASON),
    UUID(ACC "Reservation.order_id"),
    UUID(ACC "Reservation.budget_line_id"),
    INT(ACC "Reservation.amount", MONEY),
    UUID(ACC "Reservation.transfer_id"),
    UUID(ACC "Reservation.completed_by_transfer_id"),
    TEXT(ACC "Reservation.order_number", 100),
    TEXT(ACC "Reservation.reason", REASON),
    TEXT(ACC "Reservation.created_at", TIME),
    TEXT(ACC "Reservation.completed_at", TIME),

    /* ---- seklik.gateway ---- */
    UUID(GW "User.id"),
    TEXT(GW "User.username", 64),      /* stored normalised: GW_USERNAME_MAX */
    TEXT(GW "User.display_name", 128), /* stored trimmed: GW_DISPLAY_NAME_MAX */
    TEXTS(GW "User.roles", 8, 32),
    UUID(GW "User.company_id"),
    TEXT(GW "User.locale", 8),
    INT(GW "User.created_unix_ms", UNIX_MS),
    INT(GW "User.last_login_unix_ms", UNIX_MS),
    INT(GW "User.version", VERSION),
    TEXT(GW "User.email", 254),        /* stored checked: GW_EMAIL_MAX */
    TEXT(GW "CreateUserRequest.username", 100),     /* 64 once trimmed */
    TEXT(GW "CreateUserRequest.display_name", 200), /* 128 bytes once trimmed */
    TEXTS(GW "CreateUserRequest.roles", 8, 32),     /* GW_ROLES_MAX */
    UUID(GW "CreateUserRequest.company_id"),
    TEXT(GW "CreateUserRequest.password", 256), /* GW_PASSWORD_MAX bytes */
    TEXT(GW "CreateUserRequest.locale", 8),
    TEXT(GW "CreateUserRequest.email", 320), /* 254 once trimmed */
    TEXT(GW "ListUsersRequest.query", 200),
    TEXT(GW "ListUsersRequest.role", 32),
    INT(GW "ListUsersRequest.page_size", PAGE_SIZE),
    TEXT(GW "ListUsersRequest.page_token", PAGE_TOKEN),
    LIST(GW "ListUsersResponse.users", 1000),
    TEXT(GW "ListUsersResponse.next_page_token", PAGE_TOKEN),
    UUID(GW "UpdateUserRequest.user_id"),
    TEXT(GW "UpdateUserRequest.display_name", 200),
    TEXTS(GW "UpdateUserRequest.roles", 8, 32),
    TEXT(GW "UpdateUserRequest.locale", 8),
    INT(GW "UpdateUserRequest.expected_version", VERSION),
    TEXT(GW "UpdateUserRequest.email", 320),
    TEXT(GW "UpdateProfileRequest.display_name", 200),
    TEXT(GW "UpdateProfileRequest.locale", 8),
    TEXT(GW "UpdateProfileRequest.email", 320),
    INT(GW "UpdateProfileRequest.expected_version", VERSION),
    UUID(GW "ResetPasswordRequest.user_id"),
    TEXT(GW "ResetPasswordRequest.new_password", 256),
    TEXT(GW "ChangeOwnPasswordRequest.current_password", 256),
    TEXT(GW "ChangeOwnPasswordRequest.new_password", 256),
    TEXTS(GW "LookupUsersRequest.user_ids", 200, ACTOR_ID),
    TEXT(GW "LookupUsersRequest.query", 200),
    UUID(GW "UserName.id"),
    TEXT(GW "UserName.username", 64),
    TEXT(GW "UserName.display_name", 128),
    TEXTS(GW "UserName.roles", 8, 32),
    LIST(GW "LookupUsersResponse.users", 1000),
    TEXT(GW "ListAuditRequest.user_id", ACTOR_ID),
    UUID(GW "ListAuditRequest.company_id"),
    TEXT(GW "ListAuditRequest.action", 128),
    TEXT(GW "ListAuditRequest.service", 32),
    TEXT(GW "ListAuditRequest.from_date", DATE),
    TEXT(GW "ListAuditRequest.to_date", DATE),
    INT(GW "ListAuditRequest.page_size", PAGE_SIZE),
    TEXT(GW "ListAuditRequest.page_token", PAGE_TOKEN),
    LIST(GW "ListAuditResponse.entries", 1000),
    TEXT(GW "ListAuditResponse.next_page_token", PAGE_TOKEN),
    TEXTS(GW "ListAuditResponse.unavailable", 16, 32),
};

const size_t sk_limits_table_len = sizeof(sk_limits_table) / sizeof(sk_limits_table[0]);
