//! The runtime as the window controller's [`EffectSink`]: effects are carried out in the background and
//! their answers come back through the controller's `EventSender` (bound with [`LateSink::bind`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use servicaja_session::{Effect, Event};

use super::Runtime;
use crate::ui::controller::EffectSink;

impl EffectSink for Arc<Runtime> {
    fn execute(&mut self, effect: &Effect, _now: DateTime<Utc>) -> Vec<Event> {
        Runtime::execute(self, effect.clone());
        Vec::new()
    }
}
