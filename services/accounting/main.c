/* seklik-accounting: config -> connect -> run. Everything else is in handlers.c. */
#include "sk_service.h"

extern const sk_service_def accounting_service;

int main(int argc, char **argv)
{
    return sk_service_main(&accounting_service, argc, argv);
}
