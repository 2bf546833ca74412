"""The README's sample: log in, take a call, hold it, dial out, DTMF, hang up.
Runs against the simulator it starts itself (a real DGPhone: port 5038)."""
from dgphone import Client
from dgphone.sim import Simulator

with Simulator() as sim, Client(lambda e: print(e.kind.name, e.line)) as phone:
    phone.connect("127.0.0.1", sim.port)
    phone.login("201")
    sim.ring(1, "5511999990000")                  # the caller (a real one in production)
    phone.answer_call(ring_wait=10)               # takes the call that rings on line 1
    phone.hold_call(line=1)                       # holds it
    phone.place_call("1002", line=2)              # dials out on line 2
    phone.send_call_dtmf("123#", line=2)          # DTMF on that call
    phone.end_call(line=2)                        # and hangs it up
