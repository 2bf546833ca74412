/*
 * Automatic reconnection from C, against a DGPhone that flaps: it accepts
 * each connection, answers the Login with Success, then closes it. Each
 * reconnection "works", yet none stays up; the back-off must grow across
 * those flaps and max_attempts must count them (issue 10, fault 4), so the
 * client ends in DGP_EVENT_RECONNECT_FAILED instead of hammering it.
 */
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#define INITIAL_MS 50u
#define MAX_MS 400u
#define MAX_ATTEMPTS 4u

static const char login_ok[] = "Event: DGPhoneResponse\r\nResponse: Success\r\nCommand: Login\r\n"
                               "User: 201\r\nMessage: Login OK\r\n\r\n";

struct flapper {
    int listener;
    uint16_t port;
    int accepted; /* written by the server thread only; read after join */
    int stop;     /* set by the main thread, then a wake-up connection */
    pthread_mutex_t lock;
};

/* Reads until the end of a packet that holds "Command: Login", or EOF. */
static int read_login(int fd) {
    char buf[2048];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
        if (n <= 0) {
            return 0;
        }
        used += (size_t)n;
        buf[used] = '\0';
        if (strstr(buf, "Command: Login") != NULL && strstr(strstr(buf, "Command: Login"), "\r\n\r\n") != NULL) {
            return 1;
        }
        if (used == sizeof buf - 1) {
            used = 0; /* not a login: forget it */
        }
    }
}

static void *serve(void *arg) {
    struct flapper *f = arg;
    for (;;) {
        int fd = accept(f->listener, NULL, NULL);
        int stop;
        if (fd < 0) {
            continue;
        }
        pthread_mutex_lock(&f->lock);
        stop = f->stop;
        if (!stop) {
            f->accepted++;
        }
        pthread_mutex_unlock(&f->lock);
        if (stop) {
            close(fd);
            return NULL;
        }
        if (read_login(fd)) {
            ssize_t written = write(fd, login_ok, sizeof login_ok - 1);
            (void)written;
        }
        shutdown(fd, SHUT_RDWR);
        close(fd);
    }
}

static int accepted(struct flapper *f) {
    int n;
    pthread_mutex_lock(&f->lock);
    n = f->accepted;
    pthread_mutex_unlock(&f->lock);
    return n;
}

static void start_flapper(struct flapper *f, pthread_t *thread) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    f->listener = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(f->listener >= 0);
    REQUIRE(bind(f->listener, (struct sockaddr *)&addr, sizeof addr) == 0);
    REQUIRE(listen(f->listener, 8) == 0);
    REQUIRE(getsockname(f->listener, (struct sockaddr *)&addr, &len) == 0);
    f->port = ntohs(addr.sin_port);
    f->accepted = 0;
    f->stop = 0;
    pthread_mutex_init(&f->lock, NULL);
    REQUIRE(pthread_create(thread, NULL, serve, f) == 0);
}

/* Stops the server thread: a last connection wakes its accept. */
static void stop_flapper(struct flapper *f, pthread_t thread) {
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    pthread_mutex_lock(&f->lock);
    f->stop = 1;
    pthread_mutex_unlock(&f->lock);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(f->port);
    REQUIRE(fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    pthread_join(thread, NULL);
    close(fd);
    close(f->listener);
    pthread_mutex_destroy(&f->lock);
}

static void a_flapping_dgphone_is_backed_off_and_given_up_on(void) {
    struct flapper f;
    pthread_t thread;
    dgp_options *options = dgp_options_new();
    dgp_client *client;
    uint32_t delays[MAX_ATTEMPTS + 1];
    uint32_t attempts = 0, failed_after = 0, logins = 0;
    long long deadline;
    uint32_t n;
    start_flapper(&f, &thread);
    REQUIRE(options != NULL);
    CHECK_RC(dgp_options_set_reconnect(options, 1), DGP_OK);
    CHECK_RC(dgp_options_set_reconnect_initial_ms(options, INITIAL_MS), DGP_OK);
    CHECK_RC(dgp_options_set_reconnect_max_ms(options, MAX_MS), DGP_OK);
    CHECK_RC(dgp_options_set_reconnect_max_attempts(options, MAX_ATTEMPTS), DGP_OK);
    client = new_client(options);
    dgp_options_free(options);
    REQUIRE(dgp_connect(client, "127.0.0.1", f.port) == DGP_OK);
    CHECK_RC(dgp_login(client, "201"), DGP_OK);

    deadline = now_ms() + WAIT_MS;
    while (failed_after == 0 && now_ms() < deadline) {
        dgp_event *event = NULL;
        if (dgp_next_event(client, (uint32_t)(deadline - now_ms()), &event) != DGP_OK) {
            break;
        }
        switch (dgp_event_kind(event)) {
        case DGP_EVENT_RECONNECTING:
            /* Numbered in a row across flaps, not 1 after every login. */
            CHECK(dgp_event_attempt(event) == attempts + 1);
            if (attempts < MAX_ATTEMPTS + 1) {
                delays[attempts] = dgp_event_delay_ms(event);
            }
            attempts++;
            break;
        case DGP_EVENT_LOGGED_IN: logins++; break;
        case DGP_EVENT_RECONNECT_FAILED: failed_after = dgp_event_attempt(event); break;
        default: break;
        }
        dgp_event_free(event);
    }
    CHECK(failed_after == MAX_ATTEMPTS);
    CHECK(attempts == MAX_ATTEMPTS);
    CHECK(logins >= MAX_ATTEMPTS); /* each flap had logged in again first */
    printf("delays (ms):");
    for (n = 0; n < attempts && n < MAX_ATTEMPTS; n++) {
        /* Jitter waits between half and all of 50, 100, 200, 400 ms. */
        uint32_t nominal = INITIAL_MS << n < MAX_MS ? INITIAL_MS << n : MAX_MS;
        printf(" %u", delays[n]);
        CHECK(delays[n] + 1 >= nominal / 2 && delays[n] <= nominal);
    }
    printf("\n");
    CHECK(attempts < MAX_ATTEMPTS || delays[MAX_ATTEMPTS - 1] > delays[0]);
    CHECK(accepted(&f) == (int)MAX_ATTEMPTS + 1); /* the first connection and four attempts */
    CHECK(dgp_is_connected(client) == 0);
    CHECK_RC(dgp_client_free(client), DGP_OK);
    CHECK(accepted(&f) == (int)MAX_ATTEMPTS + 1); /* no attempt after giving up */
    stop_flapper(&f, thread);
}

int main(void) {
    a_flapping_dgphone_is_backed_off_and_given_up_on();
    return check_finish();
}
