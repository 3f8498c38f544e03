/* seklik-verification: config -> connect -> run. Everything else is in handlers.c. */
#include "sk_service.h"

extern const sk_service_def verification_service;

int main(int argc, char **argv)
{
    return sk_service_main(&verification_service, argc, argv);
}
