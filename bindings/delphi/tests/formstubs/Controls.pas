{ Stand-in (see Forms.pas). }
unit Controls;
{$MODE DELPHI}
interface
uses Classes;
type
  TControl = class(TComponent)
  private
    FEnabled: Boolean;
    FCaption, FText: string;
  public
    property Enabled: Boolean read FEnabled write FEnabled;
    property Caption: string read FCaption write FCaption;
    property Text: string read FText write FText;
  end;
  TWinControl = class(TControl);
implementation
end.
