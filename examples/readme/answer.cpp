// Answers the next incoming call, then exits: the C++ wrapper, whose
// handles free themselves and whose errors are exceptions.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dgphone.hpp"

static std::string env_or(const char *name, const char *fallback) {
    const char *value = std::getenv(name);
    return value ? value : fallback;
}

int main() try {
    using namespace std::chrono_literals;
    dgp::client client;
    client.connect(env_or("DGPHONE_HOST", "127.0.0.1"), static_cast<std::uint16_t>(std::stoi(env_or("DGPHONE_PORT", "5038"))));
    client.login(env_or("DGPHONE_USER", "201"));
    std::puts("logged in; waiting for a call");
    for (;;) {
        auto event = client.next_event(60s);  // pulled on this thread
        if (!event) throw std::runtime_error("no call within a minute");
        if (event->kind() != DGP_EVENT_RECEIVING_CALL) continue;
        std::printf("call from %s on line %d\n", event->number().value_or("?").c_str(), event->line());
        client.answer(event->line(), 5s);  // waits for DGPhone's Answer
        std::printf("answered line %d\n", event->line());
        return 0;
    }
} catch (const std::exception &error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
}
