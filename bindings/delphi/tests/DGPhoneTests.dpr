{ The Delphi binding's tests, against the real library and its simulator
  (in process, 127.0.0.1, a free port). Built with fpc -Mdelphi (strings
  are AnsiString, as in Delphi 7) and -Mdelphiunicode (UnicodeString, as in
  Delphi 2009+), for Linux and, cross-compiled, for Windows under Wine.
  Every check counts; the last line is "N passed, M failed".
  Waits pump the main thread (CheckSynchronize) until a condition holds,
  with a generous deadline; none is a bare sleep.

  Usage: DGPhoneTests            the tests
         DGPhoneTests bench N    events/s of an N-event flood to a handler }
program DGPhoneTests;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
{$ENDIF}
{$APPTYPE CONSOLE}

uses
{$IFDEF UNIX}
  cthreads, cwstring, BaseUnix,
{$ENDIF}
{$IFDEF MSWINDOWS}
  Windows,
{$ENDIF}
  SysUtils, Classes, DGPhoneApi, DGPhoneSimApi, DGPhone, DGPhoneSim;

const
  WAIT_MS = 10000;

var
  Passed, Failed: Integer;

procedure Check(Ok: Boolean; const What: string);
begin
  if Ok then
    Inc(Passed)
  else
  begin
    Inc(Failed);
    WriteLn('FAIL ', What);
  end;
end;

procedure CheckEq(Got, Want: Int64; const What: string);
begin
  Check(Got = Want, What + ' (got ' + IntToStr(Got) + ', want ' + IntToStr(Want) + ')');
end;

{ Runs what waits for the main thread, waiting up to Ms for something:
  TThread.Queue'd calls, or, on the Delphi 7 route (DGP_POST_MESSAGE), the
  window messages a message loop would dispatch. }
procedure Pump(Ms: Cardinal);
{$IFDEF DGP_POST_MESSAGE}
var
  Msg: TMsg;
begin
  if not PeekMessage(Msg, 0, 0, 0, PM_NOREMOVE) then
    MsgWaitForMultipleObjects(0, nil, False, Ms, QS_ALLINPUT);
  while PeekMessage(Msg, 0, 0, 0, PM_REMOVE) do
  begin
    TranslateMessage(Msg);
    DispatchMessage(Msg);
  end;
end;
{$ELSE}
begin
  CheckSynchronize(Ms);
end;
{$ENDIF}

function Ticks: Int64;
begin
  Result := GetTickCount64;
end;

function OnMainThread: Boolean;
begin
  Result := GetCurrentThreadId = MainThreadID;
end;

{ 'João' as UTF-8 bytes, built byte by byte (no literal conversion). }
function JoaoUtf8: UTF8String;
begin
  SetLength(Result, 5);
  Result[1] := AnsiChar($4A);
  Result[2] := AnsiChar($6F);
  Result[3] := AnsiChar($C3);
  Result[4] := AnsiChar($A3);
  Result[5] := AnsiChar($6F);
end;

function Joao: string;
begin
  Result := DGPFromUtf8(PAnsiChar(JoaoUtf8), 5);
end;

{ The string is João: its UTF-8 form, and in UnicodeString its code points. }
procedure CheckJoao(const S: string; const What: string);
begin
  Check(DGPToUtf8(S) = JoaoUtf8, What + ': UTF-8 round trip of "' + S + '"');
{$IFDEF UNICODE}
  Check((Length(S) = 4) and (Ord(S[3]) = $E3), What + ': the UnicodeString holds U+00E3');
{$ELSE}
  Check(S = Utf8ToAnsi(JoaoUtf8), What + ': the AnsiString is the ANSI code page''s João');
{$ENDIF}
end;

function UsesUtf8(const S: string): UTF8String;
begin
  Result := DGPToUtf8(S);
end;

