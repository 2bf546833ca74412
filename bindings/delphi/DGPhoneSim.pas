{ DGPhoneSim: the DGPhone simulator (libdgphone_sim, DGPhoneSimApi) as
  classes, for an application's own tests: TDGPhoneSimConfig (settings),
  TDGPhoneSim (a simulator on 127.0.0.1, a free port by default) and
  TDGPhoneReplay (a wire recording played back as a server).
  Errors raise EDGPhoneSim (an EDGPhone) with the simulator library's
  code and message (dgp_sim_last_error). Waits return False on a timeout. }
unit DGPhoneSim;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
{$ENDIF}

interface

uses
  SysUtils, DGPhoneApi, DGPhoneSimApi, DGPhone;

type
  EDGPhoneSim = class(EDGPhone);

  TDGPhoneSimConfig = class
  private
    FHandle: PDGPSimConfig;
  public
    constructor Create;
    destructor Destroy; override;
    { DGP_SIM_LOGIN_ACCEPT, _REJECT (with DGPhone's message), _IGNORE. }
    procedure SetLogin(Policy: TDGPSimLoginPolicy; const Message: string = '');
    { '' sends no greeting. }
    procedure SetGreeting(const Greeting: string);
    procedure SetTimestampMs(IntervalMs: Cardinal);
    procedure SetAutoAnswer(AutoAnswer: Boolean);
    procedure SetTimestampFields(Fields: TDGPSimTimestampFields);
    procedure SetTimestampsFromConnect(OnConnect: Boolean);
    procedure SetLoginRefusal(Form: TDGPSimRefusalForm);
    procedure SetAnswerDelayMs(DelayMs: Cardinal);
    procedure SetIdleHangup(Answer: TDGPSimIdleHangup);
    { 'classic' or 'field-2013'. }
    procedure SetProfile(const Name: string);
    { FeatureCode '': keeps "*9800"; Password '': any. }
    procedure SetAgent(const FeatureCode, Password: string);
    procedure SetBareLf(BareLf: Boolean);
    procedure SetWindows1252(OnOff: Boolean);
    procedure AddFault(const Spec: string);
    { A built-in name or a file; '' removes it. }
    procedure SetScenario(const Scenario: string);
    procedure SetScenarioText(const Name, Text: string);
    procedure SetRecord(const Path: string);
    property Handle: PDGPSimConfig read FHandle;
  end;

  TDGPhoneSim = class
  private
    FHandle: PDGPSim;
    function GetPort: Word;
    function GetCommandCount: Cardinal;
  public
    { Config nil: the defaults. Host '': 127.0.0.1; Port 0: a free port. }
    constructor Create(Config: TDGPhoneSimConfig = nil; const Host: string = ''; APort: Word = 0);
    destructor Destroy; override;
    procedure IncomingCall(Line: Integer; const Number: string);
    procedure FarEndAnswer(Line: Integer);
    procedure FarEndHangup(Line: Integer);
    procedure DtmfReceived(Line: Integer; Digit: Char);
    { Kind: DGP_EVENT_AGENT_*; Uniqueid '': none. }
    procedure AgentEvent(Kind: TDGPEventKind; const Agent: string; const Uniqueid: string = '');
    procedure SendRaw(const Bytes: AnsiString);
    procedure SetSilent(Silent: Boolean);
    procedure DisconnectAll;
    function WaitForLogins(Count: Cardinal; TimeoutMs: Cardinal = 10000): Boolean;
    function WaitForCommand(const Name: string; TimeoutMs: Cardinal = 10000): Boolean;
    procedure SetFault(const Spec: string);
    procedure ClearFaults;
    procedure Restart(DownMs: Cardinal);
    { A scenario step as an action: 'ring 1 5511', 'hangup-far', 'fault flood=100'... }
    procedure Perform(const Action: string);
    { True: the next scenario run passed; False: none ended in time; a
      failed run raises EDGPhoneSim with the simulator's account of it. }
    function WaitForScenario(TimeoutMs: Cardinal = 10000): Boolean;
    property Port: Word read GetPort;
    property CommandCount: Cardinal read GetCommandCount;
    property Handle: PDGPSim read FHandle;
  end;

  TDGPhoneReplay = class
  private
    FHandle: PDGPReplay;
    function GetPort: Word;
  public
    constructor Create(const Path: string; WaitForClient: Boolean = True; const Host: string = '';
      APort: Word = 0);
    destructor Destroy; override;
    function WaitUntilPlayed(Count: Cardinal; TimeoutMs: Cardinal = 10000): Boolean;
    property Port: Word read GetPort;
  end;

{ The calling thread's last simulator error message. }
function DGPSimLastError: string;
procedure DGPSimCheck(Code: TDGPResult);

implementation

function DGPSimLastError: string;
begin
  Result := DGPCopyLastError(@dgp_sim_last_error);
end;

procedure DGPSimCheck(Code: TDGPResult);
var
  Msg: string;
begin
  if Code = DGP_OK then
    Exit;
  Msg := DGPSimLastError;
  if Msg = '' then
    Msg := DGPResultName(Code);
  raise EDGPhoneSim.CreateCode(Code, Msg);
end;

function Opt(const U: UTF8String): PAnsiChar;
begin
  if Length(U) = 0 then
    Result := nil
  else
    Result := PAnsiChar(U);
end;

{ TDGPhoneSimConfig }

constructor TDGPhoneSimConfig.Create;
begin
  inherited Create;
  FHandle := dgp_sim_config_new;
  if FHandle = nil then
    raise EDGPhoneSim.CreateCode(DGP_ERR_RESOURCE, 'dgp_sim_config_new: out of memory');
end;

destructor TDGPhoneSimConfig.Destroy;
begin
  dgp_sim_config_free(FHandle);
  inherited Destroy;
end;

procedure TDGPhoneSimConfig.SetLogin(Policy: TDGPSimLoginPolicy; const Message: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Message);
  DGPSimCheck(dgp_sim_config_set_login(FHandle, Policy, Opt(U)));
end;

procedure TDGPhoneSimConfig.SetGreeting(const Greeting: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Greeting);
  DGPSimCheck(dgp_sim_config_set_greeting(FHandle, Opt(U)));
end;

procedure TDGPhoneSimConfig.SetTimestampMs(IntervalMs: Cardinal);
begin
  DGPSimCheck(dgp_sim_config_set_timestamp_ms(FHandle, IntervalMs));
end;

procedure TDGPhoneSimConfig.SetAutoAnswer(AutoAnswer: Boolean);
begin
  DGPSimCheck(dgp_sim_config_set_auto_answer(FHandle, Ord(AutoAnswer)));
end;

procedure TDGPhoneSimConfig.SetTimestampFields(Fields: TDGPSimTimestampFields);
begin
  DGPSimCheck(dgp_sim_config_set_timestamp_fields(FHandle, Fields));
end;

procedure TDGPhoneSimConfig.SetTimestampsFromConnect(OnConnect: Boolean);
begin
  DGPSimCheck(dgp_sim_config_set_timestamps_from_connect(FHandle, Ord(OnConnect)));
end;

procedure TDGPhoneSimConfig.SetLoginRefusal(Form: TDGPSimRefusalForm);
begin
  DGPSimCheck(dgp_sim_config_set_login_refusal(FHandle, Form));
end;

procedure TDGPhoneSimConfig.SetAnswerDelayMs(DelayMs: Cardinal);
begin
  DGPSimCheck(dgp_sim_config_set_answer_delay_ms(FHandle, DelayMs));
end;

procedure TDGPhoneSimConfig.SetIdleHangup(Answer: TDGPSimIdleHangup);
begin
  DGPSimCheck(dgp_sim_config_set_idle_hangup(FHandle, Answer));
end;

procedure TDGPhoneSimConfig.SetProfile(const Name: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Name);
  DGPSimCheck(dgp_sim_config_set_profile(FHandle, PAnsiChar(U)));
end;

procedure TDGPhoneSimConfig.SetAgent(const FeatureCode, Password: string);
var
  F, P: UTF8String;
begin
  F := DGPToUtf8(FeatureCode);
  P := DGPToUtf8(Password);
  DGPSimCheck(dgp_sim_config_set_agent(FHandle, Opt(F), Opt(P)));
end;

procedure TDGPhoneSimConfig.SetBareLf(BareLf: Boolean);
begin
  DGPSimCheck(dgp_sim_config_set_bare_lf(FHandle, Ord(BareLf)));
end;

procedure TDGPhoneSimConfig.SetWindows1252(OnOff: Boolean);
begin
  DGPSimCheck(dgp_sim_config_set_windows_1252(FHandle, Ord(OnOff)));
end;

procedure TDGPhoneSimConfig.AddFault(const Spec: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Spec);
  DGPSimCheck(dgp_sim_config_add_fault(FHandle, PAnsiChar(U)));
end;

procedure TDGPhoneSimConfig.SetScenario(const Scenario: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Scenario);
  DGPSimCheck(dgp_sim_config_set_scenario(FHandle, Opt(U)));
end;

procedure TDGPhoneSimConfig.SetScenarioText(const Name, Text: string);
var
  N, T: UTF8String;
begin
  N := DGPToUtf8(Name);
  T := DGPToUtf8(Text);
  DGPSimCheck(dgp_sim_config_set_scenario_text(FHandle, PAnsiChar(N), PAnsiChar(T)));
end;

procedure TDGPhoneSimConfig.SetRecord(const Path: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Path);
  DGPSimCheck(dgp_sim_config_set_record(FHandle, Opt(U)));
end;

{ TDGPhoneSim }

constructor TDGPhoneSim.Create(Config: TDGPhoneSimConfig; const Host: string; APort: Word);
var
  C: PDGPSimConfig;
  H: UTF8String;
begin
  inherited Create;
  if Config <> nil then
    C := Config.Handle
  else
    C := nil;
  H := DGPToUtf8(Host);
  DGPSimCheck(dgp_sim_start(C, Opt(H), APort, @FHandle));
end;

destructor TDGPhoneSim.Destroy;
begin
  dgp_sim_free(FHandle);
  inherited Destroy;
end;

function TDGPhoneSim.GetPort: Word;
begin
  Result := dgp_sim_port(FHandle);
end;

function TDGPhoneSim.GetCommandCount: Cardinal;
begin
  Result := dgp_sim_command_count(FHandle);
end;

procedure TDGPhoneSim.IncomingCall(Line: Integer; const Number: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Number);
  DGPSimCheck(dgp_sim_incoming_call(FHandle, Line, PAnsiChar(U)));
end;

procedure TDGPhoneSim.FarEndAnswer(Line: Integer);
begin
  DGPSimCheck(dgp_sim_far_end_answer(FHandle, Line));
end;

procedure TDGPhoneSim.FarEndHangup(Line: Integer);
begin
  DGPSimCheck(dgp_sim_far_end_hangup(FHandle, Line));
end;

procedure TDGPhoneSim.DtmfReceived(Line: Integer; Digit: Char);
begin
  DGPSimCheck(dgp_sim_dtmf_received(FHandle, Line, Ord(Digit)));
end;

procedure TDGPhoneSim.AgentEvent(Kind: TDGPEventKind; const Agent, Uniqueid: string);
var
  A, U: UTF8String;
begin
  A := DGPToUtf8(Agent);
  U := DGPToUtf8(Uniqueid);
  DGPSimCheck(dgp_sim_agent_event(FHandle, Kind, PAnsiChar(A), Opt(U)));
end;

procedure TDGPhoneSim.SendRaw(const Bytes: AnsiString);
begin
  if Bytes = '' then
    DGPSimCheck(dgp_sim_send_raw(FHandle, nil, 0))
  else
    DGPSimCheck(dgp_sim_send_raw(FHandle, PByte(PAnsiChar(Bytes)), Length(Bytes)));
end;

procedure TDGPhoneSim.SetSilent(Silent: Boolean);
begin
  DGPSimCheck(dgp_sim_set_silent(FHandle, Ord(Silent)));
end;

procedure TDGPhoneSim.DisconnectAll;
begin
  DGPSimCheck(dgp_sim_disconnect_all(FHandle));
end;

function TDGPhoneSim.WaitForLogins(Count, TimeoutMs: Cardinal): Boolean;
var
  Code: TDGPResult;
begin
  Code := dgp_sim_wait_for_logins(FHandle, Count, TimeoutMs);
  Result := Code = DGP_OK;
  if Code <> DGP_ERR_TIMEOUT then
    DGPSimCheck(Code);
end;

function TDGPhoneSim.WaitForCommand(const Name: string; TimeoutMs: Cardinal): Boolean;
var
  Code: TDGPResult;
  U: UTF8String;
begin
  U := DGPToUtf8(Name);
  Code := dgp_sim_wait_for_command(FHandle, PAnsiChar(U), TimeoutMs);
  Result := Code = DGP_OK;
  if Code <> DGP_ERR_TIMEOUT then
    DGPSimCheck(Code);
end;

procedure TDGPhoneSim.SetFault(const Spec: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Spec);
  DGPSimCheck(dgp_sim_set_fault(FHandle, PAnsiChar(U)));
end;

procedure TDGPhoneSim.ClearFaults;
begin
  DGPSimCheck(dgp_sim_clear_faults(FHandle));
end;

procedure TDGPhoneSim.Restart(DownMs: Cardinal);
begin
  DGPSimCheck(dgp_sim_restart(FHandle, DownMs));
end;

procedure TDGPhoneSim.Perform(const Action: string);
var
  U: UTF8String;
begin
  U := DGPToUtf8(Action);
  DGPSimCheck(dgp_sim_perform(FHandle, PAnsiChar(U)));
end;

function TDGPhoneSim.WaitForScenario(TimeoutMs: Cardinal): Boolean;
var
  Code: TDGPResult;
begin
  Code := dgp_sim_wait_for_scenario(FHandle, TimeoutMs);
  Result := Code = DGP_OK;
  if Code <> DGP_ERR_TIMEOUT then
    DGPSimCheck(Code);
end;

{ TDGPhoneReplay }

constructor TDGPhoneReplay.Create(const Path: string; WaitForClient: Boolean; const Host: string;
  APort: Word);
var
  P, H: UTF8String;
begin
  inherited Create;
  P := DGPToUtf8(Path);
  H := DGPToUtf8(Host);
  DGPSimCheck(dgp_replay_start(PAnsiChar(P), Opt(H), APort, Ord(WaitForClient), @FHandle));
end;

destructor TDGPhoneReplay.Destroy;
begin
  dgp_replay_free(FHandle);
  inherited Destroy;
end;

function TDGPhoneReplay.GetPort: Word;
begin
  Result := dgp_replay_port(FHandle);
end;

function TDGPhoneReplay.WaitUntilPlayed(Count, TimeoutMs: Cardinal): Boolean;
var
  Code: TDGPResult;
begin
  Code := dgp_replay_wait_until_played(FHandle, Count, TimeoutMs);
  Result := Code = DGP_OK;
  if Code <> DGP_ERR_TIMEOUT then
    DGPSimCheck(Code);
end;

end.
