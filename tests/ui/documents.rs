//! What the screens say about the documents a customer takes away (issue 18): the affiliation constancia
//! on screen names the currency in words, as the printed documents do.

use i_slint_backend_testing::ElementHandle;

use crate::flows::{screen, shows, touch, type_digits, window};
use servicaja_ui::Screen;
use servicaja_ui::fixtures;
use servicaja_ui::rig::Rig;

/// Issue 18: the affiliation constancia on screen said "Moneda PEN"; it says "Soles", as the paper does.
#[test]
fn the_affiliation_constancia_names_the_currency_in_words() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.swipe();
    rig.show_dni();
    type_digits(&ui, fixtures::CLAVE);
    touch(&ui, "Continuar");
    touch(&ui, "Compras por internet");
    touch(&ui, "Afiliación");
    touch(&ui, "AHORRO PN SOLES S/ 2,500.00");
    touch(&ui, "Continuar");
    type_digits(&ui, "123456");
    touch(&ui, "Confirmar");
    assert_eq!(screen(&ui), Screen::Done);
    let currency: Vec<String> = ElementHandle::find_by_accessible_label(&ui, "Moneda")
        .filter_map(|row| row.accessible_value().map(|value| value.to_string()))
        .collect();
    assert_eq!(currency, ["Soles"], "the currency in words, never the ISO code");
    assert!(shows(&ui, "Afiliación realizada"));
}
