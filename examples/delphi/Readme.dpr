program Readme;
uses {$IFDEF UNIX} cthreads, {$ENDIF} SysUtils, DGPhone;
var
  Phone: TDGPhone;
begin
  Phone := TDGPhone.Create;
  try
    Phone.Connect(ParamStr(1), StrToInt(ParamStr(2)));  { 5038 for a real DGPhone }
    Phone.Login('201');
    Phone.AnswerCall(0, 10000);  { the call ringing, or the first within 10 s }
    WriteLn('answered, now hanging up');
    Phone.EndCall;
  finally
    Phone.Free;
  end;
end.
