{ DGPhoneSimApi: the C API of libdgphone_sim (include/dgphone_sim.h), the
  DGPhone simulator for an application's own tests. Production
  applications ship dgphone.dll only and never use this unit.
  Same rules as DGPhoneApi: cdecl, PAnsiChar carrying UTF-8, exact types.
  Result codes and event kinds are DGPhoneApi's. }
unit DGPhoneSimApi;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
  {$PACKRECORDS C}
{$ENDIF}

interface

uses
  DGPhoneApi;

const
{$IFDEF MSWINDOWS}
  DGPHONE_SIM_LIB = 'dgphone_sim.dll';
{$ELSE}
  {$IFDEF DARWIN}
  DGPHONE_SIM_LIB = 'libdgphone_sim.dylib';
  {$ELSE}
  DGPHONE_SIM_LIB = 'libdgphone_sim.so';
  {$ENDIF}
{$ENDIF}

type
  TDGPSim = record end;
  PDGPSim = ^TDGPSim;
  PPDGPSim = ^PDGPSim;
  TDGPSimConfig = record end;
  PDGPSimConfig = ^TDGPSimConfig;
  TDGPReplay = record end;
  PDGPReplay = ^TDGPReplay;
  PPDGPReplay = ^PDGPReplay;

  TDGPSimLoginPolicy = UInt32;
  TDGPSimTimestampFields = UInt32;
  TDGPSimRefusalForm = UInt32;
  TDGPSimIdleHangup = UInt32;

const
  { Login policies (TDGPSimLoginPolicy). }
  DGP_SIM_LOGIN_ACCEPT = 0;
  DGP_SIM_LOGIN_REJECT = 1;
  DGP_SIM_LOGIN_IGNORE = 2;

  { DGTimeStamp fields (TDGPSimTimestampFields). }
  DGP_SIM_TIMESTAMP_TIME = 0;

  { DGTimeStamp fields (TDGPSimTimestampFields). }
  DGP_SIM_TIMESTAMP_TIMESTAMP = 1;
  DGP_SIM_TIMESTAMP_BOTH = 2;

  { How a refused login is told (TDGPSimRefusalForm). }
  DGP_SIM_REFUSAL_RESPONSE = 0;
  DGP_SIM_REFUSAL_EVENT = 1;
  DGP_SIM_REFUSAL_BOTH = 2;

  { Hangup on an idle line (TDGPSimIdleHangup). }
  DGP_SIM_IDLE_HANGUP_REFUSE = 0;
  DGP_SIM_IDLE_HANGUP_READY = 1;

{ The functions, in the order of the header. }
function dgp_sim_config_new: PDGPSimConfig; cdecl; external DGPHONE_SIM_LIB;
procedure dgp_sim_config_free(config: PDGPSimConfig); cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_login(config: PDGPSimConfig; policy: TDGPSimLoginPolicy; message_: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_greeting(config: PDGPSimConfig; greeting: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_timestamp_ms(config: PDGPSimConfig; interval_ms: UInt32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_auto_answer(config: PDGPSimConfig; auto_answer: Int32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_timestamp_fields(config: PDGPSimConfig; fields: TDGPSimTimestampFields): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_timestamps_from_connect(config: PDGPSimConfig; on_: Int32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_login_refusal(config: PDGPSimConfig; form: TDGPSimRefusalForm): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_answer_delay_ms(config: PDGPSimConfig; delay_ms: UInt32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_idle_hangup(config: PDGPSimConfig; answer: TDGPSimIdleHangup): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_profile(config: PDGPSimConfig; name: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_agent(config: PDGPSimConfig; feature_code: PAnsiChar; password: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_bare_lf(config: PDGPSimConfig; bare_lf: Int32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_windows_1252(config: PDGPSimConfig; on_: Int32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_add_fault(config: PDGPSimConfig; spec: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_scenario(config: PDGPSimConfig; scenario: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_scenario_text(config: PDGPSimConfig; name: PAnsiChar; scenario_text: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_config_set_record(config: PDGPSimConfig; path: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_start(config: PDGPSimConfig; host: PAnsiChar; port: UInt16; out_: PPDGPSim): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_port(sim: PDGPSim): UInt16; cdecl; external DGPHONE_SIM_LIB;
procedure dgp_sim_free(sim: PDGPSim); cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_last_error(buf: PAnsiChar; buf_len: UInt32; out_len: PUInt32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_incoming_call(sim: PDGPSim; line: Int32; number: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_far_end_answer(sim: PDGPSim; line: Int32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_far_end_hangup(sim: PDGPSim; line: Int32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_dtmf_received(sim: PDGPSim; line: Int32; digit: Int32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_agent_event(sim: PDGPSim; kind: UInt32; agent: PAnsiChar; uniqueid: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_send_raw(sim: PDGPSim; bytes: PByte; len: UInt32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_set_silent(sim: PDGPSim; silent: Int32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_disconnect_all(sim: PDGPSim): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_wait_for_logins(sim: PDGPSim; count: UInt32; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_wait_for_command(sim: PDGPSim; name: PAnsiChar; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_command_count(sim: PDGPSim): UInt32; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_set_fault(sim: PDGPSim; spec: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_clear_faults(sim: PDGPSim): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_restart(sim: PDGPSim; down_ms: UInt32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_perform(sim: PDGPSim; action: PAnsiChar): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_sim_wait_for_scenario(sim: PDGPSim; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_replay_start(path: PAnsiChar; host: PAnsiChar; port: UInt16; wait_for_client: Int32; out_: PPDGPReplay): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
function dgp_replay_port(replay: PDGPReplay): UInt16; cdecl; external DGPHONE_SIM_LIB;
function dgp_replay_wait_until_played(replay: PDGPReplay; count: UInt32; timeout_ms: UInt32): TDGPResult; cdecl; external DGPHONE_SIM_LIB;
procedure dgp_replay_free(replay: PDGPReplay); cdecl; external DGPHONE_SIM_LIB;

implementation

end.
