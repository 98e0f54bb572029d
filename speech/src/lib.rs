//! What the kiosk says in audio mode (issue 17), as pure functions: the session's state in, utterances in
//! the session's language out (es-PE or en). Amounts, dates, rates and codes are worded in `words`. No
//! audio, no I/O, no clock: the speech engine is a shell above this crate.

pub mod words;
