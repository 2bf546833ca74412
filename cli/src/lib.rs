//! What the `dgphone` and `dgphone-sim` commands share: the simulator's
//! front end. The command's own modules stay in its binary (`main.rs`).

pub mod sim;
