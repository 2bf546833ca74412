/*
 * dgphone.hpp: a header-only C++17 wrapper over the C API in dgphone.h.
 *
 * - Every handle is a std::unique_ptr with a noexcept deleter; objects move,
 *   never copy.
 * - A failed call throws dgp::error, carrying the result code and the
 *   library's detailed message (dgp_last_error).
 * - The event callback is a std::function, kept on the heap and reached
 *   through a static noexcept trampoline, so moving a dgp::client while
 *   events arrive is safe. An exception escaping it is caught in the
 *   trampoline (it must never unwind into the library) and counted.
 * - Events: dgp::event_view reads an event in place (valid only during the
 *   callback); dgp::event is an owning copy to keep or hand to another
 *   thread. next_event() returns copies.
 * - Threads: as in dgphone.h. The callback runs on the client's callback
 *   thread (128 KiB stack by default), apart from the reader, so a slow callback never
 *   stalls reading or login; inside it use the dgp::client_ref it receives
 *   for commands. Blocking calls there throw
 *   dgp::error(DGP_ERR_WOULD_DEADLOCK). With a callback set, the pull queue
 *   collects nothing unless options().queue_with_callback(true).
 */
#ifndef DGPHONE_HPP
#define DGPHONE_HPP

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "dgphone.h"

namespace dgp {

/// A failed call: the library's result code and its detailed message.
class error : public std::runtime_error {
public:
    error(dgp_result code, const std::string &message) : std::runtime_error(message), code_(code) {}

    /// A DGP_ERR_* value.
    dgp_result code() const noexcept { return code_; }

private:
    dgp_result code_;
};

using std::chrono::milliseconds;

namespace detail {

/// Copies a string out of the library with its buffer convention, asking
/// again if it grew in between (another thread may change it).
template <class Fill>
dgp_result copy_out(Fill fill, std::string &text) {
    for (int attempt = 0; attempt < 8; ++attempt) {
        std::uint32_t len = 0;
        dgp_result rc = fill(nullptr, 0, &len);
        if (rc != DGP_ERR_BUFFER_TOO_SMALL) {
            return rc;
        }
        text.assign(len + 1, '\0');
        rc = fill(&text[0], len + 1, &len);
        if (rc == DGP_OK) {
            text.resize(len);
            return DGP_OK;
        }
        if (rc != DGP_ERR_BUFFER_TOO_SMALL) {
            return rc;
        }
    }
    return DGP_ERR_BUFFER_TOO_SMALL;
}

/// The detailed message of this thread's last failed call, whatever its
/// handle (the library's one error channel). Never throws.
inline std::string last_error() noexcept {
    try {
        std::string text;
        copy_out([](char *buf, std::uint32_t len, std::uint32_t *out) { return dgp_last_error(buf, len, out); }, text);
        return text;
    } catch (...) {
        return std::string();
    }
}

[[noreturn]] inline void fail(dgp_result code, const std::string &detail) {
    std::string message = dgp_result_str(code);
    if (!detail.empty()) {
        message += ": ";
        message += detail;
    }
    throw error(code, message);
}

/// Throws for a failed call, with the message it left for this thread
/// (every failing call of the library leaves one).
inline void check(dgp_result code) {
    if (code != DGP_OK) {
        fail(code, last_error());
    }
}

/// A std::string as a C string. An embedded NUL would silently cut the
/// value short on the C side, so it is refused like any control character.
inline const char *c_str(const std::string &text, const char *what) {
    if (text.find('\0') != std::string::npos) {
        fail(DGP_ERR_INVALID_ARGUMENT, std::string(what) + " contains a NUL byte");
    }
    return text.c_str();
}

inline const char *c_str(const std::optional<std::string> &text, const char *what) {
    return text ? c_str(*text, what) : nullptr;
}

inline std::uint32_t ms(milliseconds duration) {
    auto count = duration.count();
    if (count < 0) {
        return 0;
    }
    return count > 0xFFFFFFFFLL ? 0xFFFFFFFFu : static_cast<std::uint32_t>(count);
}

inline std::optional<std::string_view> view(const char *text) noexcept {
    if (text == nullptr) {
        return std::nullopt;
    }
    return std::string_view(text);
}

inline bool same_ascii_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

struct client_deleter {
    void operator()(dgp_client *client) const noexcept { dgp_client_free(client); }
};
struct options_deleter {
    void operator()(dgp_options *options) const noexcept { dgp_options_free(options); }
};
struct event_deleter {
    void operator()(dgp_event *event) const noexcept { dgp_event_free(event); }
};

}  // namespace detail

/// Reads an event in place. Valid only as long as the event: during the
/// callback that received it. Copy it into a dgp::event to keep it.
class event_view {
public:
    explicit event_view(const dgp_event *event) noexcept : event_(event) {}

