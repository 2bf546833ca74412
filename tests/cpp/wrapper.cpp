// The C++ wrapper (include/dgphone.hpp) against the in-process simulator:
// RAII, exceptions with code and message, options and simulator builders,
// the std::function callback (commands from inside it, exceptions escaping
// it, moving the client while events arrive, destroying the client inside
// its own callback), event views and copies, the pull API. Built with
// -Wall -Wextra -Werror -pedantic; run under ASan+UBSan and under TSan.
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dgphone_sim.hpp"

namespace {

int passed = 0;
int failed = 0;

void check_at(bool ok, const char *what, const char *file, int line) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        std::fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
}

#define CHECK(cond) check_at(static_cast<bool>(cond), #cond, __FILE__, __LINE__)

// Runs `body`, which must throw dgp::error with `code`; returns its message.
std::string expect_error(dgp_result code, const std::function<void()> &body, const char *what, int line) {
    try {
        body();
    } catch (const dgp::error &e) {
        check_at(e.code() == code, what, __FILE__, line);
        if (e.code() != code) {
            std::fprintf(stderr, "  threw %u (%s), expected %u\n", e.code(), e.what(), code);
        }
        return e.what();
    }
    check_at(false, what, __FILE__, line);
    std::fprintf(stderr, "  did not throw\n");
    return std::string();
}

#define CHECK_THROWS(code, statement) expect_error((code), [&] { statement; }, #statement, __LINE__)

const dgp::milliseconds wait_ms(10000);  // generous: only long when broken

// Pulls events until one of `kind` (on `line`, unless 0) comes.
std::optional<dgp::event> wait_for(dgp::client_ref phone, std::uint32_t kind, std::int32_t line = 0) {
    auto deadline = std::chrono::steady_clock::now() + wait_ms;
    for (;;) {
        auto left = std::chrono::duration_cast<dgp::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return std::nullopt;
        }
        auto event = phone.next_event(left);
        if (!event) {
            return std::nullopt;
        }
        if (event->kind() == kind && (line == 0 || event->line() == line)) {
            return event;
        }
    }
}

// What callbacks saw, guarded for the main thread's waits.
struct inbox {
    std::mutex lock;
    std::condition_variable changed;
    std::vector<dgp::event> events;
    std::vector<dgp_result> refusals;
    int answered_inside = 0;

    void add(const dgp::event_view &view) {
        std::lock_guard<std::mutex> guard(lock);
        events.emplace_back(view);  // a copy: the view dies with the callback
        changed.notify_all();
    }

    // Waits until an event of `kind` (on `line`, unless 0) is in.
    bool wait_for(std::uint32_t kind, std::int32_t line = 0) {
        std::unique_lock<std::mutex> guard(lock);
        return changed.wait_for(guard, wait_ms, [&] {
            for (const auto &e : events) {
                if (e.kind() == kind && (line == 0 || e.line() == line)) {
                    return true;
                }
            }
            return false;
        });
    }

    std::size_t count() {
        std::lock_guard<std::mutex> guard(lock);
        return events.size();
    }
};

void version_and_results() {
    CHECK(dgp_version_number() ==
          ((static_cast<std::uint32_t>(DGP_VERSION_MAJOR) << 16) | (DGP_VERSION_MINOR << 8) | DGP_VERSION_PATCH));
    dgp::error e(DGP_ERR_TIMEOUT, "timed out: no answer");
    CHECK(e.code() == DGP_ERR_TIMEOUT);
    CHECK(std::string(e.what()) == "timed out: no answer");
}

