// The installed C++ wrapper compiles with the installed header and library.
#include <cstdio>

#include <dgphone_sim.hpp> /* includes dgphone.hpp */

int main() {
    int passed = 0, failed = 0;
    auto check = [&](bool ok, const char *what) {
        ok ? ++passed : (++failed, std::fprintf(stderr, "FAIL: %s\n", what));
    };
    dgp::simulator sim;
    dgp::client phone(dgp::options().command_timeout(dgp::milliseconds(10000)));
    phone.connect("127.0.0.1", sim.port());
    phone.login("201");
    check(phone.is_logged_in(), "logged in");
    try {
        phone.dial("1\r\n2");
        check(false, "a CR/LF number throws");
    } catch (const dgp::error &e) {
        check(e.code() == DGP_ERR_INVALID_ARGUMENT, "a CR/LF number is an invalid argument");
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
