{ The other end for the examples' tests: a simulator (in process, on
  127.0.0.1, a free port) that prints its port, waits for the example's
  login, rings COUNT calls from 5551234 one after another, and checks that
  each is answered and hung up. Exits 0 when all were, else 1.
  Usage: RingSim [COUNT] }
program RingSim;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
{$ENDIF}
{$APPTYPE CONSOLE}

uses
{$IFDEF UNIX}
  cthreads, cwstring,
{$ENDIF}
  SysUtils, DGPhoneApi, DGPhone, DGPhoneSim;

var
  Sim: TDGPhoneSim;
  I, Count: Integer;
  Ok, Rung: Boolean;
  Deadline: Int64;
begin
  Count := 1;
  if ParamCount >= 1 then
    Count := StrToInt(ParamStr(1));
  Ok := True;
  Sim := TDGPhoneSim.Create;
  try
    WriteLn(Sim.Port);
    Flush(Output);
    if not Sim.WaitForLogins(1, 60000) then
    begin
      WriteLn(ErrOutput, 'RingSim: no login');
      Ok := False;
    end;
    I := 0;
    while Ok and (I < Count) do
    begin
      Inc(I);
      { The ring fits once line 1 is idle again (after the last call's Ready). }
      Deadline := GetTickCount64 + 10000;
      repeat
        try
          Sim.Perform('ring 1 5551234');
          Rung := True;
        except
          on E: EDGPhoneSim do
          begin
            Rung := False;
            if (E.Code <> DGP_ERR_COMMAND_FAILED) or (GetTickCount64 > Deadline) then
              raise;
            Sleep(10);
          end;
        end;
      until Rung;
      if not Sim.WaitForCommand('Answer', 10000) then
      begin
        WriteLn(ErrOutput, 'RingSim: call ', I, ' was not answered');
        Ok := False;
      end
      else if not Sim.WaitForCommand('Hangup', 10000) then
      begin
        WriteLn(ErrOutput, 'RingSim: call ', I, ' was not hung up');
        Ok := False;
      end;
    end;
  finally
    Sim.Free;
  end;
  if Ok then
    WriteLn('RingSim: ', Count, ' calls rung, answered and hung up')
  else
    Halt(1);
end.