void call_flow_and_state() {
    dgp::simulator sim;
    dgp::client phone;
    CHECK(sim.port() != 0);
    CHECK(!phone.is_connected());
    phone.connect("127.0.0.1", sim.port());
    phone.login("201");
    CHECK(phone.is_logged_in());
    auto logged_in = wait_for(phone, DGP_EVENT_LOGGED_IN);
    CHECK(logged_in && logged_in->detail() == "201");

    phone.line_select(2, wait_ms);
    CHECK(phone.selected_line() == 2);
    phone.dial("1002", wait_ms);
    auto answer = wait_for(phone, DGP_EVENT_ANSWER, 2);
    CHECK(answer && answer->number() == std::optional<std::string>("1002"));
    CHECK(answer && answer->header("NUMBER") == std::optional<std::string>("1002"));
    CHECK(answer && answer->headers().size() >= 4 && answer->headers()[0].first == "Event");
    CHECK(phone.line_state(2) == DGP_LINE_CONNECTED);
    CHECK(phone.line_number(2) == "1002");
    phone.hold(true, wait_ms);
    CHECK(phone.line_state(2) == DGP_LINE_ON_HOLD);
    phone.toggle_hold(wait_ms);
    CHECK(phone.line_state(2) == DGP_LINE_CONNECTED);
    phone.send_dtmf("12#");
    CHECK(sim.wait_for_command("SendDtmf", wait_ms));
    sim.dtmf_received(2, '9');
    auto digit = wait_for(phone, DGP_EVENT_DTMF_RECEIVED, 2);
    CHECK(digit && digit->digit() == '9');
    phone.hangup(0, wait_ms);
    CHECK(wait_for(phone, DGP_EVENT_READY, 2).has_value());
    CHECK(phone.line_state(2) == DGP_LINE_IDLE);
    CHECK(phone.line_number(2).empty());

    phone.send_command("QueueStatus", {{"Queue", "support"}});
    auto complete = wait_for(phone, DGP_EVENT_QUEUE_STATUS_COMPLETE);
    CHECK(complete && complete->queue() == std::optional<std::string>("support"));
    CHECK(!phone.next_event(dgp::milliseconds(20)).has_value());
}

void errors_carry_code_and_message() {
    dgp::simulator rejecting(dgp::sim_config().login(DGP_SIM_LOGIN_REJECT, std::string("Invalid user")));
    dgp::client phone;
    CHECK_THROWS(DGP_ERR_NOT_CONNECTED, phone.login("201"));
    phone.connect("127.0.0.1", rejecting.port());
    auto message = CHECK_THROWS(DGP_ERR_LOGIN_REJECTED, phone.login("201"));
    CHECK(message.find("Invalid user") != std::string::npos);
    CHECK(message.find(dgp_result_str(DGP_ERR_LOGIN_REJECTED)) == 0);

    dgp::simulator sim;
    dgp::client good;
    good.connect("127.0.0.1", sim.port());
    good.login("201");
    std::size_t before = sim.command_count();
    message = CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, good.dial("100\r\nAction: Logoff"));
    CHECK(message.find("carriage return") != std::string::npos);
    // An embedded NUL would cut the value short in C: refused here.
    message = CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, good.dial(std::string("100\0Action: Logoff", 18)));
    CHECK(message.find("NUL") != std::string::npos);
    CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, good.send_dtmf("12E"));
    CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, good.line_select(7));
    CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, good.line_state(0));
    CHECK_THROWS(DGP_ERR_NOT_UTF8, good.dial("\xff"));
    CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, good.send_command("QueueStatus", {{"Action", "x"}}));
    CHECK_THROWS(DGP_ERR_COMMAND_FAILED, good.hold(true, wait_ms));  // not in a call
    good.line_select(1, wait_ms);
    CHECK(sim.command_count() == before + 2);  // the refused Hold, then LineSelect

    CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, dgp::options().connect_timeout(dgp::milliseconds(0)));
    CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, dgp::options().queue(8, 99));
    CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, dgp::sim_config().login(77));
    CHECK_THROWS(DGP_ERR_RESOURCE, dgp::simulator(nullptr, "192.0.2.1"));

    dgp::simulator silent_login(dgp::sim_config().login(DGP_SIM_LOGIN_IGNORE));
    dgp::client impatient(dgp::options().command_timeout(dgp::milliseconds(200)));
    impatient.connect("127.0.0.1", silent_login.port());
    CHECK_THROWS(DGP_ERR_TIMEOUT, impatient.login("201"));
}

