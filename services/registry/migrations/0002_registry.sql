-- Press companies, their outlets, people and documents (issue 3).
-- Enum-like columns hold the domain's lower-case names (domain.h), so the
-- data reads the same in psql as in the API. Identity numbers are stored
-- normalised (digits only): uniqueness is on what the number is, not on how
-- someone typed it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE company (
    id uuid PRIMARY KEY,
    legal_name text NOT NULL,
    legal_form text NOT NULL CHECK (legal_form IN ('PT', 'Yayasan', 'Koperasi', 'CV')),
    deed_number text NOT NULL,
    deed_date date NOT NULL,
    sk_kemenkumham text NOT NULL DEFAULT '',
    nib text NOT NULL,
    kbli jsonb NOT NULL DEFAULT '[]',
    npwp text NOT NULL UNIQUE,
    pkp boolean NOT NULL DEFAULT false,
    address text NOT NULL,
    domicile_letter_number text NOT NULL DEFAULT '',
    bank jsonb NOT NULL DEFAULT '{}',
    contacts jsonb NOT NULL DEFAULT '[]',
    dewan_pers_status text NOT NULL DEFAULT 'none'
        CHECK (dewan_pers_status IN ('none', 'administratif', 'faktual')),
    dewan_pers_certificate text NOT NULL DEFAULT '',
    established_on date,
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'submitted', 'in_review', 'needs_revision', 'verified',
                          'rejected', 'suspended')),
    version bigint NOT NULL DEFAULT 1,
    registered_by text NOT NULL DEFAULT '',
    registered_at timestamptz NOT NULL DEFAULT now(),
    verified_until date,
    status_reason text NOT NULL DEFAULT '',
    fiscal_year int
);

-- Listing: keyset pagination walks (legal_name, id); search is a substring
-- of the name, which only a trigram index serves.
CREATE INDEX company_name_id ON company (legal_name, id);
CREATE INDEX company_name_trgm ON company USING gin (lower(legal_name) gin_trgm_ops);
CREATE INDEX company_status ON company (status);

CREATE TABLE outlet (
    id uuid PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES company (id),
    type text NOT NULL CHECK (type IN ('cetak', 'siber', 'radio', 'tv')),
    scale text NOT NULL CHECK (scale IN ('lokal', 'regional', 'nasional')),
    name text NOT NULL,
    url text NOT NULL DEFAULT '',
    frequency text NOT NULL DEFAULT '',
    circulation bigint NOT NULL DEFAULT 0 CHECK (circulation >= 0),
    monthly_visitors bigint NOT NULL DEFAULT 0 CHECK (monthly_visitors >= 0),
    audience bigint NOT NULL DEFAULT 0 CHECK (audience >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outlet_company ON outlet (company_id);
CREATE INDEX outlet_type ON outlet (type, company_id);
CREATE INDEX outlet_name_trgm ON outlet USING gin (lower(name) gin_trgm_ops);

-- One NIK, one company: a journalist cannot be claimed twice (DOMAIN.md).
CREATE TABLE person (
    id uuid PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES company (id),
    role text NOT NULL CHECK (role IN ('chief_editor', 'journalist')),
    nik text NOT NULL UNIQUE,
    name text NOT NULL,
    ukw_level text NOT NULL DEFAULT 'none' CHECK (ukw_level IN ('none', 'muda', 'madya', 'utama')),
    ukw_certificate_number text NOT NULL DEFAULT '',
    ukw_certificate_expiry date,
    press_card_number text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_company ON person (company_id);

-- Every upload is a row; a re-upload of the same (type, person, outlet) is
-- the next version and the old ones stay (verification judged them).
CREATE TABLE document (
    id uuid PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES company (id),
    type text NOT NULL,
    person_id uuid REFERENCES person (id),
    outlet_id uuid REFERENCES outlet (id),
    version int NOT NULL CHECK (version >= 1),
    number text NOT NULL DEFAULT '',
    issued_on date,
    expires_on date,
    file_name text NOT NULL DEFAULT '',
    content_type text NOT NULL,
    size bigint NOT NULL CHECK (size > 0),
    sha256 text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    uploaded_by text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX document_version ON document (
    company_id, type,
    coalesce(person_id, '00000000-0000-0000-0000-000000000000'::uuid),
    coalesce(outlet_id, '00000000-0000-0000-0000-000000000000'::uuid),
    version);

-- The bytes apart from the metadata, so listing documents never reads them.
CREATE TABLE document_file (
    document_id uuid PRIMARY KEY REFERENCES document (id),
    content bytea NOT NULL
);
