{ DGPhone: a Delphi / Free Pascal class over libdgphone (DGPhoneApi).

  TDGPhone drives one DGPhone: every command, the agent login, the line,
  selected-line and agent states as properties, and events as handlers
  (OnEvent for everything, OnLineStateChange, OnIncomingCall,
  OnCallConnected, OnCallEnded, OnDtmf, OnAgentEvent, OnConnectionLost)
  that run on the main thread.

  Two ways to receive events, chosen at creation:
  - dmQueued (the default): the library's callback thread copies each
    event (one dgp_event_copy), decodes it into a TDGPhoneEvent and
    hands it to the main thread with TThread.Queue (a method, never
    Synchronize). A VCL or LCL application runs the handlers from its
    message loop by itself; a console program calls CheckSynchronize.
    Events still queued when the object is freed are discarded.
  - dmPolling: nothing runs by itself; the application calls
    ProcessEvents from its own loop, which takes the queued events (the
    pull API) and runs the handlers on the calling thread. NotifyHandle
    (Windows: a manual-reset event for WaitForSingleObject or
    MsgWaitForMultipleObjects) and NotifyFd (elsewhere: readable while
    events wait) say when to call it.

  Strings are string (AnsiString in Delphi 7 and FPC's delphi mode,
  UnicodeString in Delphi 2009+ and delphiunicode mode), converted from
  and to the library's UTF-8 in both directions.

  Errors raise EDGPhone with the library's result code and message.

  Rules: in a Free Pascal program on Linux, cthreads must be the first
  unit of the program (cwstring next). Free the object on the thread that
  runs its handlers, never from inside one of its handlers' callers on
  another thread. }
unit DGPhone;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
{$ENDIF}

{ Delphi before 2010 has no TThread.Queue/RemoveQueuedEvents pair: there the
  callback posts a message to a hidden window instead (Windows only). }
{$IFNDEF FPC}
  {$IFDEF CONDITIONALEXPRESSIONS}
    {$IF CompilerVersion < 21}
      {$DEFINE DGP_POST_MESSAGE}
    {$IFEND}
  {$ELSE}
    {$DEFINE DGP_POST_MESSAGE}
  {$ENDIF}
{$ENDIF}

interface

uses
{$IFDEF DGP_POST_MESSAGE}
  Windows, Messages,
{$ENDIF}
  SysUtils, Classes, SyncObjs, DGPhoneApi;

