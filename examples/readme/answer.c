/* Answers the next incoming call, then exits. */
#include <stdio.h>
#include <stdlib.h>

#include "dgphone.h"

static const char *env_or(const char *name, const char *fallback) {
    const char *value = getenv(name);
    return value ? value : fallback;
}

int main(void) {
    dgp_client *client = NULL;
    dgp_event *event = NULL;
    int answered = 0;
    dgp_result rc = dgp_client_new(NULL, &client);
    if (rc == DGP_OK)
        rc = dgp_connect(client, env_or("DGPHONE_HOST", "127.0.0.1"), (uint16_t)atoi(env_or("DGPHONE_PORT", "5038")));
    if (rc == DGP_OK)
        rc = dgp_login(client, env_or("DGPHONE_USER", "201"));
    if (rc == DGP_OK)
        puts("logged in; waiting for a call");
    /* Events are pulled on this thread: no callback, so no locking. */
    while (rc == DGP_OK && !answered) {
        rc = dgp_next_event(client, 60000, &event); /* DGP_ERR_TIMEOUT after a quiet minute */
        if (rc == DGP_OK && dgp_event_kind(event) == DGP_EVENT_RECEIVING_CALL) {
            int line = dgp_event_line(event);
            const char *number = dgp_event_header(event, "Number");
            printf("call from %s on line %d\n", number ? number : "?", line);
            rc = dgp_answer(client, line, 5000); /* waits up to 5 s for DGPhone's Answer */
            answered = rc == DGP_OK;
            if (answered)
                printf("answered line %d\n", line);
        }
        dgp_event_free(event); /* NULL is fine */
        event = NULL;
    }
    if (rc != DGP_OK) {
        char message[256] = "";
        dgp_last_error(message, sizeof message, NULL);
        fprintf(stderr, "%s: %s\n", dgp_result_str(rc), message);
    }
    dgp_client_free(client);
    return rc == DGP_OK ? 0 : 1;
}
