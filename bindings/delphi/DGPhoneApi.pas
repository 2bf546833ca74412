{ DGPhoneApi: the C API of libdgphone (include/dgphone.h), one declaration
  per function and constant, with the header's exact types.

  - Calling convention: cdecl on every import and callback type (Delphi's
    default, register, would crash).
  - Strings: PAnsiChar carrying UTF-8, NUL-terminated, never PChar (which
    is PWideChar in Delphi 2009+). DGPhone.pas converts for you.
  - Library: dgphone.dll on Windows (ship the 32-bit DLL with a 32-bit
    application), libdgphone.so elsewhere.
  - Case: Pascal ignores it, and the header's DGP_EVENT_HOLD (an event
    kind) and dgp_event_hold (an accessor) would clash. The constant keeps
    its name; the function is declared as dgp_event_hold_state, bound to
    the export 'dgp_event_hold'.

  Compiles with Free Pascal 3.2 (modes delphi and delphiunicode)
  and is written for Delphi 7 to Delphi 12 (no scoped unit names, no
  generics, no anonymous methods). scripts/delphi-tests checks that every
  dgp_ function of the header is declared here. }
unit DGPhoneApi;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
  {$PACKRECORDS C}
{$ENDIF}
{$MINENUMSIZE 4}

interface

const
{$IFDEF MSWINDOWS}
  DGPHONE_LIB = 'dgphone.dll';
{$ELSE}
  {$IFDEF DARWIN}
  DGPHONE_LIB = 'libdgphone.dylib';
  {$ELSE}
  DGPHONE_LIB = 'libdgphone.so';
  {$ENDIF}
{$ENDIF}

type
{$IFNDEF FPC}
  {$IFDEF CONDITIONALEXPRESSIONS}
    {$IF CompilerVersion < 20}
  { Delphi 7 to 2007 lack the fixed-width names (and a true UInt64: Int64
    has the same size and layout, which is all a declaration needs). }
  Int32 = Integer;
  UInt32 = Cardinal;
  UInt16 = Word;
      {$IF CompilerVersion < 18.5}
  UInt64 = Int64;
      {$IFEND}
  PByte = ^Byte;
  PPByte = ^PByte;
  PPAnsiChar = ^PAnsiChar;
    {$IFEND}
    {$IF CompilerVersion < 23}
  PInt32 = ^Int32;
  PUInt32 = ^UInt32;
  PUInt64 = ^UInt64;
    {$IFEND}
  {$ENDIF}
{$ENDIF}

  { Opaque handles. }
  TDGPClient = record end;
  PDGPClient = ^TDGPClient;
  PPDGPClient = ^PDGPClient;
  TDGPEvent = record end;
  PDGPEvent = ^TDGPEvent;
  PPDGPEvent = ^PDGPEvent;
  TDGPOptions = record end;
  PDGPOptions = ^TDGPOptions;

  { dgp_result and the dgp_<set>_t typedefs: all uint32_t. }
  TDGPResult = UInt32;
  TDGPLineState = UInt32;
  PDGPLineState = ^TDGPLineState;
  TDGPAgentState = UInt32;
  TDGPEventKind = UInt32;
  TDGPDisconnectReason = UInt32;
  TDGPHoldMode = UInt32;
  TDGPOverflowPolicy = UInt32;
  PDGPOverflowPolicy = ^TDGPOverflowPolicy;
  TDGPLogLevel = UInt32;
  PDGPLogLevel = ^TDGPLogLevel;

  { dgp_event_callback: runs on the client's callback thread. It must not
    let an exception escape. }
  TDGPEventCallback = procedure(user_data: Pointer; event: PDGPEvent); cdecl;
  { dgp_log_callback: runs on whichever thread logged. }
  TDGPLogCallback = procedure(user_data: Pointer; level: TDGPLogLevel; message_: PAnsiChar); cdecl;

  { dgp_event_record: the fixed part of a dgp_event_copy record (48 bytes
    in 1.0; read headers_offset rather than assuming it). }
  TDGPEventRecord = packed record
    size: UInt32;
    kind: UInt32;
    line: Int32;
    disconnect_reason: UInt32;
    attempt: UInt32;
    delay_ms: UInt32;
    dropped: UInt64;
    header_count: UInt32;
    headers_offset: UInt32;
    detail_offset: UInt32;
    detail_len: UInt32;
  end;
  PDGPEventRecord = ^TDGPEventRecord;

  { dgp_event_record_header: one header entry of a record. }
  TDGPEventRecordHeader = packed record
    key_offset: UInt32;
    key_len: UInt32;
    value_offset: UInt32;
    value_len: UInt32;
  end;
  PDGPEventRecordHeader = ^TDGPEventRecordHeader;

