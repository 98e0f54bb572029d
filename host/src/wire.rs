//! The session's talk with the central, in one place: reads straight through the host client, commands
//! turned into outbox commands (route, body, kind, resources; the one builder of them), answers decoded back
//! into session replies, and the transport that adds a command's in-memory secrets (OTP, new clave) to its
//! body at the moment it is sent — so they never reach the outbox's disk.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use servicaja_core::api::{
    EmailRequest, ErrorCode, OfflineRequest, OpenSessionRequest, OtpRequest, PaymentRequest, Problem,
    StartEnrollmentRequest, paths,
};
use servicaja_session::{Answer, Command, Credentials, Failure, Query, Reply};
use uuid::Uuid;
use zeroize::{Zeroize, Zeroizing};

use crate::client::{HostClient, HostError, Method};
use crate::outbox::{Completion, Transport};
use crate::policy::{CommandKind, State};
use crate::store::{NewCommand, SessionToken, StoredCommand};

/// The secret fields (name, value) that travel with one command, zeroized when dropped.
type SecretFields = Vec<(&'static str, Zeroizing<String>)>;

/// Secrets of open commands, by idempotency key, in memory only.
#[derive(Clone, Default)]
pub struct SecretStore {
    by_key: Arc<Mutex<HashMap<Uuid, SecretFields>>>,
}

impl SecretStore {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, SecretFields>> {
        self.by_key.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn insert(&self, key: Uuid, fields: Vec<(&'static str, Zeroizing<String>)>) {
        if !fields.is_empty() {
            self.lock().insert(key, fields);
        }
    }

    pub fn remove(&self, key: Uuid) {
        self.lock().remove(&key);
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn holds(&self, key: Uuid) -> bool {
        self.lock().contains_key(&key)
    }

    /// The command's body with its secrets added, when it has any.
    fn body_for(&self, command: &StoredCommand) -> Option<Value> {
        let by_key = self.lock();
        let fields = by_key.get(&command.key)?;
        let mut body = match &command.payload {
            Value::Object(map) => map.clone(),
            _ => Map::new(),
        };
        for (name, value) in fields {
            body.insert((*name).to_owned(), Value::String(value.as_str().to_owned()));
        }
        Some(Value::Object(body))
    }
}

/// The outbox's transport: the host client, plus the in-memory secrets of the command being sent. After a
/// crash a command is resent without them and the central refuses it — the safe outcome.
#[derive(Clone)]
pub struct SecretTransport {
    client: HostClient,
    secrets: SecretStore,
}

impl SecretTransport {
    pub fn new(client: HostClient, secrets: SecretStore) -> Self {
        Self { client, secrets }
    }
}

impl Transport for SecretTransport {
    fn deliver(
        &self,
        command: &StoredCommand,
    ) -> impl Future<Output = Result<crate::Reply, HostError>> + Send + 'static {
        let client = self.client.clone();
        let method = Method::from_bytes(command.method.as_bytes()).unwrap_or(Method::POST);
        let path = command.path.clone();
        let key = command.key;
        let mut body = self.secrets.body_for(command).unwrap_or_else(|| command.payload.clone());
        let token = command.session_token.as_ref().map(|token| token.0.clone());
        async move {
            let reply = client.send(method, &path, Some(key), token.as_deref(), Some(&body)).await;
            body.zeroize_strings();
            reply
        }
    }
}

/// Wipes the string values of a JSON body that held secrets.
trait ZeroizeStrings {
    fn zeroize_strings(&mut self);
}

impl ZeroizeStrings for Value {
    fn zeroize_strings(&mut self) {
        match self {
            Value::String(text) => text.zeroize(),
            Value::Object(map) => map.values_mut().for_each(ZeroizeStrings::zeroize_strings),
            Value::Array(items) => items.iter_mut().for_each(ZeroizeStrings::zeroize_strings),
            _ => {}
        }
    }
}

/// A read, answered by the central straight away. The `POST` reads use the request id as their
/// `Idempotency-Key`.
pub async fn query(client: &HostClient, request: Uuid, token: Option<&str>, query: Query) -> Answer {
    let result = match query {
        Query::OpenSession { card, dni, clave } => {
            let mut body = OpenSessionRequest {
                card_number: card.expose_digits().to_owned(),
                dni: dni.as_str().to_owned(),
                clave: clave.expose().to_owned(),
            };
            let result = client.post(paths::SESSIONS, request, None, &body).await.map(Reply::SessionOpened);
            body.card_number.zeroize();
            body.clave.zeroize();
            result
        }
        Query::Accounts => client.get(paths::ACCOUNTS, token).await.map(Reply::Accounts),
        Query::Movements { account_id } => {
            let path = paths::fill(paths::ACCOUNT_MOVEMENTS, "account_id", &account_id);
            client.get(&path, token).await.map(Reply::Movements)
        }
        Query::Loans => client.get(paths::LOANS, token).await.map(Reply::Loans),
        Query::Quote { loan_id, query } => {
            let mut path = paths::fill(paths::LOAN_QUOTE, "loan_id", &loan_id);
            path.push('?');
            path.push_str(&query_string([
                ("option", json_word(&query.option).as_str()),
                ("debit_account_id", query.debit_account_id.as_str()),
                ("amount", query.amount.map(|amount| amount.to_string()).unwrap_or_default().as_str()),
            ]));
            client.get(&path, token).await.map(Reply::Quote)
        }
        Query::RequestOtp { purpose } => {
            client.post(paths::OTPS, request, token, &OtpRequest { purpose }).await.map(Reply::OtpSent)
        }
        Query::ResendEnrollmentCode { enrollment_id } => {
            let path = paths::fill(paths::ENROLLMENT_OTP, "enrollment_id", &enrollment_id);
            client.post(&path, request, token, &serde_json::json!({})).await.map(Reply::OtpSent)
        }
        Query::StartEnrollment { card, dni } => {
            let mut body =
                StartEnrollmentRequest { card_number: card.expose_digits().to_owned(), dni: dni.as_str().to_owned() };
            let result = client.post(paths::ENROLLMENTS, request, token, &body).await.map(Reply::EnrollmentStarted);
            body.card_number.zeroize();
            result
        }
    };
    result.map_err(|err| failure(&err))
}

/// What a host error means to the session: the central's problem, or no answer at all.
/// The remaining attempts of a wrong clave or SMS code travel with the problem, so the customer is told them.
pub fn failure(err: &HostError) -> Failure {
    let problem = |code: ErrorCode, message: &str| {
        let mut problem = Problem::new(code, message);
        problem.attempts_left = err.attempts_left();
        Failure::Refused(problem)
    };
    match err {
        HostError::Status { code, message, .. } if !err.is_transient() => problem(error_code(code), message),
        HostError::Status { code, message, .. } => match parse_code(code) {
            Some(code) => problem(code, message),
            None => Failure::NoAnswer,
        },
        _ => Failure::NoAnswer,
    }
}

fn parse_code(code: &str) -> Option<ErrorCode> {
    serde_json::from_value(Value::String(code.to_owned())).ok()
}

/// A business refusal with a code this kiosk does not know is treated as an internal error: final for
/// reads, and for a payment an unknown outcome (reversed).
fn error_code(code: &str) -> ErrorCode {
    parse_code(code).unwrap_or(ErrorCode::Internal)
}

/// `due_installment` for `PaymentOption::DueInstallment`: the serde name the contract uses.
fn json_word(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(word)) => word,
        _ => String::new(),
    }
}

/// `a=1&b=x+y` (`application/x-www-form-urlencoded`, as the central's query decoder reads it), leaving out
/// empty values.
fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(pairs.into_iter().filter(|(_, value)| !value.is_empty()));
    query.finish()
}

