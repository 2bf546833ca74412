/*
 * A connect to a DGPhone that does not answer, called off from another
 * thread by dgp_cancel and by dgp_disconnect: dgp_connect returns
 * DGP_ERR_CANCELLED long before its 60 s connect timeout and the client
 * stays disconnected. The DGPhone is a listener with room for one waiting
 * connection and that room taken, so the SYN is dropped (Wine's sockets
 * are the host's).
 */
#include "wcheck.h"

#include <winsock2.h>

struct hung_connect {
    dgp_client *client;
    uint16_t port;
    dgp_result rc;
    volatile LONG done;
};

static DWORD WINAPI connect_and_hang(LPVOID arg) {
    struct hung_connect *call = arg;
    call->rc = dgp_connect(call->client, "127.0.0.1", call->port);
    InterlockedExchange(&call->done, 1);
    return 0;
}

static void connect_called_off(int by_disconnect) {
    struct sockaddr_in addr;
    int len = sizeof addr;
    SOCKET listener = socket(AF_INET, SOCK_STREAM, 0), filler = socket(AF_INET, SOCK_STREAM, 0);
    dgp_options *options = dgp_options_new();
    struct hung_connect call;
    HANDLE thread;
    REQUIRE(listener != INVALID_SOCKET && filler != INVALID_SOCKET && options != NULL);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0);
    REQUIRE(listen(listener, 0) == 0);
    REQUIRE(getsockname(listener, (struct sockaddr *)&addr, &len) == 0);
    REQUIRE(connect(filler, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK_RC(dgp_options_set_connect_timeout_ms(options, 60000), DGP_OK);
    CHECK_RC(dgp_client_new(options, &call.client), DGP_OK);
    dgp_options_free(options);
    call.port = ntohs(addr.sin_port);
    call.rc = DGP_OK;
    call.done = 0;
    thread = CreateThread(NULL, 0, connect_and_hang, &call, 0, NULL);
    REQUIRE(thread != NULL);
    /* The first calls may come before the connect has started. */
    while (!InterlockedCompareExchange(&call.done, 0, 0)) {
        if (by_disconnect) {
            CHECK_RC(dgp_disconnect(call.client), DGP_OK);
        } else {
            CHECK_RC(dgp_cancel(call.client), DGP_OK);
        }
        Sleep(20);
    }
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    CHECK_RC(call.rc, DGP_ERR_CANCELLED);
    CHECK(dgp_is_connected(call.client) == 0);
    CHECK_RC(dgp_client_free(call.client), DGP_OK);
    closesocket(filler);
    closesocket(listener);
}

int main(void) {
    WSADATA wsa;
    REQUIRE(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
    connect_called_off(0);
    connect_called_off(1);
    WSACleanup();
    return check_finish();
}