type
  { What the handlers saw. }
  TRecorder = class
  public
    Phone: TDGPhone;
    Events, OffMain, AfterFree: Integer;
    Freed: Boolean;
    LineStates: array[1..6] of string;
    Incoming, Connected, Ended, Dtmf, Agent, AgentLogins, Lost: Integer;
    IncomingLine, ConnectedLine, EndedLine, DtmfLine: Integer;
    IncomingNumber, LastAgent, LastUniqueid, CallerName: string;
    LastDigit: Char;
    LostReason: TDGPDisconnectReason;
    StateChanges: Integer;
    Kinds: string;
    FreeInIncoming: Boolean;
    procedure Seen;
    procedure DoEvent(Sender: TObject; Event: TDGPhoneEvent);
    procedure DoLineState(Sender: TObject; Line: Integer; State: TDGPLineState; Event: TDGPhoneEvent);
    procedure DoIncoming(Sender: TObject; Line: Integer; const Number: string; Event: TDGPhoneEvent);
    procedure DoConnected(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
    procedure DoEnded(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
    procedure DoDtmf(Sender: TObject; Line: Integer; Digit: Char; Event: TDGPhoneEvent);
    procedure DoAgent(Sender: TObject; Event: TDGPhoneEvent);
    procedure DoLost(Sender: TObject; Reason: TDGPDisconnectReason; const Detail: string; Event: TDGPhoneEvent);
    procedure Attach(APhone: TDGPhone);
  end;

procedure TRecorder.Seen;
begin
  if not OnMainThread then
    Inc(OffMain);
  if Freed then
    Inc(AfterFree);
end;

procedure TRecorder.DoEvent(Sender: TObject; Event: TDGPhoneEvent);
begin
  Seen;
  Inc(Events);
  if Length(Kinds) < 2000 then
    Kinds := Kinds + Event.KindName + ' ';
  if Event.HasHeader('CallerName') then
    CallerName := Event.Header('callername');
end;

procedure TRecorder.DoLineState(Sender: TObject; Line: Integer; State: TDGPLineState; Event: TDGPhoneEvent);
begin
  Seen;
  Inc(StateChanges);
  LineStates[Line] := LineStates[Line] + DGPLineStateName(State) + ' ';
end;

procedure TRecorder.DoIncoming(Sender: TObject; Line: Integer; const Number: string; Event: TDGPhoneEvent);
begin
  Seen;
  Inc(Incoming);
  IncomingLine := Line;
  IncomingNumber := Number;
  if FreeInIncoming then
  begin
    Freed := True;
    Phone.Free;
    Phone := nil;
  end;
end;

procedure TRecorder.DoConnected(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
begin
  Seen;
  Inc(Connected);
  ConnectedLine := Line;
end;

procedure TRecorder.DoEnded(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
begin
  Seen;
  Inc(Ended);
  EndedLine := Line;
end;

procedure TRecorder.DoDtmf(Sender: TObject; Line: Integer; Digit: Char; Event: TDGPhoneEvent);
begin
  Seen;
  Inc(Dtmf);
  DtmfLine := Line;
  LastDigit := Digit;
end;

procedure TRecorder.DoAgent(Sender: TObject; Event: TDGPhoneEvent);
begin
  Seen;
  Inc(Agent);
  if Event.Kind = DGP_EVENT_AGENT_LOGIN then
    Inc(AgentLogins);
  LastAgent := Event.Header('Agent');
  LastUniqueid := Event.Header('Uniqueid');
end;

procedure TRecorder.DoLost(Sender: TObject; Reason: TDGPDisconnectReason; const Detail: string; Event: TDGPhoneEvent);
begin
  Seen;
  Inc(Lost);
  LostReason := Reason;
end;

procedure TRecorder.Attach(APhone: TDGPhone);
begin
  Phone := APhone;
  Phone.OnEvent := DoEvent;
  Phone.OnLineStateChange := DoLineState;
  Phone.OnIncomingCall := DoIncoming;
  Phone.OnCallConnected := DoConnected;
  Phone.OnCallEnded := DoEnded;
  Phone.OnDtmf := DoDtmf;
  Phone.OnAgentEvent := DoAgent;
  Phone.OnConnectionLost := DoLost;
end;

{ Pumps the main thread until Counter reaches Target or the deadline. }
function WaitCount(var Counter: Integer; Target: Integer; const What: string): Boolean;
var
  Deadline: Int64;
begin
  Deadline := Ticks + WAIT_MS;
  while (Counter < Target) and (Ticks < Deadline) do
    Pump(10);
  Result := Counter >= Target;
  Check(Result, 'waited for ' + What);
end;

{ Pumps the main thread until Text ends with Tail or the deadline. }
function WaitText(var Text: string; const Tail: string; const What: string): Boolean;
var
  Deadline: Int64;
begin
  Deadline := Ticks + WAIT_MS;
  while (Copy(Text, Length(Text) - Length(Tail) + 1, Length(Tail)) <> Tail) and (Ticks < Deadline) do
    Pump(10);
  Result := Copy(Text, Length(Text) - Length(Tail) + 1, Length(Tail)) = Tail;
  Check(Result, 'waited for ' + What + ': ' + Text);
end;

{ Pumps the main thread for Ms (after a free: nothing may arrive). }
procedure PumpFor(Ms: Integer);
var
  Deadline: Int64;
begin
  Deadline := Ticks + Ms;
  while Ticks < Deadline do
    Pump(5);
end;

{ Runs the test body Proc and checks that it raised EDGPhone with Code. }
type
  TProc = procedure of object;

function Raises(Proc: TProc; Code: TDGPResult; const What: string): string;
begin
  Result := '';
  try
    Proc;
    Check(False, What + ': no exception');
  except
    on E: EDGPhone do
    begin
      Result := E.Message;
      Check(E.Code = Code, What + ': code ' + IntToStr(E.Code) + ' (' + E.Message + '), want ' + IntToStr(Code));
      Check(E.Message <> '', What + ': a message');
      if GetEnvironmentVariable('DGP_TEST_VERBOSE') <> '' then
        WriteLn('  ', What, ': EDGPhone ', E.Code, ': ', E.Message);
    end;
    on E: Exception do
      Check(False, What + ': ' + E.ClassName + ': ' + E.Message);
  end;
end;

function Contains(const Text, Part: string): Boolean;
begin
  Result := Pos(LowerCase(Part), LowerCase(Text)) > 0;
end;

{ The bad calls, as methods (no anonymous methods in FPC 3.2 or Delphi 7). }
type
  TBadCalls = class
  public
    Phone: TDGPhone;
    Sim: TDGPhoneSim;
    Config: TDGPhoneSimConfig;
    Port: Word;
    procedure LoginUnconnected;
    procedure ConnectClosed;
    procedure DialNotLoggedIn;
    procedure SelectLine9;
    procedure BadDtmf;
    procedure NewlineInNumber;
    procedure LongNumber;
    procedure AnswerIdle;
    procedure CommandMismatch;
    procedure PollQueued;
    procedure LoginTwice;
    procedure SimBadRing;
    procedure SimBadProfile;
    procedure LoginRejected;
  end;

procedure TBadCalls.LoginUnconnected; begin Phone.Login('201'); end;
procedure TBadCalls.ConnectClosed; begin Phone.Connect('127.0.0.1', Port); end;
procedure TBadCalls.DialNotLoggedIn; begin Phone.Dial('1002'); end;
procedure TBadCalls.SelectLine9; begin Phone.LineSelect(9); end;
procedure TBadCalls.BadDtmf; begin Phone.SendDtmf('12x'); end;
procedure TBadCalls.NewlineInNumber; begin Phone.Dial('100'#13#10'Action: Logoff'); end;
procedure TBadCalls.LongNumber; begin Phone.Dial(StringOfChar('1', DGP_MAX_SHORT_LEN + 1)); end;
procedure TBadCalls.AnswerIdle; begin Phone.Answer(1, WAIT_MS); end;
procedure TBadCalls.CommandMismatch; begin Phone.SendCommand('Note', ['A', 'B'], ['1']); end;
procedure TBadCalls.PollQueued; begin Phone.ProcessEvents(0); end;
procedure TBadCalls.LoginTwice; begin Phone.Login('201'); end;
procedure TBadCalls.SimBadRing; begin Sim.Perform('ring 9 300'); end;
procedure TBadCalls.SimBadProfile; begin Config.SetProfile('no-such-profile'); end;
procedure TBadCalls.LoginRejected; begin Phone.Login('201'); end;

function StartSim(Config: TDGPhoneSimConfig = nil): TDGPhoneSim;
begin
  Result := TDGPhoneSim.Create(Config);
end;

procedure ConnectAndLogin(Phone: TDGPhone; Sim: TDGPhoneSim);
begin
  Phone.Connect('127.0.0.1', Sim.Port);
  Phone.Login('201');
end;

procedure ConnectAndLoginAt(Phone: TDGPhone; Port: Word);
begin
  Phone.Connect('127.0.0.1', Port);
  Phone.Login('201');
end;

{ 1. The raw API: versions, codes, the renamed accessor. }
procedure TestApi;
var
  Msg: array[0..255] of AnsiChar;
  Len: UInt32;
  Event: PDGPEvent;
begin
  CheckEq(dgp_version_number, DGP_VERSION_MAJOR shl 16 or DGP_VERSION_MINOR shl 8 or DGP_VERSION_PATCH,
    'the loaded library is the header''s version');
  Check(string(dgp_version) <> '', 'dgp_version');
  Check(DGPResultName(DGP_ERR_TIMEOUT) <> DGPResultName(DGP_OK), 'dgp_result_str tells codes apart');
  CheckEq(dgp_event_hold_state(nil), -1, 'dgp_event_hold (as dgp_event_hold_state) of no event');
  CheckEq(dgp_event_kind(nil), 0, 'dgp_event_kind of no event');
  { dgp_next_event with a NULL client: an error and its message. }
  Event := nil;
  Check(dgp_next_event(nil, 0, @Event) <> DGP_OK, 'dgp_next_event(NULL) fails');
  Len := 0;
  CheckEq(dgp_last_error(@Msg[0], SizeOf(Msg), @Len), DGP_OK, 'dgp_last_error copies the message');
  Check(Len > 0, 'the message is not empty');
  CheckEq(SizeOf(TDGPEventRecord), 48, 'dgp_event_record is 48 bytes');
  CheckEq(SizeOf(TDGPEventRecordHeader), 16, 'dgp_event_record_header is 16 bytes');
end;

{ 2. The call flow, every handler, on the main thread. }
procedure TestCallFlow;
var
  Sim: TDGPhoneSim;
  Phone: TDGPhone;
  R: TRecorder;
  N: Integer;
  Caller: string;
begin
  Sim := StartSim;
  R := TRecorder.Create;
  Phone := TDGPhone.Create;
  try
    R.Attach(Phone);
    ConnectAndLogin(Phone, Sim);
    Check(Sim.WaitForLogins(1, WAIT_MS), 'the simulator saw the login');
    Check(Phone.Connected and Phone.LoggedIn, 'connected and logged in');
    Phone.LineSelect(1, WAIT_MS);
    CheckEq(Phone.AgentState, DGP_AGENT_LOGGED_OUT, 'no agent yet');

    { Outgoing: dial (the far end answers at once), hold, resume, DTMF, hang up. }
    Phone.Dial('1002', WAIT_MS);
    WaitCount(R.Connected, 1, 'OnCallConnected for the dialled call');
    CheckEq(R.ConnectedLine, 1, 'the call is on line 1');
    CheckEq(Phone.SelectedLine, 1, 'SelectedLine');
    CheckEq(Phone.LineState[1], DGP_LINE_CONNECTED, 'LineState[1] connected');
    Check(Phone.LineNumber[1] = '1002', 'LineNumber[1] is the dialled number');
    Phone.Hold(1, WAIT_MS);
    CheckEq(Phone.LineState[1], DGP_LINE_ON_HOLD, 'LineState[1] on hold');
    Phone.Hold(0, WAIT_MS);
    CheckEq(Phone.LineState[1], DGP_LINE_CONNECTED, 'LineState[1] resumed');
    Phone.SendDtmf('12#');
    Check(Sim.WaitForCommand('SendDtmf', WAIT_MS), 'the simulator got SendDtmf');
    Phone.Hangup(0, WAIT_MS);
    WaitCount(R.Ended, 1, 'OnCallEnded for the dialled call');
    CheckEq(R.EndedLine, 1, 'the ended call was line 1');
    N := R.StateChanges;
    Phone.RefreshLines(WAIT_MS);
    CheckEq(Phone.LineState[1], DGP_LINE_IDLE, 'line 1 idle after Ready');
    WaitText(R.LineStates[1], 'Idle ', 'OnLineStateChange to Idle on line 1');
    Check(Contains(R.LineStates[1], 'Dialing Connected OnHold Connected Disconnected Idle'),
      'OnLineStateChange followed line 1: ' + R.LineStates[1]);
    Check(N > 0, 'OnLineStateChange ran');

    { Incoming, from João: the name comes through the Number header. }
    Sim.IncomingCall(2, Joao);
    WaitCount(R.Incoming, 1, 'OnIncomingCall');
    CheckEq(R.IncomingLine, 2, 'the call rings on line 2');
    CheckJoao(R.IncomingNumber, 'the caller');
    CheckJoao(Phone.LineNumber[2], 'LineNumber[2]');
    CheckEq(Phone.LineState[2], DGP_LINE_OFFERING, 'line 2 offering');
    Phone.Answer(2, WAIT_MS);
    WaitCount(R.Connected, 2, 'OnCallConnected for the incoming call');
    CheckEq(R.ConnectedLine, 2, 'answered on line 2');
    Sim.DtmfReceived(2, '7');
    WaitCount(R.Dtmf, 1, 'OnDtmf');
    Check(R.LastDigit = '7', 'the digit is 7');
    CheckEq(R.DtmfLine, 2, 'the digit came on line 2');
    Sim.FarEndHangup(2);
    WaitCount(R.Ended, 2, 'OnCallEnded when the far end hangs up');
    CheckEq(R.EndedLine, 2, 'line 2 ended');

    { A caller name in a header of its own, non-ASCII, as a DGPhone may add it. }
    { "João Brandão": the ã of João twice. }
    Caller := Joao + ' Brand' + Copy(Joao, 3, Length(Joao) - 3) + 'o';
    Sim.Perform('send ReceivingCall Line=3 Number=5511 CallerName="' + Caller + '"');
    WaitCount(R.Incoming, 2, 'OnIncomingCall with a CallerName header');
    Check(R.CallerName = Caller, 'the CallerName header is decoded: ' + R.CallerName);
    CheckEq(Length(DGPToUtf8(R.CallerName)), 14, 'the caller name''s UTF-8 length');

    { Agent events. }
    Sim.AgentEvent(DGP_EVENT_AGENT_CALLED, '7001', '1700000000.1');
    WaitCount(R.Agent, 1, 'OnAgentEvent');
    Check(R.LastAgent = '7001', 'the agent');
    Check(R.LastUniqueid = '1700000000.1', 'the Uniqueid');

    { The connection is lost. }
    Sim.DisconnectAll;
    WaitCount(R.Lost, 1, 'OnConnectionLost');
    CheckEq(R.LostReason, DGP_DISCONNECT_CLOSED_BY_PEER, 'closed by the peer');
    Check(not Phone.Connected, 'not connected any more');

    CheckEq(R.OffMain, 0, 'every handler ran on the main thread');
    Check(R.Events >= 20, 'OnEvent saw everything (' + IntToStr(R.Events) + ' events)');
    Check(Contains(R.Kinds, 'Greeting') and Contains(R.Kinds, 'LoggedIn') and Contains(R.Kinds, 'Disconnected'),
      'OnEvent saw the connection''s events: ' + Copy(R.Kinds, 1, 120));
  finally
    Phone.Free;
    R.Free;
    Sim.Free;
  end;
end;

type
  { Cancels a phone's blocking call from another thread, after a while. }
  TCanceller = class(TThread)
  public
    Phone: TDGPhone;
    procedure Execute; override;
  end;

procedure TCanceller.Execute;
begin
  Sleep(200);  { the main thread is blocked in its call by then }
  Phone.Cancel;
end;

  { The rest of the commands, each checked at the simulator's end. }
type
  TCommandCalls = class
  public
    Phone: TDGPhone;
    procedure DialSilent;
    procedure LoginIgnored;
    procedure ZeroConnectTimeout;
  end;

var
  CommandOptions: TDGPhoneOptions;

procedure TCommandCalls.DialSilent; begin Phone.Dial('1002', WAIT_MS); end;
procedure TCommandCalls.LoginIgnored; begin Phone.Login('201'); end;
procedure TCommandCalls.ZeroConnectTimeout; begin CommandOptions.SetConnectTimeoutMs(0); end;

procedure TestCommands;
var
  Sim: TDGPhoneSim;
  Phone: TDGPhone;
  R: TRecorder;
  C: TCanceller;
  Calls: TCommandCalls;
  Config: TDGPhoneSimConfig;
  Started: Int64;
begin
  Sim := StartSim;
  R := TRecorder.Create;
  Phone := TDGPhone.Create;
  Calls := TCommandCalls.Create;
  Calls.Phone := Phone;
  try
    R.Attach(Phone);
    ConnectAndLogin(Phone, Sim);
    { The call helpers. }
    Phone.PlaceCall('1002', 2, WAIT_MS);
    Check(Sim.WaitForCommand('Dial', WAIT_MS), 'PlaceCall dialled');
    CheckEq(Phone.SelectedLine, 2, 'PlaceCall selected line 2');
    WaitCount(R.Connected, 1, 'the placed call connects');
    Phone.HoldCall(DGP_HOLD_ON, 0, WAIT_MS);
    CheckEq(Phone.LineState[2], DGP_LINE_ON_HOLD, 'HoldCall on');
    Phone.HoldCall(DGP_HOLD_OFF, 2, WAIT_MS);
    CheckEq(Phone.LineState[2], DGP_LINE_CONNECTED, 'HoldCall off');
    Phone.SendCallDtmf('5#', 0, WAIT_MS);
    Check(Sim.WaitForCommand('SendDtmf', WAIT_MS), 'SendCallDtmf sent the digits');
    Phone.EndCall(0, WAIT_MS);
    WaitCount(R.Ended, 1, 'EndCall ends it');
    { Plain commands. }
    Phone.Status;
    Check(Sim.WaitForCommand('Status', WAIT_MS), 'Status');
    Phone.QueueStatus('support');
    Check(Sim.WaitForCommand('QueueStatus', WAIT_MS), 'QueueStatus');
    Phone.AgentPause('7001', True, 'lunch');
    Check(Sim.WaitForCommand('AgentPause', WAIT_MS), 'AgentPause');
    { (A command DGPhone does not know gets an Error with no Line, which a
      wait in progress, LoginAgent's below, would take for its own.) }
    Phone.SendCommand('Status', [], []);
    Check(Sim.WaitForCommand('Status', WAIT_MS), 'SendCommand without headers');
    { The agent login by feature code. }
    Phone.LoginAgent('7001', '1234');
    CheckEq(Phone.AgentState, DGP_AGENT_AVAILABLE, 'LoginAgent: the agent is available');
    WaitCount(R.AgentLogins, 1, 'OnAgentEvent for AgentLogin');
    Check(R.LastAgent = '7001', 'the AgentLogin names the agent');
    { Cancel: a blocking Dial on a silent DGPhone returns at once. }
    Sim.Perform('hangup-far');
    Phone.RefreshLines(WAIT_MS);
    Sim.SetSilent(True);
    C := TCanceller.Create(True);
    C.Phone := Phone;
    C.Start;
    Started := Ticks;
    Raises(Calls.DialSilent, DGP_ERR_CANCELLED, 'Cancel from another thread');
    Check(Ticks - Started < WAIT_MS div 2, 'the cancelled Dial returned long before its wait');
    C.WaitFor;
    C.Free;
    Sim.SetSilent(False);
    { Logoff: DGPhone closes; that is a lost connection, logged off. }
    Phone.Logoff;
    WaitCount(R.Lost, 1, 'OnConnectionLost after Logoff');
    CheckEq(R.LostReason, DGP_DISCONNECT_LOGGED_OFF, 'the reason is the logoff');
  finally
    Phone.Free;
    R.Free;
    Sim.Free;
  end;

  { Disconnect: no OnConnectionLost for the application's own. }
  Sim := StartSim;
  R := TRecorder.Create;
  Phone := TDGPhone.Create;
  try
    R.Attach(Phone);
    ConnectAndLogin(Phone, Sim);
    Phone.Disconnect;
    Check(not Phone.Connected, 'Disconnect');
    PumpFor(100);
    Check(Contains(R.Kinds, 'Disconnected'), 'OnEvent saw the Disconnected event');
    CheckEq(R.Lost, 0, 'no OnConnectionLost for Disconnect');
  finally
    Phone.Free;
    R.Free;
    Sim.Free;
  end;

  { Options: a setter's refusal, and a command timeout that is used. }
  CommandOptions := TDGPhoneOptions.Create;
  try
    Raises(Calls.ZeroConnectTimeout, DGP_ERR_INVALID_ARGUMENT, 'a connect timeout of 0');
    CommandOptions.SetCommandTimeoutMs(300);
    Config := TDGPhoneSimConfig.Create;
    Config.SetLogin(DGP_SIM_LOGIN_IGNORE);
    Sim := StartSim(Config);
    Config.Free;
    Phone := TDGPhone.Create(dmQueued, CommandOptions);
    Calls.Phone := Phone;
    try
      Phone.Connect('127.0.0.1', Sim.Port);
      Started := Ticks;
      Raises(Calls.LoginIgnored, DGP_ERR_TIMEOUT, 'a login DGPhone never answers');
      Check(Ticks - Started < 5000, 'it timed out after the 300 ms asked for');
    finally
      Phone.Free;
      Sim.Free;
    end;
  finally
    CommandOptions.Free;
    Calls.Free;
  end;
end;

{ 3. UTF-8 going out: the simulator's scenario expects Dial Number=João
  (its bytes) and SendCommand with a non-ASCII value. }
procedure TestUtf8Out;
var
  Config: TDGPhoneSimConfig;
  Sim: TDGPhoneSim;
  Phone: TDGPhone;
begin
  Config := TDGPhoneSimConfig.Create;
  Config.SetScenarioText('utf8-out', 'expect Login' + #10 +
    'expect Dial Number="' + Joao + '"' + #10 +
    'expect Note Text="' + Joao + '"' + #10);
  Sim := StartSim(Config);
  Config.Free;
  Phone := TDGPhone.Create;
  try
    ConnectAndLogin(Phone, Sim);
    Phone.Dial(Joao);
    Phone.SendCommand('Note', ['Text'], [Joao]);
    Check(Sim.WaitForScenario(WAIT_MS), 'the simulator received João''s UTF-8 in Dial and in SendCommand');
  finally
    Phone.Free;
    Sim.Free;
  end;
end;

{ 4. Errors: a code, the library's message, and nothing sent. }
procedure TestErrors;
var
  Sim: TDGPhoneSim;
  Closed: TDGPhoneSim;
  B: TBadCalls;
  Config: TDGPhoneSimConfig;
  Before: Cardinal;
  Msg: string;
begin
  B := TBadCalls.Create;
  Sim := StartSim;
  B.Sim := Sim;
  B.Phone := TDGPhone.Create;
  try
    Msg := Raises(B.LoginUnconnected, DGP_ERR_NOT_CONNECTED, 'Login before Connect');
    Closed := StartSim;
    B.Port := Closed.Port;
    Closed.Free;
    Raises(B.ConnectClosed, DGP_ERR_CONNECT, 'Connect to a closed port');
    Raises(B.PollQueued, DGP_ERR_INVALID_ARGUMENT, 'ProcessEvents on a queued TDGPhone');

    B.Phone.Connect('127.0.0.1', Sim.Port);
    Before := Sim.CommandCount;
    Raises(B.DialNotLoggedIn, DGP_ERR_NOT_LOGGED_IN, 'Dial before Login');
    B.Phone.Login('201');
    Check(Sim.WaitForLogins(1, WAIT_MS), 'logged in');
    Raises(B.LoginTwice, DGP_ERR_ALREADY_LOGGED_IN, 'a second Login');
    Before := Sim.CommandCount;
    Msg := Raises(B.SelectLine9, DGP_ERR_INVALID_ARGUMENT, 'LineSelect(9)');
    Check(Contains(Msg, '9'), 'the message names the line: ' + Msg);
    Msg := Raises(B.BadDtmf, DGP_ERR_INVALID_ARGUMENT, 'SendDtmf(''12x'')');
    Check(Contains(Msg, 'x') or Contains(Msg, 'dtmf') or Contains(Msg, 'digit'), 'the message says why: ' + Msg);
    Raises(B.NewlineInNumber, DGP_ERR_INVALID_ARGUMENT, 'a CR LF in a number');
    Raises(B.LongNumber, DGP_ERR_INVALID_ARGUMENT, 'a number over DGP_MAX_SHORT_LEN');
    Raises(B.CommandMismatch, DGP_ERR_INVALID_ARGUMENT, 'SendCommand with 2 keys and 1 value');
    CheckEq(Sim.CommandCount, Before, 'nothing was sent for the bad arguments');
    Msg := Raises(B.AnswerIdle, DGP_ERR_COMMAND_FAILED, 'Answer on an idle line');
    Check(Contains(Msg, 'ringing') or Contains(Msg, 'line'), 'DGPhone''s refusal is the message: ' + Msg);

    Msg := Raises(B.SimBadRing, DGP_ERR_INVALID_ARGUMENT, 'the simulator''s ring 9');
    Check(B.Phone.Connected, 'still connected after the errors');
  finally
    B.Phone.Free;
    Sim.Free;
  end;

  { A rejected login: DGPhone's words are the message. }
  Config := TDGPhoneSimConfig.Create;
  B.Config := Config;
  Raises(B.SimBadProfile, DGP_ERR_INVALID_ARGUMENT, 'an unknown simulator profile');
  Config.SetLogin(DGP_SIM_LOGIN_REJECT, 'Invalid user');
  Sim := StartSim(Config);
  Config.Free;
  B.Phone := TDGPhone.Create;
  try
    B.Phone.Connect('127.0.0.1', Sim.Port);
    Msg := Raises(B.LoginRejected, DGP_ERR_LOGIN_REJECTED, 'a rejected login');
    Check(Contains(Msg, 'Invalid user'), 'the message is DGPhone''s: ' + Msg);
    Check(not B.Phone.LoggedIn, 'not logged in');
  finally
    B.Phone.Free;
    Sim.Free;
  end;

  { The raw API: invalid UTF-8 is refused, nothing sent. }
  Sim := StartSim;
  B.Phone := TDGPhone.Create;
  try
    ConnectAndLogin(B.Phone, Sim);
    Before := Sim.CommandCount;
    CheckEq(dgp_dial(B.Phone.Handle, PAnsiChar(AnsiString(#$FF#$FE'1')), 0), DGP_ERR_NOT_UTF8, 'dgp_dial with invalid UTF-8');
    Check(DGPLastError <> '', 'its message: ' + DGPLastError);
    CheckEq(dgp_dial(B.Phone.Handle, nil, 0), DGP_ERR_NULL_POINTER, 'dgp_dial with NULL');
    CheckEq(Sim.CommandCount, Before, 'nothing sent by the raw bad calls');
  finally
    B.Phone.Free;
    Sim.Free;
  end;
  B.Free;
end;

{ 5. Polling: ProcessEvents on the main thread, woken by the notification
  descriptor (Linux) or HANDLE (Windows). }
procedure TestPolling;
var
  Sim: TDGPhoneSim;
  Phone: TDGPhone;
  R: TRecorder;
  Deadline: Int64;
{$IFDEF UNIX}
  Fds: array[0..0] of pollfd;
{$ENDIF}
begin
  Sim := StartSim;
  R := TRecorder.Create;
  Phone := TDGPhone.Create(dmPolling);
  try
    R.Attach(Phone);
    ConnectAndLogin(Phone, Sim);
    Phone.ProcessEvents(0);
    Sim.IncomingCall(1, Joao);
{$IFDEF UNIX}
    Check(Phone.NotifyFd >= 0, 'NotifyFd on Linux');
    Check(Phone.NotifyHandle = nil, 'no NotifyHandle on Linux');
    Fds[0].fd := Phone.NotifyFd;
    Fds[0].events := POLLIN;
    Fds[0].revents := 0;
    Check(fpPoll(@Fds[0], 1, WAIT_MS) = 1, 'the descriptor turns readable when an event waits');
{$ENDIF}
{$IFDEF MSWINDOWS}
    Check(Phone.NotifyFd = -1, 'no NotifyFd on Windows');
    Check(Phone.NotifyHandle <> nil, 'NotifyHandle on Windows');
    Check(WaitForSingleObject(THandle(Phone.NotifyHandle), WAIT_MS) = WAIT_OBJECT_0,
      'the HANDLE is signalled when an event waits');
{$ENDIF}
    Deadline := Ticks + WAIT_MS;
    while (R.Incoming = 0) and (Ticks < Deadline) do
      Phone.ProcessEvents(100);
    CheckEq(R.Incoming, 1, 'OnIncomingCall through ProcessEvents');
    CheckJoao(R.IncomingNumber, 'polled caller');
    Phone.Answer(1, WAIT_MS);
    Deadline := Ticks + WAIT_MS;
    while (R.Connected = 0) and (Ticks < Deadline) do
      Phone.ProcessEvents(100);
    CheckEq(R.Connected, 1, 'OnCallConnected through ProcessEvents');
    CheckEq(R.OffMain, 0, 'polled handlers ran on the calling (main) thread');
  finally
    Phone.Free;
    R.Free;
    Sim.Free;
  end;
end;

type
  { Floods from another thread, so that the main thread frees meanwhile. }
  TFlooder = class(TThread)
  public
    Sim: TDGPhoneSim;
    Spec: string;
    Error: string;
    procedure Execute; override;
  end;

procedure TFlooder.Execute;
begin
  try
    Sim.SetFault(Spec);
  except
    on E: Exception do
      Error := E.Message;
  end;
end;

{ 6. Free while 20000 events flood: no handler after Free, nothing leaks
  into later pumping. }
procedure TestFreeWhileFlooding;
var
  Sim: TDGPhoneSim;
  Phone: TDGPhone;
  R: TRecorder;
  F: TFlooder;
  AtFree: Integer;
begin
  Sim := StartSim;
  R := TRecorder.Create;
  Phone := TDGPhone.Create;
  try
    R.Attach(Phone);
    ConnectAndLogin(Phone, Sim);
    Check(Sim.WaitForLogins(1, WAIT_MS), 'logged in for the flood');
    F := TFlooder.Create(True);
    F.Sim := Sim;
    F.Spec := 'flood=20000';
    F.Start;
    WaitCount(R.Dtmf, 200, 'the flood reaches the handlers');
    AtFree := R.Dtmf;
    R.Freed := True;
    Phone.Free;
    Phone := nil;
    F.WaitFor;
    F.Free;
    PumpFor(300);
    CheckEq(R.AfterFree, 0, 'no handler ran after Free (freed at ' + IntToStr(AtFree) + ' events)');
    { How far the flood had come is the machine's business, not a check. }
    WriteLn('flood: freed after ', AtFree, ' of 20000 events had reached the handler');
    CheckEq(R.OffMain, 0, 'flood handlers on the main thread');
  finally
    Phone.Free;
    R.Free;
    Sim.Free;
  end;
end;

{ 7. A handler that frees its TDGPhone: the rest is discarded, no crash. }
procedure TestFreeInHandler;
var
  Sim: TDGPhoneSim;
  R: TRecorder;
begin
  Sim := StartSim;
  R := TRecorder.Create;
  try
    R.Attach(TDGPhone.Create);
    R.FreeInIncoming := True;
    ConnectAndLogin(R.Phone, Sim);
    Sim.IncomingCall(1, '5511');
    Sim.Perform('fault flood=500');
    WaitCount(R.Incoming, 1, 'the handler that frees');
    Check(R.Phone = nil, 'the handler freed the phone');
    PumpFor(200);
    CheckEq(R.AfterFree, 0, 'nothing ran after the handler freed it');
  finally
    R.Phone.Free;
    R.Free;
    Sim.Free;
  end;
end;

type
  { Raises from its first DTMF handler: the exception reaches the pump,
    the events after it still come. }
  TRaiser = class
  public
    Count, Raised: Integer;
    procedure DoDtmf(Sender: TObject; Line: Integer; Digit: Char; Event: TDGPhoneEvent);
    procedure Handle(Sender: TObject);
  end;

  EHandlerFailed = class(Exception);

{ The application's handler (the VCL's Application.HandleException): where
  the Delphi 7 route sends a handler's exception. }
procedure TRaiser.Handle(Sender: TObject);
begin
  if ExceptObject is EHandlerFailed then
    Inc(Raised);
end;

procedure TRaiser.DoDtmf(Sender: TObject; Line: Integer; Digit: Char; Event: TDGPhoneEvent);
begin
  Inc(Count);
  if Count = 1 then
    raise EHandlerFailed.Create('a handler failed');
end;

{ 8. A handler's exception goes to whoever pumps; no event is lost. }
procedure TestHandlerRaises;
var
  Sim: TDGPhoneSim;
  Phone: TDGPhone;
  T: TRaiser;
  Deadline: Int64;
begin
  Sim := StartSim;
  T := TRaiser.Create;
  Phone := TDGPhone.Create;
  try
    Phone.OnDtmf := T.DoDtmf;
    ApplicationHandleException := T.Handle;
    ConnectAndLogin(Phone, Sim);
    Sim.Perform('fault flood=300');
    Deadline := Ticks + WAIT_MS;
    while (T.Count < 300) and (Ticks < Deadline) do
      try
        Pump(10);
      except
        on E: EHandlerFailed do
          Inc(T.Raised);
      end;
    ApplicationHandleException := nil;
    CheckEq(T.Raised, 1, 'the handler''s exception reached the pump (or the application''s handler) once');
    CheckEq(T.Count, 300, 'every event after it was still delivered');
  finally
    Phone.Free;
    T.Free;
    Sim.Free;
  end;
end;

{ The simulator's recording, played back by TDGPhoneReplay: the same
  login is answered the same way. }
procedure TestReplay;
var
  Config: TDGPhoneSimConfig;
  Sim: TDGPhoneSim;
  Replay: TDGPhoneReplay;
  Phone: TDGPhone;
  Path: string;
begin
  Path := GetTempDir + 'dgphone-delphi-' + IntToStr(GetProcessID) + '.rec';
  Config := TDGPhoneSimConfig.Create;
  Config.SetRecord(Path);
  Sim := StartSim(Config);
  Config.Free;
  Phone := TDGPhone.Create;
  try
    ConnectAndLogin(Phone, Sim);
    Phone.Status;
    Check(Sim.WaitForCommand('Status', WAIT_MS), 'recorded a session');
  finally
    Phone.Free;
    Sim.Free;
  end;
  Check(FileExists(Path), 'the recording is written');
  Replay := TDGPhoneReplay.Create(Path);
  Phone := TDGPhone.Create;
  try
    Check(Replay.Port <> 0, 'the replay listens');
    ConnectAndLoginAt(Phone, Replay.Port);
    Check(Phone.LoggedIn, 'the replayed DGPhone accepted the login');
    Phone.Status;
    Check(Replay.WaitUntilPlayed(1, WAIT_MS), 'the replay played the whole recording');
  finally
    Phone.Free;
    Replay.Free;
    DeleteFile(Path);
  end;
end;

{ Two TDGPhone objects at once: each gets its own events, on the main thread. }
procedure TestTwoPhones;
var
  Sim: TDGPhoneSim;
  A, B: TDGPhone;
  RA, RB: TRecorder;
begin
  Sim := StartSim;
  RA := TRecorder.Create;
  RB := TRecorder.Create;
  A := TDGPhone.Create;
  B := TDGPhone.Create(dmPolling);
  try
    RA.Attach(A);
    RB.Attach(B);
    ConnectAndLogin(A, Sim);
    B.Connect('127.0.0.1', Sim.Port);
    B.Login('202');
    Check(Sim.WaitForLogins(2, WAIT_MS), 'both logged in');
    Sim.IncomingCall(1, '5551234');
    WaitCount(RA.Incoming, 1, 'the queued phone rings');
    while (RB.Incoming = 0) and (B.ProcessEvents(WAIT_MS) > 0) do
      ;
    CheckEq(RB.Incoming, 1, 'the polled phone rings');
    A.Answer(1, WAIT_MS);
    WaitCount(RA.Connected, 1, 'the queued phone answered');
    CheckEq(RB.Connected, 0, 'the other phone saw no answer of its own');
    CheckEq(B.LineState[1], DGP_LINE_OFFERING, 'and still rings');
    CheckEq(RA.OffMain + RB.OffMain, 0, 'both on the main thread');
  finally
    A.Free;
    B.Free;
    RA.Free;
    RB.Free;
    Sim.Free;
  end;
end;

{$IFDEF MSWINDOWS}
function GetProcessHandleCount(Process: THandle; var HandleCount: DWORD): BOOL; stdcall;
  external 'kernel32.dll' name 'GetProcessHandleCount';
{$ENDIF}

{ The process's open descriptors (Linux) or handles (Windows). }
function OpenFiles: Integer;
{$IFDEF UNIX}
var
  S: TSearchRec;
begin
  Result := 0;
  if FindFirst('/proc/self/fd/*', faAnyFile, S) = 0 then
  begin
    repeat
      if (S.Name <> '.') and (S.Name <> '..') then
        Inc(Result);
    until FindNext(S) <> 0;
    FindClose(S);
  end;
end;
{$ELSE}
{$IFDEF MSWINDOWS}
var
  Count, Flags: DWORD;
  Value: PtrUInt;
begin
  Count := 0;
  if GetProcessHandleCount(GetCurrentProcess, Count) and (Count > 0) then
  begin
    Result := Count;
    Exit;
  end;
  { Wine answers 0: count the handle values that are open instead. }
  Result := 0;
  Value := 4;
  while Value < 4 * 16384 do
  begin
    if GetHandleInformation(THandle(Value), @Flags) then
      Inc(Result);
    Inc(Value, 4);
  end;
end;
{$ELSE}
begin
  Result := 0;
end;
{$ENDIF}
{$ENDIF}

{ 9. 100 create/free cycles, each connected, logged in, with an event. }
procedure TestCycles;
var
  Sim: TDGPhoneSim;
  Phone: TDGPhone;
  R: TRecorder;
  I, Ok, FilesBefore, FilesAfter: Integer;
  Started, Deadline: Int64;
begin
  Sim := StartSim;
  R := TRecorder.Create;
  Ok := 0;
  Started := Ticks;
  FilesBefore := -1;
  try
    for I := 1 to 100 do
    begin
      Phone := TDGPhone.Create(TDGPhoneDelivery(I mod 2));
      try
        R.Attach(Phone);
        ConnectAndLogin(Phone, Sim);
        if Phone.LoggedIn then
          Inc(Ok);
      finally
        Phone.Free;
      end;
      if I = 10 then
        FilesBefore := OpenFiles;
    end;
    { The simulator (in this process) closes its ends as it notices. }
    Deadline := Ticks + WAIT_MS;
    repeat
      PumpFor(20);
      FilesAfter := OpenFiles;
    until (FilesAfter <= FilesBefore + 2) or (Ticks > Deadline);
    CheckEq(Ok, 100, '100 create/connect/login/free cycles');
    Check(FilesAfter <= FilesBefore + 2, 'no descriptor or handle leak over 90 cycles (' + IntToStr(FilesBefore) +
      ' then ' + IntToStr(FilesAfter) + ')');
    CheckEq(R.OffMain, 0, 'cycle handlers on the main thread');
    WriteLn('cycles: 100 in ', Ticks - Started, ' ms; open descriptors or handles after cycle 10: ', FilesBefore,
      ', after cycle 100: ', FilesAfter);
  finally
    R.Free;
    Sim.Free;
  end;
end;

{ The benchmark: N flood events from the socket to OnDtmf on the main thread. }
type
  TCounter = class
  public
    Count: Integer;
    procedure DoDtmf(Sender: TObject; Line: Integer; Digit: Char; Event: TDGPhoneEvent);
  end;

procedure TCounter.DoDtmf(Sender: TObject; Line: Integer; Digit: Char; Event: TDGPhoneEvent);
begin
  Inc(Count);
end;

procedure Bench(N: Integer; Delivery: TDGPhoneDelivery);
var
  Sim: TDGPhoneSim;
  Phone: TDGPhone;
  Options: TDGPhoneOptions;
  C: TCounter;
  F: TFlooder;
  Started, Elapsed, Deadline: Int64;
begin
  Sim := StartSim;
  Options := TDGPhoneOptions.Create;
  Options.SetOverflowPolicy(DGP_OVERFLOW_BLOCK);
  Phone := TDGPhone.Create(Delivery, Options);
  Options.Free;
  C := TCounter.Create;
  try
    Phone.OnDtmf := C.DoDtmf;
    ConnectAndLogin(Phone, Sim);
    F := TFlooder.Create(True);
    F.Sim := Sim;
    F.Spec := 'flood=' + IntToStr(N);
    Started := Ticks;
    F.Start;
    Deadline := Started + 120000;
    if Delivery = dmQueued then
      while (C.Count < N) and (Ticks < Deadline) do
        Pump(5)
    else
      while (C.Count < N) and (Ticks < Deadline) do
        Phone.ProcessEvents(5);
    Elapsed := Ticks - Started;
    F.WaitFor;
    F.Free;
    if Elapsed < 1 then
      Elapsed := 1;
    CheckEq(C.Count, N, 'every flood event reached the handler');
    if Delivery = dmQueued then
      Write('bench: pascal ')
    else
      Write('bench: pascal-polling ');
    WriteLn(N, ' events in ', Elapsed, ' ms: ', Round(N * 1000.0 / Elapsed), ' events/s');
  finally
    Phone.Free;
    C.Free;
    Sim.Free;
  end;
end;

var
  BenchN: Integer;

procedure BenchRun;
begin
  Bench(BenchN, dmQueued);
end;

procedure BenchPollRun;
begin
  Bench(BenchN, dmPolling);
end;

procedure Run(const Name: string; Test: TProcedure);
var
  Before: Integer;
begin
  Before := Failed;
  try
    Test;
  except
    on E: Exception do
    begin
      Inc(Failed);
      WriteLn('FAIL ', Name, ': ', E.ClassName, ': ', E.Message);
    end;
  end;
  if Failed = Before then
    WriteLn('ok   ', Name)
  else
    WriteLn('FAIL ', Name);
end;

begin
  Passed := 0;
  Failed := 0;
{$IFDEF DGP_POST_MESSAGE}
  WriteLn('delivery: PostMessage to a hidden window (the Delphi 7 route)');
{$ELSE}
  WriteLn('delivery: TThread.Queue');
{$ENDIF}
{$IFDEF UNICODE}
  WriteLn('strings: UnicodeString (SizeOf(Char) = ', SizeOf(Char), ')');
{$ELSE}
  WriteLn('strings: AnsiString (SizeOf(Char) = ', SizeOf(Char), ')');
{$ENDIF}
  WriteLn('pointer: ', SizeOf(Pointer) * 8, '-bit; library ', dgp_version);
  if (ParamCount >= 2) and (ParamStr(1) = 'bench') then
  begin
    BenchN := StrToInt(ParamStr(2));
    Run('bench (TThread.Queue to the main thread)', BenchRun);
    Run('bench (ProcessEvents on the main thread)', BenchPollRun);
  end
  else
  begin
    Run('api', TestApi);
    Run('call flow and handlers', TestCallFlow);
    Run('UTF-8 out', TestUtf8Out);
    Run('every command', TestCommands);
    Run('errors', TestErrors);
    Run('polling', TestPolling);
    Run('free while flooding', TestFreeWhileFlooding);
    Run('free inside a handler', TestFreeInHandler);
    Run('a handler raises', TestHandlerRaises);
    Run('two phones at once', TestTwoPhones);
    Run('a recording replayed', TestReplay);
    Run('100 create/free cycles', TestCycles);
  end;
  WriteLn(Passed, ' passed, ', Failed, ' failed');
  if Failed > 0 then
    Halt(1);
end.
