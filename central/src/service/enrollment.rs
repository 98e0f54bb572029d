//! Clave enrollment (R12): questions on the customer's data, an OTP, the new clave.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use servicaja_core::api::*;

use crate::db::{clave_hash, sha256_hex};

use super::affiliation::{issue_otp, verify_otp};
use super::session::{CustomerRow, card_locked_problem, customer_by_card, customer_by_id, is_six_digits};
use super::{Ctx, OpError, OpResult, fail, kept, new_id};

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredQuestion {
    question: EnrollmentQuestion,
    correct: u32,
}

const SIN_ASIGNAR: &str = "Sin asignar";

fn enrollment_blocked_problem() -> OpError {
    fail(
        ErrorCode::EnrollmentBlocked,
        "El registro de su clave está bloqueado por 3 intentos fallidos. Acérquese a una ventanilla de la agencia.",
    )
}

/// Builds 4 questions from the data on record; the right option's position depends on `seed`.
fn build_questions(customer: &CustomerRow, seed: &str) -> Vec<StoredQuestion> {
    let record: serde_json::Value = serde_json::from_str(&customer.record_json).unwrap_or_default();
    let text = |key: &str| record.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let as_date = |key: &str| {
        text(key).parse::<NaiveDate>().map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_else(|_| SIN_ASIGNAR.into())
    };
    let or_unassigned = |value: String| if value.trim().is_empty() { SIN_ASIGNAR.to_owned() } else { value };
    let specs: Vec<(&str, &str, String, Vec<&str>)> = vec![
        (
            "q1",
            "¿Cuál es su fecha de nacimiento?",
            as_date("birth_date"),
            vec!["24/03/1954", "28/04/1997", "19/10/1952", "05/11/1988", "29/02/1980"],
        ),
        (
            "q2",
            "¿Cuál es su profesión u ocupación registrada?",
            or_unassigned(text("profession")),
            vec![
                "Servicios generales",
                "Comerciante",
                "Licenciado en educación",
                "Auxiliar administrativo",
                SIN_ASIGNAR,
            ],
        ),
        (
            "q3",
            "¿Cuál es el número celular de su cónyuge?",
            or_unassigned(text("spouse_phone")),
            vec!["952111222", "955777888", "953008349", SIN_ASIGNAR],
        ),
        (
            "q4",
            "¿Cuál es la fecha de ingreso a su centro de labores?",
            as_date("employer_since"),
            vec!["26/01/2016", "17/07/2010", "22/12/2000", "27/12/2013", "02/05/2018"],
        ),
    ];
    let digest = sha256_hex(&[seed.as_bytes()]);
    let digest = digest.as_bytes();
    specs
        .into_iter()
        .enumerate()
        .map(|(index, (id, question, right, pool))| {
            let mut options: Vec<String> =
                pool.iter().filter(|o| **o != right).take(3).map(|o| (*o).to_owned()).collect();
            if right != SIN_ASIGNAR && !options.iter().any(|o| o == SIN_ASIGNAR) {
                options.truncate(2);
                options.push(SIN_ASIGNAR.to_owned());
            }
            let position = usize::from(digest.get(index).copied().unwrap_or(0)) % (options.len() + 1);
            options.insert(position, right);
            StoredQuestion {
                question: EnrollmentQuestion { id: id.to_owned(), text: question.to_owned(), options },
                correct: u32::try_from(position).unwrap_or(0),
            }
        })
        .collect()
}

pub fn start_enrollment(
    conn: &Connection,
    ctx: &Ctx<'_>,
    request: StartEnrollmentRequest,
) -> OpResult<EnrollmentStarted> {
    let customer = customer_by_card(conn, &request.card_number, &request.dni)?;
    if customer.card_locked {
        return Err(card_locked_problem());
    }
    if customer.enrollment_failures >= MAX_ENROLLMENT_FAILURES {
        return Err(enrollment_blocked_problem());
    }
    let id = new_id();
    let questions = build_questions(&customer, &id);
    conn.execute(
        "INSERT INTO enrollments (id, customer_id, questions_json, state, created_at) VALUES (?1, ?2, ?3, 'questions', ?4)",
        params![id, customer.id, serde_json::to_string(&questions)?, ctx.now.to_rfc3339()],
    )?;
    Ok(EnrollmentStarted {
        enrollment_id: id,
        questions: questions.into_iter().map(|q| q.question).collect(),
        attempts_left: MAX_ENROLLMENT_FAILURES - customer.enrollment_failures,
    })
}

