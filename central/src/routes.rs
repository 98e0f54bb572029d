//! The HTTP surface: one route table (the router and the OpenAPI test both read it), the idempotency and
//! transaction wrapper every handler goes through, the problem responses and the fault-injection layer.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use chrono::Duration;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use servicaja_core::api::{self, ErrorCode, Health, Problem, QuoteQuery, paths};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::db::sha256_hex;
use crate::faults::Faults;
use crate::fixtures::Fixtures;
use crate::service::{self, Ctx, OpError, OpResult};
use servicaja_core::channels::ChannelTable;

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Mutex<Connection>>,
    pub clock: Arc<dyn Clock>,
    pub fixtures: Arc<Fixtures>,
    pub channels: Arc<ChannelTable>,
    pub demo: bool,
    pub faults: Faults,
}

/// Put into every request by the connection task: notifying it closes the connection at once (used by
/// drop-after-commit).
#[derive(Clone)]
pub struct ConnectionKiller(pub Arc<Notify>);

/// Header set on a replayed idempotent answer.
pub const REPLAYED_HEADER: &str = "Idempotency-Replayed";

// ---------------------------------------------------------------------------------------------------------
// Route table
// ---------------------------------------------------------------------------------------------------------

fn table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, paths::HEALTH, get(health)),
        (Method::POST, paths::SESSIONS, post(open_session)),
        (Method::DELETE, paths::SESSION_CURRENT, delete(close_session)),
        (Method::GET, paths::PROFILE, get(profile)),
        (Method::GET, paths::ACCOUNTS, get(accounts)),
        (Method::GET, paths::ACCOUNT_MOVEMENTS, get(movements)),
        (Method::GET, paths::LOANS, get(loans)),
        (Method::GET, paths::LOAN_SCHEDULE, get(schedule)),
        (Method::GET, paths::LOAN_QUOTE, get(quote)),
        (Method::POST, paths::PAYMENTS, post(pay)),
        (Method::POST, paths::PAYMENT_REVERSAL, post(reverse)),
        (Method::GET, paths::EXCHANGE_RATES, get(exchange_rates)),
        (Method::POST, paths::OTPS, post(request_otp)),
        (Method::GET, paths::AFFILIATION, get(affiliation)),
        (Method::POST, paths::AFFILIATIONS, post(affiliate)),
        (Method::POST, paths::DISAFFILIATIONS, post(disaffiliate)),
        (Method::POST, paths::NO_DEBT_CERTIFICATES, post(no_debt)),
        (Method::POST, paths::REQUESTS, post(file_request)),
        (Method::POST, paths::OFFLINE_REQUESTS, post(file_offline_request)),
        (Method::POST, paths::ENROLLMENTS, post(start_enrollment)),
        (Method::POST, paths::ENROLLMENT_ANSWERS, post(answer_enrollment)),
        (Method::POST, paths::ENROLLMENT_CLAVE, post(set_clave)),
        (Method::POST, paths::ENROLLMENT_OTP, post(resend_enrollment_code)),
        (Method::POST, paths::EMAILS, post(send_email)),
        (Method::POST, paths::FLEET_REPORTS, post(fleet_report)),
        (Method::GET, paths::FLEET_KIOSKS, get(fleet_kiosks)),
        (Method::GET, paths::FLEET_KIOSK, get(fleet_kiosk)),
        (Method::GET, paths::FLEET_KIOSK_REPORTS, get(fleet_history)),
        (Method::POST, paths::FLEET_KIOSK_COMMANDS, post(fleet_command)),
        (Method::POST, paths::FLEET_JOURNAL_UPLOADS, post(fleet_journal_upload)),
        (Method::POST, paths::FLEET_LOGS, post(fleet_logs)),
        (Method::GET, paths::DEMO_OUTBOX, get(demo_outbox)),
        (Method::GET, paths::DEMO_FAULTS, get(demo_faults)),
        (Method::PUT, paths::DEMO_FAULTS, put(set_demo_fault)),
    ]
}

/// Every (method, path template) the router serves, e.g. `("POST", "/v1/payments")`.
pub fn routes() -> Vec<(String, String)> {
    table().into_iter().map(|(method, path, _)| (method.as_str().to_owned(), path.to_owned())).collect()
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (_, path, method_router) in table() {
        router = router.route(path, method_router);
    }
    router
        .route_layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .fallback(|| async {
            problem_response(&Problem::new(ErrorCode::RouteNotFound, "La ruta solicitada no existe."), false)
        })
        .with_state(state)
}

