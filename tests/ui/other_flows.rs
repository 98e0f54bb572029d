//! The flows the first UI tests left to the session tests, driven through the window with touches: clave
//! enrollment (R12: identity questions, the new clave twice, the SMS code), the no-debt certificate (R10),
//! a request with its deadline (R11) and the MiVivienda bond calculator (R13: type the house value, see the
//! bond).

use i_slint_backend_testing::ElementHandle;
use servicaja_session::{Command, Effect};

use super::flows::{screen, shows, touch, type_digits, window};
use servicaja_ui::KioskWindow;
use servicaja_ui::Screen;
use servicaja_ui::rig::Rig;

const MIVIVIENDA: &str = "Bono MiVivienda (BBP / BMS)";

#[test]
fn a_clave_is_created_with_the_identity_questions_the_new_clave_twice_and_the_sms_code() {
    let ui = window();
    let rig = Rig::new(&ui);
    touch(&ui, "Crear mi clave");
    assert!(shows(&ui, "Para crear su clave, identifíquese con su tarjeta y su DNI."));
    rig.swipe();
    rig.show_dni();

    assert_eq!(screen(&ui), Screen::Question);
    assert!(shows(&ui, "Pregunta 1 de 3") && shows(&ui, "¿Cuál es su ocupación registrada?"));
    for answer in ["Sin asignar", "Sin asignar", "29/02/1980"] {
        touch(&ui, answer);
        touch(&ui, "Continuar");
    }
    let answered = rig.script.borrow().effects.iter().any(|e| {
        matches!(e, Effect::Submit { command: Command::AnswerEnrollment { answers, .. }, .. }
            if answers.answers.len() == 3)
    });
    assert!(answered, "the three answers went to the central");

    // The new clave, then again; two different ones start over.
    type_digits(&ui, "739146");
    touch(&ui, "Continuar");
    type_digits(&ui, "739145");
    touch(&ui, "Continuar");
    assert!(shows(&ui, "Las claves no coinciden. Ingrésela otra vez."), "the claves differ");
    type_digits(&ui, "739146");
    touch(&ui, "Continuar");
    type_digits(&ui, "739146");
    touch(&ui, "Continuar");

    assert_eq!(screen(&ui), Screen::Code);
    type_digits(&ui, "123456");
    touch(&ui, "Confirmar");
    let set = rig.script.borrow().effects.iter().any(|e| {
        matches!(e, Effect::Submit { command: Command::SetClave { .. }, credentials, .. }
            if credentials.otp.is_some() && credentials.new_clave.is_some())
    });
    assert!(set, "the new clave and the code went to the central together");
    assert!(shows(&ui, "Su clave fue creada"), "on screen {:?}", screen(&ui));
    assert_eq!(screen(&ui), Screen::Notice);
}

#[test]
fn the_mivivienda_calculator_shows_the_bond_for_the_typed_house_value() {
    let ui = window();
    let rig = Rig::new(&ui);
    touch(&ui, "Información");
    touch(&ui, MIVIVIENDA);
    assert_eq!(screen(&ui), Screen::Calculator);
    type_digits(&ui, "150000");
    touch(&ui, "Calcular");
    let bond: Vec<String> = ElementHandle::find_by_accessible_label(&ui, "Bono del Buen Pagador (BBP)")
        .filter_map(|e| e.accessible_value().map(|v| v.to_string()))
        .collect();
    // config/disclosures.toml: a house of S/ 144,000 to S/ 239,800 gets a BBP of S/ 20,500.
    assert_eq!(bond, ["S/ 20,500.00"], "on screen {:?}", screen(&ui));
    assert!(rig.script.borrow().effects.iter().all(|e| !matches!(e, Effect::Submit { .. })), "nothing sent");
}

/// The accessible values of the texts labelled `label` (a row of a voucher-like table).
fn values_of(ui: &KioskWindow, label: &str) -> Vec<String> {
    ElementHandle::find_by_accessible_label(ui, label)
        .filter_map(|e| e.accessible_value().map(|v| v.to_string()))
        .collect()
}

#[test]
fn a_no_debt_certificate_is_issued_for_a_cancelled_loan_chosen_by_touch() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    touch(&ui, "Constancias");
    assert_eq!(screen(&ui), Screen::Certificates);
    touch(&ui, "Emitir constancia");
    assert_eq!(screen(&ui), Screen::Certificates, "nothing chosen, nothing issued");
    touch(&ui, "CRÉDITO CONSUMO");
    assert_eq!(screen(&ui), Screen::Certificates, "a loan still owed cannot be chosen (R10)");
    touch(&ui, "CRÉDITO MYPE");
    touch(&ui, "Emitir constancia");
    let issued = rig.script.borrow().effects.iter().any(|e| {
        matches!(e, Effect::Submit { command: Command::NoDebtCertificate(request), .. }
            if request.loan_ids.len() == 1)
    });
    assert!(issued, "the certificate for the one cancelled loan was asked of the central");
    assert!(shows(&ui, "Constancia de no adeudo emitida"), "on screen {:?}", screen(&ui));
    assert!(ElementHandle::find_by_accessible_label(&ui, "Continuar").next().is_some());
}

#[test]
fn a_request_is_filed_and_its_ticket_names_the_deadline_in_business_days() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    touch(&ui, "Solicitudes");
    touch(&ui, "Devolución de prima de seguro");
    touch(&ui, "Registrar solicitud");
    let filed = rig.script.borrow().effects.iter().any(|e| {
        matches!(e, Effect::Submit { command: Command::FileRequest(request), .. }
            if request.kind == servicaja_core::api::RequestKind::PremiumRefund)
    });
    assert!(filed, "the request went to the central");
    assert!(shows(&ui, "Solicitud registrada"), "on screen {:?}", screen(&ui));
    assert_eq!(values_of(&ui, "Plazo (días hábiles)"), ["15"]);
    assert_eq!(values_of(&ui, "Fecha máxima de respuesta"), ["14/12/2026"]);
}