    /// A DGP_EVENT_* value.
    std::uint32_t kind() const noexcept { return dgp_event_kind(event_); }
    /// 1 to 6, or 0 when the event names no line.
    std::int32_t line() const noexcept { return dgp_event_line(event_); }
    /// 1 on hold, 0 active, -1 absent.
    std::int32_t hold() const noexcept { return dgp_event_hold(event_); }
    /// 1 paused, 0 not, -1 absent.
    std::int32_t paused() const noexcept { return dgp_event_paused(event_); }
    /// 1 success, 0 failure, -1 not a response.
    std::int32_t success() const noexcept { return dgp_event_success(event_); }
    /// The DTMF digit as a character, or '\0'.
    char digit() const noexcept { return static_cast<char>(dgp_event_digit(event_)); }
    std::uint32_t disconnect_reason() const noexcept { return dgp_event_disconnect_reason(event_); }
    std::uint64_t dropped() const noexcept { return dgp_event_dropped(event_); }
    std::uint32_t attempt() const noexcept { return dgp_event_attempt(event_); }
    std::uint32_t delay_ms() const noexcept { return dgp_event_delay_ms(event_); }
    /// Text of a lifecycle event (greeting, error, reason, user, peer).
    std::string_view detail() const noexcept { return detail::view(dgp_event_detail(event_)).value_or(""); }

    std::optional<std::string_view> number() const noexcept { return detail::view(dgp_event_number(event_)); }
    std::optional<std::string_view> user() const noexcept { return detail::view(dgp_event_user(event_)); }
    std::optional<std::string_view> agent() const noexcept { return detail::view(dgp_event_agent(event_)); }
    std::optional<std::string_view> uniqueid() const noexcept { return detail::view(dgp_event_uniqueid(event_)); }
    std::optional<std::string_view> message() const noexcept { return detail::view(dgp_event_message(event_)); }
    std::optional<std::string_view> status() const noexcept { return detail::view(dgp_event_status(event_)); }
    std::optional<std::string_view> queue() const noexcept { return detail::view(dgp_event_queue(event_)); }
    std::optional<std::string_view> time() const noexcept { return detail::view(dgp_event_time(event_)); }

    /// The first header named `key`, in any case.
    std::optional<std::string_view> header(const std::string &key) const noexcept {
        return key.find('\0') == std::string::npos ? detail::view(dgp_event_header(event_, key.c_str())) : std::nullopt;
    }
    std::uint32_t header_count() const noexcept { return dgp_event_header_count(event_); }
    /// Raw header `index` (key, value), in the order received.
    std::pair<std::string_view, std::string_view> header_at(std::uint32_t index) const noexcept {
        return {detail::view(dgp_event_header_key(event_, index)).value_or(""),
                detail::view(dgp_event_header_value(event_, index)).value_or("")};
    }

