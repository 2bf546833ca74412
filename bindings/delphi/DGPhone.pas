{ DGPhone: a Delphi / Free Pascal class over libdgphone (DGPhoneApi).

  TDGPhone drives one DGPhone: every command, the agent login, the line,
  selected-line and agent states as properties, and events as handlers
  (OnEvent for everything, OnLineStateChange, OnIncomingCall,
  OnCallConnected, OnCallEnded, OnDtmf, OnAgentEvent, OnConnectionLost)
  that run on the main thread.

  Two ways to receive events, chosen at creation:
  - dmQueued (the default): the library's callback thread copies each
    event into a TDGPhoneEvent (one dgp_event_copy; its strings are
    decoded from UTF-8 when a handler reads them) and hands it to the main
    thread with TThread.Queue (a method, never Synchronize): one queued
    call per burst of events, not per event. A VCL or LCL application runs
    the handlers from its message loop by itself; a console program calls
    CheckSynchronize. Events not yet delivered when the object is freed
    are discarded (TThread.RemoveQueuedEvents). Delphi 7 to 2009, which
    lack that pair, get a hidden window's messages instead (see below).
  - dmPolling: nothing runs by itself; the application calls
    ProcessEvents from its own loop, which takes the queued events (the
    pull API, dgp_next_records: many events per call) and runs the
    handlers on the calling thread. NotifyHandle (Windows: a manual-reset
    event for WaitForSingleObject or MsgWaitForMultipleObjects) and
    NotifyFd (elsewhere: readable while events wait) say when to call it.

  Strings are string (AnsiString in Delphi 7 and FPC's delphi mode,
  UnicodeString in Delphi 2009+ and delphiunicode mode), converted from
  and to the library's UTF-8 in both directions.

  Errors raise EDGPhone with the library's result code and message.

  Rules: in a Free Pascal program on Linux, cthreads must be the first
  unit of the program (cwstring next). Create, use and free a TDGPhone on
  the main thread (the one whose handlers run); a handler may free it. }
unit DGPhone;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
{$ENDIF}

{ Delphi before 2010 has no TThread.Queue/RemoveQueuedEvents pair: there the
  callback posts a message to a hidden window of the main thread instead,
  which its message loop runs. Free Pascal on Windows takes that route too
  when compiled with -dDGP_POST_MESSAGE (how the tests check it). }
{$IFNDEF FPC}
  {$IFDEF CONDITIONALEXPRESSIONS}
    {$IF CompilerVersion < 21}
      {$DEFINE DGP_POST_MESSAGE}
    {$IFEND}
    { TThread.ForceQueue came with Delphi 10.2 Tokyo; before it, Queue
      from the main thread appended the call. }
    {$IF CompilerVersion < 32}
      {$DEFINE DGP_NO_FORCE_QUEUE}
    {$IFEND}
  {$ELSE}
    {$DEFINE DGP_POST_MESSAGE}
  {$ENDIF}
{$ENDIF}

interface

