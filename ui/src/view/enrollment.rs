//! Clave enrollment's adapter (R12): the question on screen, where it stands among the others, whether it is
//! answered and how many attempts are left, as the `EnrollmentFlow` global of `ui/kiosk.slint` takes it.
//! The new clave is the identification's adapter ([`super::map_new_clave`]), the SMS code the common fields.

use servicaja_session::state::Enrollment;

/// The `EnrollmentFlow` global's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnrollmentView {
    /// The question on screen, counted from 1.
    pub question_number: usize,
    pub question_count: usize,
    pub question: String,
    /// An answer to the question on screen is chosen: Continuar is enabled.
    pub answered: bool,
    /// Attempts left after wrong answers; `None` before any wrong answer.
    pub attempts_left: Option<u32>,
}

/// The adapter of an enrollment state (only the questions have one; the other steps read the common
/// fields or the identification's adapter).
pub fn map_enrollment(enrollment: &Enrollment) -> EnrollmentView {
    match enrollment {
        Enrollment::Questions { questions, answers, current, attempts_left, .. } => EnrollmentView {
            question_number: current + 1,
            question_count: questions.len(),
            question: questions.get(*current).map(|q| q.text.clone()).unwrap_or_default(),
            answered: answers.get(*current).copied().flatten().is_some(),
            attempts_left: *attempts_left,
        },
        Enrollment::Starting { .. }
        | Enrollment::Checking { .. }
        | Enrollment::NewClave { .. }
        | Enrollment::Code { .. }
        | Enrollment::Setting { .. } => EnrollmentView::default(),
    }
}

#[cfg(test)]
mod tests {
    use servicaja_core::api::EnrollmentQuestion;

    use super::*;

    fn questions(answers: Vec<Option<usize>>, current: usize, attempts_left: Option<u32>) -> Enrollment {
        let question = |id: &str, text: &str| EnrollmentQuestion {
            id: id.into(),
            text: text.into(),
            options: vec!["CTA AHORRO".into(), "Sin asignar".into()],
        };
        Enrollment::Questions {
            enrollment_id: "E1".into(),
            questions: vec![question("q1", "¿Qué cuenta abrió en 2019?"), question("q2", "¿En qué agencia?")],
            answers,
            current,
            attempts_left,
        }
    }

    #[test]
    fn the_question_on_screen_is_counted_from_one() {
        let view = map_enrollment(&questions(vec![Some(1), None], 1, None));
        assert_eq!((view.question_number, view.question_count), (2, 2));
        assert_eq!(view.question, "¿En qué agencia?");
    }

    #[test]
    fn continuar_waits_for_an_answer_to_the_question_on_screen() {
        assert!(!map_enrollment(&questions(vec![None, None], 0, None)).answered);
        assert!(map_enrollment(&questions(vec![Some(0), None], 0, None)).answered);
        assert!(!map_enrollment(&questions(vec![Some(0), None], 1, None)).answered, "the first one is answered");
    }

    #[test]
    fn attempts_are_told_only_after_a_wrong_answer() {
        assert_eq!(map_enrollment(&questions(vec![None, None], 0, None)).attempts_left, None);
        assert_eq!(map_enrollment(&questions(vec![None, None], 0, Some(1))).attempts_left, Some(1));
    }
}