const
  MIN_MAX_PACKET = 256;
  DGP_MAX_VALUE_LEN = 256;
  DGP_MAX_SHORT_LEN = 64;
  DGP_VERSION_MAJOR = 0;
  DGP_VERSION_MINOR = 1;
  DGP_VERSION_PATCH = 0;

  { Line states (TDGPLineState). }
  DGP_LINE_IDLE = 0;
  DGP_LINE_OFFERING = 1;
  DGP_LINE_DIALING = 2;
  DGP_LINE_CONNECTED = 3;
  DGP_LINE_ON_HOLD = 4;
  DGP_LINE_DISCONNECTED = 5;

  { Agent states (TDGPAgentState). }
  DGP_AGENT_LOGGED_OUT = 0;
  DGP_AGENT_AVAILABLE = 1;
  DGP_AGENT_OFFERED = 2;
  DGP_AGENT_IN_CALL = 3;
  DGP_AGENT_PAUSED = 4;

  { Disconnection reasons (TDGPDisconnectReason). }
  DGP_DISCONNECT_NONE = 0;
  DGP_DISCONNECT_REQUESTED = 1;
  DGP_DISCONNECT_CLOSED_BY_PEER = 2;
  DGP_DISCONNECT_LOGGED_OFF = 3;
  DGP_DISCONNECT_DEAD_PEER = 4;
  DGP_DISCONNECT_IO_ERROR = 5;

  { Hold modes (TDGPHoldMode). }
  DGP_HOLD_TOGGLE = 0;
  DGP_HOLD_ON = 1;
  DGP_HOLD_OFF = 2;

  { Overflow policies (TDGPOverflowPolicy). }
  DGP_OVERFLOW_DROP_OLDEST = 0;
  DGP_OVERFLOW_DROP_NEWEST = 1;
  DGP_OVERFLOW_BLOCK = 2;

  { Log levels (TDGPLogLevel). }
  DGP_LOG_ERROR = 1;
  DGP_LOG_WARN = 2;
  DGP_LOG_INFO = 3;
  DGP_LOG_DEBUG = 4;
  DGP_LOG_TRACE = 5;

  { Result codes (TDGPResult), append-only. }
  DGP_OK = 0;
  DGP_ERR_INVALID_ARGUMENT = 1;
  DGP_ERR_NULL_POINTER = 2;
  DGP_ERR_NOT_UTF8 = 3;
  DGP_ERR_NOT_CONNECTED = 4;
  DGP_ERR_ALREADY_CONNECTED = 5;
  DGP_ERR_CONNECT = 6;
  DGP_ERR_LOGIN_REJECTED = 7;
  DGP_ERR_COMMAND_FAILED = 8;
  DGP_ERR_TIMEOUT = 9;
  DGP_ERR_CONNECTION_LOST = 10;
  DGP_ERR_WOULD_DEADLOCK = 11;
  DGP_ERR_NO_CONFIRMATION = 12;
  DGP_ERR_BUFFER_TOO_SMALL = 13;
  DGP_ERR_INTERNAL = 14;
  DGP_ERR_RESOURCE = 15;
  DGP_ERR_SCENARIO_FAILED = 16;
  DGP_ERR_NOT_LOGGED_IN = 17;
  DGP_ERR_ALREADY_LOGGED_IN = 18;
  DGP_ERR_CANCELLED = 19;

  { Event kinds (TDGPEventKind), append-only: 1-99 about the connection, 100 and up from DGPhone. }
  DGP_EVENT_CONNECTED = 1;
  DGP_EVENT_LOGGED_IN = 2;
  DGP_EVENT_DISCONNECTED = 3;
  DGP_EVENT_RECONNECTING = 4;
  DGP_EVENT_GREETING = 5;
  DGP_EVENT_PROTOCOL_ERROR = 6;
  DGP_EVENT_OVERFLOW = 7;
  DGP_EVENT_RECONNECT_FAILED = 8;
  DGP_EVENT_LINE_SELECTED = 100;
  DGP_EVENT_DIALING = 101;
  DGP_EVENT_RECEIVING_CALL = 102;
  DGP_EVENT_ANSWER = 103;
  DGP_EVENT_HOLD = 104;
  DGP_EVENT_HANGUP = 105;
  DGP_EVENT_READY = 106;
  DGP_EVENT_DTMF_RECEIVED = 107;
  DGP_EVENT_USER_LOGOFF = 108;
  DGP_EVENT_AGENT_LOGIN = 109;
  DGP_EVENT_AGENT_CALLED = 110;
  DGP_EVENT_AGENT_CONNECT = 111;
  DGP_EVENT_AGENT_COMPLETE = 112;
  DGP_EVENT_AGENT_LOGOFF = 113;
  DGP_EVENT_ERROR = 114;
  DGP_EVENT_BUSY = 115;
  DGP_EVENT_AGENT_NO_ANSWER = 116;
  DGP_EVENT_AGENT_PAUSED = 117;
  DGP_EVENT_QUEUE_ENTRY = 118;
  DGP_EVENT_QUEUE_JOIN = 119;
  DGP_EVENT_QUEUE_LEAVE = 120;
  DGP_EVENT_QUEUE_ABANDON = 121;
  DGP_EVENT_QUEUE_STATUS_COMPLETE = 122;
  DGP_EVENT_OTHER_STATUS = 150;
  DGP_EVENT_RESPONSE = 160;
  DGP_EVENT_TIMESTAMP = 161;
  DGP_EVENT_UNKNOWN = 199;