uses
{$IFDEF FPC}
  {$IFDEF DGP_POST_MESSAGE}
  Windows, Messages,
  {$ENDIF}
{$ELSE}
  {$IFDEF MSWINDOWS}
  Windows,  { InterlockedExchange }
  {$ENDIF}
  {$IFDEF DGP_POST_MESSAGE}
  Messages,
  {$ENDIF}
{$ENDIF}
  SysUtils, Classes, DGPhoneApi;

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
    { The record dgp_event_copy wrote (GetMem'd, FRecord^.size bytes):
      strings are decoded when asked for, on the thread that asks. }
    FRecord: PDGPEventRecord;
    FCapacity: Cardinal;
    FKind: TDGPEventKind;
    FLine: Integer;
    FLineState: TDGPLineState;
    FSelectedLine: Integer;
    FAgentState: TDGPAgentState;
    function Entry(Index: Integer): PDGPEventRecordHeader;
    function Find(const Key: string): Integer;
    function GetDisconnectReason: TDGPDisconnectReason;
    function GetAttempt: Cardinal;
    function GetDelayMs: Cardinal;
    function GetDropped: UInt64;
    function GetDetail: string;
    function GetHeaderCount: Integer;
    function GetHeaderKey(Index: Integer): string;
    function GetHeaderValue(Index: Integer): string;
    function GetNumber: string;
    function GetDigit: Char;
    function GetHold: Integer;
    function GetPaused: Integer;
  public
    destructor Destroy; override;
    { The value of the first header named Key (ASCII case ignored); '' when absent. }
    function Header(const Key: string): string;
    function HasHeader(const Key: string): Boolean;
    function KindName: string;
    property Kind: TDGPEventKind read FKind;
    { 1-6, 0 when the event names no line. }
    property Line: Integer read FLine;
    property DisconnectReason: TDGPDisconnectReason read GetDisconnectReason;
    property Attempt: Cardinal read GetAttempt;
    property DelayMs: Cardinal read GetDelayMs;
    property Dropped: UInt64 read GetDropped;
    { The greeting, the protocol error, the disconnection's reason... }
    property Detail: string read GetDetail;
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
    { The hand-off, without a lock: each slot holds a TList or nil and is
      only ever swapped whole (an interlocked exchange).
      FInbox: decoded events for the main thread; the callback thread takes
      it back to append, or starts a new list when the main thread took it.
      FRecycleSlot: delivered events, back for reuse, so that a flood
      allocates nothing and no block is freed on another thread.
      FScheduled: 1 while a delivery is queued or running. }
    FInbox: Pointer;
    FRecycleSlot: Pointer;
    FScheduled: Integer;
    { The callback thread's spare events. }
    FSpare: TList;
    { The main thread's: events a handler's exception left undelivered. }
    FLeftover: TList;
    { The states as of the last event decoded (the decoding thread's). }
    FSnapLine: array[1..6] of TDGPLineState;
    FSnapSelected: Integer;
    FSnapAgent: TDGPAgentState;
    { dmPolling: the records dgp_next_records writes. }
    FPullBuffer: array of Byte;
    { Set by Destroy when a handler frees the object mid-delivery. }
    FAlive: PDGPFlag;
    FLastLineState: array[1..6] of TDGPLineState;
{$IFDEF DGP_POST_MESSAGE}
    FWindow: HWND;
{$ENDIF}
    FOnEvent: TDGPhoneEventHandler;
    FOnLineStateChange: TDGPhoneLineStateHandler;
    FOnIncomingCall: TDGPhoneIncomingCallHandler;
    FOnCallConnected: TDGPhoneLineHandler;
    FOnCallEnded: TDGPhoneLineHandler;
    FOnDtmf: TDGPhoneDtmfHandler;
    FOnAgentEvent: TDGPhoneEventHandler;
    FOnConnectionLost: TDGPhoneConnectionLostHandler;
    function Decode(Event: PDGPEvent; Reuse: TDGPhoneEvent): TDGPhoneEvent;
    procedure Recycle(List: TList; Count: Integer);
    procedure FillStates(Event: TDGPhoneEvent);
    procedure Enqueue(Event: PDGPEvent);
    procedure DeliverPending;
    procedure QueueAgain;
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
type
  { dgp_last_error's shape, which dgp_sim_last_error shares. }
  TDGPLastErrorFunc = function(buf: PAnsiChar; buf_len: UInt32; out_len: PUInt32): TDGPResult; cdecl;
{ The message Fetch copies out (dgp_last_error or dgp_sim_last_error),
  however long. }
function DGPCopyLastError(Fetch: TDGPLastErrorFunc): string;
{ Raises EDGPhone for a failed result. }
procedure DGPCheck(Code: TDGPResult);
function DGPResultName(Code: TDGPResult): string;
function DGPEventKindName(Kind: TDGPEventKind): string;
function DGPLineStateName(State: TDGPLineState): string;

implementation

const
  { Room for a typical event (the library says 512 bytes hold one); a
    bigger one is copied again into a block of its size. }
  INITIAL_BUFFER = 512;
  PULL_BUFFER = 65536;
  { The most delivered events kept for reuse. }
  MAX_RECYCLED = 4096;
  { Batches one delivery takes before it lets the main thread do other work. }
  MAX_ROUNDS = 16;
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

function DGPCopyLastError(Fetch: TDGPLastErrorFunc): string;
var
  Small: array[0..511] of AnsiChar;
  Big: array of AnsiChar;
  Len: UInt32;
begin
  Len := 0;
  if Fetch(@Small[0], SizeOf(Small), @Len) = DGP_OK then
    Result := DGPFromUtf8(@Small[0], Len)
  else
  begin
    SetLength(Big, Len + 1);
    if Fetch(@Big[0], Len + 1, @Len) = DGP_OK then
      Result := DGPFromUtf8(@Big[0], Len)
    else
      Result := '';
  end;
end;

function DGPLastError: string;
begin
  Result := DGPCopyLastError(@dgp_last_error);
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

destructor TDGPhoneEvent.Destroy;
begin
  FreeMem(FRecord);
  inherited Destroy;
end;

function TDGPhoneEvent.Entry(Index: Integer): PDGPEventRecordHeader;
begin
  if (Index < 0) or (Index >= Integer(FRecord^.header_count)) then
    raise EListError.CreateFmt('header index %d out of bounds', [Index]);
  Result := PDGPEventRecordHeader(PAnsiChar(FRecord) + FRecord^.headers_offset + Cardinal(Index) * SizeOf(TDGPEventRecordHeader));
end;

{ The index of the first header whose key is Key, ASCII case ignored
  (keys are compared as bytes: a non-ASCII key never matches), or -1. }
function TDGPhoneEvent.Find(const Key: string): Integer;
var
  I, J, Len: Integer;
  E: PDGPEventRecordHeader;
  P: PAnsiChar;
  X, Y: Integer;
begin
  Len := Length(Key);
  E := PDGPEventRecordHeader(PAnsiChar(FRecord) + FRecord^.headers_offset);
  for I := 0 to Integer(FRecord^.header_count) - 1 do
  begin
    if Integer(E^.key_len) = Len then
    begin
      P := PAnsiChar(FRecord) + E^.key_offset;
      J := 0;
      while J < Len do
      begin
        X := Byte(P[J]);
        Y := Ord(Key[J + 1]);
        if X <> Y then
        begin
          if (X >= Ord('a')) and (X <= Ord('z')) then
            Dec(X, 32);
          if (Y >= Ord('a')) and (Y <= Ord('z')) then
            Dec(Y, 32);
          if X <> Y then
            Break;
        end;
        Inc(J);
      end;
      if J = Len then
      begin
        Result := I;
        Exit;
      end;
    end;
    Inc(E);
  end;
  Result := -1;
end;

function TDGPhoneEvent.GetDisconnectReason: TDGPDisconnectReason;
begin
  Result := FRecord^.disconnect_reason;
end;

function TDGPhoneEvent.GetAttempt: Cardinal;
begin
  Result := FRecord^.attempt;
end;

function TDGPhoneEvent.GetDelayMs: Cardinal;
begin
  Result := FRecord^.delay_ms;
end;

function TDGPhoneEvent.GetDropped: UInt64;
begin
  Result := FRecord^.dropped;
end;

function TDGPhoneEvent.GetDetail: string;
begin
  Result := DGPFromUtf8(PAnsiChar(FRecord) + FRecord^.detail_offset, FRecord^.detail_len);
end;

function TDGPhoneEvent.GetHeaderCount: Integer;
begin
  Result := FRecord^.header_count;
end;

function TDGPhoneEvent.GetHeaderKey(Index: Integer): string;
var
  E: PDGPEventRecordHeader;
begin
  E := Entry(Index);
  Result := DGPFromUtf8(PAnsiChar(FRecord) + E^.key_offset, E^.key_len);
end;

function TDGPhoneEvent.GetHeaderValue(Index: Integer): string;
var
  E: PDGPEventRecordHeader;
begin
  E := Entry(Index);
  Result := DGPFromUtf8(PAnsiChar(FRecord) + E^.value_offset, E^.value_len);
end;

function TDGPhoneEvent.HasHeader(const Key: string): Boolean;
begin
  Result := Find(Key) >= 0;
end;

function TDGPhoneEvent.Header(const Key: string): string;
var
  I: Integer;
begin
  I := Find(Key);
  if I >= 0 then
    Result := GetHeaderValue(I)
  else
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
  I: Integer;
  E: PDGPEventRecordHeader;
begin
  Result := #0;
  I := Find('Digit');
  if I < 0 then
    I := Find('Digits');
  if I >= 0 then
  begin
    E := Entry(I);
    if E^.value_len = 1 then
      Result := Char(PAnsiChar(FRecord)[E^.value_offset]);
  end;
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

{$IFDEF DGP_POST_MESSAGE}
const
  DELIVERY_CLASS = 'DGPhoneDeliveryWindow';
  { A message-only window (HWND_MESSAGE, which Delphi 7's Windows.pas lacks). }
  MESSAGE_ONLY_PARENT = HWND(-3);

procedure SetWindowObject(Wnd: HWND; Phone: TObject);
begin
{$IFDEF FPC}
  SetWindowLongPtr(Wnd, GWLP_USERDATA, LONG_PTR(Phone));
{$ELSE}
  {$IFDEF CPUX64}
  SetWindowLongPtr(Wnd, GWLP_USERDATA, LONG_PTR(Phone));
  {$ELSE}
  SetWindowLong(Wnd, GWL_USERDATA, Integer(Phone));
  {$ENDIF}
{$ENDIF}
end;

function GetWindowObject(Wnd: HWND): TObject;
begin
{$IFDEF FPC}
  Result := TObject(GetWindowLongPtr(Wnd, GWLP_USERDATA));
{$ELSE}
  {$IFDEF CPUX64}
  Result := TObject(GetWindowLongPtr(Wnd, GWLP_USERDATA));
  {$ELSE}
  Result := TObject(GetWindowLong(Wnd, GWL_USERDATA));
  {$ENDIF}
{$ENDIF}
end;

{ Runs on the thread that made the window (the main thread), from its
  message loop. An exception goes to the application's handler (the VCL's
  Application.HandleException), never through Windows' frames. }
function DeliveryWindowProc(Wnd: HWND; Msg: UINT; WParam: WPARAM; LParam: LPARAM): LRESULT; stdcall;
var
  Phone: TObject;
begin
  if Msg = WM_DGP_DELIVER then
  begin
    Result := 0;
    Phone := GetWindowObject(Wnd);
    if Phone <> nil then
      try
        TDGPhone(Phone).DeliverPending;
      except
        if Assigned(ApplicationHandleException) then
          ApplicationHandleException(Phone)
        else
          ShowException(ExceptObject, ExceptAddr);
      end;
  end
  else
    Result := DefWindowProc(Wnd, Msg, WParam, LParam);
end;

function MakeDeliveryWindow(Phone: TObject): HWND;
var
  WndClass: TWndClass;
begin
  FillChar(WndClass, SizeOf(WndClass), 0);
  WndClass.lpfnWndProc := @DeliveryWindowProc;
  WndClass.hInstance := HInstance;
  WndClass.lpszClassName := DELIVERY_CLASS;
  { A second registration fails with ERROR_CLASS_ALREADY_EXISTS: fine. }
  Windows.RegisterClass(WndClass);
  Result := CreateWindowEx(0, DELIVERY_CLASS, '', 0, 0, 0, 0, 0, MESSAGE_ONLY_PARENT, 0, HInstance, nil);
  if Result = 0 then
    raise EDGPhone.CreateCode(DGP_ERR_RESOURCE, 'cannot create the delivery window: ' + SysErrorMessage(GetLastError));
  SetWindowObject(Result, Phone);
end;
{$ENDIF}

{ Interlocked exchanges of a pointer and of an Integer, as FPC and every
  Delphi spell them. }
function SwapPointer(var Target: Pointer; Value: Pointer): Pointer;
begin
{$IFDEF FPC}
  Result := System.InterlockedExchange(Target, Value);
{$ELSE}
  {$IFDEF CPUX64}
  Result := InterlockedExchangePointer(Target, Value);
  {$ELSE}
  Result := Pointer(InterlockedExchange(Integer(Target), Integer(Value)));
  {$ENDIF}
{$ENDIF}
end;

function SwapInteger(var Target: Integer; Value: Integer): Integer;
begin
{$IFDEF FPC}
  Result := System.InterlockedExchange(Target, Value);
{$ELSE}
  Result := InterlockedExchange(Target, Value);
{$ENDIF}
end;

procedure FreeObjects(var List: TList);
var
  I: Integer;
begin
  if List = nil then
    Exit;
  for I := 0 to List.Count - 1 do
    TObject(List[I]).Free;
  List.Free;
  List := nil;
end;

constructor TDGPhone.Create(ADelivery: TDGPhoneDelivery; AOptions: TDGPhoneOptions);
var
  Options: PDGPOptions;
  Line: Integer;
begin
  inherited Create;
  FDelivery := ADelivery;
  FSpare := TList.Create;
  FLeftover := TList.Create;
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
    FWindow := MakeDeliveryWindow(Self);
{$ENDIF}
    { Before connecting, so that no event is missed. }
    DGPCheck(dgp_set_event_callback(FClient, @OnLibraryEvent, Self));
  end;
end;

destructor TDGPhone.Destroy;
var
  List: TList;
begin
  { After dgp_client_free returns no callback runs, so nothing is added to
    FInbox any more; then the one queued delivery, if any, is removed. }
  if FClient <> nil then
    dgp_client_free(FClient);
  FClient := nil;
{$IFDEF DGP_POST_MESSAGE}
  { Messages still posted to it are discarded with it. }
  if FWindow <> 0 then
  begin
    SetWindowObject(FWindow, nil);
    DestroyWindow(FWindow);
  end;
{$ELSE}
  if FDelivery = dmQueued then
    TThread.RemoveQueuedEvents(nil, DeliverPending);
{$ENDIF}
  if FAlive <> nil then
    FAlive^ := False;
  List := TList(SwapPointer(FInbox, nil));
  FreeObjects(List);
  List := TList(SwapPointer(FRecycleSlot, nil));
  FreeObjects(List);
  FreeObjects(FSpare);
  FreeObjects(FLeftover);
  inherited Destroy;
end;

function TDGPhone.Decode(Event: PDGPEvent; Reuse: TDGPhoneEvent): TDGPhoneEvent;
var
  Needed: UInt32;
  Code: TDGPResult;
begin
  Result := Reuse;
  if Result = nil then
  begin
    Result := TDGPhoneEvent.Create;
    GetMem(Result.FRecord, INITIAL_BUFFER);
    Result.FCapacity := INITIAL_BUFFER;
  end;
  try
    { One copy of the whole event into the block the TDGPhoneEvent owns. }
    Needed := 0;
    Code := dgp_event_copy(Event, PByte(Result.FRecord), Result.FCapacity, @Needed);
    if Code = DGP_ERR_BUFFER_TOO_SMALL then
    begin
      ReallocMem(Result.FRecord, Needed);
      Result.FCapacity := Needed;
      Code := dgp_event_copy(Event, PByte(Result.FRecord), Needed, @Needed);
    end;
    DGPCheck(Code);
  except
    Result.Free;
    raise;
  end;
  FillStates(Result);
end;

procedure TDGPhone.FillStates(Event: TDGPhoneEvent);
var
  Line: Integer;
begin
  Event.FKind := Event.FRecord^.kind;
  Event.FLine := Event.FRecord^.line;
  { Inside the callback the library gives the states as of this event;
    while polling, as they are now. A DTMF digit or a timestamp changes no
    state, so a flood of them reuses the last snapshot (FSnap*, this
    thread's) and costs no state call. }
  if (Event.FKind <> DGP_EVENT_DTMF_RECEIVED) and (Event.FKind <> DGP_EVENT_TIMESTAMP) then
  begin
    for Line := 1 to 6 do
      dgp_line_state(FClient, Line, @FSnapLine[Line]);
    FSnapSelected := dgp_selected_line(FClient);
    FSnapAgent := dgp_agent_state(FClient);
  end;
  if (Event.FLine >= 1) and (Event.FLine <= 6) then
    Event.FLineState := FSnapLine[Event.FLine]
  else
    Event.FLineState := DGP_LINE_IDLE;
  Event.FSelectedLine := FSnapSelected;
  Event.FAgentState := FSnapAgent;
end;

{ Gives the first Count events of List back for reuse: to the callback
  thread (queued), or to ProcessEvents (polling). Main thread. }
procedure TDGPhone.Recycle(List: TList; Count: Integer);
var
  I: Integer;
  Reuse: TList;
begin
  I := 0;
  if FDelivery = dmQueued then
  begin
    { Only this thread puts a list in the slot: the exchange back finds nil. }
    Reuse := TList(SwapPointer(FRecycleSlot, nil));
    if Reuse = nil then
      Reuse := TList.Create;
    while (I < Count) and (Reuse.Count < MAX_RECYCLED) do
    begin
      Reuse.Add(List[I]);
      Inc(I);
    end;
    SwapPointer(FRecycleSlot, Reuse);
  end
  else
    { Polling: made and reused on this thread. }
    while (I < Count) and (FSpare.Count < MAX_RECYCLED) do
    begin
      FSpare.Add(List[I]);
      Inc(I);
    end;
  while I < Count do
  begin
    TObject(List[I]).Free;
    Inc(I);
  end;
end;

{ The callback thread's side. }
procedure TDGPhone.Enqueue(Event: PDGPEvent);
var
  Decoded: TDGPhoneEvent;
  Spare, Inbox: TList;
begin
  if FSpare.Count = 0 then
  begin
    Spare := TList(SwapPointer(FRecycleSlot, nil));
    if Spare <> nil then
    begin
      FSpare.Free;
      FSpare := Spare;
    end;
  end;
  if FSpare.Count > 0 then
  begin
    Decoded := TDGPhoneEvent(FSpare[FSpare.Count - 1]);
    FSpare.Delete(FSpare.Count - 1);
  end
  else
    Decoded := nil;
  Decoded := Decode(Event, Decoded);
  { Take the inbox back (or start one), append, put it back: the main
    thread takes whole lists, never half of one. }
  Inbox := TList(SwapPointer(FInbox, nil));
  if Inbox = nil then
    Inbox := TList.Create;
  Inbox.Add(Decoded);
  SwapPointer(FInbox, Inbox);
  { One queued delivery takes every event waiting when it runs, and what
    comes while it runs: a flood costs one queue entry per burst. }
  if SwapInteger(FScheduled, 1) = 0 then
{$IFDEF DGP_POST_MESSAGE}
    PostMessage(FWindow, WM_DGP_DELIVER, 0, 0);
{$ELSE}
    TThread.Queue(nil, DeliverPending);
{$ENDIF}
end;



procedure TDGPhone.DeliverPending;
var
  Batch: TList;
  Round: Integer;
begin
  { Drains what waits, and what comes meanwhile, up to MAX_ROUNDS lists:
    FScheduled stays 1 while it runs, so the callback thread queues no new
    delivery (and wakes nobody) for events this one will take. Then it
    queues itself again, so that a flood never starves the rest of the
    main thread's work. }
  if FLeftover.Count > 0 then
  begin
    Batch := FLeftover;
    FLeftover := TList.Create;
    try
      if not DeliverList(Batch) then
        Exit;
    finally
      Batch.Free;
    end;
  end;
  for Round := 1 to MAX_ROUNDS do
  begin
    Batch := TList(SwapPointer(FInbox, nil));
    if Batch = nil then
    begin
      { Nothing: done, unless an event came between the look and the flag
        (then go on; a delivery the callback thread queued meanwhile finds
        nothing and returns). }
      SwapInteger(FScheduled, 0);
      Batch := TList(SwapPointer(FInbox, nil));
      if Batch = nil then
        Exit;
      SwapInteger(FScheduled, 1);
    end;
    try
      if not DeliverList(Batch) then
        Exit;
    finally
      Batch.Free;
    end;
  end;
  QueueAgain;
end;

{ Queues DeliverPending from the main thread itself. TThread.Queue would
  run it at once, recursively (FPC, Delphi 10.2+): ForceQueue appends it. }
procedure TDGPhone.QueueAgain;
begin
{$IFDEF DGP_POST_MESSAGE}
  PostMessage(FWindow, WM_DGP_DELIVER, 0, 0);
{$ELSE}
  {$IFDEF DGP_NO_FORCE_QUEUE}
  TThread.Queue(nil, DeliverPending);
  {$ELSE}
  TThread.ForceQueue(nil, DeliverPending);
  {$ENDIF}
{$ENDIF}
end;

{ Runs the handlers of each event of List, freeing each; on an exception
  from a handler the rest go back to the front of the queue (queued) or
  are dropped (polling), and the exception goes on to the caller. A
  handler that frees this object stops the delivery cleanly. }
function TDGPhone.DeliverList(List: TList): Boolean;
var
  I, J: Integer;
  Alive, Done: Boolean;
  Outer: PDGPFlag;
begin
  Alive := True;
  Done := False;
  Outer := FAlive;
  FAlive := @Alive;
  I := 0;
  try
    while (I < List.Count) and Alive do
    begin
      Inc(I);
      DispatchEvent(TDGPhoneEvent(List[I - 1]));
    end;
    Done := True;
  finally
    if Alive then
    begin
      FAlive := Outer;
      { Delivered (the one that raised included): back for reuse. }
      Recycle(List, I);
      if not Done then
      begin
        { A handler raised: the rest go first to the next delivery (queued
          now: the one running ends here with FScheduled still 1) or to the
          next ProcessEvents. }
        for J := List.Count - 1 downto I do
          FLeftover.Insert(0, List[J]);
        if FDelivery = dmQueued then
          QueueAgain;
      end;
    end
    else
    begin
      { Freed by a handler: tell an outer delivery too, touch nothing of Self. }
      if Outer <> nil then
        Outer^ := False;
      for J := 0 to List.Count - 1 do
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
  Count, Used, Offset, Size: UInt32;
  Code: TDGPResult;
  I: Integer;
  List: TList;
  Rec: PDGPEventRecord;
  Event: TDGPhoneEvent;
begin
  if FDelivery <> dmPolling then
    raise EDGPhone.CreateCode(DGP_ERR_INVALID_ARGUMENT,
      'ProcessEvents is for a TDGPhone created with dmPolling (dmQueued delivers by itself)');
  Result := 0;
  if Length(FPullBuffer) = 0 then
    SetLength(FPullBuffer, PULL_BUFFER);
  List := TList.Create;
  try
    { First what a handler's exception left undelivered last time. }
    if FLeftover.Count > 0 then
    begin
      for I := 0 to FLeftover.Count - 1 do
        List.Add(FLeftover[I]);
      FLeftover.Clear;
      Inc(Result, List.Count);
      if not DeliverList(List) then
        Exit;
    end;
    repeat
      { One call takes every waiting event that fits, as packed records. }
      Count := 0;
      Used := 0;
      Code := dgp_next_records(FClient, @FPullBuffer[0], Length(FPullBuffer), TimeoutMs, @Count, @Used);
      if Code = DGP_ERR_BUFFER_TOO_SMALL then
      begin
        SetLength(FPullBuffer, Used);
        Code := dgp_next_records(FClient, @FPullBuffer[0], Length(FPullBuffer), TimeoutMs, @Count, @Used);
      end;
      TimeoutMs := 0;
      if Code = DGP_ERR_TIMEOUT then
        Break;
      DGPCheck(Code);
      Offset := 0;
      for I := 0 to Integer(Count) - 1 do
      begin
        Rec := PDGPEventRecord(@FPullBuffer[Offset]);
        Size := Rec^.size;
        if FSpare.Count > 0 then
        begin
          Event := TDGPhoneEvent(FSpare[FSpare.Count - 1]);
          FSpare.Delete(FSpare.Count - 1);
          if Event.FCapacity < Size then
          begin
            ReallocMem(Event.FRecord, Size);
            Event.FCapacity := Size;
          end;
        end
        else
        begin
          Event := TDGPhoneEvent.Create;
          GetMem(Event.FRecord, Size);
          Event.FCapacity := Size;
        end;
        Move(Rec^, Event.FRecord^, Size);
        Event.FKind := Rec^.kind;
        Event.FLine := Rec^.line;
        FillStates(Event);
        List.Add(Event);
        { The next record starts on an 8-byte boundary. }
        Offset := (Offset + Size + 7) and not UInt32(7);
      end;
      Inc(Result, List.Count);
      { A handler may free this object: DeliverList then stops. }
      if not DeliverList(List) then
        Exit;
    until Used < Cardinal(Length(FPullBuffer)) div 2;
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