void sim_switches_and_cancel() {
    // The field switches through the wrapper; a bad value throws with the
    // simulator's own message.
    auto message = CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, dgp::sim_config().profile("no-such"));
    CHECK(message.find("no-such") != std::string::npos);
    CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, dgp::sim_config().login_refusal(99));
    CHECK_THROWS(DGP_ERR_INVALID_ARGUMENT, dgp::sim_config().idle_hangup(99));
    dgp::simulator field(dgp::sim_config()
                             .profile("field-2013")
                             .answer_delay(dgp::milliseconds(0))
                             .timestamp_fields(DGP_SIM_TIMESTAMP_BOTH)
                             .timestamps_from_connect(false)
                             .login_refusal(DGP_SIM_REFUSAL_BOTH)
                             .idle_hangup(DGP_SIM_IDLE_HANGUP_READY));
    dgp::client phone;
    phone.connect("127.0.0.1", field.port());
    phone.login("201");
    CHECK(phone.is_logged_in());

    // cancel() makes a login blocked on a silent DGPhone return at once.
    dgp::simulator silent(dgp::sim_config().login(DGP_SIM_LOGIN_IGNORE));
    dgp::client waiting(dgp::options().command_timeout(dgp::milliseconds(60000)));
    waiting.connect("127.0.0.1", silent.port());
    dgp_result got = DGP_OK;
    std::thread blocked([&] {
        try {
            waiting.login("201");
        } catch (const dgp::error &e) {
            got = e.code();
        }
    });
    // Once the simulator has the Login, the other thread is in its wait.
    CHECK(silent.wait_for_command("Login", dgp::milliseconds(10000)));
    auto started = std::chrono::steady_clock::now();
    waiting.cancel();
    blocked.join();
    CHECK(got == DGP_ERR_CANCELLED);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

void callback_commands_and_refusals() {
    dgp::simulator sim;
    dgp::client phone;
    inbox box;
    phone.on_event([&box](dgp::client_ref inside, const dgp::event_view &event) {
        if (event.kind() == DGP_EVENT_RECEIVING_CALL) {
            try {
                inside.answer(event.line(), wait_ms);  // would wait for this very thread
            } catch (const dgp::error &e) {
                std::lock_guard<std::mutex> guard(box.lock);
                box.refusals.push_back(e.code());
            }
            inside.answer(event.line());  // no wait: works
            std::lock_guard<std::mutex> guard(box.lock);
            box.answered_inside++;
        }
        box.add(event);
    });
    phone.connect("127.0.0.1", sim.port());
    phone.login("201");
    sim.incoming_call(3, "5511");
    CHECK(box.wait_for(DGP_EVENT_ANSWER, 3));
    {
        std::lock_guard<std::mutex> guard(box.lock);
        CHECK(box.answered_inside == 1);
        CHECK(box.refusals.size() == 1 && box.refusals[0] == DGP_ERR_WOULD_DEADLOCK);
        CHECK(!box.events.empty() && box.events.front().kind() == DGP_EVENT_CONNECTED);
    }
    CHECK(phone.line_state(3) == DGP_LINE_CONNECTED);
    CHECK(phone.callback_exceptions() == 0);

    // Removing the callback: no later event reaches it.
    phone.on_event(nullptr);
    std::size_t seen = box.count();
    phone.status();
    CHECK(wait_for(phone, DGP_EVENT_READY, 6).has_value());
    CHECK(box.count() == seen);
}

void exceptions_never_leave_the_callback() {
    dgp::simulator sim;
    dgp::client phone;
    inbox box;
    phone.on_event([&box](dgp::client_ref, const dgp::event_view &event) {
        box.add(event);
        if (event.kind() == DGP_EVENT_RECEIVING_CALL) {
            throw std::runtime_error("a bug in the application's callback");
        }
        if (event.kind() == DGP_EVENT_HANGUP) {
            throw 42;  // not even a std::exception
        }
    });
    phone.connect("127.0.0.1", sim.port());
    phone.login("201");
    sim.incoming_call(1, "100");
    sim.far_end_hangup(1);
    // Delivery went on: Ready reaches the callback. Callbacks run in order,
    // so by the time Ready's runs, Hangup's is done.
    CHECK(box.wait_for(DGP_EVENT_READY, 1));
    CHECK(phone.callback_exceptions() == 2);
    CHECK(phone.is_connected());
}

