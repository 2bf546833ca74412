// Answers the next incoming call, then exits: the C API used from C++,
// with the handles freed by std::unique_ptr whatever happens.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "dgphone.h"

namespace {
const char *env_or(const char *name, const char *fallback) {
    const char *value = std::getenv(name);
    return value ? value : fallback;
}

struct FreeClient {
    void operator()(dgp_client *client) const { dgp_client_free(client); }
};
struct FreeEvent {
    void operator()(dgp_event *event) const { dgp_event_free(event); }
};
using Client = std::unique_ptr<dgp_client, FreeClient>;
using Event = std::unique_ptr<dgp_event, FreeEvent>;

void check(dgp_result rc, const dgp_client *client) {
    if (rc == DGP_OK) return;
    char message[256] = "";
    dgp_last_error(client, message, sizeof message, nullptr);
    throw std::runtime_error(std::string(dgp_result_str(rc)) + ": " + message);
}
}  // namespace

int main() try {
    dgp_client *raw = nullptr;
    check(dgp_client_new(nullptr, &raw), nullptr);
    Client client(raw);
    const auto port = static_cast<uint16_t>(std::atoi(env_or("DGPHONE_PORT", "5038")));
    check(dgp_connect(client.get(), env_or("DGPHONE_HOST", "127.0.0.1"), port), client.get());
    check(dgp_login(client.get(), env_or("DGPHONE_USER", "201")), client.get());
    std::puts("logged in; waiting for a call");
    for (;;) {
        dgp_event *next = nullptr;
        check(dgp_next_event(client.get(), 60000, &next), client.get());  // pulled on this thread
        Event event(next);
        if (dgp_event_kind(event.get()) != DGP_EVENT_RECEIVING_CALL) continue;
        const int line = dgp_event_line(event.get());
        const char *number = dgp_event_header(event.get(), "Number");
        std::printf("call from %s on line %d\n", number ? number : "?", line);
        check(dgp_answer(client.get(), line, 5000), client.get());  // waits for DGPhone's Answer
        std::printf("answered line %d\n", line);
        return 0;
    }
} catch (const std::exception &error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
}
