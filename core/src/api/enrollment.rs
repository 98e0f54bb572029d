//! Clave enrollment (R12): identity questions, answers, the new clave.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::affiliation::OtpSent;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartEnrollmentRequest {
    pub card_number: String,
    pub dni: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentQuestion {
    pub id: String,
    pub text: String,
    /// One of them is right; "Sin asignar" can be the right one.
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentStarted {
    pub enrollment_id: String,
    pub questions: Vec<EnrollmentQuestion>,
    pub attempts_left: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentAnswer {
    pub question_id: String,
    /// Index into the question's options.
    pub option: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentAnswers {
    pub answers: Vec<EnrollmentAnswer>,
}

/// Answers were right: an SMS code went to the registered phone to confirm the new clave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollmentVerified {
    pub enrollment_id: String,
    pub otp: OtpSent,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetClaveRequest {
    pub new_clave: String,
    pub otp_code: String,
}

impl std::fmt::Debug for SetClaveRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetClaveRequest").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollmentCompleted {
    pub enrollment_id: String,
    pub at: DateTime<Utc>,
}