// ---------------------------------------------------------------------------------------------------------
// Responses and the transaction wrapper
// ---------------------------------------------------------------------------------------------------------

fn problem_response(problem: &Problem, replayed: bool) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    raw_response(problem.status, "application/problem+json", body, replayed)
}

fn raw_response(status: u16, content_type: &'static str, body: Vec<u8>, replayed: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body).into_response();
    if replayed {
        response.headers_mut().insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}

fn json_ok<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => raw_response(200, "application/json", body, false),
        Err(_) => {
            problem_response(&Problem::new(ErrorCode::Internal, "Error interno al preparar la respuesta."), false)
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|token| token.trim().to_owned())
}

fn internal(message: &str) -> Problem {
    Problem::new(ErrorCode::Internal, format!("Error interno del sistema central ({message}); nada fue aplicado."))
}

async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut Connection) -> T + Send + 'static,
) -> Result<T, Problem> {
    let db = state.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut conn)
    })
    .await
    .map_err(|_| internal("tarea interrumpida"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    None,
    Customer,
}

/// Runs a read: authenticates (touching the session) and answers; the touch is committed.
async fn read<T, F>(state: AppState, headers: &HeaderMap, auth: Auth, op: F) -> Response
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Connection, &Ctx<'_>) -> OpResult<T> + Send + 'static,
{
    let token = bearer(headers);
    let now = state.clock.now();
    let fixtures = state.fixtures.clone();
    let channels = state.channels.clone();
    let outcome = blocking(&state, move |conn| -> Result<T, Problem> {
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|_| internal("base de datos"))?;
        let mut ctx = Ctx { now, customer_id: None, fixtures: &fixtures, channels: &channels };
        if auth == Auth::Customer {
            match service::authenticate(&tx, now, token.as_deref()) {
                Ok(customer_id) => ctx.customer_id = Some(customer_id),
                Err(error) => {
                    if error.keep_effects {
                        tx.commit().map_err(|_| internal("base de datos"))?;
                    }
                    return Err(error.problem);
                }
            }
        }
        let result = op(&tx, &ctx);
        if matches!(&result, Err(OpError { problem, .. }) if problem.code == ErrorCode::Internal) {
            return result.map_err(|e| e.problem);
        }
        tx.commit().map_err(|_| internal("base de datos"))?;
        result.map_err(|e| e.problem)
    })
    .await;
    match outcome {
        Ok(Ok(value)) => json_ok(&value),
        Ok(Err(problem)) | Err(problem) => problem_response(&problem, false),
    }
}