    const dgp_event *get() const noexcept { return event_; }

private:
    const dgp_event *event_;
};

/// An owning copy of an event: plain values, safe to keep and to move
/// across threads.
class event {
public:
    explicit event(const event_view &view)
        : kind_(view.kind()),
          line_(view.line()),
          hold_(view.hold()),
          paused_(view.paused()),
          success_(view.success()),
          digit_(view.digit()),
          disconnect_reason_(view.disconnect_reason()),
          dropped_(view.dropped()),
          attempt_(view.attempt()),
          delay_ms_(view.delay_ms()),
          detail_(view.detail()) {
        headers_.reserve(view.header_count());
        for (std::uint32_t i = 0; i < view.header_count(); ++i) {
            auto header = view.header_at(i);
            headers_.emplace_back(std::string(header.first), std::string(header.second));
        }
    }

    std::uint32_t kind() const noexcept { return kind_; }
    std::int32_t line() const noexcept { return line_; }
    std::int32_t hold() const noexcept { return hold_; }
    std::int32_t paused() const noexcept { return paused_; }
    std::int32_t success() const noexcept { return success_; }
    char digit() const noexcept { return digit_; }
    std::uint32_t disconnect_reason() const noexcept { return disconnect_reason_; }
    std::uint64_t dropped() const noexcept { return dropped_; }
    std::uint32_t attempt() const noexcept { return attempt_; }
    std::uint32_t delay_ms() const noexcept { return delay_ms_; }
    const std::string &detail() const noexcept { return detail_; }
    /// Every raw header, in the order received.
    const std::vector<std::pair<std::string, std::string>> &headers() const noexcept { return headers_; }

    /// The first header named `key`, in any ASCII case.
    std::optional<std::string> header(std::string_view key) const {
        for (const auto &header : headers_) {
            if (detail::same_ascii_case(header.first, key)) {
                return header.second;
            }
        }
        return std::nullopt;
    }
    std::optional<std::string> number() const { return header("Number"); }
    std::optional<std::string> user() const { return header("User"); }
    std::optional<std::string> agent() const { return header("Agent"); }
    std::optional<std::string> uniqueid() const { return header("Uniqueid"); }
    std::optional<std::string> message() const { return header("Message"); }
    std::optional<std::string> status() const { return header("Status"); }
    std::optional<std::string> queue() const { return header("Queue"); }
    std::optional<std::string> time() const {
        auto time = header("Time");
        return time ? time : header("Timestamp");
    }

private:
    std::uint32_t kind_;
    std::int32_t line_;
    std::int32_t hold_;
    std::int32_t paused_;
    std::int32_t success_;
    char digit_;
    std::uint32_t disconnect_reason_;
    std::uint64_t dropped_;
    std::uint32_t attempt_;
    std::uint32_t delay_ms_;
    std::string detail_;
    std::vector<std::pair<std::string, std::string>> headers_;
};

/// Connection options, built by chained setters; dgp::client copies them.
class options {
public:
    options() : options_(dgp_options_new()) {
        if (!options_) {
            throw std::bad_alloc();
        }
    }

