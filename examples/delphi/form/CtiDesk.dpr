{ A VCL-style CTI desk: a form with the line's state, the caller, and
  Dial / Answer / Hang up buttons. Delphi 7 to 12 (VCL) and Lazarus (LCL).
  The handlers run on the main thread: the VCL/LCL message loop runs what
  TDGPhone queued (TThread.Queue), so the form needs no timer. }
program CtiDesk;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
{$ENDIF}

uses
{$IFDEF FPC}
  {$IFDEF UNIX} cthreads, cwstring, {$ENDIF}
  Interfaces,
{$ENDIF}
  Forms,
  MainForm in 'MainForm.pas' {DeskForm};

begin
  Application.Initialize;
  Application.CreateForm(TDeskForm, DeskForm);
  Application.Run;
end.
