object DeskForm: TDeskForm
  Left = 200
  Top = 120
  Width = 460
  Height = 380
  Caption = 'DGPhone desk'
  OnCreate = FormCreate
  OnDestroy = FormDestroy
  object StateLabel: TLabel
    Left = 16
    Top = 88
    Width = 200
    Height = 13
    Caption = 'Line 1: Idle'
  end
  object CallerLabel: TLabel
    Left = 232
    Top = 88
    Width = 200
    Height = 13
  end
  object HostEdit: TEdit
    Left = 16
    Top = 16
    Width = 161
    Height = 21
    TabOrder = 0
    Text = '127.0.0.1'
  end
  object ExtensionEdit: TEdit
    Left = 184
    Top = 16
    Width = 73
    Height = 21
    TabOrder = 1
    Text = '201'
  end
  object ConnectButton: TButton
    Left = 264
    Top = 14
    Width = 75
    Height = 25
    Caption = 'Connect'
    TabOrder = 2
    OnClick = ConnectButtonClick
  end
  object NumberEdit: TEdit
    Left = 16
    Top = 52
    Width = 161
    Height = 21
    TabOrder = 3
  end
  object DialButton: TButton
    Left = 184
    Top = 50
    Width = 75
    Height = 25
    Caption = 'Dial'
    TabOrder = 4
    OnClick = DialButtonClick
  end
  object AnswerButton: TButton
    Left = 264
    Top = 50
    Width = 75
    Height = 25
    Caption = 'Answer'
    Enabled = False
    TabOrder = 5
    OnClick = AnswerButtonClick
  end
  object HangupButton: TButton
    Left = 344
    Top = 50
    Width = 75
    Height = 25
    Caption = 'Hang up'
    Enabled = False
    TabOrder = 6
    OnClick = HangupButtonClick
  end
  object LogMemo: TMemo
    Left = 16
    Top = 112
    Width = 417
    Height = 217
    ScrollBars = ssVertical
    TabOrder = 7
  end
end