/// Runs a state-changing request: idempotency key required; replay or conflict; authentication; the
/// operation and the stored answer in one IMMEDIATE transaction.
async fn write<Req, Resp, F>(
    state: AppState,
    headers: HeaderMap,
    path: String,
    body: Bytes,
    auth: Auth,
    op: F,
) -> Response
where
    Req: DeserializeOwned + Send + 'static,
    Resp: Serialize + Send + 'static,
    F: FnOnce(&Connection, &Ctx<'_>, Req) -> OpResult<Resp> + Send + 'static,
{
    let key = match headers.get(api::IDEMPOTENCY_KEY_HEADER).and_then(|v| v.to_str().ok()).map(str::trim) {
        Some(key) if !key.is_empty() && key.len() <= 200 => key.to_owned(),
        _ => {
            return problem_response(
                &Problem::new(
                    ErrorCode::IdempotencyKeyRequired,
                    "Falta la cabecera Idempotency-Key (1 a 200 caracteres) en una operación que modifica datos.",
                ),
                false,
            );
        }
    };
    let request_hash = sha256_hex(&[b"POST", path.as_bytes(), &body]);
    let token = bearer(&headers);
    let now = state.clock.now();
    let fixtures = state.fixtures.clone();
    let channels = state.channels.clone();
    let outcome = blocking(&state, move |conn| -> Result<(u16, Vec<u8>, bool, bool), Problem> {
        let db_failed = |_| internal("base de datos");
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_failed)?;
        let stored: Option<(String, u16, String)> = tx
            .query_row("SELECT request_hash, status, body FROM idempotency WHERE key = ?1", params![key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(db_failed)?;
        if let Some((stored_hash, status, stored_body)) = stored {
            if stored_hash == request_hash {
                let is_problem = status >= 400;
                return Ok((status, stored_body.into_bytes(), true, is_problem));
            }
            return Err(Problem::new(
                ErrorCode::IdempotencyConflict,
                "La clave de idempotencia ya se usó con otra operación distinta; genere una clave nueva.",
            ));
        }
        let mut ctx = Ctx { now, customer_id: None, fixtures: &fixtures, channels: &channels };
        if auth == Auth::Customer {
            match service::authenticate(&tx, now, token.as_deref()) {
                Ok(customer_id) => ctx.customer_id = Some(customer_id),
                Err(error) => {
                    if error.keep_effects {
                        tx.commit().map_err(db_failed)?;
                    }
                    return Err(error.problem);
                }
            }
        }
        let request: Req = serde_json::from_slice(&body).map_err(|e| {
            Problem::new(ErrorCode::InvalidRequest, format!("El cuerpo de la solicitud no es válido: {e}"))
        })?;
        let result = {
            let savepoint = tx.savepoint().map_err(db_failed)?;
            let result = op(&savepoint, &ctx, request);
            match &result {
                Err(error) if error.problem.code.is_transient() => return Err(error.problem.clone()),
                Err(error) if !error.keep_effects => drop(savepoint),
                _ => savepoint.commit().map_err(db_failed)?,
            }
            result
        };
        let (status, response_body, is_problem) = match result {
            Ok(value) => (200u16, serde_json::to_vec(&value).map_err(|_| internal("respuesta"))?, false),
            Err(error) => {
                (error.problem.status, serde_json::to_vec(&error.problem).map_err(|_| internal("respuesta"))?, true)
            }
        };
        let text = String::from_utf8(response_body.clone()).map_err(|_| internal("respuesta"))?;
        tx.execute(
            "INSERT INTO idempotency (key, request_hash, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, request_hash, status, text, now.to_rfc3339()],
        )
        .map_err(db_failed)?;
        // Keys are kept twice the promised 24 hours, then purged.
        let horizon = now - Duration::hours(api::IDEMPOTENCY_RETENTION_HOURS * 2);
        tx.execute("DELETE FROM idempotency WHERE created_at < ?1", params![horizon.to_rfc3339()])
            .map_err(db_failed)?;
        tx.commit().map_err(db_failed)?;
        Ok((status, response_body, false, is_problem))
    })
    .await;
    match outcome {
        Ok(Ok((status, body, replayed, is_problem))) => {
            let content_type = if is_problem { "application/problem+json" } else { "application/json" };
            raw_response(status, content_type, body, replayed)
        }
        Ok(Err(problem)) | Err(problem) => problem_response(&problem, false),
    }
}

fn bad_query(rejection: QueryRejection) -> Response {
    problem_response(&Problem::new(ErrorCode::InvalidRequest, format!("Parámetros no válidos: {rejection}")), false)
}

// ---------------------------------------------------------------------------------------------------------
// Fault injection
// ---------------------------------------------------------------------------------------------------------

async fn inject_faults(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let decision = state.faults.decide(&route, rand::random::<f64>());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    if decision.fail {
        return problem_response(
            &Problem::new(ErrorCode::FaultInjected, "Falla simulada del sistema central; nada fue aplicado."),
            false,
        );
    }
    let killer = request.extensions().get::<ConnectionKiller>().cloned();
    let response = next.run(request).await;
    if decision.drop_after_commit
        && let Some(ConnectionKiller(notify)) = killer
    {
        tracing::info!(%route, "fault: response dropped after commit");
        notify.notify_one();
        std::future::pending::<()>().await;
    }
    response
}

// ---------------------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------------------

async fn health(State(state): State<AppState>) -> Response {
    let now = state.clock.now();
    let demo = state.demo;
    let ok = blocking(&state, |conn| conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).is_ok()).await;
    let status = if matches!(ok, Ok(true)) { "ok" } else { "degraded" };
    json_ok(&Health {
        status: status.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        server_time: now,
        demo,
    })
}

async fn open_session(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::SESSIONS.to_owned(), body, Auth::None, service::open_session).await
}

async fn close_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        return problem_response(&Problem::new(ErrorCode::SessionRequired, "No hay una sesión que cerrar."), false);
    };
    match blocking(&state, move |conn| service::close_session(conn, &token)).await {
        Ok(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(error)) => problem_response(&error.problem, false),
        Err(problem) => problem_response(&problem, false),
    }
}

async fn profile(State(state): State<AppState>, headers: HeaderMap) -> Response {
    read(state, &headers, Auth::Customer, service::get_profile).await
}