    options &connect_timeout(milliseconds timeout) {
        detail::check(dgp_options_set_connect_timeout_ms(get(), detail::ms(timeout)));
        return *this;
    }
    options &command_timeout(milliseconds timeout) {
        detail::check(dgp_options_set_command_timeout_ms(get(), detail::ms(timeout)));
        return *this;
    }
    /// 0 never declares the connection dead (the default).
    options &dead_peer_timeout(milliseconds timeout) {
        detail::check(dgp_options_set_dead_peer_timeout_ms(get(), detail::ms(timeout)));
        return *this;
    }
    options &tcp_keepalive(std::chrono::seconds idle) {
        auto seconds = idle.count() < 0 ? 0 : idle.count();
        detail::check(dgp_options_set_tcp_keepalive_s(get(), static_cast<std::uint32_t>(seconds)));
        return *this;
    }
    /// Reconnect with back-off from `initial` doubling up to `max`; 0
    /// attempts: forever.
    options &reconnect(milliseconds initial, milliseconds max, std::uint32_t max_attempts = 0) {
        detail::check(dgp_options_set_reconnect_initial_ms(get(), detail::ms(initial)));
        detail::check(dgp_options_set_reconnect_max_ms(get(), detail::ms(max)));
        detail::check(dgp_options_set_reconnect_max_attempts(get(), max_attempts));
        detail::check(dgp_options_set_reconnect(get(), 1));
        return *this;
    }
    options &no_reconnect() {
        detail::check(dgp_options_set_reconnect(get(), 0));
        return *this;
    }
    /// Pull-queue capacity (0: off) and DGP_OVERFLOW_* policy.
    options &queue(std::uint32_t capacity, dgp_overflow_policy_t overflow = DGP_OVERFLOW_DROP_OLDEST) {
        detail::check(dgp_options_set_queue_capacity(get(), capacity));
        detail::check(dgp_options_set_overflow_policy(get(), overflow));
        return *this;
    }
    /// Keep filling the pull queue while a callback is set (default off).
    options &queue_with_callback(bool enabled) {
        detail::check(dgp_options_set_queue_with_callback(get(), enabled ? 1 : 0));
        return *this;
    }
    /// Events that may wait for a slow callback (default 4096).
    options &delivery_backlog(std::uint32_t events) {
        detail::check(dgp_options_set_delivery_backlog(get(), events));
        return *this;
    }
    options &max_packet(std::uint32_t bytes) {
        detail::check(dgp_options_set_max_packet(get(), bytes));
        return *this;
    }
    options &flags(bool send_user, bool remote_mode, bool redact_dtmf) {
        detail::check(dgp_options_set_send_user(get(), send_user ? 1 : 0));
        detail::check(dgp_options_set_remote_mode(get(), remote_mode ? 1 : 0));
        detail::check(dgp_options_set_redact_dtmf(get(), redact_dtmf ? 1 : 0));
        return *this;
    }
    /// The C log callback as it is: it must stay callable with `user_data`
    /// until every client made from these options is destroyed.
    options &log(dgp_log_callback callback, void *user_data, dgp_log_level_t level) {
        detail::check(dgp_options_set_log_level(get(), level));
        detail::check(dgp_options_set_log_callback(get(), callback, user_data));
        return *this;
    }

    dgp_options *get() const noexcept { return options_.get(); }

private:
    std::unique_ptr<dgp_options, detail::options_deleter> options_;
};

/// Commands and queries on a client, without owning it: what the callback
/// receives, and what dgp::client is made of. Calls on a moved-from or
/// null client throw DGP_ERR_NULL_POINTER.
class client_ref {
public:
    explicit client_ref(dgp_client *client) noexcept : client_(client) {}

    void connect(const std::string &host, std::uint16_t port) {
        check(dgp_connect(client_, detail::c_str(host, "host"), port));
    }
    void disconnect() { check(dgp_disconnect(client_)); }
    /// Makes the blocking calls in progress on this client, on any thread,
    /// throw DGP_ERR_CANCELLED promptly.
    void cancel() { check(dgp_cancel(client_)); }
    void login(const std::string &user) { check(dgp_login(client_, detail::c_str(user, "user"))); }
    void logoff() { check(dgp_logoff(client_)); }
    void status() { check(dgp_status(client_)); }

