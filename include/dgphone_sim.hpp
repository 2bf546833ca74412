/*
 * dgphone_sim.hpp: a header-only C++17 wrapper over the simulator's C API
 * in dgphone_sim.h (libdgphone_sim), for host applications' tests. It
 * builds on dgphone.hpp and follows its rules: handles are unique_ptrs,
 * failed calls throw dgp::error with the simulator's own message
 * (dgp_sim_last_error).
 */
#ifndef DGPHONE_SIM_HPP
#define DGPHONE_SIM_HPP

#include "dgphone.hpp"
#include "dgphone_sim.h"

namespace dgp {

namespace detail {

/// Throws for a failed simulator call, with the message it recorded.
inline void check_sim(dgp_result code) {
    if (code == DGP_OK) {
        return;
    }
    std::string text;
    try {
        copy_out([](char *buf, std::uint32_t len, std::uint32_t *out) { return dgp_sim_last_error(buf, len, out); }, text);
    } catch (...) {
    }
    fail(code, text);
}

struct sim_deleter {
    void operator()(dgp_sim *sim) const noexcept { dgp_sim_free(sim); }
};
struct sim_config_deleter {
    void operator()(dgp_sim_config *config) const noexcept { dgp_sim_config_free(config); }
};

}  // namespace detail

/// Simulator settings, built by chained setters; dgp::simulator copies them.
class sim_config {
public:
    sim_config() : config_(dgp_sim_config_new()) {
        if (!config_) {
            throw std::bad_alloc();
        }
    }
    /// DGP_SIM_LOGIN_*; `message` is DGPhone's refusal text.
    sim_config &login(std::uint32_t policy, const std::optional<std::string> &message = std::nullopt) {
        detail::check_sim(dgp_sim_config_set_login(get(), policy, detail::c_str(message, "message")));
        return *this;
    }
    sim_config &greeting(const std::optional<std::string> &greeting) {
        detail::check_sim(dgp_sim_config_set_greeting(get(), detail::c_str(greeting, "greeting")));
        return *this;
    }
    sim_config &timestamps(milliseconds interval) {
        detail::check_sim(dgp_sim_config_set_timestamp_ms(get(), detail::ms(interval)));
        return *this;
    }
    sim_config &auto_answer(bool on) {
        detail::check_sim(dgp_sim_config_set_auto_answer(get(), on));
        return *this;
    }
    sim_config &agent(const std::optional<std::string> &feature_code, const std::optional<std::string> &password) {
        detail::check_sim(dgp_sim_config_set_agent(get(), detail::c_str(feature_code, "feature_code"),
                                                      detail::c_str(password, "password")));
        return *this;
    }

    /// DGP_SIM_TIMESTAMP_*: which fields a DGTimeStamp carries.
    sim_config &timestamp_fields(dgp_sim_timestamp_fields_t fields) {
        detail::check_sim(dgp_sim_config_set_timestamp_fields(get(), fields));
        return *this;
    }
    sim_config &timestamps_from_connect(bool on) {
        detail::check_sim(dgp_sim_config_set_timestamps_from_connect(get(), on));
        return *this;
    }
    /// DGP_SIM_REFUSAL_*: how a refused login is told.
    sim_config &login_refusal(dgp_sim_refusal_form_t form) {
        detail::check_sim(dgp_sim_config_set_login_refusal(get(), form));
        return *this;
    }
    /// How long the far end rings before it answers a Dial.
    sim_config &answer_delay(milliseconds delay) {
        detail::check_sim(dgp_sim_config_set_answer_delay_ms(get(), detail::ms(delay)));
        return *this;
    }
    /// DGP_SIM_IDLE_HANGUP_*: what a Hangup on an idle line gets.
    sim_config &idle_hangup(dgp_sim_idle_hangup_t answer) {
        detail::check_sim(dgp_sim_config_set_idle_hangup(get(), answer));
        return *this;
    }
    /// A family of field DGPhones at once ("classic", "field-2013").
    sim_config &profile(const std::string &name) {
        detail::check_sim(dgp_sim_config_set_profile(get(), detail::c_str(name, "name")));
        return *this;
    }

    dgp_sim_config *get() const noexcept { return config_.get(); }

private:
    std::unique_ptr<dgp_sim_config, detail::sim_config_deleter> config_;
};

/// A DGPhone simulator in this process, for tests and demos. Destroying it
/// closes every connection and joins its threads.
class simulator {
public:
    /// Listens on `host` and `port` (0: a free port; see port()).
    explicit simulator(const sim_config *config = nullptr, const std::string &host = "127.0.0.1",
                       std::uint16_t port = 0) {
        dgp_sim *raw = nullptr;
        detail::check_sim(
            dgp_sim_start(config ? config->get() : nullptr, detail::c_str(host, "host"), port, &raw));
        sim_.reset(raw);
    }
    explicit simulator(const sim_config &config) : simulator(&config) {}

    std::uint16_t port() const noexcept { return dgp_sim_port(sim_.get()); }
    void incoming_call(std::int32_t line, const std::string &number) {
        detail::check_sim(dgp_sim_incoming_call(sim_.get(), line, detail::c_str(number, "number")));
    }
    void far_end_answer(std::int32_t line) { detail::check_sim(dgp_sim_far_end_answer(sim_.get(), line)); }
    void far_end_hangup(std::int32_t line) { detail::check_sim(dgp_sim_far_end_hangup(sim_.get(), line)); }
    void dtmf_received(std::int32_t line, char digit) {
        detail::check_sim(dgp_sim_dtmf_received(sim_.get(), line, digit));
    }
    /// `kind`: a DGP_EVENT_AGENT_* value.
    void agent_event(std::uint32_t kind, const std::string &agent,
                     const std::optional<std::string> &uniqueid = std::nullopt) {
        detail::check_sim(dgp_sim_agent_event(sim_.get(), kind, detail::c_str(agent, "agent"),
                                                 detail::c_str(uniqueid, "uniqueid")));
    }
    void send_raw(std::string_view bytes) {
        detail::check_sim(
            dgp_sim_send_raw(sim_.get(), reinterpret_cast<const std::uint8_t *>(bytes.data()),
                             static_cast<std::uint32_t>(bytes.size())));
    }
    void set_silent(bool silent) { detail::check_sim(dgp_sim_set_silent(sim_.get(), silent)); }
    void disconnect_all() { detail::check_sim(dgp_sim_disconnect_all(sim_.get())); }
    /// False when fewer than `count` clients logged in within `timeout`.
    bool wait_for_logins(std::uint32_t count, milliseconds timeout) {
        return wait(dgp_sim_wait_for_logins(sim_.get(), count, detail::ms(timeout)));
    }
    /// False when no new command named `name` came within `timeout`.
    bool wait_for_command(const std::string &name, milliseconds timeout) {
        return wait(dgp_sim_wait_for_command(sim_.get(), detail::c_str(name, "name"), detail::ms(timeout)));
    }
    std::uint32_t command_count() const noexcept { return dgp_sim_command_count(sim_.get()); }

    dgp_sim *get() const noexcept { return sim_.get(); }

private:
    static bool wait(dgp_result code) {
        if (code == DGP_ERR_TIMEOUT) {
            return false;
        }
        detail::check_sim(code);
        return true;
    }

    std::unique_ptr<dgp_sim, detail::sim_deleter> sim_;
};

}  // namespace dgp

#endif /* DGPHONE_SIM_HPP */
