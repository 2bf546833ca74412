/*
 * Built against an installed dgphone (pkg-config --cflags --libs dgphone):
 * the header, the library and its version agree, and a call goes through
 * the in-process simulator. Prints "N passed, 0 failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include <dgphone_sim.h> /* includes dgphone.h */

static int passed, failed;

#define CHECK(cond) ((cond) ? (void)passed++ : (void)(failed++, fprintf(stderr, "FAIL line %d: %s\n", __LINE__, #cond)))

int main(void) {
    dgp_sim *sim = NULL;
    dgp_client *client = NULL;
    uint32_t state = 0;
    CHECK(dgp_version_number() == ((DGP_VERSION_MAJOR << 16) | (DGP_VERSION_MINOR << 8) | DGP_VERSION_PATCH));
    CHECK(dgp_sim_start(NULL, NULL, 0, &sim) == DGP_OK);
    CHECK(dgp_client_new(NULL, &client) == DGP_OK);
    CHECK(dgp_connect(client, "127.0.0.1", dgp_sim_port(sim)) == DGP_OK);
    CHECK(dgp_login(client, "201") == DGP_OK);
    CHECK(dgp_line_select(client, 1, 10000) == DGP_OK);
    CHECK(dgp_dial(client, "100", 10000) == DGP_OK);
    CHECK(dgp_line_state(client, 1, &state) == DGP_OK && state != DGP_LINE_IDLE);
    CHECK(dgp_client_free(client) == DGP_OK);
    dgp_sim_free(sim);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
