// A whole call session through the .NET binding, against the simulator:
// an incoming call answered, then a call dialled out, held, resumed, sent
// DTMF and hung up. Point Connect at a real DGPhone (port 5038) instead.
using System;
using DGPhone;

static class Softphone
{
    static void Main()
    {
        var wait = TimeSpan.FromSeconds(5);
        using (var sim = new DGPhoneSimulator())      // plays DGPhone and the other parties
        using (var phone = new DGPhoneClient())
        {
            phone.Connect("127.0.0.1", sim.Port);
            phone.Login("201");
            sim.IncomingCall(1, "5551234");           // someone calls line 1
            phone.AnswerCall(0, wait, wait);           // waits for the ring, answers, waits for Answer
            Console.WriteLine("answered " + phone.GetLineNumber(1));
            phone.EndCall(1, wait);
            phone.PlaceCall("1002", 2, wait);          // selects line 2, dials, waits for Dialing
            phone.HoldCall(HoldMode.On, 2, wait);
            Console.WriteLine("line 2 is " + phone.GetLineState(2));
            phone.HoldCall(HoldMode.Off, 2, wait);
            phone.SendCallDtmf("123#", 2, wait);
            phone.EndCall(2, wait);
            Console.WriteLine("done: answered, dialled, held, resumed, sent DTMF, hung up");
        }
    }
}
