/*
 * softphone: a console softphone on dgphone's C API.
 *
 *   softphone [HOST [PORT [USER]]]      (default 127.0.0.1 5038 201)
 *
 * Commands, one per line on stdin:
 *   dial NUMBER   answer [LINE]   hangup [LINE]   hold   dtmf DIGITS
 *   line LINE     status          help            quit
 *
 * It shows the pattern for hosts that own an event loop (a UI thread, a
 * select/poll loop): one thread, no callback. poll() waits on stdin and on
 * dgp_notify_fd(), which is readable while events are queued; events are
 * then taken with dgp_next_event(..., 0, ...), which never blocks. Commands
 * are sent without waiting for their confirming event (wait_ms 0): the
 * confirmation arrives as an event like any other, so the loop never
 * stalls. (On Windows, wait on dgp_notify_handle() instead.)
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dgphone.h"

/* The failure of the call just made, with this thread's message for it. */
static void print_error(const char *what, dgp_result code) {
    char detail[512] = "";
    dgp_last_error(detail, sizeof detail, NULL);
    printf("error: %s: %s: %s\n", what, dgp_result_str(code), detail);
}

static const char *line_state_name(uint32_t state) {
    switch (state) {
    case DGP_LINE_IDLE: return "idle";
    case DGP_LINE_OFFERING: return "ringing";
    case DGP_LINE_DIALING: return "dialing";
    case DGP_LINE_CONNECTED: return "connected";
    case DGP_LINE_ON_HOLD: return "on hold";
    case DGP_LINE_DISCONNECTED: return "disconnected";
    default: return "?";
    }
}

/* Appends ` key=value` when the event has the header. */
static void print_field(const dgp_event *event, const char *key, const char *label) {
    const char *value = dgp_event_header(event, key);
    if (value != NULL) {
        printf(" %s=%s", label, value);
    }
}

/* One line per event. Returns 0 once the connection has ended. */
static int print_event(const dgp_event *event) {
    uint32_t kind = dgp_event_kind(event);
    switch (kind) {
    case DGP_EVENT_CONNECTED: printf("event: connected to %s\n", dgp_event_detail(event)); return 1;
    case DGP_EVENT_GREETING: printf("event: greeting %s\n", dgp_event_detail(event)); return 1;
    case DGP_EVENT_LOGGED_IN: printf("event: logged in as %s\n", dgp_event_detail(event)); return 1;
    case DGP_EVENT_RECONNECTING: printf("event: reconnecting (attempt %u)\n", dgp_event_attempt(event)); return 1;
    case DGP_EVENT_PROTOCOL_ERROR: printf("event: protocol error: %s\n", dgp_event_detail(event)); return 1;
    case DGP_EVENT_OVERFLOW: printf("event: %llu events lost\n", (unsigned long long)dgp_event_dropped(event)); return 1;
    case DGP_EVENT_DISCONNECTED: printf("event: disconnected: %s\n", dgp_event_detail(event)); return 0;
    case DGP_EVENT_TIMESTAMP: return 1; /* keep-alive: not worth a line */
    default: break;
    }
    /* A packet from DGPhone: its Status (or else its Event) as it came,
     * then the fields it has. */
    {
        const char *name = dgp_event_status(event);
        if (name == NULL) {
            name = dgp_event_header(event, "Event");
        }
        printf("event: %s", name != NULL ? name : "(unnamed packet)");
    }
    if (dgp_event_line(event) != 0) {
        printf(" line=%d", dgp_event_line(event));
    }
    print_field(event, "Number", "number");
    print_field(event, "Hold", "hold");
    print_field(event, "Digit", "digit");
    print_field(event, "Agent", "agent");
    print_field(event, "Response", "response");
    print_field(event, "Message", "message");
    printf("\n");
    return 1;
}

static void print_status(const dgp_client *client) {
    int32_t line;
    printf("status: %s, %s, selected line %d\n", dgp_is_connected(client) ? "connected" : "not connected",
           dgp_is_logged_in(client) ? "logged in" : "not logged in", dgp_selected_line(client));
    for (line = 1; line <= 6; line++) {
        uint32_t state = DGP_LINE_IDLE;
        char number[128] = "";
        dgp_line_state(client, line, &state);
        /* A number that does not fit is shown empty rather than cut. */
        dgp_line_number(client, line, number, sizeof number, NULL);
        printf("line %d: %s%s%s\n", line, line_state_name(state), number[0] ? " " : "", number);
    }
}

static void print_help(void) {
    printf("commands: dial NUMBER | answer [LINE] | hangup [LINE] | hold | dtmf DIGITS | line LINE | status | quit\n");
}

/* Reads an optional line number; -1 when the text is not a number. */
static int32_t line_arg(const char *text) {
    char *end;
    long value;
    if (text == NULL) {
        return 0;
    }
    value = strtol(text, &end, 10);
    return (*end == '\0' && value >= -1000 && value <= 1000) ? (int32_t)value : -1;
}