fn enrollment(conn: &Connection, id: &str) -> OpResult<(String, String, String, Option<String>)> {
    conn.query_row(
        "SELECT customer_id, questions_json, state, otp_id FROM enrollments WHERE id = ?1",
        params![id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()?
    .ok_or_else(|| fail(ErrorCode::NotFound, "El registro de clave no existe. Empiece nuevamente."))
}

pub fn answer_enrollment(
    conn: &Connection,
    ctx: &Ctx<'_>,
    id: &str,
    answers: EnrollmentAnswers,
) -> OpResult<EnrollmentVerified> {
    let (customer_id, questions_json, state, _) = enrollment(conn, id)?;
    let customer = customer_by_id(conn, &customer_id)?;
    if customer.enrollment_failures >= MAX_ENROLLMENT_FAILURES {
        return Err(enrollment_blocked_problem());
    }
    if state != "questions" {
        return Err(fail(ErrorCode::EnrollmentState, "Las preguntas ya fueron respondidas correctamente."));
    }
    let questions: Vec<StoredQuestion> = serde_json::from_str(&questions_json)?;
    let all_right = questions.len() == answers.answers.len()
        && questions
            .iter()
            .all(|q| answers.answers.iter().any(|a| a.question_id == q.question.id && a.option == q.correct));
    if !all_right {
        let failures = customer.enrollment_failures + 1;
        conn.execute("UPDATE customers SET enrollment_failures = ?2 WHERE id = ?1", params![customer.id, failures])?;
        if failures >= MAX_ENROLLMENT_FAILURES {
            conn.execute("UPDATE enrollments SET state = 'blocked' WHERE id = ?1", params![id])?;
            return Err(kept(enrollment_blocked_problem()));
        }
        let left = MAX_ENROLLMENT_FAILURES - failures;
        let mut error = fail(
            ErrorCode::EnrollmentAnswersWrong,
            format!("Una o más respuestas no coinciden con nuestros registros. Le queda(n) {left} intento(s)."),
        );
        error.problem.attempts_left = Some(left);
        return Err(kept(error));
    }
    let otp = issue_otp(conn, ctx, &customer, "clave_enrollment")?;
    conn.execute("UPDATE enrollments SET state = 'verified', otp_id = ?2 WHERE id = ?1", params![id, otp.otp_id])?;
    Ok(EnrollmentVerified { enrollment_id: id.to_owned(), otp })
}

/// A new SMS code for an enrollment whose answers passed: the earlier code stops counting (the enrollment
/// keeps only the newest), as a resent affiliation code does.
pub fn resend_enrollment_code(conn: &Connection, ctx: &Ctx<'_>, id: &str) -> OpResult<OtpSent> {
    let (customer_id, _, state, _) = enrollment(conn, id)?;
    if state != "verified" {
        return Err(fail(ErrorCode::EnrollmentState, "Primero responda correctamente las preguntas de validación."));
    }
    let customer = customer_by_id(conn, &customer_id)?;
    let otp = issue_otp(conn, ctx, &customer, "clave_enrollment")?;
    conn.execute("UPDATE enrollments SET otp_id = ?2 WHERE id = ?1", params![id, otp.otp_id])?;
    Ok(otp)
}

pub fn set_enrollment_clave(
    conn: &Connection,
    ctx: &Ctx<'_>,
    id: &str,
    request: SetClaveRequest,
) -> OpResult<EnrollmentCompleted> {
    let (customer_id, _, state, otp_id) = enrollment(conn, id)?;
    if state != "verified" {
        return Err(fail(ErrorCode::EnrollmentState, "Primero responda correctamente las preguntas de validación."));
    }
    if !is_six_digits(&request.new_clave) {
        return Err(fail(ErrorCode::ClaveFormat, "La nueva clave debe tener exactamente 6 dígitos."));
    }
    let otp_id = otp_id.unwrap_or_default();
    verify_otp(conn, ctx, &customer_id, "clave_enrollment", &otp_id, &request.otp_code)?;
    conn.execute(
        "UPDATE customers SET clave_hash = ?2, clave_failures = 0 WHERE id = ?1",
        params![customer_id, clave_hash(&customer_id, &request.new_clave)],
    )?;
    conn.execute("UPDATE enrollments SET state = 'completed' WHERE id = ?1", params![id])?;
    Ok(EnrollmentCompleted { enrollment_id: id.to_owned(), at: ctx.now })
}
