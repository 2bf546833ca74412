{ Stand-in (see Forms.pas). }
unit Dialogs;
{$MODE DELPHI}
interface
implementation
end.
