{ Stand-ins for the VCL/LCL classes examples/delphi/form/MainForm.pas
  uses, with only the members it touches: they let scripts/delphi-tests
  type-check the form's code here, where neither library is installed.
  Nothing runs with them. }
unit Forms;
{$MODE DELPHI}
interface
uses Classes, Controls;
type
  TForm = class(TWinControl)
  public
    constructor Create(AOwner: TComponent); override;
  end;
  TFormClass = class of TForm;
  TApplication = class(TComponent)
  public
    procedure Initialize;
    procedure CreateForm(InstanceClass: TFormClass; out Reference);
    procedure Run;
  end;
var
  Application: TApplication;
implementation
constructor TForm.Create(AOwner: TComponent); begin inherited Create(AOwner); end;
procedure TApplication.Initialize; begin end;
procedure TApplication.CreateForm(InstanceClass: TFormClass; out Reference); begin TForm(Reference) := InstanceClass.Create(Self); end;
procedure TApplication.Run; begin end;
end.