    // With `wait` > 0 the commands below wait that long for their
    // confirming event; 0 returns once the command is written.
    void line_select(std::int32_t line, milliseconds wait = milliseconds(0)) {
        check(dgp_line_select(client_, line, detail::ms(wait)));
    }
    void dial(const std::string &number, milliseconds wait = milliseconds(0)) {
        check(dgp_dial(client_, detail::c_str(number, "number"), detail::ms(wait)));
    }
    /// `line` 0: the selected line.
    void answer(std::int32_t line = 0, milliseconds wait = milliseconds(0)) {
        check(dgp_answer(client_, line, detail::ms(wait)));
    }
    void hold(bool on_hold, milliseconds wait = milliseconds(0)) {
        check(dgp_hold(client_, on_hold ? 1 : 0, detail::ms(wait)));
    }
    void toggle_hold(milliseconds wait = milliseconds(0)) { check(dgp_hold(client_, -1, detail::ms(wait))); }
    void send_dtmf(const std::string &digits) { check(dgp_send_dtmf(client_, detail::c_str(digits, "digits"))); }
    /// `line` 0: the selected line.
    void hangup(std::int32_t line = 0, milliseconds wait = milliseconds(0)) {
        check(dgp_hangup(client_, line, detail::ms(wait)));
    }
    void queue_status(const std::optional<std::string> &queue = std::nullopt, milliseconds wait = milliseconds(0)) {
        check(dgp_queue_status(client_, detail::c_str(queue, "queue"), detail::ms(wait)));
    }
    void agent_pause(const std::string &agent, bool paused, const std::optional<std::string> &reason = std::nullopt,
                     milliseconds wait = milliseconds(0)) {
        check(dgp_agent_pause(client_, detail::c_str(agent, "agent"), paused, detail::c_str(reason, "reason"),
                              detail::ms(wait)));
    }
    /// Any command, with its headers validated like the typed ones.
    void send_command(const std::string &name, const std::vector<std::pair<std::string, std::string>> &headers = {}) {
        std::vector<const char *> keys, values;
        keys.reserve(headers.size());
        values.reserve(headers.size());
        for (const auto &header : headers) {
            keys.push_back(detail::c_str(header.first, "header key"));
            values.push_back(detail::c_str(header.second, "header value"));
        }
        check(dgp_send_command(client_, detail::c_str(name, "name"), keys.data(), values.data(),
                               static_cast<std::uint32_t>(headers.size())));
    }
    void agent_login(const std::string &agent, const std::string &password, std::int32_t line = 1,
                     milliseconds step_timeout = milliseconds(5000),
                     const std::optional<std::string> &feature_code = std::nullopt) {
        check(dgp_login_agent(client_, detail::c_str(feature_code, "feature_code"), detail::c_str(agent, "agent"),
                              detail::c_str(password, "password"), line, detail::ms(step_timeout)));
    }

    /// The next queued event (a copy), waiting up to `timeout`; none if
    /// none came.
    std::optional<event> next_event(milliseconds timeout = milliseconds(0)) {
        dgp_event *raw = nullptr;
        dgp_result rc = dgp_next_event(client_, detail::ms(timeout), &raw);
        std::unique_ptr<dgp_event, detail::event_deleter> owned(raw);
        if (rc == DGP_ERR_TIMEOUT) {
            return std::nullopt;
        }
        check(rc);
        return event(event_view(owned.get()));
    }

    /// Readable while events are queued (poll it; never read or close it).
    int notify_fd() const noexcept { return dgp_notify_fd(client_); }
    bool is_connected() const noexcept { return dgp_is_connected(client_) != 0; }
    bool is_logged_in() const noexcept { return dgp_is_logged_in(client_) != 0; }
    std::int32_t selected_line() const noexcept { return dgp_selected_line(client_); }
    std::uint32_t agent_state() const noexcept { return dgp_agent_state(client_); }
    std::uint64_t dropped_events() const noexcept { return dgp_dropped_events(client_); }
    /// A DGP_LINE_* value.
    std::uint32_t line_state(std::int32_t line) const {
        std::uint32_t state = DGP_LINE_IDLE;
        check(dgp_line_state(client_, line, &state));
        return state;
    }
    /// The other party's number on `line` ("" when none).
    std::string line_number(std::int32_t line) const {
        std::string number;
        check(detail::copy_out(
            [this, line](char *buf, std::uint32_t len, std::uint32_t *out) {
                return dgp_line_number(client_, line, buf, len, out);
            },
            number));
        return number;
    }