async fn accounts(State(state): State<AppState>, headers: HeaderMap) -> Response {
    read(state, &headers, Auth::Customer, service::list_accounts).await
}

/// A list's `?limit=N`.
#[derive(serde::Deserialize)]
struct LimitQuery {
    limit: Option<u32>,
}

/// The limit asked for, `default` when none.
fn limit_of(query: Result<Query<LimitQuery>, QueryRejection>, default: u32) -> Result<u32, QueryRejection> {
    query.map(|Query(query)| query.limit.unwrap_or(default))
}

async fn movements(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
    query: Result<Query<LimitQuery>, QueryRejection>,
) -> Response {
    let limit = match limit_of(query, 20) {
        Ok(limit) => limit,
        Err(rejection) => return bad_query(rejection),
    };
    read(state, &headers, Auth::Customer, move |conn, ctx| service::list_movements(conn, ctx, &account_id, limit)).await
}

async fn loans(State(state): State<AppState>, headers: HeaderMap) -> Response {
    read(state, &headers, Auth::Customer, service::list_loans).await
}

async fn schedule(State(state): State<AppState>, headers: HeaderMap, Path(loan_id): Path<String>) -> Response {
    read(state, &headers, Auth::Customer, move |conn, ctx| service::loan_schedule(conn, ctx, &loan_id)).await
}

async fn quote(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(loan_id): Path<String>,
    query: Result<Query<QuoteQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => return bad_query(rejection),
    };
    read(state, &headers, Auth::Customer, move |conn, ctx| service::quote(conn, ctx, &loan_id, query)).await
}

async fn pay(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::PAYMENTS.to_owned(), body, Auth::Customer, service::pay).await
}

async fn reverse(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(operation_id): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&operation_id) else {
        return problem_response(
            &Problem::new(ErrorCode::InvalidRequest, "El identificador de operación debe ser un UUID."),
            false,
        );
    };
    let path = paths::fill(paths::PAYMENT_REVERSAL, "operation_id", &id.to_string());
    write(state, headers, path, body, Auth::None, move |conn, ctx, request| service::reverse(conn, ctx, id, request))
        .await
}

async fn exchange_rates(State(state): State<AppState>, headers: HeaderMap) -> Response {
    read(state, &headers, Auth::None, |_, ctx| Ok(service::exchange_rates(ctx))).await
}

async fn request_otp(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::OTPS.to_owned(), body, Auth::Customer, service::request_otp).await
}

async fn affiliation(State(state): State<AppState>, headers: HeaderMap) -> Response {
    read(state, &headers, Auth::Customer, service::affiliation_state).await
}

async fn affiliate(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::AFFILIATIONS.to_owned(), body, Auth::Customer, service::affiliate).await
}

async fn disaffiliate(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::DISAFFILIATIONS.to_owned(), body, Auth::Customer, service::disaffiliate).await
}

async fn no_debt(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::NO_DEBT_CERTIFICATES.to_owned(), body, Auth::Customer, service::no_debt_certificate)
        .await
}

async fn file_request(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::REQUESTS.to_owned(), body, Auth::Customer, service::file_request).await
}

/// The kiosk (mutual TLS) delivers a request its customer filed while the central was away.
async fn file_offline_request(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::OFFLINE_REQUESTS.to_owned(), body, Auth::None, service::file_offline_request).await
}

async fn start_enrollment(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::ENROLLMENTS.to_owned(), body, Auth::None, service::start_enrollment).await
}

async fn answer_enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(enrollment_id): Path<String>,
    body: Bytes,
) -> Response {
    enrollment_step(state, headers, enrollment_id, body, paths::ENROLLMENT_ANSWERS, service::answer_enrollment).await
}

async fn set_clave(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(enrollment_id): Path<String>,
    body: Bytes,
) -> Response {
    enrollment_step(state, headers, enrollment_id, body, paths::ENROLLMENT_CLAVE, service::set_enrollment_clave).await
}

async fn resend_enrollment_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(enrollment_id): Path<String>,
    body: Bytes,
) -> Response {
    let resend = |conn: &Connection, ctx: &Ctx<'_>, id: &str, _: serde_json::Value| {
        service::resend_enrollment_code(conn, ctx, id)
    };
    enrollment_step(state, headers, enrollment_id, body, paths::ENROLLMENT_OTP, resend).await
}