/* Runs one command line. Returns 0 when the user quits. */
static int run_command(dgp_client *client, char *text) {
    const char *separators = " \t\r";
    char *command = strtok(text, separators);
    char *arg = strtok(NULL, separators);
    dgp_result rc = DGP_OK;
    if (command == NULL) {
        return 1;
    }
    if (strcmp(command, "quit") == 0) {
        return 0;
    } else if (strcmp(command, "help") == 0) {
        print_help();
    } else if (strcmp(command, "status") == 0) {
        print_status(client);
    } else if (strcmp(command, "dial") == 0 && arg != NULL) {
        rc = dgp_dial(client, arg, 0);
    } else if (strcmp(command, "answer") == 0) {
        rc = dgp_answer(client, line_arg(arg), 0);
    } else if (strcmp(command, "hangup") == 0) {
        rc = dgp_hangup(client, line_arg(arg), 0);
    } else if (strcmp(command, "hold") == 0) {
        rc = dgp_hold(client, -1, 0);
    } else if (strcmp(command, "dtmf") == 0 && arg != NULL) {
        rc = dgp_send_dtmf(client, arg);
        if (rc == DGP_OK) {
            printf("dtmf sent\n"); /* DGPhone answers DTMF with no event */
        }
    } else if (strcmp(command, "line") == 0 && arg != NULL) {
        rc = dgp_line_select(client, line_arg(arg), 0);
    } else {
        printf("unknown command or missing argument: %s\n", command);
        print_help();
    }
    if (rc != DGP_OK) {
        print_error(command, rc);
    }
    return 1;
}

/* Runs each complete line in `input`; keeps a partial last line for the
 * next read. Returns 0 when the user quits. */
static int run_lines(dgp_client *client, char *input, size_t *used) {
    char *newline;
    while ((newline = memchr(input, '\n', *used)) != NULL) {
        size_t length = (size_t)(newline - input) + 1;
        *newline = '\0';
        if (!run_command(client, input)) {
            return 0;
        }
        memmove(input, input + length, *used - length);
        *used -= length;
    }
    return 1;
}

/* The event loop: returns when the user quits, stdin ends or the
 * connection ends. */
static void event_loop(dgp_client *client) {
    char input[1024];
    size_t used = 0;
    struct pollfd waits[2];
    waits[0].fd = STDIN_FILENO;
    waits[0].events = POLLIN;
    waits[1].fd = dgp_notify_fd(client);
    waits[1].events = POLLIN;
    for (;;) {
        waits[0].revents = waits[1].revents = 0;
        if (poll(waits, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("poll");
            return;
        }
        if (waits[1].revents & POLLIN) {
            dgp_event *event = NULL;
            int connected = 1;
            while (dgp_next_event(client, 0, &event) == DGP_OK) {
                connected = print_event(event) && connected;
                dgp_event_free(event);
            }
            if (!connected) {
                return;
            }
        }
        if (waits[0].revents & (POLLIN | POLLHUP)) {
            ssize_t got;
            if (used == sizeof input - 1) {
                used = 0; /* a line longer than the buffer: drop it */
            }
            got = read(STDIN_FILENO, input + used, sizeof input - 1 - used);
            if (got <= 0) {
                return; /* end of input: same as quit */
            }
            used += (size_t)got;
            if (!run_lines(client, input, &used)) {
                return;
            }
        }
    }
}

int main(int argc, char **argv) {
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    long port = argc > 2 ? strtol(argv[2], NULL, 10) : 5038;
    const char *user = argc > 3 ? argv[3] : "201";
    dgp_client *client = NULL;
    dgp_result rc;
    /* Each line leaves at once, also into a pipe. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "usage: %s [HOST [PORT [USER]]]\n", argv[0]);
        return 2;
    }
    rc = dgp_client_new(NULL, &client);
    if (rc != DGP_OK) {
        print_error("dgp_client_new", rc);
        return 1;
    }
    printf("dgphone %s, connecting to %s:%ld as %s\n", dgp_version(), host, port, user);
    rc = dgp_connect(client, host, (uint16_t)port);
    if (rc == DGP_OK) {
        /* Login waits (up to the command timeout) for DGPhone's answer. */
        rc = dgp_login(client, user);
        if (rc != DGP_OK) {
            print_error("login", rc);
        }
    } else {
        print_error("connect", rc);
    }
    if (rc == DGP_OK) {
        print_help();
        event_loop(client);
        if (dgp_is_logged_in(client)) {
            dgp_logoff(client);
        }
    }
    dgp_client_free(client); /* disconnects and joins the reader thread */
    printf("bye\n");
    return rc == DGP_OK ? 0 : 1;
}