void moving_the_client_while_events_arrive() {
    dgp::simulator sim;
    inbox box;
    std::vector<dgp::client> phones;
    {
        dgp::client phone(dgp::options().queue(0));  // callback only
        phone.on_event([&box](dgp::client_ref, const dgp::event_view &event) { box.add(event); });
        phone.connect("127.0.0.1", sim.port());
        phone.login("201");
        phones.push_back(std::move(phone));
        CHECK(phone.get() == nullptr);
        CHECK_THROWS(DGP_ERR_NULL_POINTER, phone.dial("100"));
    }
    // Moves while the reader thread delivers: the vector grows under it.
    for (int i = 0; i < 8; ++i) {
        sim.dtmf_received(1, '1');  // line 1 is idle: nothing sent, just traffic
        phones.emplace_back(dgp::options().queue(0));
        sim.incoming_call(1 + i % 6, "200");
        sim.far_end_hangup(1 + i % 6);
    }
    CHECK(box.wait_for(DGP_EVENT_READY, 2));
    dgp::client moved = std::move(phones.front());
    {
        std::lock_guard<std::mutex> guard(box.lock);
        box.events.clear();
    }
    moved.status();
    CHECK(box.wait_for(DGP_EVENT_READY, 6));
    CHECK(moved.is_logged_in());
    dgp::client assigned;
    assigned = std::move(moved);  // the old, empty client of `assigned` is freed
    CHECK(assigned.is_logged_in());
    CHECK(!moved.is_connected());
}

// Destroying a client from inside its own callback: the free happens on a
// helper thread once the callback returns; the callback's captures are
// destroyed last, which `gone` reports.
void destroyed_inside_its_own_callback() {
    struct sentinel {
        std::shared_ptr<inbox> box;
        ~sentinel() {
            if (box) {
                std::lock_guard<std::mutex> guard(box->lock);
                box->answered_inside = -1;  // "the callback is gone"
                box->changed.notify_all();
            }
        }
        sentinel(std::shared_ptr<inbox> b) : box(std::move(b)) {}
        sentinel(sentinel &&other) noexcept : box(std::move(other.box)) {}
    };
    dgp::simulator sim;
    auto box = std::make_shared<inbox>();
    auto owner = std::make_shared<std::unique_ptr<dgp::client>>(std::make_unique<dgp::client>());
    dgp::client &phone = **owner;
    auto guard = std::make_shared<sentinel>(box);
    phone.on_event([owner, guard, box](dgp::client_ref, const dgp::event_view &event) {
        if (event.kind() == DGP_EVENT_RECEIVING_CALL) {
            // Taking the lock the main thread released after its last use
            // of the client orders that use before this destruction, for
            // TSan too (which cannot see the order the socket gives).
            std::lock_guard<std::mutex> handover(box->lock);
            owner->reset();  // destroys the client, inside its callback
        }
    });
    std::weak_ptr<sentinel> watch = guard;
    {
        std::lock_guard<std::mutex> handover(box->lock);
        phone.connect("127.0.0.1", sim.port());
        phone.login("201");
        guard.reset();
        owner.reset();  // the callback holds the last references now
    }
    sim.incoming_call(1, "100");
    std::unique_lock<std::mutex> lock(box->lock);
    CHECK(box->changed.wait_for(lock, wait_ms, [&] { return box->answered_inside == -1; }));
    CHECK(watch.expired());
}

void pull_api_copies() {
    dgp::simulator sim;
    dgp::client phone(dgp::options().queue(16, DGP_OVERFLOW_DROP_OLDEST).command_timeout(dgp::milliseconds(5000)));
    phone.connect("127.0.0.1", sim.port());
    phone.login("201");
    auto greeting = wait_for(phone, DGP_EVENT_GREETING);
    CHECK(greeting && !greeting->detail().empty());
    CHECK(phone.notify_fd() >= 0);
    sim.agent_event(DGP_EVENT_AGENT_CALLED, "4001", std::string("1700000000.1"));
    auto called = wait_for(phone, DGP_EVENT_AGENT_CALLED);
    CHECK(called && called->agent() == std::optional<std::string>("4001"));
    CHECK(called && called->uniqueid() == std::optional<std::string>("1700000000.1"));
    CHECK(called && !called->number().has_value());
    CHECK(!phone.next_event().has_value());
}

}  // namespace

int main() {
    version_and_results();
    call_flow_and_state();
    errors_carry_code_and_message();
    sim_switches_and_cancel();
    callback_commands_and_refusals();
    exceptions_never_leave_the_callback();
    moving_the_client_while_events_arrive();
    destroyed_inside_its_own_callback();
    pull_api_copies();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