    dgp_client *get() const noexcept { return client_; }

protected:
    void check(dgp_result code) const { detail::check(code); }

    dgp_client *client_;
};

/// A connection to one DGPhone, owning its handle. Movable, not copyable.
class client : public client_ref {
public:
    /// Receives each event on the client's callback thread (128 KiB
    /// stack by default, dgp_options_set_callback_stack_size); `phone` is this client.
    using callback = std::function<void(client_ref phone, const event_view &event)>;

    explicit client(const options &config) : client(config.get()) {}
    client() : client(static_cast<const dgp_options *>(nullptr)) {}

    client(client &&other) noexcept
        : client_ref(other.client_), callback_(std::move(other.callback_)), handle_(std::move(other.handle_)) {
        other.client_ = nullptr;
    }
    client &operator=(client &&other) noexcept {
        if (this != &other) {
            client old(std::move(*this));
            client_ = other.client_;
            callback_ = std::move(other.callback_);
            handle_ = std::move(other.handle_);
            other.client_ = nullptr;
        }
        return *this;
    }
    client(const client &) = delete;
    client &operator=(const client &) = delete;

    /// Frees the connection; after it returns no callback runs. From
    /// inside this client's own callback the library cannot wait for that
    /// callback, so the free is handed to a short-lived thread, which waits
    /// for the callback to return, frees the client, then the callback.
    ~client() {
        if (handle_ && callback_ && running_callback() == callback_.get()) {
            dgp_client *handle = handle_.release();
            holder *held = callback_.release();
            try {
                std::thread([handle, held] {
                    dgp_client_free(handle);
                    delete held;
                }).detach();
            } catch (...) {
                // No thread to be had: stop the connection and leak the
                // two rather than free what the running callback uses.
                dgp_disconnect(handle);
            }
        }
        // Otherwise the members go in reverse order: the handle first (which
        // waits for the reader thread), then the callback it was calling.
    }

    /// Sets the callback (an empty function removes it). Waits for a
    /// running callback to return; throws DGP_ERR_WOULD_DEADLOCK from
    /// inside the callback.
    void on_event(callback function) {
        if (!function) {
            check(dgp_set_event_callback(client_, nullptr, nullptr));
            callback_.reset();
            return;
        }
        auto fresh = std::make_unique<holder>(std::move(function), client_);
        check(dgp_set_event_callback(client_, &trampoline, fresh.get()));
        // The library no longer calls the old one (if any): destroy it.
        callback_ = std::move(fresh);
    }

    /// Exceptions that escaped the callback (caught in the trampoline).
    std::uint64_t callback_exceptions() const noexcept { return callback_ ? callback_->exceptions.load() : 0; }

private:
    struct holder {
        holder(callback f, dgp_client *c) : function(std::move(f)), owner(c) {}
        callback function;
        dgp_client *owner;
        std::atomic<std::uint64_t> exceptions{0};
    };

    explicit client(const dgp_options *config) : client_ref(nullptr) {
        dgp_client *raw = nullptr;
        detail::check(dgp_client_new(config, &raw));
        handle_.reset(raw);
        client_ = raw;
    }

    /// The callback this thread is running, if any.
    static holder *&running_callback() noexcept {
        static thread_local holder *running = nullptr;
        return running;
    }

    static void DGP_CALL trampoline(void *user_data, const dgp_event *raw) noexcept {
        holder *held = static_cast<holder *>(user_data);
        holder *outer = running_callback();
        running_callback() = held;
        try {
            held->function(client_ref(held->owner), event_view(raw));
        } catch (...) {
            held->exceptions.fetch_add(1);
        }
        running_callback() = outer;
    }

    // Order matters: members are destroyed last to first, so the handle
    // (whose free waits for the reader thread) goes before the callback.
    std::unique_ptr<holder> callback_;
    std::unique_ptr<dgp_client, detail::client_deleter> handle_;
};

}  // namespace dgp

#endif /* DGPHONE_HPP */