/// An enrollment step after the start: a write with no customer session, on the path of its enrollment.
async fn enrollment_step<Req, Resp>(
    state: AppState,
    headers: HeaderMap,
    enrollment_id: String,
    body: Bytes,
    template: &str,
    step: impl FnOnce(&Connection, &Ctx<'_>, &str, Req) -> OpResult<Resp> + Send + 'static,
) -> Response
where
    Req: DeserializeOwned + Send + 'static,
    Resp: Serialize + Send + 'static,
{
    let path = paths::fill(template, "enrollment_id", &enrollment_id);
    write(state, headers, path, body, Auth::None, move |conn, ctx, request| step(conn, ctx, &enrollment_id, request))
        .await
}

async fn send_email(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::EMAILS.to_owned(), body, Auth::Customer, service::send_email).await
}

// Fleet: kiosks report (mutual TLS, like every route) and the caja's operations staff read and command.

async fn fleet_report(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::FLEET_REPORTS.to_owned(), body, Auth::None, |conn, ctx, report| {
        crate::fleet::record_report(conn, ctx.now, report)
    })
    .await
}

async fn fleet_kiosks(State(state): State<AppState>, headers: HeaderMap) -> Response {
    read(state, &headers, Auth::None, |conn, _| crate::fleet::list_kiosks(conn)).await
}

async fn fleet_kiosk(State(state): State<AppState>, headers: HeaderMap, Path(kiosk_id): Path<String>) -> Response {
    read(state, &headers, Auth::None, move |conn, _| crate::fleet::kiosk_detail(conn, &kiosk_id)).await
}

async fn fleet_history(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kiosk_id): Path<String>,
    query: Result<Query<LimitQuery>, QueryRejection>,
) -> Response {
    let limit = match limit_of(query, 50) {
        Ok(limit) => limit,
        Err(rejection) => return bad_query(rejection),
    };
    read(state, &headers, Auth::None, move |conn, _| crate::fleet::history(conn, &kiosk_id, limit)).await
}

async fn fleet_command(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(kiosk_id): Path<String>,
    body: Bytes,
) -> Response {
    let path = paths::fill(paths::FLEET_KIOSK_COMMANDS, "kiosk_id", &kiosk_id);
    write(state, headers, path, body, Auth::None, move |conn, ctx, request| {
        crate::fleet::queue_command(conn, ctx.now, &kiosk_id, request)
    })
    .await
}

async fn fleet_journal_upload(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::FLEET_JOURNAL_UPLOADS.to_owned(), body, Auth::None, |conn, ctx, upload| {
        crate::fleet::store_journal(conn, ctx.now, upload)
    })
    .await
}

async fn fleet_logs(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    write(state, headers, paths::FLEET_LOGS.to_owned(), body, Auth::None, |conn, ctx, upload| {
        crate::fleet::store_log(conn, ctx.now, upload)
    })
    .await
}

async fn demo_outbox(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !state.demo {
        return problem_response(
            &Problem::new(ErrorCode::RouteNotFound, "La bandeja de mensajes solo existe en modo demostración."),
            false,
        );
    }
    read(state, &headers, Auth::None, |conn, _| service::outbox_list(conn)).await
}

fn demo_only() -> Response {
    problem_response(&Problem::new(ErrorCode::RouteNotFound, "Esta ruta solo existe en modo demostración."), false)
}

async fn demo_faults(State(state): State<AppState>) -> Response {
    if !state.demo {
        return demo_only();
    }
    json_ok(&state.faults.list())
}

/// Body of `PUT /v1/demo/faults`: the route template and its fault; `null` clears it.
#[derive(serde::Deserialize)]
struct FaultSetting {
    route: String,
    fault: Option<crate::faults::Fault>,
}

async fn set_demo_fault(State(state): State<AppState>, body: Bytes) -> Response {
    if !state.demo {
        return demo_only();
    }
    let setting: FaultSetting = match serde_json::from_slice(&body) {
        Ok(setting) => setting,
        Err(error) => {
            return problem_response(
                &Problem::new(ErrorCode::InvalidRequest, format!("Cuerpo no válido: {error}")),
                false,
            );
        }
    };
    if !routes().iter().any(|(_, path)| *path == setting.route) {
        return problem_response(
            &Problem::new(ErrorCode::NotFound, format!("La ruta {} no existe.", setting.route)),
            false,
        );
    }
    match setting.fault {
        Some(fault) => state.faults.set(&setting.route, fault),
        None => state.faults.clear(&setting.route),
    }
    json_ok(&state.faults.list())
}