type
  { An error from the library: Code is the DGP_ERR_* result, Message the
    library's own text (dgp_last_error of the failing call's thread). }
  EDGPhone = class(Exception)
  private
    FCode: TDGPResult;
  public
    constructor CreateCode(ACode: TDGPResult; const AMessage: string);
    property Code: TDGPResult read FCode;
  end;

  { One event, decoded: every field of the library's record, its headers
    in arrival order, and the states as of the event. Owned by TDGPhone:
    valid during the handler; copy what you keep. }
  TDGPhoneEvent = class
  private
    FKind: TDGPEventKind;
    FLine: Integer;
    FDisconnectReason: TDGPDisconnectReason;
    FAttempt: Cardinal;
    FDelayMs: Cardinal;
    FDropped: UInt64;
    FDetail: string;
    FKeys: array of string;
    FValues: array of string;
    FLineState: TDGPLineState;
    FSelectedLine: Integer;
    FAgentState: TDGPAgentState;
    function GetHeaderCount: Integer;
    function GetHeaderKey(Index: Integer): string;
    function GetHeaderValue(Index: Integer): string;
    function GetNumber: string;
    function GetDigit: Char;
    function GetHold: Integer;
    function GetPaused: Integer;
  public
    { The value of the first header named Key (ASCII case ignored); '' when absent. }
    function Header(const Key: string): string;
    function HasHeader(const Key: string): Boolean;
    function KindName: string;
    property Kind: TDGPEventKind read FKind;
    { 1-6, 0 when the event names no line. }
    property Line: Integer read FLine;
    property DisconnectReason: TDGPDisconnectReason read FDisconnectReason;
    property Attempt: Cardinal read FAttempt;
    property DelayMs: Cardinal read FDelayMs;
    property Dropped: UInt64 read FDropped;
    { The greeting, the protocol error, the disconnection's reason... }
    property Detail: string read FDetail;
    property HeaderCount: Integer read GetHeaderCount;
    property HeaderKey[Index: Integer]: string read GetHeaderKey;
    property HeaderValue[Index: Integer]: string read GetHeaderValue;
    { Common headers. }
    property Number: string read GetNumber;
    { A DTMFReceived event's digit; #0 when none. }
    property Digit: Char read GetDigit;
    { Hold: 1 on hold, 0 active, -1 absent. }
    property Hold: Integer read GetHold;
    { Paused (AgentPaused): 1, 0, -1 absent. }
    property Paused: Integer read GetPaused;
    { The line's state (DGP_LINE_*) as of this event (dmQueued), or when it
      was processed (dmPolling); DGP_LINE_IDLE for an event without a line. }
    property LineState: TDGPLineState read FLineState;
    property SelectedLine: Integer read FSelectedLine;
    property AgentState: TDGPAgentState read FAgentState;
  end;

  TDGPhoneDelivery = (dmQueued, dmPolling);
  PDGPFlag = ^Boolean;

  TDGPhoneEventHandler = procedure(Sender: TObject; Event: TDGPhoneEvent) of object;
  TDGPhoneLineStateHandler = procedure(Sender: TObject; Line: Integer; State: TDGPLineState;
    Event: TDGPhoneEvent) of object;
  TDGPhoneIncomingCallHandler = procedure(Sender: TObject; Line: Integer; const Number: string;
    Event: TDGPhoneEvent) of object;
  TDGPhoneLineHandler = procedure(Sender: TObject; Line: Integer; Event: TDGPhoneEvent) of object;
  TDGPhoneDtmfHandler = procedure(Sender: TObject; Line: Integer; Digit: Char; Event: TDGPhoneEvent) of object;
  TDGPhoneConnectionLostHandler = procedure(Sender: TObject; Reason: TDGPDisconnectReason;
    const Detail: string; Event: TDGPhoneEvent) of object;

  { A set of connection options (dgp_options); TDGPhone.Create copies them. }
  TDGPhoneOptions = class
  private
    FHandle: PDGPOptions;
  public
    constructor Create;
    destructor Destroy; override;
    procedure SetConnectTimeoutMs(Ms: Cardinal);
    procedure SetCommandTimeoutMs(Ms: Cardinal);
    procedure SetDeadPeerTimeoutMs(Ms: Cardinal);
    procedure SetReconnect(Enabled: Boolean; InitialMs: Cardinal = 500; MaxMs: Cardinal = 30000;
      MaxAttempts: Cardinal = 0);
    procedure SetQueueCapacity(Capacity: Cardinal);
    procedure SetOverflowPolicy(Policy: TDGPOverflowPolicy);
    procedure SetDeliveryBacklog(Events: Cardinal);
    procedure SetSendUser(Enabled: Boolean);
    procedure SetRemoteMode(Enabled: Boolean);
    procedure SetWireLog(const Path: string);
    property Handle: PDGPOptions read FHandle;
  end;

  TDGPhone = class
  private
    FClient: PDGPClient;
    FDelivery: TDGPhoneDelivery;
    { The callback thread's side: the record buffer (that thread only). }
    FBuffer: array of Byte;
    { Decoded events waiting for the main thread, guarded by FLock. }
    FLock: TCriticalSection;
    FPending: TList;
    FScheduled: Boolean;
    { Set by Destroy when a handler frees the object mid-delivery. }
    FAlive: PDGPFlag;
    FLastLineState: array[1..6] of TDGPLineState;
{$IFDEF DGP_POST_MESSAGE}
    FWindow: HWND;
    procedure WindowProc(var Msg: TMessage);
{$ENDIF}
    FOnEvent: TDGPhoneEventHandler;
    FOnLineStateChange: TDGPhoneLineStateHandler;
    FOnIncomingCall: TDGPhoneIncomingCallHandler;
    FOnCallConnected: TDGPhoneLineHandler;
    FOnCallEnded: TDGPhoneLineHandler;
    FOnDtmf: TDGPhoneDtmfHandler;
    FOnAgentEvent: TDGPhoneEventHandler;
    FOnConnectionLost: TDGPhoneConnectionLostHandler;
    function Decode(Event: PDGPEvent; OnCallbackThread: Boolean): TDGPhoneEvent;
    procedure Enqueue(Event: PDGPEvent);
    procedure DeliverPending;
    function DeliverList(List: TList): Boolean;
    procedure DispatchEvent(Event: TDGPhoneEvent);
    function GetConnected: Boolean;
    function GetLoggedIn: Boolean;
    function GetSelectedLine: Integer;
    function GetLineState(Line: Integer): TDGPLineState;
    function GetLineNumber(Line: Integer): string;
    function GetAgentState: TDGPAgentState;
    function GetDroppedEvents: UInt64;
    function GetNotifyHandle: Pointer;
    function GetNotifyFd: Integer;
  public
    constructor Create(ADelivery: TDGPhoneDelivery = dmQueued; AOptions: TDGPhoneOptions = nil);
    { Disconnects, then discards the events not yet delivered. }
    destructor Destroy; override;

    procedure Connect(const Host: string; Port: Word = 5038);
    procedure Disconnect;
    procedure Login(const User: string);
    procedure Logoff;
    procedure Status;
    { Line 1-6; WaitMs > 0 waits that long for DGPhone's confirming event. }
    procedure LineSelect(Line: Integer; WaitMs: Cardinal = 0);
    procedure Dial(const Number: string; WaitMs: Cardinal = 0);
    { Line 0: the selected line. }
    procedure Answer(Line: Integer = 0; WaitMs: Cardinal = 0);
    { HoldFlag: 1 holds, 0 resumes, -1 toggles. }
    procedure Hold(HoldFlag: Integer; WaitMs: Cardinal = 0);
    procedure SendDtmf(const Digits: string);
    procedure Hangup(Line: Integer = 0; WaitMs: Cardinal = 0);
    { Queue '': every queue. }
    procedure QueueStatus(const Queue: string = ''; WaitMs: Cardinal = 0);
    procedure AgentPause(const Agent: string; Paused: Boolean; const Reason: string = '';
      WaitMs: Cardinal = 0);
    { Any command: Command: Name, then Keys[i]: Values[i]. }
    procedure SendCommand(const Name: string; const Keys, Values: array of string);
    { FeatureCode '': the default "*9800". }
    procedure LoginAgent(const Agent, Password: string; const FeatureCode: string = '';
      Line: Integer = 1; StepTimeoutMs: Cardinal = 10000);
    { The call-level helpers (dgp_place_call, dgp_answer_call, ...). }
    procedure RefreshLines(TimeoutMs: Cardinal = 10000);
    procedure PlaceCall(const Number: string; Line: Integer = 0; TimeoutMs: Cardinal = 10000);
    procedure AnswerCall(Line: Integer = 0; RingWaitMs: Cardinal = 0; TimeoutMs: Cardinal = 10000);
    procedure EndCall(Line: Integer = 0; TimeoutMs: Cardinal = 10000);
    procedure HoldCall(Mode: TDGPHoldMode; Line: Integer = 0; TimeoutMs: Cardinal = 10000);
    procedure SendCallDtmf(const Digits: string; Line: Integer = 0; TimeoutMs: Cardinal = 10000);
    { Makes blocking calls in progress on other threads return (DGP_ERR_CANCELLED). }
    procedure Cancel;

    { dmPolling: runs the handlers of the queued events, waiting up to
      TimeoutMs for the first; returns how many ran. }
    function ProcessEvents(TimeoutMs: Cardinal = 0): Integer;

    property Handle: PDGPClient read FClient;
    property Delivery: TDGPhoneDelivery read FDelivery;
    property Connected: Boolean read GetConnected;
    property LoggedIn: Boolean read GetLoggedIn;
    { 1-6, 0 while DGPhone has not reported one. The properties give the
      library's latest state; an event carries the state as of itself. }
    property SelectedLine: Integer read GetSelectedLine;
    property LineState[Line: Integer]: TDGPLineState read GetLineState;
    property LineNumber[Line: Integer]: string read GetLineNumber;
    property AgentState: TDGPAgentState read GetAgentState;
    property DroppedEvents: UInt64 read GetDroppedEvents;
    { dmPolling: Windows' HANDLE (nil elsewhere), or a descriptor (-1 on Windows). }
    property NotifyHandle: Pointer read GetNotifyHandle;
    property NotifyFd: Integer read GetNotifyFd;

    property OnEvent: TDGPhoneEventHandler read FOnEvent write FOnEvent;
    property OnLineStateChange: TDGPhoneLineStateHandler read FOnLineStateChange write FOnLineStateChange;
    property OnIncomingCall: TDGPhoneIncomingCallHandler read FOnIncomingCall write FOnIncomingCall;
    property OnCallConnected: TDGPhoneLineHandler read FOnCallConnected write FOnCallConnected;
    property OnCallEnded: TDGPhoneLineHandler read FOnCallEnded write FOnCallEnded;
    property OnDtmf: TDGPhoneDtmfHandler read FOnDtmf write FOnDtmf;
    { AgentLogin, AgentCalled, AgentConnect, AgentComplete, AgentLogoff,
      AgentNoAnswer, AgentPaused. }
    property OnAgentEvent: TDGPhoneEventHandler read FOnAgentEvent write FOnAgentEvent;
    { The connection ended for any reason but the application's own
      Disconnect (DGP_DISCONNECT_REQUESTED). }
    property OnConnectionLost: TDGPhoneConnectionLostHandler read FOnConnectionLost write FOnConnectionLost;
  end;

{ UTF-8 bytes to string (Len bytes at P), and back. }
function DGPFromUtf8(P: PAnsiChar; Len: Integer): string;
function DGPToUtf8(const S: string): UTF8String;
{ The calling thread's last library error message. }
function DGPLastError: string;
{ Raises EDGPhone for a failed result. }
procedure DGPCheck(Code: TDGPResult);
function DGPResultName(Code: TDGPResult): string;
function DGPEventKindName(Kind: TDGPEventKind): string;
function DGPLineStateName(State: TDGPLineState): string;

implementation

const
  { Room for a typical event; a bigger one grows the buffer. }
  INITIAL_BUFFER = 1024;
  PULL_BATCH = 64;
{$IFDEF DGP_POST_MESSAGE}
  WM_DGP_DELIVER = WM_USER + $0D6;
{$ENDIF}

{ Strings }

function DGPFromUtf8(P: PAnsiChar; Len: Integer): string;
var
  I: Integer;
  Ascii: Boolean;
  U: UTF8String;
begin
  if (P = nil) or (Len <= 0) then
  begin
    Result := '';
    Exit;
  end;
  Ascii := True;
  for I := 0 to Len - 1 do
    if Byte(P[I]) >= $80 then
    begin
      Ascii := False;
      Break;
    end;
  if Ascii then
  begin
{$IFDEF UNICODE}
    SetLength(Result, Len);
    for I := 0 to Len - 1 do
      Result[I + 1] := Char(Byte(P[I]));
{$ELSE}
    SetString(Result, P, Len);
{$ENDIF}
    Exit;
  end;
  SetString(U, P, Len);
{$IFDEF UNICODE}
  Result := UTF8ToString(U);
{$ELSE}
  Result := Utf8ToAnsi(U);
{$ENDIF}
end;

function DGPToUtf8(const S: string): UTF8String;
begin
{$IFDEF UNICODE}
  Result := UTF8Encode(S);
{$ELSE}
  Result := AnsiToUtf8(S);
{$ENDIF}
end;

{ PAnsiChar of a UTF-8 string; nil for '' when the argument is optional. }
function OptionalUtf8(const U: UTF8String): PAnsiChar;
begin
  if Length(U) = 0 then
    Result := nil
  else
    Result := PAnsiChar(U);
end;

function DGPLastError: string;
var
  Small: array[0..511] of AnsiChar;
  Big: array of AnsiChar;
  Len: UInt32;
begin
  Len := 0;
  if dgp_last_error(@Small[0], SizeOf(Small), @Len) = DGP_OK then
    Result := DGPFromUtf8(@Small[0], Len)
  else
  begin
    SetLength(Big, Len + 1);
    if dgp_last_error(@Big[0], Len + 1, @Len) = DGP_OK then
      Result := DGPFromUtf8(@Big[0], Len)
    else
      Result := '';
  end;
end;

function DGPResultName(Code: TDGPResult): string;
var
  P: PAnsiChar;
begin
  P := dgp_result_str(Code);
  Result := DGPFromUtf8(P, StrLen(P));
end;

procedure DGPCheck(Code: TDGPResult);
var
  Msg: string;
begin
  if Code = DGP_OK then
    Exit;
  Msg := DGPLastError;
  if Msg = '' then
    Msg := DGPResultName(Code);
  raise EDGPhone.CreateCode(Code, Msg);
end;

function DGPEventKindName(Kind: TDGPEventKind): string;
begin
  case Kind of
    DGP_EVENT_CONNECTED: Result := 'Connected';
    DGP_EVENT_LOGGED_IN: Result := 'LoggedIn';
    DGP_EVENT_DISCONNECTED: Result := 'Disconnected';
    DGP_EVENT_RECONNECTING: Result := 'Reconnecting';
    DGP_EVENT_GREETING: Result := 'Greeting';
    DGP_EVENT_PROTOCOL_ERROR: Result := 'ProtocolError';
    DGP_EVENT_OVERFLOW: Result := 'Overflow';
    DGP_EVENT_RECONNECT_FAILED: Result := 'ReconnectFailed';
    DGP_EVENT_LINE_SELECTED: Result := 'LineSelected';
    DGP_EVENT_DIALING: Result := 'Dialing';
    DGP_EVENT_RECEIVING_CALL: Result := 'ReceivingCall';
    DGP_EVENT_ANSWER: Result := 'Answer';
    DGP_EVENT_HOLD: Result := 'Hold';
    DGP_EVENT_HANGUP: Result := 'Hangup';
    DGP_EVENT_READY: Result := 'Ready';
    DGP_EVENT_DTMF_RECEIVED: Result := 'DTMFReceived';
    DGP_EVENT_USER_LOGOFF: Result := 'UserLogoff';
    DGP_EVENT_AGENT_LOGIN: Result := 'AgentLogin';
    DGP_EVENT_AGENT_CALLED: Result := 'AgentCalled';
    DGP_EVENT_AGENT_CONNECT: Result := 'AgentConnect';
    DGP_EVENT_AGENT_COMPLETE: Result := 'AgentComplete';
    DGP_EVENT_AGENT_LOGOFF: Result := 'AgentLogoff';
    DGP_EVENT_ERROR: Result := 'Error';
    DGP_EVENT_BUSY: Result := 'Busy';
    DGP_EVENT_AGENT_NO_ANSWER: Result := 'AgentNoAnswer';
    DGP_EVENT_AGENT_PAUSED: Result := 'AgentPaused';
    DGP_EVENT_QUEUE_ENTRY: Result := 'QueueEntry';
    DGP_EVENT_QUEUE_JOIN: Result := 'QueueJoin';
    DGP_EVENT_QUEUE_LEAVE: Result := 'QueueLeave';
    DGP_EVENT_QUEUE_ABANDON: Result := 'QueueAbandon';
    DGP_EVENT_QUEUE_STATUS_COMPLETE: Result := 'QueueStatusComplete';
    DGP_EVENT_OTHER_STATUS: Result := 'OtherStatus';
    DGP_EVENT_RESPONSE: Result := 'Response';
    DGP_EVENT_TIMESTAMP: Result := 'TimeStamp';
    DGP_EVENT_UNKNOWN: Result := 'Unknown';
  else
    Result := 'Kind' + IntToStr(Kind);
  end;
end;

function DGPLineStateName(State: TDGPLineState): string;
begin
  case State of
    DGP_LINE_IDLE: Result := 'Idle';
    DGP_LINE_OFFERING: Result := 'Offering';
    DGP_LINE_DIALING: Result := 'Dialing';
    DGP_LINE_CONNECTED: Result := 'Connected';
    DGP_LINE_ON_HOLD: Result := 'OnHold';
    DGP_LINE_DISCONNECTED: Result := 'Disconnected';
  else
    Result := 'State' + IntToStr(State);
  end;
end;

function IsAgentKind(Kind: TDGPEventKind): Boolean;
begin
  case Kind of
    DGP_EVENT_AGENT_LOGIN, DGP_EVENT_AGENT_CALLED, DGP_EVENT_AGENT_CONNECT,
    DGP_EVENT_AGENT_COMPLETE, DGP_EVENT_AGENT_LOGOFF, DGP_EVENT_AGENT_NO_ANSWER,
    DGP_EVENT_AGENT_PAUSED:
      Result := True;
  else
    Result := False;
  end;
end;

{ EDGPhone }

constructor EDGPhone.CreateCode(ACode: TDGPResult; const AMessage: string);
begin
  inherited Create(AMessage);
  FCode := ACode;
end;

{ TDGPhoneEvent }

{ Header keys are compared without regard to ASCII case, as the library does. }
function SameAscii(const A, B: string): Boolean;
var
  I: Integer;
  X, Y: Char;
begin
  Result := False;
  if Length(A) <> Length(B) then
    Exit;
  for I := 1 to Length(A) do
  begin
    X := A[I];
    Y := B[I];
    if X <> Y then
    begin
      if (X >= 'a') and (X <= 'z') then
        X := Char(Ord(X) - 32);
      if (Y >= 'a') and (Y <= 'z') then
        Y := Char(Ord(Y) - 32);
      if X <> Y then
        Exit;
    end;
  end;
  Result := True;
end;

function TDGPhoneEvent.GetHeaderCount: Integer;
begin
  Result := Length(FKeys);
end;

function TDGPhoneEvent.GetHeaderKey(Index: Integer): string;
begin
  Result := FKeys[Index];
end;

function TDGPhoneEvent.GetHeaderValue(Index: Integer): string;
begin
  Result := FValues[Index];
end;

function TDGPhoneEvent.HasHeader(const Key: string): Boolean;
var
  I: Integer;
begin
  for I := 0 to High(FKeys) do
    if SameAscii(FKeys[I], Key) then
    begin
      Result := True;
      Exit;
    end;
  Result := False;
end;

function TDGPhoneEvent.Header(const Key: string): string;
var
  I: Integer;
begin
  for I := 0 to High(FKeys) do
    if SameAscii(FKeys[I], Key) then
    begin
      Result := FValues[I];
      Exit;
    end;
  Result := '';
end;

function TDGPhoneEvent.KindName: string;
begin
  Result := DGPEventKindName(FKind);
end;

function TDGPhoneEvent.GetNumber: string;
begin
  Result := Header('Number');
end;

function TDGPhoneEvent.GetDigit: Char;
var
  S: string;
begin
  S := Header('Digit');
  if S = '' then
    S := Header('Digits');
  if Length(S) = 1 then
    Result := S[1]
  else
    Result := #0;
end;

function FlagOf(const S: string): Integer;
begin
  if S = '1' then
    Result := 1
  else if S = '0' then
    Result := 0
  else
    Result := -1;
end;

function TDGPhoneEvent.GetHold: Integer;
begin
  Result := FlagOf(Header('Hold'));
end;

function TDGPhoneEvent.GetPaused: Integer;
begin
  Result := FlagOf(Header('Paused'));
end;

{ TDGPhoneOptions }

constructor TDGPhoneOptions.Create;
begin
  inherited Create;
  FHandle := dgp_options_new;
  if FHandle = nil then
    raise EDGPhone.CreateCode(DGP_ERR_RESOURCE, 'dgp_options_new: out of memory');
end;

destructor TDGPhoneOptions.Destroy;
begin
  dgp_options_free(FHandle);
  inherited Destroy;
end;

procedure TDGPhoneOptions.SetConnectTimeoutMs(Ms: Cardinal);
begin
  DGPCheck(dgp_options_set_connect_timeout_ms(FHandle, Ms));
end;

procedure TDGPhoneOptions.SetCommandTimeoutMs(Ms: Cardinal);
begin
  DGPCheck(dgp_options_set_command_timeout_ms(FHandle, Ms));
end;

procedure TDGPhoneOptions.SetDeadPeerTimeoutMs(Ms: Cardinal);
begin
  DGPCheck(dgp_options_set_dead_peer_timeout_ms(FHandle, Ms));
end;

procedure TDGPhoneOptions.SetReconnect(Enabled: Boolean; InitialMs, MaxMs, MaxAttempts: Cardinal);
begin
  DGPCheck(dgp_options_set_reconnect(FHandle, Ord(Enabled)));
  DGPCheck(dgp_options_set_reconnect_initial_ms(FHandle, InitialMs));
  DGPCheck(dgp_options_set_reconnect_max_ms(FHandle, MaxMs));
  DGPCheck(dgp_options_set_reconnect_max_attempts(FHandle, MaxAttempts));
end;

procedure TDGPhoneOptions.SetQueueCapacity(Capacity: Cardinal);
begin
  DGPCheck(dgp_options_set_queue_capacity(FHandle, Capacity));
end;

procedure TDGPhoneOptions.SetOverflowPolicy(Policy: TDGPOverflowPolicy);
begin
  DGPCheck(dgp_options_set_overflow_policy(FHandle, Policy));
end;

procedure TDGPhoneOptions.SetDeliveryBacklog(Events: Cardinal);
begin
  DGPCheck(dgp_options_set_delivery_backlog(FHandle, Events));
end;

procedure TDGPhoneOptions.SetSendUser(Enabled: Boolean);
begin
  DGPCheck(dgp_options_set_send_user(FHandle, Ord(Enabled)));
end;

procedure TDGPhoneOptions.SetRemoteMode(Enabled: Boolean);
begin
  DGPCheck(dgp_options_set_remote_mode(FHandle, Ord(Enabled)));
end;

procedure TDGPhoneOptions.SetWireLog(const Path: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Path);
  DGPCheck(dgp_options_set_wire_log(FHandle, OptionalUtf8(U)));
end;

{ The callback: on the library's callback thread. Nothing may escape it. }

procedure OnLibraryEvent(UserData: Pointer; Event: PDGPEvent); cdecl;
begin
  try
    TDGPhone(UserData).Enqueue(Event);
  except
    { An event that cannot be decoded (out of memory) is lost; the
      library's thread must never see a Pascal exception. }
  end;
end;

{ TDGPhone }

constructor TDGPhone.Create(ADelivery: TDGPhoneDelivery; AOptions: TDGPhoneOptions);
var
  Options: PDGPOptions;
  Line: Integer;
begin
  inherited Create;
  FDelivery := ADelivery;
  FLock := TCriticalSection.Create;
  FPending := TList.Create;
  for Line := 1 to 6 do
    FLastLineState[Line] := DGP_LINE_IDLE;
  if AOptions <> nil then
    Options := AOptions.Handle
  else
    Options := nil;
  DGPCheck(dgp_client_new(Options, @FClient));
  if FDelivery = dmQueued then
  begin
{$IFDEF DGP_POST_MESSAGE}
    FWindow := AllocateHWnd(WindowProc);
{$ENDIF}
    SetLength(FBuffer, INITIAL_BUFFER);
    { Before connecting, so that no event is missed. }
    DGPCheck(dgp_set_event_callback(FClient, @OnLibraryEvent, Self));
  end;
end;

destructor TDGPhone.Destroy;
var
  I: Integer;
begin
  { After dgp_client_free returns no callback runs, so nothing is added to
    FPending any more; then the one queued delivery, if any, is removed. }
  if FClient <> nil then
    dgp_client_free(FClient);
  FClient := nil;
{$IFDEF DGP_POST_MESSAGE}
  if FWindow <> 0 then
    DeallocateHWnd(FWindow);
{$ELSE}
  if FDelivery = dmQueued then
    TThread.RemoveQueuedEvents(nil, DeliverPending);
{$ENDIF}
  if FAlive <> nil then
    FAlive^ := False;
  if FPending <> nil then
  begin
    for I := 0 to FPending.Count - 1 do
      TObject(FPending[I]).Free;
    FPending.Free;
  end;
  FLock.Free;
  inherited Destroy;
end;

function TDGPhone.Decode(Event: PDGPEvent; OnCallbackThread: Boolean): TDGPhoneEvent;
var
  Needed: UInt32;
  Code: TDGPResult;
  Rec: PDGPEventRecord;
  Entry: PDGPEventRecordHeader;
  Base: PAnsiChar;
  I, Count: Integer;
  Local: array of Byte;
  Buf: Pointer;
  Cap: UInt32;
begin
  if OnCallbackThread then
  begin
    { FBuffer belongs to the callback thread. }
    Buf := @FBuffer[0];
    Cap := Length(FBuffer);
  end
  else
  begin
    SetLength(Local, INITIAL_BUFFER);
    Buf := @Local[0];
    Cap := Length(Local);
  end;
  Needed := 0;
  Code := dgp_event_copy(Event, Buf, Cap, @Needed);
  if Code = DGP_ERR_BUFFER_TOO_SMALL then
  begin
    if OnCallbackThread then
    begin
      SetLength(FBuffer, Needed);
      Buf := @FBuffer[0];
    end
    else
    begin
      SetLength(Local, Needed);
      Buf := @Local[0];
    end;
    Cap := Needed;
    Code := dgp_event_copy(Event, Buf, Cap, @Needed);
  end;
  DGPCheck(Code);
  Rec := PDGPEventRecord(Buf);
  Base := PAnsiChar(Buf);
  Result := TDGPhoneEvent.Create;
  Result.FKind := Rec^.kind;
  Result.FLine := Rec^.line;
  Result.FDisconnectReason := Rec^.disconnect_reason;
  Result.FAttempt := Rec^.attempt;
  Result.FDelayMs := Rec^.delay_ms;
  Result.FDropped := Rec^.dropped;
  Result.FDetail := DGPFromUtf8(Base + Rec^.detail_offset, Rec^.detail_len);
  Count := Rec^.header_count;
  SetLength(Result.FKeys, Count);
  SetLength(Result.FValues, Count);
  Entry := PDGPEventRecordHeader(Base + Rec^.headers_offset);
  for I := 0 to Count - 1 do
  begin
    Result.FKeys[I] := DGPFromUtf8(Base + Entry^.key_offset, Entry^.key_len);
    Result.FValues[I] := DGPFromUtf8(Base + Entry^.value_offset, Entry^.value_len);
    Inc(Entry);
  end;
  { Inside the callback the library gives the states as of this event;
    while polling, as they are now. }
  if (Result.FLine >= 1) and (Result.FLine <= 6) then
    dgp_line_state(FClient, Result.FLine, @Result.FLineState)
  else
    Result.FLineState := DGP_LINE_IDLE;
  Result.FSelectedLine := dgp_selected_line(FClient);
  Result.FAgentState := dgp_agent_state(FClient);
end;

procedure TDGPhone.Enqueue(Event: PDGPEvent);
var
  Decoded: TDGPhoneEvent;
  Schedule: Boolean;
begin
  Decoded := Decode(Event, True);
  FLock.Enter;
  try
    FPending.Add(Decoded);
    Schedule := not FScheduled;
    FScheduled := True;
  finally
    FLock.Leave;
  end;
  { One queued delivery takes every event pending when it runs: a flood
    costs one queue entry per batch, not per event. }
  if Schedule then
{$IFDEF DGP_POST_MESSAGE}
    PostMessage(FWindow, WM_DGP_DELIVER, 0, 0);
{$ELSE}
    TThread.Queue(nil, DeliverPending);
{$ENDIF}
end;

{$IFDEF DGP_POST_MESSAGE}
procedure TDGPhone.WindowProc(var Msg: TMessage);
begin
  if Msg.Msg = WM_DGP_DELIVER then
    DeliverPending
  else
    Msg.Result := DefWindowProc(FWindow, Msg.Msg, Msg.WParam, Msg.LParam);
end;
{$ENDIF}

procedure TDGPhone.DeliverPending;
var
  Batch: TList;
begin
  Batch := TList.Create;
  try
    FLock.Enter;
    try
      { Swap the lists: the callback thread goes on filling a fresh one. }
      Batch.Free;
      Batch := FPending;
      FPending := TList.Create;
      FScheduled := False;
    finally
      FLock.Leave;
    end;
    DeliverList(Batch);
  finally
    Batch.Free;
  end;
end;

{ Runs the handlers of each event of List, freeing each; on an exception
  from a handler the rest go back to the front of the queue (queued) or
  are dropped (polling), and the exception goes on to the caller. A
  handler that frees this object stops the delivery cleanly. }
function TDGPhone.DeliverList(List: TList): Boolean;
var
  I, J: Integer;
  Alive: Boolean;
  Done: Boolean;
  Outer: PDGPFlag;
begin
  Alive := True;
  Outer := FAlive;
  FAlive := @Alive;
  I := 0;
  Done := False;
  try
    while I < List.Count do
    begin
      try
        DispatchEvent(TDGPhoneEvent(List[I]));
      finally
        TObject(List[I]).Free;
        List[I] := nil;
        Inc(I);
      end;
      if not Alive then
        Break;
    end;
    Done := True;
  finally
    if Alive then
    begin
      FAlive := Outer;
      if (not Done) and (I < List.Count) then
      begin
        if FDelivery = dmQueued then
        begin
          FLock.Enter;
          try
            for J := List.Count - 1 downto I do
              FPending.Insert(0, List[J]);
            if not FScheduled then
            begin
              FScheduled := True;
{$IFDEF DGP_POST_MESSAGE}
              PostMessage(FWindow, WM_DGP_DELIVER, 0, 0);
{$ELSE}
              TThread.Queue(nil, DeliverPending);
{$ENDIF}
            end;
          finally
            FLock.Leave;
          end;
        end
        else
          for J := I to List.Count - 1 do
            TObject(List[J]).Free;
      end;
    end
    else
    begin
      { Freed by a handler: tell an outer delivery too, touch nothing. }
      if Outer <> nil then
        Outer^ := False;
      for J := I to List.Count - 1 do
        TObject(List[J]).Free;
    end;
    List.Clear;
  end;
  Result := Alive;
end;

procedure TDGPhone.DispatchEvent(Event: TDGPhoneEvent);
var
  Line: Integer;
  Alive: PDGPFlag;
begin
  Alive := FAlive;
  if Assigned(FOnEvent) then
  begin
    FOnEvent(Self, Event);
    if (Alive <> nil) and not Alive^ then
      Exit;
  end;
  Line := Event.Line;
  if (Line >= 1) and (Line <= 6) and (Event.LineState <> FLastLineState[Line]) then
  begin
    FLastLineState[Line] := Event.LineState;
    if Assigned(FOnLineStateChange) then
    begin
      FOnLineStateChange(Self, Line, Event.LineState, Event);
      if (Alive <> nil) and not Alive^ then
        Exit;
    end;
  end;
  case Event.Kind of
    DGP_EVENT_RECEIVING_CALL:
      if Assigned(FOnIncomingCall) then
        FOnIncomingCall(Self, Line, Event.Number, Event);
    DGP_EVENT_ANSWER:
      if Assigned(FOnCallConnected) then
        FOnCallConnected(Self, Line, Event);
    DGP_EVENT_HANGUP:
      if Assigned(FOnCallEnded) then
        FOnCallEnded(Self, Line, Event);
    DGP_EVENT_DTMF_RECEIVED:
      if Assigned(FOnDtmf) then
        FOnDtmf(Self, Line, Event.Digit, Event);
    DGP_EVENT_DISCONNECTED:
      begin
        for Line := 1 to 6 do
          FLastLineState[Line] := DGP_LINE_IDLE;
        if (Event.DisconnectReason <> DGP_DISCONNECT_REQUESTED) and Assigned(FOnConnectionLost) then
          FOnConnectionLost(Self, Event.DisconnectReason, Event.Detail, Event);
      end;
  else
    if IsAgentKind(Event.Kind) and Assigned(FOnAgentEvent) then
      FOnAgentEvent(Self, Event);
  end;
end;

function TDGPhone.ProcessEvents(TimeoutMs: Cardinal): Integer;
var
  Events: array[0..PULL_BATCH - 1] of PDGPEvent;
  Count: UInt32;
  Code: TDGPResult;
  I: Integer;
  List: TList;
begin
  if FDelivery <> dmPolling then
    raise EDGPhone.CreateCode(DGP_ERR_INVALID_ARGUMENT,
      'ProcessEvents is for a TDGPhone created with dmPolling (dmQueued delivers by itself)');
  Result := 0;
  List := TList.Create;
  try
    repeat
      Count := 0;
      Code := dgp_next_events(FClient, @Events[0], PULL_BATCH, TimeoutMs, @Count);
      TimeoutMs := 0;
      if Code = DGP_ERR_TIMEOUT then
        Break;
      DGPCheck(Code);
      try
        for I := 0 to Integer(Count) - 1 do
          List.Add(Decode(Events[I], False));
      finally
        for I := 0 to Integer(Count) - 1 do
          dgp_event_free(Events[I]);
      end;
      Inc(Result, List.Count);
      { A handler may free this object: DeliverList then stops. }
      if not DeliverList(List) then
        Exit;
    until Count < PULL_BATCH;
  finally
    List.Free;
  end;
end;

procedure TDGPhone.Connect(const Host: string; Port: Word);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Host);
  DGPCheck(dgp_connect(FClient, PAnsiChar(U), Port));
end;

procedure TDGPhone.Disconnect;
begin
  DGPCheck(dgp_disconnect(FClient));
end;

procedure TDGPhone.Login(const User: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(User);
  DGPCheck(dgp_login(FClient, PAnsiChar(U)));
end;

procedure TDGPhone.Logoff;
begin
  DGPCheck(dgp_logoff(FClient));
end;

procedure TDGPhone.Status;
begin
  DGPCheck(dgp_status(FClient));
end;

procedure TDGPhone.LineSelect(Line: Integer; WaitMs: Cardinal);
begin
  DGPCheck(dgp_line_select(FClient, Line, WaitMs));
end;

procedure TDGPhone.Dial(const Number: string; WaitMs: Cardinal);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Number);
  DGPCheck(dgp_dial(FClient, PAnsiChar(U), WaitMs));
end;

procedure TDGPhone.Answer(Line: Integer; WaitMs: Cardinal);
begin
  DGPCheck(dgp_answer(FClient, Line, WaitMs));
end;

procedure TDGPhone.Hold(HoldFlag: Integer; WaitMs: Cardinal);
begin
  DGPCheck(dgp_hold(FClient, HoldFlag, WaitMs));
end;

procedure TDGPhone.SendDtmf(const Digits: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Digits);
  DGPCheck(dgp_send_dtmf(FClient, PAnsiChar(U)));
end;

procedure TDGPhone.Hangup(Line: Integer; WaitMs: Cardinal);
begin
  DGPCheck(dgp_hangup(FClient, Line, WaitMs));
end;

procedure TDGPhone.QueueStatus(const Queue: string; WaitMs: Cardinal);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Queue);
  DGPCheck(dgp_queue_status(FClient, OptionalUtf8(U), WaitMs));
end;

procedure TDGPhone.AgentPause(const Agent: string; Paused: Boolean; const Reason: string; WaitMs: Cardinal);
var
  A, R: UTF8String;
begin
  A := DGPToUtf8(Agent);
  R := DGPToUtf8(Reason);
  DGPCheck(dgp_agent_pause(FClient, PAnsiChar(A), Ord(Paused), OptionalUtf8(R), WaitMs));
end;

procedure TDGPhone.SendCommand(const Name: string; const Keys, Values: array of string);
var
  N: UTF8String;
  K, V: array of UTF8String;
  KP, VP: array of PAnsiChar;
  I, Count: Integer;
begin
  if Length(Keys) <> Length(Values) then
    raise EDGPhone.CreateCode(DGP_ERR_INVALID_ARGUMENT, 'SendCommand: as many keys as values are needed');
  N := DGPToUtf8(Name);
  Count := Length(Keys);
  SetLength(K, Count);
  SetLength(V, Count);
  SetLength(KP, Count + 1);
  SetLength(VP, Count + 1);
  for I := 0 to Count - 1 do
  begin
    K[I] := DGPToUtf8(Keys[I]);
    V[I] := DGPToUtf8(Values[I]);
    KP[I] := PAnsiChar(K[I]);
    VP[I] := PAnsiChar(V[I]);
  end;
  DGPCheck(dgp_send_command(FClient, PAnsiChar(N), @KP[0], @VP[0], Count));
end;

procedure TDGPhone.LoginAgent(const Agent, Password, FeatureCode: string; Line: Integer;
  StepTimeoutMs: Cardinal);
var
  A, P, F: UTF8String;
begin
  A := DGPToUtf8(Agent);
  P := DGPToUtf8(Password);
  F := DGPToUtf8(FeatureCode);
  DGPCheck(dgp_login_agent(FClient, OptionalUtf8(F), PAnsiChar(A), PAnsiChar(P), Line, StepTimeoutMs));
end;

procedure TDGPhone.RefreshLines(TimeoutMs: Cardinal);
begin
  DGPCheck(dgp_refresh_lines(FClient, TimeoutMs));
end;

procedure TDGPhone.PlaceCall(const Number: string; Line: Integer; TimeoutMs: Cardinal);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Number);
  DGPCheck(dgp_place_call(FClient, PAnsiChar(U), Line, TimeoutMs));
end;

procedure TDGPhone.AnswerCall(Line: Integer; RingWaitMs, TimeoutMs: Cardinal);
begin
  DGPCheck(dgp_answer_call(FClient, Line, RingWaitMs, TimeoutMs));
end;

procedure TDGPhone.EndCall(Line: Integer; TimeoutMs: Cardinal);
begin
  DGPCheck(dgp_end_call(FClient, Line, TimeoutMs));
end;

procedure TDGPhone.HoldCall(Mode: TDGPHoldMode; Line: Integer; TimeoutMs: Cardinal);
begin
  DGPCheck(dgp_hold_call(FClient, Mode, Line, TimeoutMs));
end;

procedure TDGPhone.SendCallDtmf(const Digits: string; Line: Integer; TimeoutMs: Cardinal);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Digits);
  DGPCheck(dgp_send_call_dtmf(FClient, PAnsiChar(U), Line, TimeoutMs));
end;

procedure TDGPhone.Cancel;
begin
  DGPCheck(dgp_cancel(FClient));
end;

function TDGPhone.GetConnected: Boolean;
begin
  Result := dgp_is_connected(FClient) <> 0;
end;

function TDGPhone.GetLoggedIn: Boolean;
begin
  Result := dgp_is_logged_in(FClient) <> 0;
end;

function TDGPhone.GetSelectedLine: Integer;
begin
  Result := dgp_selected_line(FClient);
end;

function TDGPhone.GetLineState(Line: Integer): TDGPLineState;
begin
  DGPCheck(dgp_line_state(FClient, Line, @Result));
end;

function TDGPhone.GetLineNumber(Line: Integer): string;
var
  Small: array[0..127] of AnsiChar;
  Big: array of AnsiChar;
  Len: UInt32;
  Code: TDGPResult;
begin
  Len := 0;
  Code := dgp_line_number(FClient, Line, @Small[0], SizeOf(Small), @Len);
  if Code = DGP_OK then
    Result := DGPFromUtf8(@Small[0], Len)
  else if Code = DGP_ERR_BUFFER_TOO_SMALL then
  begin
    SetLength(Big, Len + 1);
    DGPCheck(dgp_line_number(FClient, Line, @Big[0], Len + 1, @Len));
    Result := DGPFromUtf8(@Big[0], Len);
  end
  else
  begin
    DGPCheck(Code);
    Result := '';
  end;
end;

function TDGPhone.GetAgentState: TDGPAgentState;
begin
  Result := dgp_agent_state(FClient);
end;

function TDGPhone.GetDroppedEvents: UInt64;
begin
  Result := dgp_dropped_events(FClient);
end;

function TDGPhone.GetNotifyHandle: Pointer;
begin
  Result := dgp_notify_handle(FClient);
end;

function TDGPhone.GetNotifyFd: Integer;
begin
  Result := dgp_notify_fd(FClient);
end;

initialization
  { The library's threads call in: the RTL must know it is multi-threaded
    (with IsMultiThread false, queued events were lost in a test). }
  IsMultiThread := True;
end.
