/* domain.h - registry rules, pure: no I/O, no globals. */
#ifndef REGISTRY_DOMAIN_H
#define REGISTRY_DOMAIN_H

#include <stdbool.h>

/* NPWP: 15 digits (old format) or 16 digits (NIK-based, from 2024). The
 * caller strips punctuation first. */
bool registry_npwp_valid(const char *s);

/* NIB (Nomor Induk Berusaha): 13 digits. */
bool registry_nib_valid(const char *s);

/* NIK (national identity number): 16 digits. */
bool registry_nik_valid(const char *s);

#endif
