{ Stand-in (see Forms.pas). }
unit StdCtrls;
{$MODE DELPHI}
interface
uses Classes, Controls;
type
  TEdit = class(TWinControl);
  TButton = class(TWinControl);
  TLabel = class(TControl);
  TMemo = class(TWinControl)
  private
    FLines: TStrings;
  public
    constructor Create(AOwner: TComponent); override;
    destructor Destroy; override;
    property Lines: TStrings read FLines;
  end;
implementation
constructor TMemo.Create(AOwner: TComponent); begin inherited Create(AOwner); FLines := TStringList.Create; end;
destructor TMemo.Destroy; begin FLines.Free; inherited Destroy; end;
end.