/// A command as the outbox stores it: its kind, route and body (no secret), and the secrets that travel
/// beside it in memory.
pub struct Outgoing {
    pub kind: CommandKind,
    pub path: String,
    pub payload: Value,
    pub secrets: Vec<(&'static str, Zeroizing<String>)>,
    /// The loans and accounts it touches (a payment waits behind a reversal on any of them).
    pub resources: Vec<String>,
}

/// The outbox form of every command but the reversal (which withdraws its payment) and the e-mail (whose
/// body is the rendered document).
pub fn outgoing(command: &Command, credentials: &Credentials) -> Result<Outgoing, String> {
    let otp = || credentials.otp.as_ref().map(|otp| ("otp_code", Zeroizing::new(otp.expose().to_owned())));
    let resources = match command {
        Command::Pay(request) => payment_resources(request),
        _ => Vec::new(),
    };
    let (kind, path, payload, secrets): (CommandKind, String, Value, Vec<_>) = match command {
        Command::Pay(request) => (CommandKind::Payment, paths::PAYMENTS.into(), to_json(request)?, Vec::new()),
        Command::ReversePayment { .. } | Command::SettlePayment { .. } => {
            return Err("a payment is settled or reversed by the outbox, from the reversal stored with it".into());
        }
        Command::Affiliate { account_id, otp_id } => (
            CommandKind::Affiliation,
            paths::AFFILIATIONS.into(),
            serde_json::json!({ "account_id": account_id, "otp_id": otp_id }),
            otp().into_iter().collect(),
        ),
        Command::Disaffiliate { confirm, otp_id } => (
            CommandKind::Disaffiliation,
            paths::DISAFFILIATIONS.into(),
            serde_json::json!({ "confirm": confirm, "otp_id": otp_id }),
            otp().into_iter().collect(),
        ),
        Command::NoDebtCertificate(request) => {
            (CommandKind::Constancia, paths::NO_DEBT_CERTIFICATES.into(), to_json(request)?, Vec::new())
        }
        Command::FileRequest(request) => (CommandKind::Request, paths::REQUESTS.into(), to_json(request)?, Vec::new()),
        // Filed without a session while the central was away: the kiosk's certificate vouches for it, the
        // central finds the customer by DNI and e-mails the ticket.
        Command::FileOfflineRequest { kind, dni, filed_at } => (
            CommandKind::Request,
            paths::OFFLINE_REQUESTS.into(),
            to_json(&OfflineRequest {
                kind: *kind,
                dni: dni.as_str().to_owned(),
                detail: String::new(),
                filed_at: *filed_at,
            })?,
            Vec::new(),
        ),
        Command::AnswerEnrollment { enrollment_id, answers } => (
            CommandKind::Enrollment,
            paths::fill(paths::ENROLLMENT_ANSWERS, "enrollment_id", enrollment_id),
            to_json(answers)?,
            Vec::new(),
        ),
        Command::SetClave { enrollment_id } => {
            let mut secrets: Vec<_> = otp().into_iter().collect();
            if let Some(clave) = &credentials.new_clave {
                secrets.push(("new_clave", Zeroizing::new(clave.expose().to_owned())));
            }
            (
                CommandKind::Enrollment,
                paths::fill(paths::ENROLLMENT_CLAVE, "enrollment_id", enrollment_id),
                Value::Object(Map::new()),
                secrets,
            )
        }
        Command::EmailDocument { .. } => return Err("an e-mail is built from its rendered document".into()),
    };
    Ok(Outgoing { kind, path, payload, secrets, resources })
}

/// The outbox form of an e-mailed document (delivered later when the central is away): no secret, no
/// resource.
pub fn email_outgoing(request: &EmailRequest) -> Result<Outgoing, String> {
    Ok(Outgoing {
        kind: CommandKind::Email,
        path: paths::EMAILS.into(),
        payload: to_json(request)?,
        secrets: Vec::new(),
        resources: Vec::new(),
    })
}

/// The loan and the account a payment touches, as the outbox names them.
pub fn payment_resources(request: &PaymentRequest) -> Vec<String> {
    vec![format!("loan:{}", request.loan_id), format!("account:{}", request.debit_account_id)]
}

impl Outgoing {
    /// The command to store, under idempotency `key` in `lane` for the session of `token`; the secrets stay
    /// beside it, for the [`SecretStore`].
    pub fn into_command(
        self,
        key: Uuid,
        lane: &str,
        token: Option<SessionToken>,
    ) -> (NewCommand, Vec<(&'static str, Zeroizing<String>)>) {
        let command = NewCommand {
            key,
            kind: self.kind,
            lane: lane.to_owned(),
            method: "POST".into(),
            path: self.path,
            payload: self.payload,
            interactive: false,
            reverses: None,
            session_token: token,
            resources: self.resources,
        };
        (command, self.secrets)
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|err| err.to_string())
}

/// The session's answer for a command that reached a final state in the outbox.
pub fn answer(command: &Command, done: &Completion) -> Answer {
    let body = done.answer.clone().unwrap_or(Value::Null);
    match done.state {
        State::Done => reply(command, body),
        State::Rejected => {
            let code = body.get("code").and_then(Value::as_str).unwrap_or_default();
            let message = body.get("message").and_then(Value::as_str).unwrap_or_default();
            let mut problem = Problem::new(error_code(code), message);
            problem.attempts_left =
                body.get("attempts_left").and_then(Value::as_u64).and_then(|left| u32::try_from(left).ok());
            Err(Failure::Refused(problem))
        }
        // Withdrawn (reversed, cancelled by a technician), expired, unreadable: nothing the customer can count on.
        State::Cancelled | State::Expired | State::Pending | State::InFlight | State::Standby | State::Unreadable => {
            Err(Failure::NoAnswer)
        }
    }
}

fn reply(command: &Command, body: Value) -> Answer {
    fn decode<T: DeserializeOwned>(body: Value) -> Result<T, Failure> {
        serde_json::from_value(body).map_err(|err| {
            tracing::error!(%err, "the central's answer does not follow the contract");
            Failure::NoAnswer
        })
    }
    Ok(match command {
        Command::Pay(_) | Command::SettlePayment { .. } => Reply::PaymentDone(decode(body)?),
        Command::ReversePayment { .. } => Reply::Reversed(decode(body)?),
        Command::Affiliate { .. } | Command::Disaffiliate { .. } => Reply::Affiliation(decode(body)?),
        Command::NoDebtCertificate(_) => Reply::NoDebt(decode(body)?),
        Command::FileRequest(_) => Reply::RequestFiled(decode(body)?),
        Command::AnswerEnrollment { .. } => Reply::EnrollmentVerified(decode(body)?),
        Command::SetClave { .. } => Reply::ClaveSet(decode(body)?),
        Command::FileOfflineRequest { .. } | Command::EmailDocument { .. } => Reply::Accepted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use servicaja_session::secret::SecretDigits;

    #[test]
    fn secrets_travel_beside_the_stored_body_never_inside_it() {
        let credentials = Credentials { otp: SecretDigits::from_digits("123456"), new_clave: None };
        let command = Command::Affiliate { account_id: "A-1".into(), otp_id: "otp-1".into() };
        let out = outgoing(&command, &credentials).unwrap();
        assert_eq!(out.kind, CommandKind::Affiliation);
        assert!(!out.payload.to_string().contains("123456"), "{}", out.payload);
        assert_eq!(out.secrets.len(), 1);
        assert_eq!(out.secrets[0].0, "otp_code");

        let credentials =
            Credentials { otp: SecretDigits::from_digits("654321"), new_clave: SecretDigits::from_digits("135790") };
        let out = outgoing(&Command::SetClave { enrollment_id: "E-1".into() }, &credentials).unwrap();
        assert_eq!(out.path, "/v1/enrollments/E-1/clave");
        assert_eq!(out.payload, Value::Object(Map::new()));
        let names: Vec<&str> = out.secrets.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["otp_code", "new_clave"]);
    }

    #[test]
    fn a_request_filed_offline_goes_to_its_own_route_with_the_filing_time() {
        let filed_at = chrono::DateTime::parse_from_rfc3339("2026-11-20T15:30:00Z").unwrap().to_utc();
        let dni = servicaja_session::secret::Dni::parse("44556677").unwrap();
        let command =
            Command::FileOfflineRequest { kind: servicaja_core::api::RequestKind::AddressChange, dni, filed_at };
        let out = outgoing(&command, &Credentials::default()).unwrap();
        assert_eq!((out.kind, out.path.as_str()), (CommandKind::Request, paths::OFFLINE_REQUESTS));
        let body: OfflineRequest = serde_json::from_value(out.payload).unwrap();
        assert_eq!((body.dni.as_str(), body.filed_at), ("44556677", filed_at));
        assert!(out.secrets.is_empty());
    }

    #[test]
    fn quote_queries_are_encoded_and_empty_values_left_out() {
        assert_eq!(
            query_string([("option", "due_installment"), ("debit_account_id", "A-0012 1110&x=ü"), ("amount", "")]),
            "option=due_installment&debit_account_id=A-0012+1110%26x%3D%C3%BC"
        );
    }

    #[test]
    fn business_refusals_keep_their_code_and_network_trouble_is_no_answer() {
        let refused = HostError::Status {
            status: 422,
            code: "insufficient_funds".into(),
            message: "Saldo insuficiente".into(),
            attempts_left: None,
            retry_after: None,
        };
        assert_eq!(failure(&refused).code(), Some(ErrorCode::InsufficientFunds));
        let unknown = HostError::Status {
            status: 409,
            code: "brand_new".into(),
            message: String::new(),
            attempts_left: None,
            retry_after: None,
        };
        assert_eq!(failure(&unknown).code(), Some(ErrorCode::Internal));
        assert_eq!(failure(&HostError::Timeout), Failure::NoAnswer);
        let gateway = HostError::Status {
            status: 502,
            code: "http_502".into(),
            message: String::new(),
            attempts_left: None,
            retry_after: None,
        };
        assert_eq!(failure(&gateway), Failure::NoAnswer);
    }

    #[test]
    fn remaining_attempts_reach_the_session_from_a_read_and_from_the_outbox() {
        let wrong_clave = HostError::Status {
            status: 401,
            code: "clave_invalid".into(),
            message: "Clave incorrecta.".into(),
            attempts_left: Some(2),
            retry_after: None,
        };
        assert_eq!(failure(&wrong_clave).attempts_left(), Some(2));
        assert_eq!(failure(&wrong_clave).code(), Some(ErrorCode::ClaveInvalid));

        let command = Command::Affiliate { account_id: "A-1".into(), otp_id: "otp-1".into() };
        let rejected = Completion {
            id: crate::policy::CommandId(1),
            key: Uuid::now_v7(),
            state: State::Rejected,
            status: Some(422),
            answer: Some(
                serde_json::json!({ "code": "otp_invalid", "message": "Código incorrecto.", "attempts_left": 1 }),
            ),
        };
        let refused = answer(&command, &rejected).unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::OtpInvalid));
        assert_eq!(refused.attempts_left(), Some(1));
    }
}