{ The functions, in the order of the header. }
function dgp_client_new(options: PDGPOptions; out_: PPDGPClient): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_client_free(client: PDGPClient): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_last_error(buf: PAnsiChar; buf_len: UInt32; out_len: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_set_event_callback(client: PDGPClient; callback: TDGPEventCallback; user_data: Pointer): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_connect(client: PDGPClient; host: PAnsiChar; port: UInt16): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_disconnect(client: PDGPClient): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_login(client: PDGPClient; user: PAnsiChar): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_logoff(client: PDGPClient): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_status(client: PDGPClient): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_line_select(client: PDGPClient; line: Int32; wait_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_dial(client: PDGPClient; number: PAnsiChar; wait_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_answer(client: PDGPClient; line: Int32; wait_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_hold(client: PDGPClient; hold: Int32; wait_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_send_dtmf(client: PDGPClient; digits: PAnsiChar): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_hangup(client: PDGPClient; line: Int32; wait_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_queue_status(client: PDGPClient; queue: PAnsiChar; wait_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_agent_pause(client: PDGPClient; agent: PAnsiChar; paused: Int32; reason: PAnsiChar; wait_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_send_command(client: PDGPClient; name: PAnsiChar; keys: PPAnsiChar; values: PPAnsiChar; count: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_login_agent(client: PDGPClient; feature_code: PAnsiChar; agent: PAnsiChar; password: PAnsiChar; line: Int32; step_timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_next_event(client: PDGPClient; timeout_ms: UInt32; out_: PPDGPEvent): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_cancel(client: PDGPClient): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_notify_fd(client: PDGPClient): Int32; cdecl; external DGPHONE_LIB;
function dgp_notify_handle(client: PDGPClient): Pointer; cdecl; external DGPHONE_LIB;
function dgp_dropped_events(client: PDGPClient): UInt64; cdecl; external DGPHONE_LIB;
function dgp_is_connected(client: PDGPClient): Int32; cdecl; external DGPHONE_LIB;
function dgp_is_logged_in(client: PDGPClient): Int32; cdecl; external DGPHONE_LIB;
function dgp_selected_line(client: PDGPClient): Int32; cdecl; external DGPHONE_LIB;
function dgp_line_state(client: PDGPClient; line: Int32; out_: PDGPLineState): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_line_number(client: PDGPClient; line: Int32; buf: PAnsiChar; buf_len: UInt32; out_len: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_agent_state(client: PDGPClient): TDGPAgentState; cdecl; external DGPHONE_LIB;
function dgp_event_kind(event: PDGPEvent): TDGPEventKind; cdecl; external DGPHONE_LIB;
function dgp_event_line(event: PDGPEvent): Int32; cdecl; external DGPHONE_LIB;
function dgp_event_hold_state(event: PDGPEvent): Int32; cdecl; external DGPHONE_LIB name 'dgp_event_hold';
function dgp_event_paused(event: PDGPEvent): Int32; cdecl; external DGPHONE_LIB;
function dgp_event_digit(event: PDGPEvent): Int32; cdecl; external DGPHONE_LIB;
function dgp_event_success(event: PDGPEvent): Int32; cdecl; external DGPHONE_LIB;
function dgp_event_number(event: PDGPEvent): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_user(event: PDGPEvent): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_agent(event: PDGPEvent): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_uniqueid(event: PDGPEvent): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_message(event: PDGPEvent): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_status(event: PDGPEvent): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_queue(event: PDGPEvent): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_time(event: PDGPEvent): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_detail(event: PDGPEvent): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_disconnect_reason(event: PDGPEvent): TDGPDisconnectReason; cdecl; external DGPHONE_LIB;
function dgp_event_dropped(event: PDGPEvent): UInt64; cdecl; external DGPHONE_LIB;
function dgp_event_attempt(event: PDGPEvent): UInt32; cdecl; external DGPHONE_LIB;
function dgp_event_delay_ms(event: PDGPEvent): UInt32; cdecl; external DGPHONE_LIB;
function dgp_event_header_count(event: PDGPEvent): UInt32; cdecl; external DGPHONE_LIB;
function dgp_event_header_key(event: PDGPEvent; index: UInt32): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_header_value(event: PDGPEvent; index: UInt32): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_event_header(event: PDGPEvent; key: PAnsiChar): PAnsiChar; cdecl; external DGPHONE_LIB;
procedure dgp_event_free(event: PDGPEvent); cdecl; external DGPHONE_LIB;
function dgp_refresh_lines(client: PDGPClient; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_place_call(client: PDGPClient; number: PAnsiChar; line: Int32; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_answer_call(client: PDGPClient; line: Int32; ring_wait_ms: UInt32; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_end_call(client: PDGPClient; line: Int32; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_hold_call(client: PDGPClient; mode: TDGPHoldMode; line: Int32; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_send_call_dtmf(client: PDGPClient; digits: PAnsiChar; line: Int32; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_event_clone(event: PDGPEvent): PDGPEvent; cdecl; external DGPHONE_LIB;
function dgp_event_copy(event: PDGPEvent; buffer: PByte; capacity: UInt32; needed: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_next_events(client: PDGPClient; out_: PPDGPEvent; max: UInt32; timeout_ms: UInt32; count: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_next_records(client: PDGPClient; buffer: PByte; capacity: UInt32; timeout_ms: UInt32; count: PUInt32; used: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_new: PDGPOptions; cdecl; external DGPHONE_LIB;
procedure dgp_options_free(options: PDGPOptions); cdecl; external DGPHONE_LIB;
function dgp_options_set_connect_timeout_ms(options: PDGPOptions; ms_: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_connect_timeout_ms(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_command_timeout_ms(options: PDGPOptions; ms_: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_command_timeout_ms(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_dead_peer_timeout_ms(options: PDGPOptions; ms_: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_dead_peer_timeout_ms(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_tcp_keepalive_s(options: PDGPOptions; seconds: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_tcp_keepalive_s(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_reconnect(options: PDGPOptions; enabled: Int32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_reconnect(options: PDGPOptions; out_: PInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_reconnect_initial_ms(options: PDGPOptions; ms_: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_reconnect_initial_ms(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_reconnect_max_ms(options: PDGPOptions; ms_: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_reconnect_max_ms(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_reconnect_max_attempts(options: PDGPOptions; attempts: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_reconnect_max_attempts(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_queue_capacity(options: PDGPOptions; capacity: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_queue_capacity(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_overflow_policy(options: PDGPOptions; policy: TDGPOverflowPolicy): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_overflow_policy(options: PDGPOptions; out_: PDGPOverflowPolicy): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_queue_with_callback(options: PDGPOptions; enabled: Int32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_queue_with_callback(options: PDGPOptions; out_: PInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_delivery_backlog(options: PDGPOptions; events: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_delivery_backlog(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_callback_stack_size(options: PDGPOptions; bytes: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_callback_stack_size(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_max_packet(options: PDGPOptions; bytes: UInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_max_packet(options: PDGPOptions; out_: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_send_user(options: PDGPOptions; enabled: Int32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_send_user(options: PDGPOptions; out_: PInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_remote_mode(options: PDGPOptions; enabled: Int32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_remote_mode(options: PDGPOptions; out_: PInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_redact_dtmf(options: PDGPOptions; enabled: Int32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_redact_dtmf(options: PDGPOptions; out_: PInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_log_callback(options: PDGPOptions; callback: TDGPLogCallback; user_data: Pointer): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_log_level(options: PDGPOptions; level: TDGPLogLevel): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_get_log_level(options: PDGPOptions; out_: PDGPLogLevel): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_options_set_wire_log(options: PDGPOptions; path: PAnsiChar): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_event_header_raw(event: PDGPEvent; index: UInt32; bytes: PPByte; len: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_event_time_unix(event: PDGPEvent; seconds: PUInt64): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_event_time_clock(event: PDGPEvent; seconds_of_day: PUInt32; date: PUInt32): TDGPResult; cdecl; external DGPHONE_LIB;
function dgp_result_str(code: TDGPResult): PAnsiChar; cdecl; external DGPHONE_LIB;
function dgp_version_number: UInt32; cdecl; external DGPHONE_LIB;
function dgp_version: PAnsiChar; cdecl; external DGPHONE_LIB;

implementation

end.
