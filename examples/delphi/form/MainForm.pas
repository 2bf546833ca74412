unit MainForm;

{$IFDEF FPC}
  {$IFNDEF FPC_DELPHI}{$MODE DELPHI}{$ENDIF}
{$ENDIF}

interface

uses
  SysUtils, Classes, Controls, Forms, StdCtrls, Dialogs, DGPhoneApi, DGPhone;

type
  TDeskForm = class(TForm)
    HostEdit: TEdit;
    ExtensionEdit: TEdit;
    ConnectButton: TButton;
    NumberEdit: TEdit;
    DialButton: TButton;
    AnswerButton: TButton;
    HangupButton: TButton;
    StateLabel: TLabel;
    CallerLabel: TLabel;
    LogMemo: TMemo;
    procedure FormCreate(Sender: TObject);
    procedure FormDestroy(Sender: TObject);
    procedure ConnectButtonClick(Sender: TObject);
    procedure DialButtonClick(Sender: TObject);
    procedure AnswerButtonClick(Sender: TObject);
    procedure HangupButtonClick(Sender: TObject);
  private
    FPhone: TDGPhone;
    FRingingLine: Integer;
    procedure PhoneEvent(Sender: TObject; Event: TDGPhoneEvent);
    procedure LineStateChange(Sender: TObject; Line: Integer; State: TDGPLineState; Event: TDGPhoneEvent);
    procedure IncomingCall(Sender: TObject; Line: Integer; const Number: string; Event: TDGPhoneEvent);
    procedure CallEnded(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
    procedure ConnectionLost(Sender: TObject; Reason: TDGPDisconnectReason; const Detail: string;
      Event: TDGPhoneEvent);
    procedure Run(const What: string; Code: Integer);
  end;

var
  DeskForm: TDeskForm;

implementation

{$R *.dfm}

procedure TDeskForm.FormCreate(Sender: TObject);
begin
  FPhone := TDGPhone.Create;  { dmQueued: handlers on this (the main) thread }
  FPhone.OnEvent := PhoneEvent;
  FPhone.OnLineStateChange := LineStateChange;
  FPhone.OnIncomingCall := IncomingCall;
  FPhone.OnCallEnded := CallEnded;
  FPhone.OnConnectionLost := ConnectionLost;
end;

procedure TDeskForm.FormDestroy(Sender: TObject);
begin
  { Disconnects; events still queued for the form are discarded. }
  FPhone.Free;
end;

{ Runs a command, showing the library's error instead of raising. }
procedure TDeskForm.Run(const What: string; Code: Integer);
begin
  try
    case Code of
      0: begin
           FPhone.Connect(HostEdit.Text, 5038);
           FPhone.Login(ExtensionEdit.Text);
         end;
      1: FPhone.PlaceCall(NumberEdit.Text);
      2: FPhone.AnswerCall(FRingingLine);
      3: FPhone.EndCall;
    end;
  except
    on E: EDGPhone do
      LogMemo.Lines.Add(What + ' failed: ' + E.Message + ' (code ' + IntToStr(E.Code) + ')');
  end;
end;

procedure TDeskForm.ConnectButtonClick(Sender: TObject);
begin
  Run('Connect', 0);
end;

procedure TDeskForm.DialButtonClick(Sender: TObject);
begin
  Run('Dial', 1);
end;

procedure TDeskForm.AnswerButtonClick(Sender: TObject);
begin
  Run('Answer', 2);
end;

procedure TDeskForm.HangupButtonClick(Sender: TObject);
begin
  Run('Hang up', 3);
end;

procedure TDeskForm.PhoneEvent(Sender: TObject; Event: TDGPhoneEvent);
begin
  LogMemo.Lines.Add(Event.KindName + ' line ' + IntToStr(Event.Line) + ' ' + Event.Detail);
end;

procedure TDeskForm.LineStateChange(Sender: TObject; Line: Integer; State: TDGPLineState; Event: TDGPhoneEvent);
begin
  StateLabel.Caption := 'Line ' + IntToStr(Line) + ': ' + DGPLineStateName(State);
  AnswerButton.Enabled := State = DGP_LINE_OFFERING;
  HangupButton.Enabled := (State = DGP_LINE_DIALING) or (State = DGP_LINE_CONNECTED) or (State = DGP_LINE_ON_HOLD);
end;

procedure TDeskForm.IncomingCall(Sender: TObject; Line: Integer; const Number: string; Event: TDGPhoneEvent);
begin
  FRingingLine := Line;
  CallerLabel.Caption := 'Call from ' + Number;
end;

procedure TDeskForm.CallEnded(Sender: TObject; Line: Integer; Event: TDGPhoneEvent);
begin
  CallerLabel.Caption := '';
end;

procedure TDeskForm.ConnectionLost(Sender: TObject; Reason: TDGPDisconnectReason; const Detail: string;
  Event: TDGPhoneEvent);
begin
  LogMemo.Lines.Add('Connection lost: ' + Detail);
end;

end.
