{ A console CTI client: waits for calls, answers each one, hangs up after
  the far end has been connected, and quits after COUNT calls.
  Events come to handlers on the main thread (TThread.Queue), which a
  console program pumps itself with CheckSynchronize; a VCL or LCL
  application does not need to (see form/).

  Usage: Console HOST PORT [EXTENSION [COUNT]]   (a DGPhone listens on 5038) }
program Console;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
{$ENDIF}
{$APPTYPE CONSOLE}

uses
{$IFDEF UNIX}
  cthreads, cwstring,
{$ENDIF}
  SysUtils, Classes, DGPhoneApi, DGPhone;

type
  TAgentDesk = class
  public
    Phone: TDGPhone;
    Calls, Wanted: Integer;
    Failed: Boolean;
    procedure Incoming(Sender: TObject; Line: Integer; const Number: string; Event: TDGPhoneEvent);
    procedure Connected(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
    procedure Ended(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
    procedure Lost(Sender: TObject; Reason: TDGPDisconnectReason; const Detail: string; Event: TDGPhoneEvent);
  end;

procedure TAgentDesk.Incoming(Sender: TObject; Line: Integer; const Number: string; Event: TDGPhoneEvent);
begin
  WriteLn('ring on line ', Line, ' from ', Number);
  { Inside a handler the main thread is free: a command with a wait is fine. }
  Phone.Answer(Line);
end;

procedure TAgentDesk.Connected(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
begin
  WriteLn('connected on line ', Line, ' with ', Phone.LineNumber[Line]);
  Phone.Hangup(Line);
end;

procedure TAgentDesk.Ended(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
begin
  Inc(Calls);
  WriteLn('call ', Calls, ' ended on line ', Line);
end;

procedure TAgentDesk.Lost(Sender: TObject; Reason: TDGPDisconnectReason; const Detail: string; Event: TDGPhoneEvent);
begin
  WriteLn('connection lost: ', Detail);
  { After the last call the other end may go first: that is no failure. }
  if Calls < Wanted then
    Failed := True;
end;

var
  Desk: TAgentDesk;
  Extension: string;
begin
  if ParamCount < 2 then
  begin
    WriteLn('usage: Console HOST PORT [EXTENSION [COUNT]]');
    Halt(2);
  end;
  Extension := '201';
  if ParamCount >= 3 then
    Extension := ParamStr(3);
  Desk := TAgentDesk.Create;
  Desk.Wanted := 1;
  if ParamCount >= 4 then
    Desk.Wanted := StrToInt(ParamStr(4));
  Desk.Phone := TDGPhone.Create;
  try
    try
      Desk.Phone.OnIncomingCall := Desk.Incoming;
      Desk.Phone.OnCallConnected := Desk.Connected;
      Desk.Phone.OnCallEnded := Desk.Ended;
      Desk.Phone.OnConnectionLost := Desk.Lost;
      Desk.Phone.Connect(ParamStr(1), StrToInt(ParamStr(2)));
      Desk.Phone.Login(Extension);
      WriteLn('logged in as ', Extension, '; waiting for calls');
      while (Desk.Calls < Desk.Wanted) and not Desk.Failed do
        CheckSynchronize(100);
    except
      on E: EDGPhone do
      begin
        WriteLn('error ', E.Code, ': ', E.Message);
        Desk.Failed := True;
      end;
    end;
  finally
    Desk.Phone.Free;
  end;
  if Desk.Failed then
    Halt(1);
end.
